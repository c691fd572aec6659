#include "config.h"
#include "redact.h"
#include "buf.h"
#include "xalloc.h"

#include <stdbool.h>
#include <string.h>

/* Appends the query (from its '?' or '&') with secret values masked. */
static void lh_redact_query(struct lh_buf *out, const char *q)
{
	static const char *const secrets[] = { "token=", "password=", "key=" };
	while (*q) {
		size_t n = strcspn(q + 1, "&") + 1; /* one "?name=value" or "&name=value" */
		bool secret = false;
		for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
			secret |= strncmp(q + 1, secrets[i], strlen(secrets[i])) == 0;
		if (secret) {
			const char *eq = memchr(q, '=', n);
			lh_buf_append(out, q, (size_t)(eq - q) + 1);
			lh_buf_puts(out, "***");
		} else {
			lh_buf_append(out, q, n);
		}
		q += n;
	}
}

char *lh_redact_url(const char *url)
{
	struct lh_buf out = LH_BUF_INIT;
	const char *scheme = strstr(url, "://");
	const char *auth = scheme ? scheme + 3 : url;
	size_t authlen = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', authlen);
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		lh_buf_append(&out, url, (size_t)(colon - url) + 1);
		lh_buf_puts(&out, "***");
		url = at;
	}
	const char *q = strchr(url, '?');
	lh_buf_append(&out, url, q ? (size_t)(q - url) : strlen(url));
	if (q)
		lh_redact_query(&out, q);
	return out.data ? out.data : lh_xstrdup("");
}
