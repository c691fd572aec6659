/* redact: credentials taken out of a URL before it is shown or logged:
 * the password of "scheme://user:password@host" and the value of a
 * token=, password= or key= query parameter become "***". */
#ifndef LH_REDACT_H
#define LH_REDACT_H

/* A new string; the caller frees it. */
char *lh_redact_url(const char *url);

#endif
