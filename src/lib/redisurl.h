/* redisurl: "redis://[user:pass@]host[:port][/db]", "unix:///path" and
 * "redis+sentinel://[user:pass@]host[:port][,host[:port]...]/MASTER[/db]"
 * (the password is the master's; sentinels are asked without one). */
#ifndef LH_REDISURL_H
#define LH_REDISURL_H

#include <stddef.h>

#define LH_REDIS_DEFAULT_URL "redis://127.0.0.1:6379"

#define LH_REDIS_MAX_SENTINELS 8
#define LH_SENTINEL_DEFAULT_PORT 26379

struct lh_redis_hostport {
	char *host;
	int port;
};

struct lh_redis_url {
	char *host;     /* NULL for a unix socket */
	int port;
	char *path;     /* unix socket path, else NULL */
	char *user;     /* NULL when not given */
	char *password; /* NULL when not given */
	int db;
	/* redis+sentinel://: the master's name, and the sentinels to ask for
	 * it (host and port above are then the first sentinel's) */
	char *master;
	struct lh_redis_hostport sentinels[LH_REDIS_MAX_SENTINELS];
	size_t nsentinels;
};

/* Fills *u with new strings (free with lh_redis_url_clear) and returns 0, or
 * returns -1 with *cause a static text saying what is wrong. */
int lh_redis_url_parse(const char *url, struct lh_redis_url *u, const char **cause);
void lh_redis_url_clear(struct lh_redis_url *u);
/* The URL without its password, for display; the caller frees it. */
char *lh_redis_url_display(const struct lh_redis_url *u);

#endif
