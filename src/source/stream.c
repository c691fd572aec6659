#include "config.h"
#include "stream.h"
#include "rconn.h"
#include "source_impl.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LH_STREAM_BASE_MS 1704067200000ULL /* 2024-01-01T00:00:00Z */
#define LH_STREAM_SEQ_BITS 12
#define LH_STREAM_POS_MAX (1ULL << 53)
#define LH_STREAM_READ_COUNT 1000

struct lh_stream_source {
	struct lh_rsource r; /* first: the source is also an rsource */
	char *key;
	size_t backlog;
	unsigned block_ms;
	char last_id[48]; /* "" until the backlog is read: then resume here */
	/* Reading from last_id, not yet at the end of the stream: read
	 * without BLOCK, and say live only once caught up, so that a bridge
	 * is not taken for healthy while its history is still arriving. */
	bool catching_up;
};

/* An entry id as its two numbers; false for anything else. */
static bool lh_stream_id(const char *id, unsigned long long *ms, unsigned long long *seq)
{
	char *end;
	errno = 0;
	if (*id < '0' || *id > '9')
		return false;
	*ms = strtoull(id, &end, 10);
	if (errno || *end != '-' || end[1] < '0' || end[1] > '9')
		return false;
	*seq = strtoull(end + 1, &end, 10);
	return !errno && !*end;
}

bool lh_stream_id_pos(const char *id, uint64_t *pos)
{
	unsigned long long ms, seq;
	if (!lh_stream_id(id, &ms, &seq) || ms < LH_STREAM_BASE_MS || seq >= (1ULL << LH_STREAM_SEQ_BITS) - 1 ||
	    ms - LH_STREAM_BASE_MS >= LH_STREAM_POS_MAX >> LH_STREAM_SEQ_BITS)
		return false;
	*pos = ((ms - LH_STREAM_BASE_MS) << LH_STREAM_SEQ_BITS) + seq + 1;
	return true;
}

static const redisReply *lh_stream_field(const redisReply *fields, const char *name)
{
	if (!fields || fields->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < fields->elements; i += 2)
		if (fields->element[i]->type == REDIS_REPLY_STRING && strcmp(fields->element[i]->str, name) == 0)
			return fields->element[i + 1];
	return NULL;
}

/* One entry, [id, [field, value, ...]]: its payload handed on, and the
 * place to resume from moved past it whatever it held. */
static void lh_stream_entry(struct lh_stream_source *self, const redisReply *e)
{
	if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[0]->type != REDIS_REPLY_STRING ||
	    e->element[0]->len >= sizeof self->last_id)
		return;
	const char *id = e->element[0]->str;
	snprintf(self->last_id, sizeof self->last_id, "%s", id);
	uint64_t pos;
	const redisReply *data = lh_stream_field(e->element[1], "data");
	if (!data || data->type != REDIS_REPLY_STRING)
		lh_source_emit_reject(&self->r.base, LH_REJECT_WRONG_TYPE, "a stream entry without a field data");
	else if (!lh_stream_id_pos(id, &pos))
		lh_source_emit_reject(&self->r.base, LH_REJECT_WRONG_TYPE,
				      "a stream entry id before 2024 or past 4094 in one millisecond");
	else
		lh_source_emit_at(&self->r.base, data->str, data->len, pos);
}

static void lh_stream_on_read(redisAsyncContext *ac, void *r, void *privdata);

static void lh_stream_read(struct lh_stream_source *self, redisAsyncContext *ac)
{
	char count[24], block[24];
	snprintf(count, sizeof count, "%d", LH_STREAM_READ_COUNT);
	snprintf(block, sizeof block, "%u", self->block_ms);
	const char *argv[8];
	int n = 0;
	argv[n++] = "XREAD";
	argv[n++] = "COUNT";
	argv[n++] = count;
	if (!self->catching_up) {
		argv[n++] = "BLOCK";
		argv[n++] = block;
	}
	argv[n++] = "STREAMS";
	argv[n++] = self->key;
	argv[n++] = self->last_id;
	redisAsyncCommandArgv(ac, lh_stream_on_read, self, n, argv, NULL);
}

/* [[key, [entry, ...]]], or nil when BLOCK ran out with nothing new. */
static void lh_stream_on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_stream_source *self = privdata;
	redisReply *reply = lh_rconn_reply(self->r.rc, ac, r, "XREAD");
	if (!reply)
		return;
	size_t n = 0;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1) {
		const redisReply *s = reply->element[0];
		if (s->type == REDIS_REPLY_ARRAY && s->elements >= 2 && s->element[1]->type == REDIS_REPLY_ARRAY)
			for (; n < s->element[1]->elements && !self->r.base.closing; n++)
				lh_stream_entry(self, s->element[1]->element[n]);
	}
	if (self->catching_up && n < LH_STREAM_READ_COUNT) {
		self->catching_up = false;
		lh_rconn_live(self->r.rc);
	}
	if (lh_rconn_current(self->r.rc, ac) && !self->r.base.closing)
		lh_stream_read(self, ac);
}

/* The backlog, newest first: handed on oldest first, then live from the
 * newest (from the start when the stream is empty or does not exist). */
static void lh_stream_on_backlog(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_stream_source *self = privdata;
	redisReply *reply = lh_rconn_reply(self->r.rc, ac, r, "XREVRANGE");
	if (!reply)
		return;
	lh_rconn_live(self->r.rc);
	snprintf(self->last_id, sizeof self->last_id, "0-0");
	if (reply->type == REDIS_REPLY_ARRAY) {
		size_t n = self->backlog ? reply->elements : 0;
		for (size_t i = n; i-- > 0 && !self->r.base.closing;)
			lh_stream_entry(self, reply->element[i]);
		if (!n && reply->elements && reply->element[0]->type == REDIS_REPLY_ARRAY &&
		    reply->element[0]->elements && reply->element[0]->element[0]->type == REDIS_REPLY_STRING)
			snprintf(self->last_id, sizeof self->last_id, "%s", reply->element[0]->element[0]->str);
	}
	if (lh_rconn_current(self->r.rc, ac) && !self->r.base.closing)
		lh_stream_read(self, ac);
}

/* Resuming: did MAXLEN trim the stream past the last entry read while
 * this reader was away? Trimming takes the oldest first, so if the
 * stream's first entry now comes after that one, whatever lay between
 * them is gone for good; a gap says so (when their ids leave room for
 * any), and reading goes on from the first entry. */
static void lh_stream_on_info(redisAsyncContext *ac, void *r, void *privdata)
{
	struct lh_stream_source *self = privdata;
	redisReply *reply = r;
	if (!reply || !lh_rconn_current(self->r.rc, ac))
		return;
	const redisReply *first = reply->type == REDIS_REPLY_ARRAY ? lh_stream_field(reply, "first-entry") : NULL;
	uint64_t last, head;
	if (first && first->type == REDIS_REPLY_ARRAY && first->elements >= 1 &&
	    first->element[0]->type == REDIS_REPLY_STRING && lh_stream_id_pos(self->last_id, &last) &&
	    lh_stream_id_pos(first->element[0]->str, &head) && head > last + 1) {
		struct lh_kframe f = { .type = LH_KF_GAP, .run_id = "", .text = "stream_trimmed", .all_runs = true,
				       .sparse = true, .from = last + 1, .to = head - 1 };
		lh_source_emit_kernel(&self->r.base, &f);
	}
	if (lh_rconn_current(self->r.rc, ac) && !self->r.base.closing)
		lh_stream_read(self, ac);
}

static void lh_stream_ready(void *ctx, redisAsyncContext *ac)
{
	struct lh_stream_source *self = ctx;
	bool resuming = self->last_id[0] && strcmp(self->last_id, "0-0") != 0;
	if (!self->last_id[0] && self->backlog == SIZE_MAX)
		snprintf(self->last_id, sizeof self->last_id, "0-0");
	if (self->last_id[0]) { /* the whole stream, or resuming */
		self->catching_up = true;
		if (resuming)
			redisAsyncCommand(ac, lh_stream_on_info, self, "XINFO STREAM %s", self->key);
		else
			lh_stream_read(self, ac);
		return;
	}
	char count[24];
	/* with no backlog, the newest entry is still wanted: reading goes on after it */
	snprintf(count, sizeof count, "%zu", self->backlog ? self->backlog : 1);
	const char *argv[] = { "XREVRANGE", self->key, "+", "-", "COUNT", count };
	redisAsyncCommandArgv(ac, lh_stream_on_backlog, self, 6, argv, NULL);
}

static void lh_stream_free(struct lh_source *src)
{
	struct lh_stream_source *self = (struct lh_stream_source *)src;
	lh_rconn_free(self->r.rc);
	free(self->key);
	free(self);
}

static const struct lh_source_ops lh_stream_ops = {
	.start = lh_rsource_start,
	.close = lh_rsource_close,
	.free = lh_stream_free,
};

struct lh_source *lh_source_stream_new(uv_loop_t *loop, const struct lh_redis_options *o, struct lh_redis_url *url,
				       const struct lh_source_callbacks *cb)
{
	struct lh_stream_source *self = lh_xcalloc(1, sizeof *self);
	self->key = lh_xstrdup(o->stream);
	self->backlog = o->backlog;
	/* BLOCK answers within the silence the watch allows: no PING needed */
	self->block_ms = o->silence_ms;
	char *shown = lh_redis_url_display(url);
	lh_source_init(&self->r.base, &lh_stream_ops, loop, cb, lh_xasprintf("%s stream %s", shown, self->key));
	free(shown);
	self->r.base.status.durable = true;
	const struct lh_rconn_hooks hooks = { lh_stream_ready, NULL, self };
	self->r.rc = lh_rconn_new(&self->r.base, url, o->max_bytes, o->silence_ms, &hooks);
	return &self->r.base;
}
