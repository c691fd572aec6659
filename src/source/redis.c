/* redis: the Pub/Sub source: SUBSCRIBE (PSUBSCRIBE for a pattern) on one
 * connection (rconn.h), live once every subscription is confirmed. */
#include "config.h"
#include "redis.h"
#include "rconn.h"
#include "stream.h"
#include "source_impl.h"
#include "lib/buf.h"
#include "lib/redisurl.h"
#include "lib/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct lh_redis_source {
	struct lh_rsource r; /* first: the source is also an rsource */
	char **channels;
	size_t nchannels;
	size_t confirmed; /* subscriptions the server has confirmed */
};

static bool lh_is_pattern(const char *channel)
{
	return strpbrk(channel, "*?[") != NULL;
}

/* PING written straight into the connection's output: in subscribed mode
 * hiredis 0.14 would keep a callback for it that the ["pong", ""] reply
 * never takes off its list. The reply itself is read and dropped like any
 * message; that bytes arrived is all the silence watch needs. */
static void lh_redis_ping(void *ctx, redisAsyncContext *ac)
{
	static const char ping[] = "*1\r\n$4\r\nPING\r\n";
	struct lh_redis_source *self = ctx;
	(void)ac;
	lh_rconn_write_raw(self->r.rc, ping, sizeof ping - 1);
}

static void lh_redis_on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_redis_source *self = privdata;
	redisReply *reply = lh_rconn_reply(self->r.rc, ac, r, "subscribe");
	if (!reply)
		return;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 ||
	    reply->element[0]->type != REDIS_REPLY_STRING)
		return;
	const char *kind = reply->element[0]->str;
	redisReply *data = NULL;
	if (strcmp(kind, "message") == 0)
		data = reply->element[2];
	else if (strcmp(kind, "pmessage") == 0 && reply->elements >= 4)
		data = reply->element[3];
	else if ((strcmp(kind, "subscribe") == 0 || strcmp(kind, "psubscribe") == 0) &&
		 ++self->confirmed == self->nchannels)
		lh_rconn_live(self->r.rc);
	if (data && data->type == REDIS_REPLY_STRING)
		lh_source_emit(&self->r.base, data->str, data->len);
}

static void lh_redis_subscribe(void *ctx, redisAsyncContext *ac)
{
	struct lh_redis_source *self = ctx;
	self->confirmed = 0;
	for (size_t i = 0; i < self->nchannels; i++) {
		const char *argv[2] = { lh_is_pattern(self->channels[i]) ? "PSUBSCRIBE" : "SUBSCRIBE",
					self->channels[i] };
		redisAsyncCommandArgv(ac, lh_redis_on_reply, self, 2, argv, NULL);
	}
}

static void lh_redis_free(struct lh_source *src)
{
	struct lh_redis_source *self = (struct lh_redis_source *)src;
	for (size_t i = 0; i < self->nchannels; i++)
		free(self->channels[i]);
	free(self->channels);
	lh_rconn_free(self->r.rc);
	free(self);
}

static const struct lh_source_ops lh_redis_ops = {
	.start = lh_rsource_start,
	.close = lh_rsource_close,
	.free = lh_redis_free,
};

struct lh_source *lh_source_redis_new(uv_loop_t *loop, const struct lh_redis_options *o,
				      const struct lh_source_callbacks *cb, char **cause)
{
	struct lh_redis_url u;
	const char *const *channels = o->channels;
	size_t nchannels = o->nchannels;
	if (lh_rconn_parse_url(o->url, &u, cause) < 0)
		return NULL;
	if (o->stream)
		return lh_source_stream_new(loop, o, &u, cb);
	struct lh_redis_source *self = lh_xcalloc(1, sizeof *self);
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
	lh_source_init(&self->r.base, &lh_redis_ops, loop, cb, d.data);
	const struct lh_rconn_hooks hooks = { lh_redis_subscribe, lh_redis_ping, self };
	self->r.rc = lh_rconn_new(&self->r.base, &u, o->max_bytes, o->silence_ms, &hooks);
	return &self->r.base;
}
