#include "config.h"
#include "redisurl.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int lh_parse_int(const char *s, size_t len, int min, int max, int *out)
{
	if (!len || len > 9)
		return -1;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int lh_parse_userinfo(const char *s, size_t len, struct lh_redis_url *u)
{
	const char *colon = memchr(s, ':', len);
	if (!colon) {
		u->password = lh_xstrndup(s, len); /* "redis://secret@host" */
		return 0;
	}
	if (colon > s)
		u->user = lh_xstrndup(s, (size_t)(colon - s));
	u->password = lh_xstrndup(colon + 1, len - (size_t)(colon - s) - 1);
	return 0;
}

static int lh_parse_hostport(const char *s, size_t len, struct lh_redis_hostport *u, const char **cause)
{
	const char *colon;
	if (len && s[0] == '[') { /* [::1]:6379 */
		const char *close = memchr(s, ']', len);
		if (!close) {
			*cause = "unterminated [IPv6] host";
			return -1;
		}
		u->host = lh_xstrndup(s + 1, (size_t)(close - s - 1));
		colon = close + 1 < s + len && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		u->host = lh_xstrndup(s, colon ? (size_t)(colon - s) : len);
	}
	if (!u->host[0]) {
		free(u->host);
		u->host = lh_xstrdup("127.0.0.1");
	}
	if (colon && lh_parse_int(colon + 1, len - (size_t)(colon + 1 - s), 1, 65535, &u->port) < 0) {
		*cause = "port must be a number from 1 to 65535";
		return -1;
	}
	return 0;
}

static int lh_parse_db(const char *s, struct lh_redis_url *u, const char **cause)
{
	if (lh_parse_int(s, strlen(s), 0, 1 << 20, &u->db) < 0) {
		*cause = "database must be a number, as in redis://host:6379/0";
		return -1;
	}
	return 0;
}

/* host[:port][,host[:port]...], each port 26379 unless given. */
static int lh_parse_sentinels(const char *s, size_t len, struct lh_redis_url *u, const char **cause)
{
	const char *end = s + len;
	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		if (u->nsentinels == LH_REDIS_MAX_SENTINELS) {
			*cause = "at most 8 sentinels";
			return -1;
		}
		struct lh_redis_hostport *hp = &u->sentinels[u->nsentinels++];
		hp->port = LH_SENTINEL_DEFAULT_PORT;
		if (stop == s) {
			*cause = "a sentinel's host:port is empty";
			return -1;
		}
		if (lh_parse_hostport(s, (size_t)(stop - s), hp, cause) < 0)
			return -1;
		s = stop + 1;
	}
	u->host = lh_xstrdup(u->sentinels[0].host);
	u->port = u->sentinels[0].port;
	return 0;
}

/* /MASTER[/db] */
static int lh_parse_master(const char *slash, struct lh_redis_url *u, const char **cause)
{
	const char *name = slash ? slash + 1 : "";
	const char *db = strchr(name, '/');
	size_t len = db ? (size_t)(db - name) : strlen(name);
	if (!len) {
		*cause = "the master's name is missing, as in redis+sentinel://host:26379/mymaster";
		return -1;
	}
	u->master = lh_xstrndup(name, len);
	return db && db[1] ? lh_parse_db(db + 1, u, cause) : 0;
}

int lh_redis_url_parse(const char *url, struct lh_redis_url *u, const char **cause)
{
	memset(u, 0, sizeof *u);
	u->port = 6379;
	if (strncmp(url, "unix://", 7) == 0) {
		if (url[7] != '/') {
			*cause = "unix:// needs an absolute path, as in unix:///run/redis.sock";
			return -1;
		}
		u->path = lh_xstrdup(url + 7);
		return 0;
	}
	bool sentinel = strncmp(url, "redis+sentinel://", 17) == 0;
	if (!sentinel && strncmp(url, "redis://", 8) != 0) {
		*cause = "URL must start with redis://, redis+sentinel:// or unix://";
		return -1;
	}
	const char *p = url + (sentinel ? 17 : 8);
	const char *slash = strchr(p, '/');
	size_t authority_len = slash ? (size_t)(slash - p) : strlen(p);
	const char *at = memchr(p, '@', authority_len);
	if (at) {
		lh_parse_userinfo(p, (size_t)(at - p), u);
		authority_len -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (sentinel) {
		if (lh_parse_sentinels(p, authority_len, u, cause) < 0 ||
		    lh_parse_master(slash, u, cause) < 0)
			goto fail;
	} else {
		struct lh_redis_hostport hp = { NULL, 6379 };
		int st = lh_parse_hostport(p, authority_len, &hp, cause);
		u->host = hp.host;
		u->port = hp.port;
		if (st < 0)
			goto fail;
		if (slash && slash[1] && lh_parse_db(slash + 1, u, cause) < 0)
			goto fail;
	}
	return 0;
fail:
	lh_redis_url_clear(u);
	return -1;
}

void lh_redis_url_clear(struct lh_redis_url *u)
{
	free(u->host);
	free(u->path);
	free(u->user);
	free(u->password);
	free(u->master);
	for (size_t i = 0; i < u->nsentinels; i++)
		free(u->sentinels[i].host);
	memset(u, 0, sizeof *u);
}

char *lh_redis_url_display(const struct lh_redis_url *u)
{
	if (u->path)
		return lh_xasprintf("unix://%s", u->path);
	struct lh_buf b = LH_BUF_INIT;
	lh_buf_printf(&b, "%s://%s%s", u->master ? "redis+sentinel" : "redis", u->user ? u->user : "",
		      u->user ? "@" : "");
	const struct lh_redis_hostport one = { u->host, u->port };
	const struct lh_redis_hostport *hp = u->master ? u->sentinels : &one;
	for (size_t i = 0; i < (u->master ? u->nsentinels : 1); i++) {
		int v6 = strchr(hp[i].host, ':') != NULL;
		lh_buf_printf(&b, "%s%s%s%s:%d", i ? "," : "", v6 ? "[" : "", hp[i].host, v6 ? "]" : "", hp[i].port);
	}
	if (u->master)
		lh_buf_printf(&b, "/%s", u->master);
	return b.data;
}
