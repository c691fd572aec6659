/* bridge: libwebsockets on the program's libuv loop.
 *
 * Each event is parsed once and serialized once into a frame; the frame is
 * appended to its run's history and a reference is queued on every client
 * that watches the run. A client's queue is bounded in frames and bytes:
 * when full, its oldest frames are dropped and the client is told with a
 * gap frame before anything else, so a slow reader costs only itself.
 * What a loop turn queued is written at the end of the turn, all of a
 * client's frames framed into one write; a client whose socket is full is
 * written from its writable callback instead. */
#include "config.h"
#include "bridge.h"
#include "app.h"
#include "frame.h"
#include "history.h"
#include "json.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>

#define LH_MAX_GAPS 32
#define LH_RUN_ID_MAX 128
#define LH_DRAIN_MS 1000
#define LH_LAT_BUCKETS 12
#define LH_BATCH_BYTES (64 * 1024)
/* libwebsockets' own value for a close frame, which its header leaves out
 * (it is meant to be sent through lws_close_reason). */
#define LH_LWS_WRITE_CLOSE ((enum lws_write_protocol)4)

static const double lh_lat_bounds[LH_LAT_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1,
};

struct lh_gap {
	char *run;
	uint64_t from, to;
	char epoch[48];
	const char *reason;
};

/* One connection: a WebSocket client, or an HTTP request for /health or
 * /metrics. Allocated and zeroed by libwebsockets. */
struct lh_client {
	struct lh_bridge *b;
	struct lws *wsi;
	bool ws, listed, closing, failed, flushing;
	char *run;                 /* NULL: every run (/ws/runs) */
	struct lh_frame **q;
	size_t qhead, qn, qcap, qbytes;
	struct lh_gap gaps[LH_MAX_GAPS];
	size_t ngaps;
	size_t rx;                 /* bytes of the message being received */
	LIST_ENTRY(lh_client) link;      /* in the bridge's clients */
	LIST_ENTRY(lh_client) flush_link; /* in its flush list, while flushing */
	/* HTTP */
	char *body;
	int status;
	const char *ctype;
};

struct lh_bridge {
	const struct lh_options *o;
	struct lh_app *app;
	struct lws_context *ctx;
	struct lh_history *hist;
	LIST_HEAD(, lh_client) clients;
	size_t nclients;
	char boot_id[24];
	char *token;
	/* the last frames of every run, for /ws/runs?since= */
	struct lh_frame_ring all;
	uint64_t gseq, all_evicted;
	struct lh_buf scratch, batch;
	char pre[LWS_PRE];
	uv_timer_t drain;
	uv_check_t flush;             /* runs once per loop turn while clients wait */
	LIST_HEAD(, lh_client) to_flush;
	bool draining, drain_forced;
	int64_t start_mono_us;
	int last_state;
	lws_retry_bo_t idle;
	/* metrics */
	uint64_t received, forwarded, dropped_slow, dropped_closed, gaps_sent, refused;
	uint64_t lat_count[LH_LAT_BUCKETS + 1];
	double lat_sum;
};

static void lh_drain_cb(uv_timer_t *t);

/* ---- client queues ---- */

static void lh_flush_cb(uv_check_t *h);

/* Frames queued during one loop turn are written together at its end:
 * a burst from one Redis read leaves in one write per client, and a lone
 * event needs no round trip through a writable callback. */
static void lh_flush_later(struct lh_client *c)
{
	struct lh_bridge *b = c->b;
	if (c->flushing)
		return;
	c->flushing = true;
	if (LIST_EMPTY(&b->to_flush))
		uv_check_start(&b->flush, lh_flush_cb);
	LIST_INSERT_HEAD(&b->to_flush, c, flush_link);
}

static void lh_flush_forget(struct lh_client *c)
{
	if (!c->flushing)
		return;
	LIST_REMOVE(c, flush_link);
	c->flushing = false;
}

static void lh_client_add_gap(struct lh_client *c, const char *run, uint64_t from, uint64_t to,
			      const char *epoch, const char *reason)
{
	if (c->ngaps) { /* the same run, contiguous: extend */
		struct lh_gap *g = &c->gaps[c->ngaps - 1];
		if (strcmp(g->run, run) == 0 && g->to + 1 == from && g->reason == reason) {
			g->to = to;
			return;
		}
	}
	if (c->ngaps == LH_MAX_GAPS) { /* out of room: widen the last one */
		struct lh_gap *g = &c->gaps[c->ngaps - 1];
		if (to > g->to)
			g->to = to;
		return;
	}
	struct lh_gap *g = &c->gaps[c->ngaps++];
	g->run = lh_xstrdup(run);
	g->from = from;
	g->to = to;
	g->reason = reason;
	snprintf(g->epoch, sizeof g->epoch, "%s", epoch);
}

static struct lh_frame *lh_client_pop(struct lh_client *c)
{
	struct lh_frame *f = c->q[c->qhead];
	c->qhead = (c->qhead + 1) % c->qcap;
	c->qn--;
	c->qbytes -= f->len;
	return f;
}

static void lh_client_push(struct lh_client *c, struct lh_frame *f, const char *epoch)
{
	struct lh_bridge *b = c->b;
	const struct lh_bridge_options *bo = &b->o->bridge;
	while (c->qn && (c->qn >= bo->queue_msgs || c->qbytes + f->len > bo->queue_bytes)) {
		struct lh_frame *old = lh_client_pop(c);
		lh_client_add_gap(c, old->run_id, old->seq, old->seq, epoch, "slow_client");
		b->dropped_slow++;
		lh_frame_unref(old);
	}
	if (c->qn == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 16;
		struct lh_frame **q = lh_xmalloc(cap * sizeof *q);
		for (size_t i = 0; i < c->qn; i++)
			q[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = q;
		c->qhead = 0;
		c->qcap = cap;
	}
	c->q[(c->qhead + c->qn) % c->qcap] = lh_frame_ref(f);
	c->qn++;
	c->qbytes += f->len;
	lh_flush_later(c);
}

static void lh_client_clear(struct lh_client *c)
{
	while (c->qn) {
		c->b->dropped_closed++;
		lh_frame_unref(lh_client_pop(c));
	}
	free(c->q);
	c->q = NULL;
	c->qcap = 0;
	for (size_t i = 0; i < c->ngaps; i++)
		free(c->gaps[i].run);
	c->ngaps = 0;
	free(c->run);
	c->run = NULL;
}

/* ---- events in ---- */

static void lh_bridge_event(void *ctx, const struct lh_event *ev)
{
	struct lh_bridge *b = ctx;
	b->received++;
	struct lh_hrun *r = lh_history_run(b->hist, ev->run_id);
	uint64_t seq = lh_hrun_next_seq(r);
	lh_buf_reset(&b->scratch);
	lh_frame_log_event(&b->scratch, ev, seq, lh_hrun_epoch(r), ++b->gseq, b->boot_id);
	struct lh_frame *f = lh_frame_new(b->scratch.data, b->scratch.len, ev->run_id, seq);
	f->gseq = b->gseq;
	lh_hrun_append(b->hist, r, f);
	lh_frame_ring_push(&b->all, f);
	for (; b->all.bytes > b->o->bridge.history_bytes; b->all_evicted++)
		lh_frame_ring_pop(&b->all);
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link)
		if (!c->closing && (!c->run || strcmp(c->run, ev->run_id) == 0))
			lh_client_push(c, f, lh_hrun_epoch(r));
	lh_frame_unref(f);
}

static void lh_bridge_reject(void *ctx, enum lh_reject reason, const char *why, uint64_t count)
{
	(void)ctx;
	lh_log("warn", "rejected %llu payload%s (%s): %s", (unsigned long long)count, count == 1 ? "" : "s",
	       lh_reject_name(reason), why);
}

static void lh_bridge_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_bridge *b = ctx;
	if ((int)st->state == b->last_state && st->state != LH_SOURCE_RETRYING)
		return;
	b->last_state = (int)st->state;
	if (st->state == LH_SOURCE_LIVE)
		lh_log("info", "redis %s: subscribed", st->describe);
	else if (st->state == LH_SOURCE_RETRYING)
		lh_log("warn", "redis %s: %s; retrying", st->describe, st->last_error);
}

/* ---- requests ---- */

static bool lh_secure_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0;
}

static bool lh_authorized(struct lh_bridge *b, struct lws *wsi)
{
	if (!b->token)
		return true;
	char buf[512];
	if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_AUTHORIZATION) > 7 &&
	    strncasecmp(buf, "Bearer ", 7) == 0 && lh_secure_equal(buf + 7, b->token))
		return true;
	const char *v = lws_get_urlarg_by_name(wsi, "token=", buf, sizeof buf);
	return v && lh_secure_equal(v, b->token);
}

static bool lh_origin_allowed(struct lh_bridge *b, struct lws *wsi)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	char origin[256];
	if (!bo->norigins || lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) <= 0)
		return true; /* no list, or not a browser */
	for (size_t i = 0; i < bo->norigins; i++)
		if (strcmp(origin, bo->origins[i]) == 0)
			return true;
	return false;
}

static bool lh_valid_run_id(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > LH_RUN_ID_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("-_.:", *s)))
			return false;
	return true;
}

/* The WebSocket path: 0 for /ws/runs, 1 for /ws/runtime/{id} (copied into
 * run), -1 for anything else. */
static int lh_ws_path(struct lws *wsi, char *run, size_t len)
{
	char uri[512];
	if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0)
		return -1;
	if (strcmp(uri, "/ws/runs") == 0)
		return 0;
	if (strncmp(uri, "/ws/runtime/", 12) != 0 || strlen(uri + 12) >= len)
		return -1;
	snprintf(run, len, "%s", uri + 12);
	return lh_valid_run_id(run) ? 1 : -1;
}

/* An HTTP/1.1 refusal written by hand: at this point libwebsockets does
 * not know the request's version yet and would answer HTTP/1.0, which
 * WebSocket clients reject as an invalid response instead of reporting the
 * status. */
static void lh_refuse(struct lws *wsi, int status, const char *why)
{
	static const struct { int code; const char *text; } names[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 503, "Service Unavailable" },
	};
	const char *text = "Error";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == status)
			text = names[i].text;
	char buf[LWS_PRE + 512];
	int n = snprintf(buf + LWS_PRE, sizeof buf - LWS_PRE,
			 "HTTP/1.1 %d %s\r\ncontent-type: text/plain\r\ncontent-length: %zu\r\n"
			 "connection: close\r\n\r\n%s\n",
			 status, text, strlen(why) + 1, why);
	if (n > 0 && (size_t)n < sizeof buf - LWS_PRE)
		lws_write(wsi, (unsigned char *)buf + LWS_PRE, (size_t)n, LWS_WRITE_HTTP_HEADERS);
}

/* Checks an upgrade before it happens, so refusals are real HTTP answers. */
static int lh_confirm_upgrade(struct lh_bridge *b, struct lws *wsi)
{
	char run[LH_RUN_ID_MAX + 2];
	int status = 0;
	const char *why = NULL;
	if (b->draining) {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
		why = "shutting down";
	} else if (!lh_origin_allowed(b, wsi)) {
		status = HTTP_STATUS_FORBIDDEN;
		why = "origin not allowed";
	} else if (!lh_authorized(b, wsi)) {
		status = HTTP_STATUS_UNAUTHORIZED;
		why = "missing or wrong token";
	} else if (lh_ws_path(wsi, run, sizeof run) < 0) {
		status = HTTP_STATUS_BAD_REQUEST;
		why = "expected /ws/runtime/RUN_ID (letters, digits, - _ . :) or /ws/runs";
	} else if (b->nclients >= b->o->bridge.max_clients) {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
		why = "too many clients";
	}
	if (!status)
		return 0;
	b->refused++;
	lh_refuse(wsi, status, why);
	return 1;
}

/* /ws/runs?since=GSEQ&epoch=GEPOCH: the same across every run, with the
 * numbers every frame carries as gseq and gepoch. A gap names run "*". */
static void lh_client_resume_all(struct lh_client *c, struct lws *wsi, uint64_t after)
{
	struct lh_bridge *b = c->b;
	char epoch[64];
	const char *ep = lws_get_urlarg_by_name(wsi, "epoch=", epoch, sizeof epoch);
	uint64_t oldest = b->all.n ? lh_frame_ring_at(&b->all, 0)->gseq : b->gseq + 1;
	if (!ep || strcmp(ep, b->boot_id) != 0) {
		lh_client_add_gap(c, "*", 1, oldest - 1, b->boot_id, "epoch");
		after = 0;
	} else if (after + 1 < oldest) {
		lh_client_add_gap(c, "*", after + 1, oldest - 1, b->boot_id, "history");
	}
	for (size_t i = 0; i < b->all.n; i++) {
		struct lh_frame *f = lh_frame_ring_at(&b->all, i);
		if (f->gseq > after)
			lh_client_push(c, f, b->boot_id);
	}
	if (c->ngaps)
		lws_callback_on_writable(wsi);
}

/* Queues the retained frames after ?since=SEQ, after a gap frame when the
 * history does not reach back that far or the epoch changed. */
static void lh_client_resume(struct lh_client *c, struct lws *wsi)
{
	char since_s[32], epoch[64];
	const char *since = lws_get_urlarg_by_name(wsi, "since=", since_s, sizeof since_s);
	if (!since)
		return;
	if (!c->run) {
		lh_client_resume_all(c, wsi, strtoull(since, NULL, 10));
		return;
	}
	const char *ep = lws_get_urlarg_by_name(wsi, "epoch=", epoch, sizeof epoch);
	uint64_t after = strtoull(since, NULL, 10);
	struct lh_hrun *r = lh_history_find(c->b->hist, c->run);
	if (!r)
		r = lh_history_run(c->b->hist, c->run); /* a run nobody published yet */
	size_t n = lh_hrun_count(r);
	uint64_t oldest = n ? lh_hrun_at(r, 0)->seq : lh_hrun_next_seq(r);
	bool same_epoch = ep && strcmp(ep, lh_hrun_epoch(r)) == 0;
	if (!same_epoch) {
		lh_client_add_gap(c, c->run, 1, oldest - 1, lh_hrun_epoch(r), "epoch");
		after = 0;
	} else if (after + 1 < oldest) {
		lh_client_add_gap(c, c->run, after + 1, oldest - 1, lh_hrun_epoch(r), "history");
	}
	for (size_t i = 0; i < n; i++) {
		struct lh_frame *f = lh_hrun_at(r, i);
		if (f->seq > after)
			lh_client_push(c, f, lh_hrun_epoch(r));
	}
	if (c->ngaps)
		lws_callback_on_writable(wsi);
}

static void lh_client_open(struct lh_bridge *b, struct lh_client *c, struct lws *wsi)
{
	char run[LH_RUN_ID_MAX + 2];
	c->b = b;
	c->wsi = wsi;
	c->ws = true;
	c->run = lh_ws_path(wsi, run, sizeof run) == 1 ? lh_xstrdup(run) : NULL;
	LIST_INSERT_HEAD(&b->clients, c, link);
	c->listed = true;
	b->nclients++;
	lh_client_resume(c, wsi);
}

static void lh_client_close(struct lh_bridge *b, struct lh_client *c)
{
	if (!c->listed)
		return;
	LIST_REMOVE(c, link);
	c->listed = false;
	b->nclients--;
	lh_flush_forget(c);
	lh_client_clear(c);
	if (b->draining && !b->nclients) /* the last one is gone: finish now */
		uv_timer_start(&b->drain, lh_drain_cb, 0, 0);
}

/* Appends one unmasked server-to-client text frame (RFC 6455 5.2). */
static void lh_ws_frame_append(struct lh_buf *out, const void *data, size_t len)
{
	unsigned char hdr[10];
	size_t n = 2;
	hdr[0] = 0x81; /* FIN, text */
	if (len < 126) {
		hdr[1] = (unsigned char)len;
	} else if (len < 65536) {
		hdr[1] = 126;
		hdr[2] = (unsigned char)(len >> 8);
		hdr[3] = (unsigned char)len;
		n = 4;
	} else {
		hdr[1] = 127;
		for (int i = 0; i < 8; i++)
			hdr[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		n = 10;
	}
	lh_buf_append(out, hdr, n);
	lh_buf_append(out, data, len);
}

static void lh_note_latency(struct lh_bridge *b, const struct lh_frame *f, int64_t now)
{
	double lat = (double)(now - f->recv_mono_us) / 1e6;
	int k = 0;
	while (k < LH_LAT_BUCKETS && lat > lh_lat_bounds[k])
		k++;
	b->lat_count[k]++;
	b->lat_sum += lat;
}

/* Gaps first, then queued frames, framed here into one buffer of up to
 * LH_BATCH_BYTES and sent raw: one syscall for a burst, where lws_write
 * would take a writable callback and a syscall per frame. */
static int lh_client_write_batch(struct lh_bridge *b, struct lh_client *c)
{
	struct lh_buf *out = &b->batch;
	lh_buf_reset(out);
	lh_buf_append(out, b->pre, LWS_PRE);
	for (; c->ngaps && out->len < LH_BATCH_BYTES; b->gaps_sent++) {
		struct lh_gap *g = &c->gaps[0];
		lh_buf_reset(&b->scratch);
		lh_frame_gap(&b->scratch, g->run, g->from, g->to, g->epoch, g->reason);
		lh_ws_frame_append(out, b->scratch.data, b->scratch.len);
		free(g->run);
		memmove(&c->gaps[0], &c->gaps[1], (--c->ngaps) * sizeof c->gaps[0]);
	}
	int64_t now = lh_time_mono_us();
	while (c->qn && out->len < LH_BATCH_BYTES) {
		struct lh_frame *f = lh_client_pop(c);
		lh_ws_frame_append(out, f->data, f->len);
		lh_note_latency(b, f, now);
		b->forwarded++;
		lh_frame_unref(f);
	}
	size_t len = out->len - LWS_PRE;
	return len && lws_write(c->wsi, (unsigned char *)out->data + LWS_PRE, len, LWS_WRITE_RAW) < (int)len
		       ? -1 : 0;
}

/* Batches while the socket takes them whole: a loop turn may have queued
 * more than one batch (a resume replaying history, a burst of 4 KB
 * events), and what is left waits for POLLOUT. */
static int lh_client_write(struct lh_bridge *b, struct lh_client *c)
{
	do {
		if (lh_client_write_batch(b, c) < 0)
			return -1;
	} while ((c->ngaps || c->qn) && !lws_partial_buffered(c->wsi));
	if (c->ngaps || c->qn) {
		lws_callback_on_writable(c->wsi);
	} else if (b->draining) {
		/* lws_close_reason() and -1 would not send the close frame here
		 * (libwebsockets 4.1 drops the POLLOUT it asks for from inside
		 * a POLLOUT callback), so write the close frame ourselves. */
		static const char why[] = "\x03\xe9shutting down"; /* 1001 going away */
		unsigned char buf[LWS_PRE + sizeof why];
		memcpy(buf + LWS_PRE, why, sizeof why - 1);
		lws_write(c->wsi, buf + LWS_PRE, sizeof why - 1, LH_LWS_WRITE_CLOSE);
		return -1;
	}
	return 0;
}

static void lh_flush_cb(uv_check_t *h)
{
	struct lh_bridge *b = h->data;
	struct lh_client *c;
	while ((c = LIST_FIRST(&b->to_flush)) != NULL) {
		lh_flush_forget(c);
		/* lws_partial_buffered rather than lws_send_pipe_choked, which
		 * polls the socket: a syscall per client per loop turn. A full
		 * socket makes lws keep at most this one batch until POLLOUT. */
		if (b->draining || c->failed || lws_partial_buffered(c->wsi)) {
			lws_callback_on_writable(c->wsi);
		} else if (lh_client_write(b, c) < 0) {
			c->failed = true; /* closed from its writable callback */
			lws_callback_on_writable(c->wsi);
		}
	}
	uv_check_stop(h);
}

/* ---- /health and /metrics ---- */

static void lh_metric(struct lh_buf *m, const char *name, const char *type, const char *help,
		      unsigned long long v)
{
	lh_buf_printf(m, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, v);
}

static char *lh_metrics_text(struct lh_bridge *b)
{
	struct lh_buf m = LH_BUF_INIT;
	const struct lh_source_status *st = lh_app_source_status(b->app);
	const struct lh_rejects *rj = lh_app_rejects(b->app);
	lh_metric(&m, "livehud_events_received_total", "counter", "Events accepted from Redis.", b->received);
	lh_metric(&m, "livehud_events_forwarded_total", "counter", "Frames written to WebSocket clients.", b->forwarded);
	lh_buf_puts(&m, "# HELP livehud_events_rejected_total Payloads refused, by reason.\n"
			"# TYPE livehud_events_rejected_total counter\n");
	for (int i = 1; i < LH_REJECT_COUNT; i++)
		lh_buf_printf(&m, "livehud_events_rejected_total{reason=\"%s\"} %llu\n",
			      lh_reject_name((enum lh_reject)i), (unsigned long long)rj->count[i]);
	lh_buf_printf(&m, "# HELP livehud_frames_dropped_total Frames not delivered, by reason.\n"
			  "# TYPE livehud_frames_dropped_total counter\n"
			  "livehud_frames_dropped_total{reason=\"slow_client\"} %llu\n"
			  "livehud_frames_dropped_total{reason=\"client_closed\"} %llu\n",
		      (unsigned long long)b->dropped_slow, (unsigned long long)b->dropped_closed);
	lh_metric(&m, "livehud_gaps_sent_total", "counter", "Gap frames sent to clients.", b->gaps_sent);
	lh_metric(&m, "livehud_requests_refused_total", "counter", "Upgrades refused (401, 403, 400, 503).", b->refused);
	lh_metric(&m, "livehud_runs_forgotten_total", "counter", "Runs whose history was dropped for --max-runs.",
		  lh_history_forgotten(b->hist));
	lh_buf_printf(&m, "# HELP livehud_history_bytes Bytes of frames kept for resuming (--history-bytes).\n"
			  "# TYPE livehud_history_bytes gauge\n"
			  "livehud_history_bytes{history=\"run\"} %zu\n"
			  "livehud_history_bytes{history=\"all\"} %zu\n"
			  "# HELP livehud_history_evicted_total Frames let go early to stay within --history-bytes.\n"
			  "# TYPE livehud_history_evicted_total counter\n"
			  "livehud_history_evicted_total{history=\"run\"} %llu\n"
			  "livehud_history_evicted_total{history=\"all\"} %llu\n",
		      lh_history_bytes(b->hist), b->all.bytes,
		      (unsigned long long)lh_history_evicted(b->hist), (unsigned long long)b->all_evicted);
	lh_metric(&m, "livehud_clients", "gauge", "Connected WebSocket clients.", b->nclients);
	lh_metric(&m, "livehud_runs", "gauge", "Runs with history.", lh_history_runs(b->hist));
	lh_metric(&m, "livehud_redis_reconnects_total", "counter", "Redis reconnections.", st ? st->reconnects : 0);
	lh_metric(&m, "livehud_redis_up", "gauge", "1 when subscribed to Redis.", st && st->state == LH_SOURCE_LIVE);
	lh_buf_puts(&m, "# HELP livehud_delivery_seconds From receiving an event from Redis to writing it to a socket.\n"
			"# TYPE livehud_delivery_seconds histogram\n");
	unsigned long long cum = 0;
	for (int i = 0; i < LH_LAT_BUCKETS; i++) {
		cum += b->lat_count[i];
		lh_buf_printf(&m, "livehud_delivery_seconds_bucket{le=\"%g\"} %llu\n", lh_lat_bounds[i], cum);
	}
	cum += b->lat_count[LH_LAT_BUCKETS];
	lh_buf_printf(&m, "livehud_delivery_seconds_bucket{le=\"+Inf\"} %llu\n"
			  "livehud_delivery_seconds_sum %.6f\nlivehud_delivery_seconds_count %llu\n",
		      cum, b->lat_sum, cum);
	return m.data;
}

static char *lh_health_text(struct lh_bridge *b, int *status)
{
	const struct lh_source_status *st = lh_app_source_status(b->app);
	bool up = st && st->state == LH_SOURCE_LIVE;
	*status = up ? HTTP_STATUS_OK : HTTP_STATUS_SERVICE_UNAVAILABLE;
	struct lh_buf h = LH_BUF_INIT;
	lh_buf_printf(&h, "{\"status\":\"%s\",\"redis\":\"%s\",\"redis_error\":", up ? "ok" : "unavailable",
		      st ? lh_source_state_name(st->state) : "closed");
	lh_json_put_string(&h, st ? st->last_error : "");
	lh_buf_printf(&h, ",\"clients\":%zu,\"runs\":%zu,\"uptime_s\":%lld,\"version\":\"%s\"}\n", b->nclients,
		      lh_history_runs(b->hist), (long long)((lh_time_mono_us() - b->start_mono_us) / 1000000),
		      PACKAGE_VERSION);
	return h.data;
}

static int lh_http_request(struct lh_bridge *b, struct lh_client *c, struct lws *wsi, const char *path)
{
	c->b = b;
	c->ctype = "text/plain; charset=utf-8";
	if (strcmp(path, "/health") == 0) {
		c->body = lh_health_text(b, &c->status);
		c->ctype = "application/json";
	} else if (strcmp(path, "/metrics") == 0) {
		if (!lh_authorized(b, wsi)) {
			b->refused++;
			c->status = HTTP_STATUS_UNAUTHORIZED;
			c->body = lh_xstrdup("missing or wrong token\n");
		} else {
			c->status = HTTP_STATUS_OK;
			c->body = lh_metrics_text(b);
			c->ctype = "text/plain; version=0.0.4";
		}
	} else {
		c->status = HTTP_STATUS_NOT_FOUND;
		c->body = lh_xstrdup("not found: try /ws/runtime/RUN_ID, /ws/runs, /health or /metrics\n");
	}
	lws_callback_on_writable(wsi);
	return 0;
}

static int lh_http_write(struct lh_client *c, struct lws *wsi)
{
	size_t len = strlen(c->body);
	unsigned char *buf = lh_xmalloc(LWS_PRE + 1024 + len);
	unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + LWS_PRE + 1024 + len;
	bool sent = false;
	if (lws_add_http_common_headers(wsi, (unsigned)c->status, c->ctype, len, &p, end) == 0 &&
	    lws_finalize_write_http_header(wsi, start, &p, end) == 0) {
		memcpy(start, c->body, len);
		sent = lws_write(wsi, start, len, LWS_WRITE_HTTP_FINAL) == (int)len;
	}
	free(buf);
	free(c->body);
	c->body = NULL;
	/* Completing the transaction may free c (a keep-alive connection
	 * gets a new one): nothing of c is touched after it. */
	if (!sent)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- the libwebsockets callback ---- */

static int lh_on_receive(struct lh_bridge *b, struct lh_client *c, struct lws *wsi, size_t len)
{
	/* Clients have nothing to say; only bound what they may send. */
	c->rx += len;
	if (c->rx > b->o->bridge.max_frame) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too large", 9);
		return -1;
	}
	if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi))
		c->rx = 0;
	return 0;
}

static int lh_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lh_bridge *b = lws_context_user(lws_get_context(wsi));
	struct lh_client *c = user;
	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return lh_confirm_upgrade(b, wsi);
	case LWS_CALLBACK_HTTP:
		return lh_http_request(b, c, wsi, in ? (const char *)in : "/");
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return c && c->body ? lh_http_write(c, wsi) : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c) {
			free(c->body);
			c->body = NULL;
		}
		break;
	case LWS_CALLBACK_ESTABLISHED:
		lh_client_open(b, c, wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c->listed && !c->failed ? lh_client_write(b, c) : -1;
	case LWS_CALLBACK_RECEIVE:
		return lh_on_receive(b, c, wsi, len);
	case LWS_CALLBACK_CLOSED:
		lh_client_close(b, c);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols lh_protocols[] = {
	/* tx_packet_size: lws would otherwise cut a batch into sends of its
	 * 4 KB receive buffer size and copy the rest into its own buffer. */
	{ "livehud", lh_callback, sizeof(struct lh_client), 4096, 0, NULL, LH_BATCH_BYTES },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* ---- life ---- */

static void lh_lws_log(int level, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	lh_log(level & LLL_ERR ? "error" : "warn", "libwebsockets: %.*s", (int)n, line);
}

static void lh_bridge_finish(struct lh_bridge *b)
{
	uv_close((uv_handle_t *)&b->drain, NULL);
	uv_close((uv_handle_t *)&b->flush, NULL);
	if (b->ctx)
		lws_context_destroy(b->ctx);
	lh_app_shutdown(b->app);
}

static void lh_drain_cb(uv_timer_t *t)
{
	struct lh_bridge *b = t->data;
	if (!b->nclients || b->drain_forced) {
		lh_bridge_finish(b);
		return;
	}
	/* A second is up: whatever is still queued is dropped. */
	b->drain_forced = true;
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link) {
		while (c->qn) {
			b->dropped_closed++;
			lh_frame_unref(lh_client_pop(c));
		}
		for (size_t i = 0; i < c->ngaps; i++)
			free(c->gaps[i].run);
		c->ngaps = 0;
		lws_callback_on_writable(c->wsi);
	}
	uv_timer_start(&b->drain, lh_drain_cb, 200, 0);
}

static void lh_bridge_stop(void *ctx, int signum)
{
	struct lh_bridge *b = ctx;
	if (b->draining)
		return;
	lh_log("info", "signal %d: closing %zu client%s", signum, b->nclients, b->nclients == 1 ? "" : "s");
	b->draining = true;
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link)
		lws_callback_on_writable(c->wsi);
	uv_timer_start(&b->drain, lh_drain_cb, b->nclients ? LH_DRAIN_MS : 0, 0);
}

static int lh_split_listen(const char *listen, char *host, size_t hlen, int *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return -1;
	const char *h = listen;
	size_t n = (size_t)(colon - listen);
	if (*h == '[' && n >= 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n >= hlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

static char *lh_read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char buf[512];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && strchr("\r\n \t", buf[n - 1]))
		buf[--n] = '\0';
	return n ? lh_xstrdup(buf) : NULL;
}

/* Sets b->ctx (destroyed on the way out even when this fails, as a
 * foreign loop needs); false if the address cannot be served. */
static bool lh_bridge_listen(struct lh_bridge *b, char *host, int port)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[1] = { lh_app_loop(b->app) };
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.port = port;
	info.iface = host;
	info.protocols = lh_protocols;
	info.user = b;
	info.pcontext = &b->ctx;
	/* Ping a connection idle for ping_s; hang up one silent for twice that. */
	if (bo->ping_s) {
		b->idle.secs_since_valid_ping = (uint16_t)bo->ping_s;
		b->idle.secs_since_valid_hangup = (uint16_t)(bo->ping_s * 2 + 5);
		info.retry_and_idle_policy = &b->idle;
	}
	info.timeout_secs = 20;
	info.fd_limit_per_thread = (unsigned)(bo->max_clients + 64);
	if (bo->tls_cert) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = bo->tls_cert;
		info.ssl_private_key_filepath = bo->tls_key;
	}
	lws_set_log_level(LLL_ERR | LLL_WARN, lh_lws_log);
	/* The listening vhost is made apart: on a foreign loop a failed
	 * default vhost (a port in use) still returns the context, already
	 * being destroyed, and running it aborted. */
	info.options |= LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	b->ctx = lws_create_context(&info);
	return b->ctx && lws_create_vhost(b->ctx, &info);
}

static int lh_bridge_setup(struct lh_bridge *b)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	char host[256];
	int port;
	if (lh_split_listen(bo->listen, host, sizeof host, &port) < 0) {
		fprintf(stderr, "livehud: bad --listen '%s': expected HOST:PORT\n", bo->listen);
		return 2;
	}
	if (bo->token_file && !(b->token = lh_read_token(bo->token_file))) {
		fprintf(stderr, "livehud: cannot read a token from %s\n", bo->token_file);
		return 2;
	}
	if (bo->token)
		b->token = lh_xstrdup(bo->token);
	uint64_t rnd = (uint64_t)lh_time_now_us();
	if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) < 0)
		rnd ^= (uint64_t)getpid() << 32;
	snprintf(b->boot_id, sizeof b->boot_id, "%016llx", (unsigned long long)rnd);
	b->hist = lh_history_new(bo->history, bo->max_runs, bo->history_bytes, b->boot_id);
	/* /ws/runs keeps ten runs' worth, within the same byte budget */
	lh_frame_ring_init(&b->all, bo->history * 10);
	if (!lh_bridge_listen(b, host, port)) {
		fprintf(stderr, "livehud: cannot serve on %s: the port may be in use, the TLS files "
				"unreadable, or libwebsockets' libuv plugin missing (Debian package "
				"libwebsockets-evlib-uv)\n", bo->listen);
		return 1;
	}
	lh_log("info", "serving %s://%s on %s (history %zu per run, %zu runs)", bo->tls_cert ? "wss" : "ws",
	       bo->listen, b->o->redis_url, bo->history, bo->max_runs);
	return 0;
}

int lh_bridge_main(const struct lh_options *o)
{
	struct lh_bridge b = { .o = o, .last_state = -1 };
	lh_log_init(o->bridge.log_json);
	b.start_mono_us = lh_time_mono_us();
	struct lh_app_hooks hooks = { .event = lh_bridge_event, .reject = lh_bridge_reject,
				      .source_state = lh_bridge_state, .stop = lh_bridge_stop,
				      .ctx = &b, .no_store = true };
	b.app = lh_app_new(o, &hooks);
	if (!b.app)
		return 1;
	uv_timer_init(lh_app_loop(b.app), &b.drain);
	uv_check_init(lh_app_loop(b.app), &b.flush);
	b.drain.data = b.flush.data = &b;
	int status = lh_bridge_setup(&b);
	if (status) {
		lh_bridge_finish(&b);
		lh_app_settle(b.app); /* a half-made context's first destroy finishes */
	} else if (lh_app_run(b.app) < 0) {
		lh_bridge_finish(&b);
		status = 1;
	}
	if (b.ctx) /* with a foreign loop, destroying takes a second call */
		lws_context_destroy(b.ctx);
	lh_app_free(b.app);
	lh_history_free(b.hist);
	lh_frame_ring_clear(&b.all);
	lh_buf_free(&b.scratch);
	lh_buf_free(&b.batch);
	free(b.token);
	lh_log("info", "stopped");
	return status;
}
