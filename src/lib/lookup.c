#include "config.h"
#include "lookup.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The lookup runs on a detached thread of its own rather than libuv's
 * pool: the loop would wait for a pool request it cannot cancel, so a
 * stuck name server would hold up the exit by as long as its timeouts.
 * The thread and the loop share this under the mutex; whichever lets go
 * last frees it. */
struct lh_lookup {
	pthread_mutex_t mu;
	int refs;
	bool abandoned;
	uv_async_t *async; /* wakes the loop; closed by the loop side */
	lh_lookup_cb *cb;
	void *ctx;
	char addr[INET6_ADDRSTRLEN];
	int gai_status;
	char host[];
};

bool lh_lookup_is_address(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* The first IPv4 address, else the first IPv6 one. */
static bool lh_lookup_pick(const struct addrinfo *res, char *out, size_t size)
{
	for (int pass = 0; pass < 2; pass++) {
		int family = pass ? AF_INET6 : AF_INET;
		for (const struct addrinfo *a = res; a; a = a->ai_next) {
			if (a->ai_family != family)
				continue;
			const void *in = family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
							   : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
			return inet_ntop(family, in, out, (socklen_t)size) != NULL;
		}
	}
	return false;
}

static void lh_lookup_unref(struct lh_lookup *l)
{
	pthread_mutex_lock(&l->mu);
	bool last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (last) {
		pthread_mutex_destroy(&l->mu);
		free(l);
	}
}

static void *lh_lookup_thread(void *arg)
{
	struct lh_lookup *l = arg;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	int rc = getaddrinfo(l->host, NULL, &hints, &res);
	char addr[INET6_ADDRSTRLEN] = "";
	if (rc == 0 && !lh_lookup_pick(res, addr, sizeof addr))
		rc = EAI_NONAME;
	if (res)
		freeaddrinfo(res);
	pthread_mutex_lock(&l->mu);
	if (!l->abandoned) {
		memcpy(l->addr, addr, sizeof addr);
		l->gai_status = rc;
		uv_async_send(l->async);
	}
	pthread_mutex_unlock(&l->mu);
	lh_lookup_unref(l);
	return NULL;
}

static void lh_lookup_async_closed(uv_handle_t *h)
{
	free(h);
}

/* The loop side lets go: no callback after this. */
void lh_lookup_abandon(struct lh_lookup *l)
{
	pthread_mutex_lock(&l->mu);
	l->abandoned = true;
	pthread_mutex_unlock(&l->mu);
	uv_close((uv_handle_t *)l->async, lh_lookup_async_closed);
	lh_lookup_unref(l);
}

static void lh_lookup_done(uv_async_t *a)
{
	struct lh_lookup *l = a->data;
	const char *error = l->gai_status ? gai_strerror(l->gai_status) : NULL;
	l->cb(l->ctx, error ? NULL : l->addr, error);
	lh_lookup_abandon(l);
}

struct lh_lookup *lh_lookup_start(uv_loop_t *loop, const char *host, lh_lookup_cb *cb, void *ctx,
				  const char **error)
{
	size_t n = strlen(host) + 1;
	struct lh_lookup *l = lh_xcalloc(1, sizeof *l + n);
	memcpy(l->host, host, n);
	l->cb = cb;
	l->ctx = ctx;
	l->refs = 2;
	l->async = lh_xcalloc(1, sizeof *l->async);
	l->async->data = l;
	pthread_attr_t attr;
	pthread_t t;
	if (pthread_mutex_init(&l->mu, NULL) != 0 || uv_async_init(loop, l->async, lh_lookup_done) != 0) {
		*error = "cannot start a lookup";
		free(l->async);
		free(l);
		return NULL;
	}
	/* The thread starts with every signal blocked, so SIGINT, SIGTERM and
	 * SIGWINCH keep going to the loop's thread. */
	sigset_t all, old;
	sigfillset(&all);
	int rc = pthread_attr_init(&attr);
	if (rc == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&t, &attr, lh_lookup_thread, l);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		*error = "cannot start a lookup thread";
		l->refs = 1; /* no thread holds it */
		lh_lookup_abandon(l);
		return NULL;
	}
	return l;
}

