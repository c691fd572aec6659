#include "config.h"
#include "url.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int lh_url_parse(const char *url, struct lh_url *u)
{
	memset(u, 0, sizeof *u);
	const char *sep = strstr(url, "://");
	if (!sep || sep == url)
		return -1;
	const char *p = sep + 3, *slash = strchr(p, '/');
	size_t hostlen = slash ? (size_t)(slash - p) : strlen(p);
	const char *colon = memchr(p, ':', hostlen);
	u->scheme = lh_xstrndup(url, (size_t)(sep - url));
	u->tls = strcmp(u->scheme, "https") == 0 || strcmp(u->scheme, "wss") == 0;
	u->port = u->tls ? 443 : 80;
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		u->port = end == p + hostlen && port >= 1 && port <= 65535 ? (int)port : 0;
		hostlen = (size_t)(colon - p);
	}
	if (!hostlen || !u->port || memchr(p, '@', hostlen)) {
		lh_url_free(u);
		return -1;
	}
	u->host = lh_xstrndup(p, hostlen);
	u->path = lh_xstrdup(slash ? slash : "/");
	return 0;
}

void lh_url_free(struct lh_url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
}
