/* redisurl: "redis://[user:pass@]host[:port][/db]" and "unix:///path". */
#ifndef LH_REDISURL_H
#define LH_REDISURL_H

#define LH_REDIS_DEFAULT_URL "redis://127.0.0.1:6379"

struct lh_redis_url {
	char *host;     /* NULL for a unix socket */
	int port;
	char *path;     /* unix socket path, else NULL */
	char *user;     /* NULL when not given */
	char *password; /* NULL when not given */
	int db;
};

/* Fills *u with new strings (free with lh_redis_url_clear) and returns 0, or
 * returns -1 with *cause a static text saying what is wrong. */
int lh_redis_url_parse(const char *url, struct lh_redis_url *u, const char **cause);
void lh_redis_url_clear(struct lh_redis_url *u);
/* The URL without its password, for display; the caller frees it. */
char *lh_redis_url_display(const struct lh_redis_url *u);

#endif
