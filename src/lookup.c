#include "config.h"
#include "lookup.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>

struct lh_lookup {
	uv_getaddrinfo_t req;
	lh_lookup_cb *cb; /* NULL once abandoned */
	void *ctx;
};

bool lh_lookup_is_address(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static bool lh_lookup_pick(const struct addrinfo *res, char *out, size_t size)
{
	for (const struct addrinfo *a = res; a; a = a->ai_next)
		if (a->ai_family == AF_INET)
			return uv_ip4_name((const struct sockaddr_in *)a->ai_addr, out, size) == 0;
	for (const struct addrinfo *a = res; a; a = a->ai_next)
		if (a->ai_family == AF_INET6)
			return uv_ip6_name((const struct sockaddr_in6 *)a->ai_addr, out, size) == 0;
	return false;
}

static void lh_lookup_done(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct lh_lookup *l = req->data;
	char addr[INET6_ADDRSTRLEN];
	bool found = status == 0 && lh_lookup_pick(res, addr, sizeof addr);
	uv_freeaddrinfo(res);
	if (l->cb)
		l->cb(l->ctx, found ? addr : NULL, found ? NULL : status ? uv_strerror(status) : "no address");
	free(l);
}

struct lh_lookup *lh_lookup_start(uv_loop_t *loop, const char *host, lh_lookup_cb *cb, void *ctx,
				  const char **error)
{
	struct lh_lookup *l = lh_xcalloc(1, sizeof *l);
	l->cb = cb;
	l->ctx = ctx;
	l->req.data = l;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	int rc = uv_getaddrinfo(loop, &l->req, lh_lookup_done, host, NULL, &hints);
	if (rc < 0) {
		*error = uv_strerror(rc);
		free(l);
		return NULL;
	}
	return l;
}

void lh_lookup_abandon(struct lh_lookup *l)
{
	l->cb = NULL;
	uv_cancel((uv_req_t *)&l->req); /* fails harmlessly once running */
}
