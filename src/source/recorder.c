/* recorder: one Redis connection (rconn.h) for the lease and the appends;
 * the payloads come from the caller's Pub/Sub subscription. */
#include "config.h"
#include "recorder.h"
#include "rconn.h"
#include "source_impl.h"
#include "lib/redisurl.h"
#include "lib/ring.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Takes the lease when free or already ours, and (re)sets its time. */
static const char lh_hold_script[] =
	"local v = redis.call('get', KEYS[1]) "
	"if v == ARGV[1] or not v then redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2]) return 1 end "
	"return v";
/* Appends only while the lease is ours: the fence. */
static const char lh_append_script[] =
	"if redis.call('get', KEYS[1]) ~= ARGV[1] then return false end "
	"return redis.call('xadd', KEYS[2], 'maxlen', '~', ARGV[2], '*', 'data', ARGV[3])";
/* Entries of the stream's tail compared with what is held, to find where
 * the last writer stopped: enough to tell apart repeated payloads. */
#define LH_RECORDER_TAIL 8
#define LH_RECORDER_HOLD_BYTES (64u << 20)

struct lh_held {
	char *data;
	size_t len;
	uint64_t n; /* its number among the payloads heard */
};

struct lh_recorder {
	struct lh_rsource r;
	struct lh_recorder_options o;
	struct lh_recorder_hooks hooks;
	struct lh_recorder_status st;
	char *key, *lease, name[96], other[96];
	struct lh_ring held; /* of struct lh_held, oldest first */
	size_t held_bytes;
	uint64_t heard;      /* payloads heard: the next one's n */
	uint64_t next;       /* WRITER: the n of the next payload to append */
	bool hearing, asking;
	uv_timer_t tick;
};

static void lh_recorder_role(struct lh_recorder *r, enum lh_recorder_role role)
{
	if (r->st.role == role)
		return;
	r->st.role = role;
	if (role == LH_RECORDER_WRITER)
		r->st.takeovers++;
	if (r->hooks.role)
		r->hooks.role(r->hooks.ctx, &r->st);
}

static void lh_recorder_on_append(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct lh_recorder *r = privdata;
	redisReply *rep = lh_rconn_reply(r->r.rc, ac, reply, "XADD");
	if (!rep)
		return;
	if (rep->type == REDIS_REPLY_NIL) /* fenced out: another took the lease */
		lh_recorder_role(r, LH_RECORDER_STANDBY);
	else
		r->st.appended++;
}

static void lh_recorder_append(struct lh_recorder *r, redisAsyncContext *ac, const struct lh_held *h)
{
	char maxlen[24];
	snprintf(maxlen, sizeof maxlen, "%zu", r->o.maxlen);
	const char *argv[] = { "EVAL", lh_append_script, "2", r->lease, r->key, r->name, maxlen, h->data };
	size_t lens[] = { 4, sizeof lh_append_script - 1, 1, strlen(r->lease), strlen(r->key),
			  strlen(r->name), strlen(maxlen), h->len };
	redisAsyncCommandArgv(ac, lh_recorder_on_append, r, 8, argv, lens);
}

/* WRITER: everything held from next on, in order (Redis runs them in the
 * order sent, so a pipeline keeps the stream in the order heard). */
static void lh_recorder_flush(struct lh_recorder *r)
{
	redisAsyncContext *ac = lh_rconn_ac(r->r.rc);
	if (!ac || r->st.role != LH_RECORDER_WRITER || !r->held.n)
		return;
	const struct lh_held *first = lh_ring_at(&r->held, 0);
	if (r->next < first->n)
		r->next = first->n;
	for (size_t i = (size_t)(r->next - first->n); i < r->held.n; i++, r->next++)
		lh_recorder_append(r, ac, lh_ring_at(&r->held, i));
}

static bool lh_held_is(const struct lh_held *h, const redisReply *entry)
{
	if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2 || entry->element[1]->type != REDIS_REPLY_ARRAY)
		return false;
	const redisReply *f = entry->element[1];
	for (size_t i = 0; i + 1 < f->elements; i += 2)
		if (f->element[i]->type == REDIS_REPLY_STRING && strcmp(f->element[i]->str, "data") == 0)
			return f->element[i + 1]->type == REDIS_REPLY_STRING && f->element[i + 1]->len == h->len &&
			       memcmp(f->element[i + 1]->str, h->data, h->len) == 0;
	return false;
}

/* The newest held payload at which the tail (newest first) ends, matched
 * over as many entries as both have; -1 when none. */
static long lh_recorder_find_tail(const struct lh_recorder *r, const redisReply *tail)
{
	for (size_t i = r->held.n; i-- > 0;) {
		size_t j = 0;
		while (j < tail->elements && j <= i && lh_held_is(lh_ring_at(&r->held, i - j), tail->element[j]))
			j++;
		if (j == tail->elements || j == i + 1)
			return j ? (long)i : -1;
	}
	return -1;
}

/* SYNCING: the stream's tail read after the lease was taken (so after
 * anything the last writer could append): append what follows it. */
static void lh_recorder_on_tail(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct lh_recorder *r = privdata;
	redisReply *rep = lh_rconn_reply(r->r.rc, ac, reply, "XREVRANGE");
	if (!rep || r->st.role != LH_RECORDER_SYNCING)
		return;
	long at = rep->type == REDIS_REPLY_ARRAY && rep->elements ? lh_recorder_find_tail(r, rep) : -1;
	uint64_t first = r->held.n ? ((const struct lh_held *)lh_ring_at(&r->held, 0))->n : r->heard;
	/* Not found: the stream ends before anything held (or is empty), so
	 * all of it is missing. */
	r->next = at < 0 ? first : ((const struct lh_held *)lh_ring_at(&r->held, (size_t)at))->n + 1;
	r->st.recovered += r->heard - r->next;
	lh_recorder_role(r, LH_RECORDER_WRITER);
	lh_recorder_flush(r);
}

static void lh_recorder_on_hold(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct lh_recorder *r = privdata;
	redisReply *rep = lh_rconn_reply(r->r.rc, ac, reply, "the lease");
	r->asking = false;
	if (!rep)
		return;
	if (rep->type == REDIS_REPLY_INTEGER && rep->integer == 1) {
		if (r->st.role == LH_RECORDER_STANDBY) {
			lh_recorder_role(r, LH_RECORDER_SYNCING);
			char count[8];
			snprintf(count, sizeof count, "%d", LH_RECORDER_TAIL);
			const char *argv[] = { "XREVRANGE", r->key, "+", "-", "COUNT", count };
			redisAsyncCommandArgv(ac, lh_recorder_on_tail, r, 6, argv, NULL);
		}
		return;
	}
	const char *other = rep->type == REDIS_REPLY_STRING ? rep->str : "";
	if (r->st.role == LH_RECORDER_STANDBY && strncmp(r->other, other, sizeof r->other - 1) != 0) {
		snprintf(r->other, sizeof r->other, "%s", other); /* a new writer: say so */
		if (r->hooks.role)
			r->hooks.role(r->hooks.ctx, &r->st);
		return;
	}
	snprintf(r->other, sizeof r->other, "%s", other);
	lh_recorder_role(r, LH_RECORDER_STANDBY);
}

/* Every tick: a recorder that hears the channel holds the lease or asks
 * for it; one that does not lets a writer's lease run out. */
static void lh_recorder_tick(uv_timer_t *t)
{
	struct lh_recorder *r = t->data;
	redisAsyncContext *ac = lh_rconn_ac(r->r.rc);
	if (!ac || r->asking)
		return;
	if (!r->hearing) {
		lh_recorder_role(r, LH_RECORDER_STANDBY);
		return;
	}
	char px[16];
	snprintf(px, sizeof px, "%d", LH_RECORDER_LEASE_MS);
	const char *argv[] = { "EVAL", lh_hold_script, "1", r->lease, r->name, px };
	r->asking = true;
	redisAsyncCommandArgv(ac, lh_recorder_on_hold, r, 6, argv, NULL);
}

/* (Re)connected: what was in flight is unknown, so even a writer whose
 * lease is still its own reads the tail again before appending. */
static void lh_recorder_ready(void *ctx, redisAsyncContext *ac)
{
	struct lh_recorder *r = ctx;
	(void)ac;
	r->asking = false;
	lh_recorder_role(r, LH_RECORDER_STANDBY);
	lh_rconn_live(r->r.rc);
	lh_recorder_tick(&r->tick);
}

static void lh_recorder_nudge(void *ctx, redisAsyncContext *ac)
{
	(void)ctx;
	redisAsyncCommand(ac, NULL, NULL, "PING");
}

void lh_recorder_offer(struct lh_recorder *r, const char *data, size_t len)
{
	while (r->held.n && (r->held.n >= r->o.hold || r->held_bytes + len > LH_RECORDER_HOLD_BYTES)) {
		struct lh_held *old = lh_ring_shift(&r->held);
		/* a writer that could not append it in time (Redis away) */
		if (r->st.role == LH_RECORDER_WRITER && old->n >= r->next) {
			r->st.lost++;
			r->next = old->n + 1;
		}
		r->held_bytes -= old->len;
		free(old->data);
	}
	struct lh_held *h = lh_ring_push(&r->held);
	h->data = memcpy(lh_xmalloc(len ? len : 1), data, len);
	h->len = len;
	h->n = r->heard++;
	r->held_bytes += len;
	r->st.held = r->held.n;
	lh_recorder_flush(r);
}

void lh_recorder_hearing(struct lh_recorder *r, bool live)
{
	r->hearing = live;
	if (!live)
		lh_recorder_role(r, LH_RECORDER_STANDBY);
}

static void lh_recorder_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_recorder *r = ctx;
	if (st->state != LH_SOURCE_LIVE)
		lh_recorder_role(r, LH_RECORDER_STANDBY);
	if (r->hooks.state)
		r->hooks.state(r->hooks.ctx, st);
}

void lh_recorder_start(struct lh_recorder *r)
{
	uv_timer_start(&r->tick, lh_recorder_tick, LH_RECORDER_TICK_MS, LH_RECORDER_TICK_MS);
	lh_source_start(&r->r.base);
}

static void lh_recorder_close_ops(struct lh_source *src)
{
	struct lh_recorder *r = (struct lh_recorder *)src;
	uv_close((uv_handle_t *)&r->tick, NULL);
	lh_rsource_close(src);
}

void lh_recorder_close(struct lh_recorder *r)
{
	lh_source_close(&r->r.base);
}

static void lh_recorder_free_ops(struct lh_source *src)
{
	struct lh_recorder *r = (struct lh_recorder *)src;
	struct lh_held *h;
	while ((h = lh_ring_shift(&r->held)))
		free(h->data);
	lh_ring_free(&r->held);
	lh_rconn_free(r->r.rc);
	free(r->key);
	free(r->lease);
	free(r);
}

void lh_recorder_free(struct lh_recorder *r)
{
	if (r)
		lh_source_free(&r->r.base);
}

static const struct lh_source_ops lh_recorder_ops = {
	.start = lh_rsource_start,
	.close = lh_recorder_close_ops,
	.free = lh_recorder_free_ops,
};

const struct lh_recorder_status *lh_recorder_status(const struct lh_recorder *r)
{
	return &r->st;
}

const char *lh_recorder_name(const struct lh_recorder *r)
{
	return r->name;
}

/* host:pid:random, so that a restarted recorder is a new writer. */
static void lh_recorder_naming(struct lh_recorder *r)
{
	char host[64] = "";
	unsigned v = 0;
	if (gethostname(host, sizeof host) < 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	if (getrandom(&v, sizeof v, GRND_NONBLOCK) < 0)
		v = (unsigned)uv_hrtime();
	snprintf(r->name, sizeof r->name, "%s:%ld:%08x", host, (long)getpid(), v);
}

struct lh_recorder *lh_recorder_new(uv_loop_t *loop, const struct lh_recorder_options *o,
				    const struct lh_recorder_hooks *hooks, char **cause)
{
	struct lh_redis_url u;
	if (lh_rconn_parse_url(o->url, &u, cause) < 0)
		return NULL;
	struct lh_recorder *r = lh_xcalloc(1, sizeof *r);
	r->o = *o;
	r->hooks = *hooks;
	r->key = lh_xstrdup(o->key);
	r->lease = lh_xasprintf("%s:recorder", o->key);
	r->held = (struct lh_ring)LH_RING_INIT(sizeof(struct lh_held));
	r->st.other = r->other;
	lh_recorder_naming(r);
	const struct lh_source_callbacks cb = { .state = lh_recorder_state, .ctx = r };
	char *shown = lh_redis_url_display(&u);
	lh_source_init(&r->r.base, &lh_recorder_ops, loop, &cb, lh_xasprintf("%s stream %s", shown, r->key));
	free(shown);
	const struct lh_rconn_hooks rh = { lh_recorder_ready, lh_recorder_nudge, r };
	r->r.rc = lh_rconn_new(&r->r.base, &u, o->max_bytes, o->silence_ms, &rh);
	uv_timer_init(loop, &r->tick);
	r->tick.data = r;
	return r;
}
