/* redis: one subscriber connection, its state machine and backoff.
 * A host name is looked up first (lookup.h) and hiredis given the address.
 *
 * hiredis calls back for a context even while we are tearing it down, so
 * every callback first checks that its context is still the current one
 * (self->ac); a context we gave up on is forgotten before it is freed or
 * disconnected, and whatever it says afterwards is ignored. */
#include "config.h"
#include "redis.h"
#include "source_impl.h"
#include "lib/buf.h"
#include "lib/lookup.h"
#include "lib/redact.h"
#include "lib/redisurl.h"
#include "lib/respcut.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <hiredis.h>
#include <async.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exported by hiredis 0.14, declared in its async.h only from 1.0 on. */
void redisProcessCallbacks(redisAsyncContext *ac);

struct lh_redis_source {
	struct lh_source base;
	struct lh_redis_url url;
	char **channels;
	size_t nchannels;
	redisAsyncContext *ac;
	uv_timer_t timer; /* connect timeout, then retry delay */
	struct lh_lookup *lookup; /* while the host name is looked up */
	size_t max_bytes;
	size_t confirmed; /* subscriptions the server has confirmed */
	bool ever_live;
	/* Silence on a live subscription: after silence_ms without a byte,
	 * a PING; no byte silence_ms + LH_REDIS_PING_WAIT_MS later either,
	 * and Redis is taken for stalled. */
	uv_timer_t watch;
	unsigned silence_ms;   /* 0: never */
	uint64_t reads_seen;
	bool pinged;
};

static void lh_redis_connect(struct lh_redis_source *self);
static void lh_redis_timer_cb(uv_timer_t *t);

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

static bool lh_is_pattern(const char *channel)
{
	return strpbrk(channel, "*?[") != NULL;
}

/* The current context is gone or given up: wait, then connect again. */
static void lh_redis_retry(struct lh_redis_source *self)
{
	uv_timer_stop(&self->watch);
	lh_source_retry_later(&self->base, &self->timer, lh_redis_timer_cb);
}

/* PING written straight into the connection's output: in subscribed mode
 * hiredis 0.14 would keep a callback for it that the ["pong", ""] reply
 * never takes off its list. The reply itself is read and dropped like any
 * message; that bytes arrived is all the watch needs. */
static void lh_redis_ping(struct lh_redis_source *self)
{
	static const char ping[] = "*1\r\n$4\r\nPING\r\n";
	struct lh_redis_poll *p = self->ac->ev.data;
	if (redisAppendFormattedCommand(&self->ac->c, ping, sizeof ping - 1) == REDIS_OK)
		lh_redis_add_write(p);
}

static void lh_redis_watch_cb(uv_timer_t *t)
{
	struct lh_redis_source *self = t->data;
	if (!self->ac)
		return;
	const struct lh_redis_poll *p = self->ac->ev.data;
	if (p->reads != self->reads_seen) { /* alive: watch the next stretch */
		self->reads_seen = p->reads;
		self->pinged = false;
		uv_timer_start(t, lh_redis_watch_cb, self->silence_ms, 0);
	} else if (!self->pinged) {
		lh_redis_ping(self);
		self->pinged = true;
		uv_timer_start(t, lh_redis_watch_cb, LH_REDIS_PING_WAIT_MS, 0);
	} else {
		redisAsyncContext *ac = self->ac;
		self->ac = NULL;
		redisAsyncFree(ac);
		self->base.status.stalls++;
		lh_source_set_error(&self->base, "stalled: no answer to PING within %d ms", LH_REDIS_PING_WAIT_MS);
		lh_redis_retry(self);
	}
}

static void lh_redis_timer_cb(uv_timer_t *t)
{
	struct lh_redis_source *self = t->data;
	if (self->base.status.state == LH_SOURCE_RETRYING) {
		lh_redis_connect(self);
		return;
	}
	/* Connecting took too long: a black-holed host, a stalled server, or
	 * a name server that does not answer. */
	redisAsyncContext *ac = self->ac;
	self->ac = NULL;
	if (ac)
		redisAsyncFree(ac);
	if (self->lookup)
		lh_source_set_error(&self->base, "could not resolve %s within %d ms", self->url.host,
				    LH_REDIS_CONNECT_TIMEOUT_MS);
	else
		lh_source_set_error(&self->base, "timed out after %d ms", LH_REDIS_CONNECT_TIMEOUT_MS);
	lh_redis_retry(self);
}

/* Called from inside a hiredis callback: let hiredis free the context when
 * the callback returns. */
static void lh_redis_fail(struct lh_redis_source *self, const char *what, const char *detail)
{
	redisAsyncContext *ac = self->ac;
	self->ac = NULL;
	lh_source_set_error(&self->base, "%s: %s", what, detail);
	if (ac)
		redisAsyncDisconnect(ac);
	lh_redis_retry(self);
}

static void lh_redis_on_confirm(struct lh_redis_source *self)
{
	if (++self->confirmed < self->nchannels)
		return;
	uv_timer_stop(&self->timer);
	if (self->silence_ms) {
		self->reads_seen = ((const struct lh_redis_poll *)self->ac->ev.data)->reads;
		self->pinged = false;
		uv_timer_start(&self->watch, lh_redis_watch_cb, self->silence_ms, 0);
	}
	lh_source_backoff_reset(&self->base);
	if (self->ever_live)
		self->base.status.reconnects++;
	self->ever_live = true;
	lh_source_set_state(&self->base, LH_SOURCE_LIVE);
}

static void lh_redis_on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_redis_source *self = privdata;
	redisReply *reply = r;
	if (!reply || ac != self->ac)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		lh_redis_fail(self, "subscribe", reply->str);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 ||
	    reply->element[0]->type != REDIS_REPLY_STRING)
		return;
	const char *kind = reply->element[0]->str;
	redisReply *data = NULL;
	if (strcmp(kind, "message") == 0)
		data = reply->element[2];
	else if (strcmp(kind, "pmessage") == 0 && reply->elements >= 4)
		data = reply->element[3];
	else if (strcmp(kind, "subscribe") == 0 || strcmp(kind, "psubscribe") == 0)
		lh_redis_on_confirm(self);
	if (data && data->type == REDIS_REPLY_STRING)
		lh_source_emit(&self->base, data->str, data->len);
}

static void lh_redis_subscribe(struct lh_redis_source *self)
{
	for (size_t i = 0; i < self->nchannels; i++) {
		const char *argv[2] = { lh_is_pattern(self->channels[i]) ? "PSUBSCRIBE" : "SUBSCRIBE",
					self->channels[i] };
		redisAsyncCommandArgv(self->ac, lh_redis_on_reply, self, 2, argv, NULL);
	}
}

static void lh_redis_on_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_redis_source *self = privdata;
	redisReply *reply = r;
	if (!reply || ac != self->ac)
		return;
	if (reply->type == REDIS_REPLY_ERROR)
		lh_redis_fail(self, "AUTH", reply->str);
	else
		lh_redis_subscribe(self);
}

static void lh_redis_on_connect(const redisAsyncContext *ac, int status)
{
	struct lh_redis_source *self = ac->data;
	if (ac != self->ac || status == REDIS_OK)
		return;
	self->ac = NULL; /* hiredis frees it after this callback */
	lh_source_set_error(&self->base, "connect: %s", ac->errstr);
	lh_redis_retry(self);
}

static void lh_redis_on_disconnect(const redisAsyncContext *ac, int status)
{
	struct lh_redis_source *self = ac->data;
	if (ac != self->ac)
		return;
	self->ac = NULL;
	lh_source_set_error(&self->base, "%s",
			    status == REDIS_OK || !ac->errstr[0] ? "connection closed by server" : ac->errstr);
	lh_redis_retry(self);
}

/* host: an address, never a name to look up. */
static void lh_redis_connect_to(struct lh_redis_source *self, const char *host)
{
	const struct lh_redis_url *u = &self->url;
	redisAsyncContext *ac = u->path ? redisAsyncConnectUnix(u->path) : redisAsyncConnect(host, u->port);
	if (!ac) {
		lh_source_set_error(&self->base, "connect: out of memory");
		lh_redis_retry(self);
		return;
	}
	if (ac->err || lh_redis_attach(ac, self->base.loop, self->max_bytes) != REDIS_OK) {
		lh_source_set_error(&self->base, "connect: %s", ac->err ? ac->errstr : "cannot watch socket");
		redisAsyncFree(ac);
		lh_redis_retry(self);
		return;
	}
	ac->data = self;
	self->ac = ac;
	self->confirmed = 0;
	redisAsyncSetConnectCallback(ac, lh_redis_on_connect);
	redisAsyncSetDisconnectCallback(ac, lh_redis_on_disconnect);
	/* A dead peer on an idle subscription is only noticed by keepalive
	 * (TCP only: a unix socket refuses the TCP options). */
	if (!u->path)
		redisEnableKeepAlive(&ac->c);
	if (u->password) {
		const char *argv[3] = { "AUTH", u->user ? u->user : u->password, u->password };
		redisAsyncCommandArgv(ac, lh_redis_on_auth, self, u->user ? 3 : 2, argv, NULL);
	} else {
		lh_redis_subscribe(self);
	}
}

static void lh_redis_found(void *ctx, const char *addr, const char *error)
{
	struct lh_redis_source *self = ctx;
	self->lookup = NULL;
	if (self->base.status.state != LH_SOURCE_CONNECTING || self->ac)
		return; /* timed out meanwhile; a retry is due */
	if (!addr) {
		lh_source_set_error(&self->base, "cannot resolve %s: %s", self->url.host, error);
		lh_redis_retry(self);
		return;
	}
	lh_redis_connect_to(self, addr);
}

static void lh_redis_connect(struct lh_redis_source *self)
{
	const struct lh_redis_url *u = &self->url;
	lh_source_set_state(&self->base, LH_SOURCE_CONNECTING);
	uv_timer_start(&self->timer, lh_redis_timer_cb, LH_REDIS_CONNECT_TIMEOUT_MS, 0);
	if (u->path || lh_lookup_is_address(u->host)) {
		lh_redis_connect_to(self, u->host);
		return;
	}
	if (self->lookup)
		return; /* the last attempt's lookup is still out: its answer will do */
	const char *error;
	self->lookup = lh_lookup_start(self->base.loop, u->host, lh_redis_found, self, &error);
	if (!self->lookup) {
		lh_source_set_error(&self->base, "cannot resolve %s: %s", u->host, error);
		lh_redis_retry(self);
	}
}

static int lh_redis_start(struct lh_source *src)
{
	lh_redis_connect((struct lh_redis_source *)src);
	return 0;
}

static void lh_redis_close(struct lh_source *src)
{
	struct lh_redis_source *self = (struct lh_redis_source *)src;
	redisAsyncContext *ac = self->ac;
	self->ac = NULL;
	if (ac)
		redisAsyncFree(ac);
	if (self->lookup)
		lh_lookup_abandon(self->lookup);
	uv_close((uv_handle_t *)&self->timer, NULL);
	uv_close((uv_handle_t *)&self->watch, NULL);
}

static void lh_redis_free(struct lh_source *src)
{
	struct lh_redis_source *self = (struct lh_redis_source *)src;
	for (size_t i = 0; i < self->nchannels; i++)
		free(self->channels[i]);
	free(self->channels);
	lh_redis_url_clear(&self->url);
	free(self);
}

static const struct lh_source_ops lh_redis_ops = {
	.start = lh_redis_start,
	.close = lh_redis_close,
	.free = lh_redis_free,
};

struct lh_source *lh_source_redis_new(uv_loop_t *loop, const struct lh_redis_options *o,
				      const struct lh_source_callbacks *cb, char **cause)
{
	struct lh_redis_url u;
	const char *why;
	const char *const *channels = o->channels;
	size_t nchannels = o->nchannels;
	if (lh_redis_url_parse(o->url, &u, &why) < 0) {
		char *shown = lh_redact_url(o->url);
		*cause = lh_xasprintf("bad Redis URL '%s': %s", shown, why);
		free(shown);
		return NULL;
	}
	struct lh_redis_source *self = lh_xcalloc(1, sizeof *self);
	self->url = u;
	self->max_bytes = o->max_bytes;
	self->silence_ms = o->silence_ms;
	self->nchannels = nchannels ? nchannels : 1;
	self->channels = lh_xcalloc(self->nchannels, sizeof *self->channels);
	for (size_t i = 0; i < self->nchannels; i++)
		self->channels[i] = lh_xstrdup(nchannels ? channels[i] : LH_REDIS_DEFAULT_CHANNEL);
	struct lh_buf d = LH_BUF_INIT;
	char *shown = lh_redis_url_display(&u);
	lh_buf_puts(&d, shown);
	free(shown);
	for (size_t i = 0; i < self->nchannels; i++)
		lh_buf_printf(&d, "%s%s", i ? "," : " ", self->channels[i]);
	lh_source_init(&self->base, &lh_redis_ops, loop, cb, d.data);
	uv_timer_init(loop, &self->timer);
	uv_timer_init(loop, &self->watch);
	self->timer.data = self->watch.data = self;
	return &self->base;
}
