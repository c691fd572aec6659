/* url: scheme://host[:port][/path] split into its parts, for the
 * WebSocket source and the kernel's HTTP API (Redis URLs have their own
 * reader, redisurl). No user:password part: tokens go in headers. */
#ifndef LH_URL_H
#define LH_URL_H

#include <stdbool.h>

struct lh_url {
	char *scheme; /* lower case as written: "ws", "https" */
	char *host;   /* without brackets */
	char *path;   /* "/" when absent */
	int port;     /* 443 for https and wss, else 80, when absent */
	bool tls;     /* https or wss */
};

/* 0, or -1 when the URL has no scheme, no host or a bad port. The parts
 * are new strings; lh_url_free frees them. */
int lh_url_parse(const char *url, struct lh_url *u);
void lh_url_free(struct lh_url *u);

#endif
