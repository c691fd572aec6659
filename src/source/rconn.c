/* rconn: see rconn.h.
 * A host name is looked up first (lookup.h) and hiredis given the address.
 *
 * hiredis calls back for a context even while we are tearing it down, so
 * every callback first checks that its context is still the current one
 * (rc->ac); a context we gave up on is forgotten before it is freed or
 * disconnected, and whatever it says afterwards is ignored. */
#include "config.h"
#include "rconn.h"
#include "redis.h"
#include "lib/buf.h"
#include "lib/lookup.h"
#include "lib/redact.h"
#include "lib/respcut.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exported by hiredis 0.14, declared in its async.h only from 1.0 on. */
void redisProcessCallbacks(redisAsyncContext *ac);

struct lh_rconn {
	struct lh_source *src;
	struct lh_redis_url url;
	struct lh_rconn_hooks hooks;
	redisAsyncContext *ac;
	uv_timer_t timer; /* connect timeout, then retry delay */
	struct lh_lookup *lookup; /* while the host name is looked up */
	char lookup_host[256];    /* what it looks up, and for which port */
	int lookup_port;
	size_t max_bytes;
	bool ever_live;
	/* Silence on a live connection: after silence_ms without a byte, a
	 * nudge; no byte silence_ms + LH_REDIS_PING_WAIT_MS later either,
	 * and Redis is taken for stalled. */
	uv_timer_t watch;
	unsigned silence_ms;   /* 0: never */
	uint64_t reads_seen;
	bool nudged;
	/* redis+sentinel://: each connection starts by asking a sentinel
	 * (sac) for the master; the sentinel then stays subscribed to
	 * +switch-master, and a switch starts over. */
	redisAsyncContext *sac;
	size_t sentinel;          /* the one to ask next */
	bool asking;              /* this attempt is still at the sentinel */
	char master_host[64];
	int master_port;
	int setup_pending; /* AUTH and SELECT not yet answered */
	bool ready;        /* they were: the source's commands go on ac */
};

static void lh_rconn_timer_cb(uv_timer_t *t);

/* ---- hiredis on libuv ----
 * Our own adapter rather than hiredis's adapters/libuv.h: that one drops
 * poll errors, and libuv reports a refused non-blocking connect as exactly
 * such an error (POLLERR), so the connect would hang until our timeout
 * instead of failing at once with "Connection refused".
 * It also reads the socket itself: hiredis keeps a reply in its buffer
 * until all of it has arrived, so a stranger's PUBLISH of hundreds of
 * megabytes would sit in memory whatever --max-bytes says. What is read
 * goes through respcut, which cuts such a payload down to --max-bytes + 1
 * bytes (rejected as oversize) as it streams past. */

struct lh_redis_poll {
	redisAsyncContext *ac; /* NULL once hiredis has cleaned up */
	uv_poll_t handle;
	int events;
	struct lh_respcut *cut;
	struct lh_buf fed;     /* what respcut let through, for the reader */
	uint64_t reads;        /* reads that brought bytes: the server is alive */
};

static void lh_redis_read(struct lh_redis_poll *p)
{
	redisAsyncContext *ac = p->ac;
	/* hiredis's own read size. Larger reads measured worse: a loop turn
	 * then takes in more than it can pass on, and a burst piles up in
	 * client queues instead of flowing through. */
	char in[16384];
	ssize_t n = read(ac->c.fd, in, sizeof in);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) { /* hiredis reads the end or the error again, and says so */
		redisAsyncHandleRead(ac);
		return;
	}
	p->reads++;
	lh_buf_reset(&p->fed);
	lh_respcut_feed(p->cut, in, (size_t)n, &p->fed);
	/* A reader in error fails the feed; the callbacks then see the error
	 * and disconnect. */
	redisReaderFeed(ac->c.reader, p->fed.data, p->fed.len);
	redisProcessCallbacks(ac);
}

static void lh_redis_poll_cb(uv_poll_t *h, int status, int events)
{
	struct lh_redis_poll *p = h->data;
	if (status < 0) /* let hiredis read the socket error itself */
		events = (p->ac && !(p->ac->c.flags & REDIS_CONNECTED)) ? UV_WRITABLE : UV_READABLE;
	if (p->ac && (events & UV_READABLE)) {
		if (status < 0 || !(p->ac->c.flags & REDIS_CONNECTED))
			redisAsyncHandleRead(p->ac);
		else
			lh_redis_read(p);
	}
	if (p->ac && (events & UV_WRITABLE))
		redisAsyncHandleWrite(p->ac);
}

/* hiredis asks for reads again after every read; uv_poll_start would
 * then remove and re-add the descriptor to epoll, two syscalls per
 * message, so only a change of interest reaches libuv. */
static void lh_redis_poll_update(struct lh_redis_poll *p, int events)
{
	if (events == p->events && uv_is_active((uv_handle_t *)&p->handle) == (events != 0))
		return;
	p->events = events;
	if (events)
		uv_poll_start(&p->handle, events, lh_redis_poll_cb);
	else
		uv_poll_stop(&p->handle);
}

static void lh_redis_add_read(void *d) { struct lh_redis_poll *p = d; lh_redis_poll_update(p, p->events | UV_READABLE); }
static void lh_redis_del_read(void *d) { struct lh_redis_poll *p = d; lh_redis_poll_update(p, p->events & ~UV_READABLE); }
static void lh_redis_add_write(void *d) { struct lh_redis_poll *p = d; lh_redis_poll_update(p, p->events | UV_WRITABLE); }
static void lh_redis_del_write(void *d) { struct lh_redis_poll *p = d; lh_redis_poll_update(p, p->events & ~UV_WRITABLE); }

static void lh_redis_poll_closed(uv_handle_t *h)
{
	struct lh_redis_poll *p = h->data;
	lh_respcut_free(p->cut);
	lh_buf_free(&p->fed);
	free(p);
}

static void lh_redis_cleanup(void *d)
{
	struct lh_redis_poll *p = d;
	p->ac = NULL;
	uv_close((uv_handle_t *)&p->handle, lh_redis_poll_closed);
}

static int lh_redis_attach(redisAsyncContext *ac, uv_loop_t *loop, size_t max_bytes)
{
	struct lh_redis_poll *p = lh_xcalloc(1, sizeof *p);
	if (uv_poll_init(loop, &p->handle, ac->c.fd) != 0) {
		free(p);
		return REDIS_ERR;
	}
	p->cut = lh_respcut_new(max_bytes);
	p->ac = ac;
	p->handle.data = p;
	ac->ev.data = p;
	ac->ev.addRead = lh_redis_add_read;
	ac->ev.delRead = lh_redis_del_read;
	ac->ev.addWrite = lh_redis_add_write;
	ac->ev.delWrite = lh_redis_del_write;
	ac->ev.cleanup = lh_redis_cleanup;
	return REDIS_OK;
}

static void lh_rconn_drop_sentinel(struct lh_rconn *rc)
{
	redisAsyncContext *sac = rc->sac;
	rc->sac = NULL;
	if (sac)
		redisAsyncFree(sac);
}

/* The current context is gone or given up: wait, then connect again. */
static void lh_rconn_retry(struct lh_rconn *rc)
{
	uv_timer_stop(&rc->watch);
	lh_rconn_drop_sentinel(rc);
	lh_source_retry_later(rc->src, &rc->timer, lh_rconn_timer_cb);
}

static void lh_rconn_drop(struct lh_rconn *rc)
{
	redisAsyncContext *ac = rc->ac;
	rc->ac = NULL;
	if (ac)
		redisAsyncFree(ac);
	lh_rconn_drop_sentinel(rc);
}

void lh_rconn_write_raw(struct lh_rconn *rc, const char *cmd, size_t len)
{
	if (rc->ac && redisAppendFormattedCommand(&rc->ac->c, cmd, len) == REDIS_OK)
		lh_redis_add_write(rc->ac->ev.data);
}

static void lh_rconn_watch_cb(uv_timer_t *t)
{
	struct lh_rconn *rc = t->data;
	if (!rc->ac)
		return;
	const struct lh_redis_poll *p = rc->ac->ev.data;
	if (p->reads != rc->reads_seen) { /* alive: watch the next stretch */
		rc->reads_seen = p->reads;
		rc->nudged = false;
		uv_timer_start(t, lh_rconn_watch_cb, rc->silence_ms, 0);
	} else if (!rc->nudged) {
		if (rc->hooks.nudge)
			rc->hooks.nudge(rc->hooks.ctx, rc->ac);
		rc->nudged = true;
		uv_timer_start(t, lh_rconn_watch_cb, LH_REDIS_PING_WAIT_MS, 0);
	} else {
		lh_rconn_drop(rc);
		rc->src->status.stalls++;
		lh_source_set_error(rc->src, "stalled: no answer to %s within %d ms",
				    rc->hooks.nudge ? "PING" : "XREAD BLOCK", LH_REDIS_PING_WAIT_MS);
		lh_rconn_retry(rc);
	}
}

static void lh_rconn_timer_cb(uv_timer_t *t)
{
	struct lh_rconn *rc = t->data;
	if (rc->src->status.state == LH_SOURCE_RETRYING) {
		lh_rconn_connect(rc);
		return;
	}
	/* Connecting took too long: a black-holed host, a stalled server, or
	 * a name server that does not answer. */
	lh_rconn_drop(rc);
	if (rc->lookup)
		lh_source_set_error(rc->src, "could not resolve %s within %d ms", rc->url.host,
				    LH_REDIS_CONNECT_TIMEOUT_MS);
	else
		lh_source_set_error(rc->src, "timed out after %d ms", LH_REDIS_CONNECT_TIMEOUT_MS);
	lh_rconn_retry(rc);
}

void lh_rconn_fail(struct lh_rconn *rc, const char *what, const char *detail)
{
	redisAsyncContext *ac = rc->ac;
	rc->ac = NULL;
	lh_source_set_error(rc->src, "%s: %s", what, detail);
	if (ac) /* hiredis frees it when the callback returns */
		redisAsyncDisconnect(ac);
	lh_rconn_retry(rc);
}

bool lh_rconn_current(const struct lh_rconn *rc, const redisAsyncContext *ac)
{
	return ac && ac == rc->ac;
}

void lh_rconn_live(struct lh_rconn *rc)
{
	uv_timer_stop(&rc->timer);
	if (rc->silence_ms) {
		rc->reads_seen = ((const struct lh_redis_poll *)rc->ac->ev.data)->reads;
		rc->nudged = false;
		uv_timer_start(&rc->watch, lh_rconn_watch_cb, rc->silence_ms, 0);
	}
	lh_source_backoff_reset(rc->src);
	if (rc->ever_live)
		rc->src->status.reconnects++;
	rc->ever_live = true;
	lh_source_set_state(rc->src, LH_SOURCE_LIVE);
}

static void lh_rconn_ready(struct lh_rconn *rc, redisAsyncContext *ac)
{
	rc->ready = true;
	rc->hooks.ready(rc->hooks.ctx, ac);
}

redisAsyncContext *lh_rconn_ac(const struct lh_rconn *rc)
{
	return rc->ready ? rc->ac : NULL;
}

redisReply *lh_rconn_reply(struct lh_rconn *rc, const redisAsyncContext *ac, void *r, const char *what)
{
	redisReply *reply = r;
	if (!reply || !lh_rconn_current(rc, ac))
		return NULL;
	if (reply->type == REDIS_REPLY_ERROR) {
		lh_rconn_fail(rc, what, reply->str);
		return NULL;
	}
	return reply;
}

/* AUTH and SELECT are sent together; the source's commands go once both
 * are answered. */
static void lh_rconn_setup_reply(struct lh_rconn *rc, redisAsyncContext *ac, redisReply *reply, const char *what)
{
	if (lh_rconn_reply(rc, ac, reply, what) && --rc->setup_pending == 0)
		lh_rconn_ready(rc, ac);
}

static void lh_rconn_on_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	lh_rconn_setup_reply(privdata, ac, r, "AUTH");
}

static void lh_rconn_on_select(redisAsyncContext *ac, void *r, void *privdata)
{
	lh_rconn_setup_reply(privdata, ac, r, "SELECT");
}

static void lh_rconn_on_connect(const redisAsyncContext *ac, int status)
{
	struct lh_rconn *rc = ac->data;
	if (ac != rc->ac || status == REDIS_OK)
		return;
	rc->ac = NULL; /* hiredis frees it after this callback */
	lh_source_set_error(rc->src, "connect: %s", ac->errstr);
	lh_rconn_retry(rc);
}

static void lh_rconn_on_disconnect(const redisAsyncContext *ac, int status)
{
	struct lh_rconn *rc = ac->data;
	if (ac != rc->ac)
		return;
	rc->ac = NULL;
	lh_source_set_error(rc->src, "%s",
			    status == REDIS_OK || !ac->errstr[0] ? "connection closed by server" : ac->errstr);
	lh_rconn_retry(rc);
}

static void lh_rconn_setup(struct lh_rconn *rc, redisAsyncContext *ac)
{
	const struct lh_redis_url *u = &rc->url;
	rc->setup_pending = 0;
	rc->ready = false;
	if (u->password) {
		const char *argv[3] = { "AUTH", u->user ? u->user : u->password, u->password };
		rc->setup_pending++;
		redisAsyncCommandArgv(ac, lh_rconn_on_auth, rc, u->user ? 3 : 2, argv, NULL);
	}
	if (u->db) {
		rc->setup_pending++;
		redisAsyncCommand(ac, lh_rconn_on_select, rc, "SELECT %d", u->db);
	}
	if (!rc->setup_pending)
		lh_rconn_ready(rc, ac);
}

static void lh_rconn_sentinel_on_connect(const redisAsyncContext *ac, int status)
{
	struct lh_rconn *rc = ac->data;
	if (ac != rc->sac || status == REDIS_OK)
		return;
	rc->sac = NULL;
	if (rc->asking) {
		lh_source_set_error(rc->src, "sentinel %s:%d: connect: %s", rc->url.sentinels[rc->sentinel].host,
				    rc->url.sentinels[rc->sentinel].port, ac->errstr);
		rc->sentinel = (rc->sentinel + 1) % rc->url.nsentinels;
		lh_rconn_retry(rc);
	}
}

/* Gone while asking: try the next sentinel. Gone while watching: the
 * master connection stays; a switch is then noticed when the old master
 * refuses a write or closes the connection (Sentinel kills its normal
 * clients on demoting it), and the next attempt asks again. */
static void lh_rconn_sentinel_on_disconnect(const redisAsyncContext *ac, int status)
{
	(void)status;
	lh_rconn_sentinel_on_connect(ac, REDIS_ERR);
}

static void lh_rconn_reach(struct lh_rconn *rc, const char *host, int port);

/* ["message", "+switch-master", "NAME OLD_IP OLD_PORT NEW_IP NEW_PORT"] */
static void lh_rconn_on_switch(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_rconn *rc = privdata;
	redisReply *reply = r;
	if (!reply || ac != rc->sac || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
	    reply->element[2]->type != REDIS_REPLY_STRING)
		return;
	const char *text = reply->element[2]->str;
	size_t n = strlen(rc->url.master);
	if (strncmp(text, rc->url.master, n) != 0 || text[n] != ' ')
		return;
	char from[64], to[64];
	int from_port, to_port;
	if (sscanf(text + n, " %63s %d %63s %d", from, &from_port, to, &to_port) != 4)
		return;
	redisAsyncContext *main = rc->ac;
	rc->ac = NULL;
	if (main)
		redisAsyncFree(main);
	lh_source_set_error(rc->src, "master %s moved from %s:%d to %s:%d (+switch-master)", rc->url.master, from,
			    from_port, to, to_port);
	lh_source_backoff_reset(rc->src); /* the new master is up: go at once */
	lh_rconn_retry(rc);
}

/* [ip, port] of the master, or nil when the sentinel does not know it. */
static void lh_rconn_on_master(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_rconn *rc = privdata;
	redisReply *reply = r;
	if (!reply || ac != rc->sac || !rc->asking)
		return;
	const struct lh_redis_hostport *sp = &rc->url.sentinels[rc->sentinel];
	int port = 0;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
	    reply->element[0]->type == REDIS_REPLY_STRING && reply->element[1]->type == REDIS_REPLY_STRING)
		port = atoi(reply->element[1]->str);
	if (port <= 0 || port > 65535 || reply->element[0]->len >= sizeof rc->master_host) {
		lh_source_set_error(rc->src, "sentinel %s:%d: %s", sp->host, sp->port,
				    reply->type == REDIS_REPLY_ERROR ? reply->str : "does not know the master");
		rc->sentinel = (rc->sentinel + 1) % rc->url.nsentinels;
		lh_rconn_retry(rc);
		return;
	}
	snprintf(rc->master_host, sizeof rc->master_host, "%s", reply->element[0]->str);
	rc->master_port = port;
	rc->asking = false;
	redisAsyncCommand(ac, lh_rconn_on_switch, rc, "SUBSCRIBE +switch-master");
	lh_rconn_reach(rc, rc->master_host, port);
}

static redisAsyncContext *lh_rconn_open(struct lh_rconn *rc, const char *host, int port)
{
	const struct lh_redis_url *u = &rc->url;
	redisAsyncContext *ac = u->path ? redisAsyncConnectUnix(u->path) : redisAsyncConnect(host, port);
	if (!ac) {
		lh_source_set_error(rc->src, "connect: out of memory");
		lh_rconn_retry(rc);
		return NULL;
	}
	if (ac->err || lh_redis_attach(ac, rc->src->loop, rc->max_bytes) != REDIS_OK) {
		lh_source_set_error(rc->src, "connect: %s", ac->err ? ac->errstr : "cannot watch socket");
		redisAsyncFree(ac);
		lh_rconn_retry(rc);
		return NULL;
	}
	ac->data = rc;
	/* A dead peer on an idle connection is only noticed by keepalive
	 * (TCP only: a unix socket refuses the TCP options). */
	if (!u->path)
		redisEnableKeepAlive(&ac->c);
	return ac;
}

/* host: an address, never a name to look up. */
static void lh_rconn_connect_to(struct lh_rconn *rc, const char *host, int port)
{
	redisAsyncContext *ac = lh_rconn_open(rc, host, port);
	if (!ac)
		return;
	if (rc->asking) {
		rc->sac = ac;
		redisAsyncSetConnectCallback(ac, lh_rconn_sentinel_on_connect);
		redisAsyncSetDisconnectCallback(ac, lh_rconn_sentinel_on_disconnect);
		redisAsyncCommand(ac, lh_rconn_on_master, rc, "SENTINEL get-master-addr-by-name %s", rc->url.master);
		return;
	}
	rc->ac = ac;
	rc->ready = false;
	redisAsyncSetConnectCallback(ac, lh_rconn_on_connect);
	redisAsyncSetDisconnectCallback(ac, lh_rconn_on_disconnect);
	lh_rconn_setup(rc, ac);
}

static void lh_rconn_found(void *ctx, const char *addr, const char *error)
{
	struct lh_rconn *rc = ctx;
	const char *host = rc->lookup_host;
	int port = rc->lookup_port;
	rc->lookup = NULL;
	if (rc->src->status.state != LH_SOURCE_CONNECTING || rc->ac)
		return; /* timed out meanwhile; a retry is due */
	if (!addr) {
		lh_source_set_error(rc->src, "cannot resolve %s: %s", host, error);
		lh_rconn_retry(rc);
		return;
	}
	lh_rconn_connect_to(rc, addr, port);
}

/* Connects to host:port, looking the name up first when it is one. */
static void lh_rconn_reach(struct lh_rconn *rc, const char *host, int port)
{
	if (rc->url.path || lh_lookup_is_address(host)) {
		lh_rconn_connect_to(rc, host, port);
		return;
	}
	if (rc->lookup)
		return; /* the last attempt's lookup is still out: its answer will do */
	const char *error;
	snprintf(rc->lookup_host, sizeof rc->lookup_host, "%s", host);
	rc->lookup_port = port;
	rc->lookup = lh_lookup_start(rc->src->loop, host, lh_rconn_found, rc, &error);
	if (!rc->lookup) {
		lh_source_set_error(rc->src, "cannot resolve %s: %s", host, error);
		lh_rconn_retry(rc);
	}
}

void lh_rconn_connect(struct lh_rconn *rc)
{
	const struct lh_redis_url *u = &rc->url;
	lh_source_set_state(rc->src, LH_SOURCE_CONNECTING);
	uv_timer_start(&rc->timer, lh_rconn_timer_cb, LH_REDIS_CONNECT_TIMEOUT_MS, 0);
	rc->asking = u->master != NULL;
	if (rc->asking)
		lh_rconn_reach(rc, u->sentinels[rc->sentinel].host, u->sentinels[rc->sentinel].port);
	else
		lh_rconn_reach(rc, u->host, u->port);
}

void lh_rconn_close(struct lh_rconn *rc)
{
	lh_rconn_drop(rc);
	if (rc->lookup)
		lh_lookup_abandon(rc->lookup);
	rc->lookup = NULL;
	uv_close((uv_handle_t *)&rc->timer, NULL);
	uv_close((uv_handle_t *)&rc->watch, NULL);
}

int lh_rconn_parse_url(const char *url, struct lh_redis_url *u, char **cause)
{
	const char *why;
	if (lh_redis_url_parse(url, u, &why) == 0)
		return 0;
	char *shown = lh_redact_url(url);
	*cause = lh_xasprintf("bad Redis URL '%s': %s", shown, why);
	free(shown);
	return -1;
}

struct lh_rconn *lh_rconn_new(struct lh_source *src, struct lh_redis_url *url, size_t max_bytes,
			      unsigned silence_ms, const struct lh_rconn_hooks *hooks)
{
	struct lh_rconn *rc = lh_xcalloc(1, sizeof *rc);
	rc->src = src;
	rc->url = *url;
	memset(url, 0, sizeof *url);
	rc->hooks = *hooks;
	rc->max_bytes = max_bytes;
	rc->silence_ms = silence_ms;
	uv_timer_init(src->loop, &rc->timer);
	uv_timer_init(src->loop, &rc->watch);
	rc->timer.data = rc->watch.data = rc;
	return rc;
}

/* After lh_rconn_close, once the loop has ended. */
void lh_rconn_free(struct lh_rconn *rc)
{
	if (!rc)
		return;
	lh_redis_url_clear(&rc->url);
	free(rc);
}

int lh_rsource_start(struct lh_source *src)
{
	lh_rconn_connect(((struct lh_rsource *)src)->rc);
	return 0;
}

void lh_rsource_close(struct lh_source *src)
{
	lh_rconn_close(((struct lh_rsource *)src)->rc);
}
