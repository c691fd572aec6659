/* xalloc: allocation that cannot fail. Running out of memory is fatal in
 * livehud (there is no sane way to go on drawing or forwarding), so every
 * allocation goes through here and callers never test for NULL. */
#ifndef LH_XALLOC_H
#define LH_XALLOC_H

#include <stddef.h>

void *lh_xmalloc(size_t size);
void *lh_xcalloc(size_t n, size_t size);
void *lh_xrealloc(void *ptr, size_t size);
/* Returns a new copy the caller frees; lh_xstrdup(NULL) is NULL. */
char *lh_xstrdup(const char *s);
char *lh_xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *lh_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
