/* client: one WebSocket client of the bridge: what it watches, its queue of
 * frames and of gaps not yet said, and writing them.
 *
 * A client's queue is bounded in frames and bytes: when full, its oldest
 * frames are dropped and the client is told with a gap frame before
 * anything else, so a slow reader costs only itself. What a loop turn
 * queued is written at the end of the turn, all of a client's frames
 * framed into one write; a client whose socket is full is written from its
 * writable callback instead. */
#include "config.h"
#include "bridge_impl.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		uv_check_start(&b->flush, lh_bridge_flush_cb);
	LIST_INSERT_HEAD(&b->to_flush, c, flush_link);
}

static void lh_flush_forget(struct lh_client *c)
{
	if (!c->flushing)
		return;
	LIST_REMOVE(c, flush_link);
	c->flushing = false;
}

struct lh_buf *lh_client_out(struct lh_bridge *b)
{
	static const char pre[LWS_PRE];
	lh_buf_reset(&b->batch);
	lh_buf_append(&b->batch, pre, LWS_PRE);
	return &b->batch;
}

int lh_client_send(struct lh_client *c, const struct lh_buf *out)
{
	size_t len = out->len - LWS_PRE;
	return len && lws_write(c->wsi, (unsigned char *)out->data + LWS_PRE, len, LWS_WRITE_RAW) < (int)len ? -1 : 0;
}

/* Adds a gap, or extends one of the same run and reason that ends just
 * before it. False when all LH_MAX_GAPS slots are taken. */
static bool lh_client_add_gap(struct lh_client *c, const char *run, uint64_t from, uint64_t to,
			      const char *epoch, const char *reason)
{
	for (size_t i = c->ngaps; i-- > 0;) {
		struct lh_gap *g = &c->gaps[i];
		if (g->reason == reason && g->to + 1 == from && strcmp(g->run, run) == 0) {
			g->to = to;
			return true;
		}
	}
	if (c->ngaps == LH_MAX_GAPS)
		return false;
	struct lh_gap *g = &c->gaps[c->ngaps++];
	g->run = lh_xstrdup(run);
	g->from = from;
	g->to = to;
	g->reason = reason;
	snprintf(g->epoch, sizeof g->epoch, "%s", epoch);
	return true;
}

static void lh_client_forget_gap(struct lh_client *c, size_t i)
{
	free(c->gaps[i].run);
	memmove(&c->gaps[i], &c->gaps[i + 1], (--c->ngaps - i) * sizeof c->gaps[0]);
}

/* A frame dropped for a slow client, said as exactly as memory allows: a
 * gap per run by seq while there are slots; past that, on /ws/runs, one
 * gap across runs by gseq for every drop not yet said. The drops not yet
 * said are always one run of gseqs (frames leave the queue only from its
 * front, and a write says every pending gap before any frame). */
static void lh_client_note_drop(struct lh_client *c, const struct lh_frame *f, const char *epoch)
{
	static const char reason[] = "slow_client";
	if (!c->run) {
		if (!c->drops)
			c->drops_from = f->gseq;
		c->drops = true;
	}
	if (c->drops_across) { /* already said as one gap across runs: extend it */
		c->gaps[c->ngaps - 1].to = f->gseq;
		return;
	}
	/* One run's drops always extend its last gap, so only /ws/runs can
	 * run out of slots. */
	if (lh_client_add_gap(c, f->run_id, f->seq, f->seq, epoch, reason) || c->run)
		return;
	for (size_t i = c->ngaps; i-- > 0;)
		if (c->gaps[i].reason == reason)
			lh_client_forget_gap(c, i);
	lh_client_add_gap(c, "*", c->drops_from, f->gseq, c->b->boot_id, reason);
	c->drops_across = true;
}

void lh_client_push(struct lh_client *c, struct lh_frame *f, const char *epoch)
{
	struct lh_bridge *b = c->b;
	const struct lh_bridge_options *bo = &b->o->bridge;
	size_t n;
	if ((c->run ? f->seq : f->gseq) <= c->after)
		return;
	while ((n = lh_frame_ring_count(&c->q)) &&
	       (n >= bo->queue_msgs || c->q.bytes + f->len > bo->queue_bytes)) {
		struct lh_frame *old = lh_frame_ring_shift(&c->q);
		lh_client_note_drop(c, old, epoch);
		b->dropped_slow++;
		lh_frame_unref(old);
	}
	lh_frame_ring_push(&c->q, f);
	lh_flush_later(c);
}

void lh_client_interrupted(struct lh_client *c, int64_t since_us, int64_t until_us)
{
	if (!c->down_since)
		c->down_since = since_us;
	c->down_until = until_us;
	lh_flush_later(c);
}

void lh_client_trimmed(struct lh_client *c, uint64_t from, uint64_t to)
{
	if (!c->trim_to || from < c->trim_from)
		c->trim_from = from;
	if (to > c->trim_to)
		c->trim_to = to;
	lh_flush_later(c);
}

void lh_client_drop_all(struct lh_client *c)
{
	c->b->dropped_closed += lh_frame_ring_count(&c->q);
	lh_frame_ring_clear(&c->q);
	while (c->ngaps)
		lh_client_forget_gap(c, c->ngaps - 1);
	c->drops = c->drops_across = false;
}

/* The newest number a resume may have missed: the last frame let go from
 * the history (gone), or from a stream, whatever came before the first
 * entry the bridge read. Numbers from a stream are not contiguous, so
 * only what is known to be gone counts, never a hole between two. */
static uint64_t lh_client_missing_to(const struct lh_bridge *b, uint64_t gone)
{
	uint64_t before = b->known_from ? b->known_from - 1 : 0;
	return gone > before ? gone : before;
}

/* /ws/runs?since=GSEQ&epoch=GEPOCH: the same across every run, with the
 * numbers every frame carries as gseq and gepoch. A gap names run "*". */
static void lh_client_resume_all(struct lh_client *c, uint64_t after)
{
	struct lh_bridge *b = c->b;
	char epoch[64];
	const char *ep = lh_req_arg(c->req, "epoch", epoch, sizeof epoch);
	size_t n = lh_frame_ring_count(&b->all);
	uint64_t missing_to = lh_client_missing_to(b, b->all.gone_gseq);
	if (!ep || strcmp(ep, b->boot_id) != 0) {
		lh_client_add_gap(c, "*", 1, missing_to, b->boot_id, "epoch");
		after = 0;
	} else if (after < missing_to) {
		lh_client_add_gap(c, "*", after + 1, missing_to, b->boot_id, "history");
	}
	c->after = after;
	for (size_t i = 0; i < n; i++)
		lh_client_push(c, lh_frame_ring_at(&b->all, i), b->boot_id);
	if (c->ngaps)
		lws_callback_on_writable(c->wsi);
}

/* A resume on a run this bridge has no history of. Only publishing makes
 * a history, so a reader cannot push real runs out under --max-runs.
 * Numbered from a stream, the run's events are in Redis and on their way
 * (this bridge may be behind the one the client came from): wait for them,
 * unless they are older than the stream this bridge read. Otherwise the
 * client's numbers restart. */
static void lh_client_resume_unknown(struct lh_client *c, const char *epoch, uint64_t after)
{
	struct lh_bridge *b = c->b;
	if (b->o->stream && epoch && strcmp(epoch, b->boot_id) == 0) {
		uint64_t missing_to = lh_client_missing_to(b, 0);
		c->after = after;
		if (after >= missing_to)
			return;
		lh_client_add_gap(c, c->run, after + 1, missing_to, b->boot_id, "history");
	} else {
		lh_client_add_gap(c, c->run, 1, 0, "", "epoch");
	}
	lws_callback_on_writable(c->wsi);
}

/* Queues the retained frames after ?since=SEQ, after a gap frame when the
 * history does not reach back that far or the epoch changed. */
static void lh_client_resume(struct lh_client *c)
{
	char epoch[64];
	uint64_t after;
	if (lh_http_since(c->req, &after) <= 0) /* an invalid one was refused before the upgrade */
		return;
	if (!c->run) {
		lh_client_resume_all(c, after);
		return;
	}
	const char *ep = lh_req_arg(c->req, "epoch", epoch, sizeof epoch);
	struct lh_hrun *r = lh_history_find(c->b->hist, c->run);
	if (!r) {
		lh_client_resume_unknown(c, ep, after);
		return;
	}
	size_t n = lh_hrun_count(r);
	uint64_t missing_to = lh_client_missing_to(c->b, lh_hrun_gone(r));
	bool same_epoch = ep && strcmp(ep, lh_hrun_epoch(r)) == 0;
	if (!same_epoch) {
		lh_client_add_gap(c, c->run, 1, missing_to, lh_hrun_epoch(r), "epoch");
		after = 0;
	} else if (after < missing_to) {
		lh_client_add_gap(c, c->run, after + 1, missing_to, lh_hrun_epoch(r), "history");
	}
	c->after = after;
	for (size_t i = 0; i < n; i++)
		lh_client_push(c, lh_hrun_at(r, i), lh_hrun_epoch(r));
	if (c->ngaps)
		lws_callback_on_writable(c->wsi);
}

/* A client silent for --ping-interval seconds is pinged; one silent for
 * 5 s more after that is hung up on (twice the interval and 5 s since it
 * last said anything). */
static void lh_client_arm_ping(struct lh_bridge *b, struct lh_client *c)
{
	unsigned s = b->o->bridge.ping_s;
	if (s)
		lws_set_timer_usecs(c->wsi, (lws_usec_t)(c->ping_out ? s + 5 : s) * LWS_US_PER_SEC);
}

int lh_client_idle(struct lh_bridge *b, struct lh_client *c)
{
	if (!c->ws || c->close_code)
		return 0;
	if (c->ping_out)
		return -1;
	c->ping_out = true;
	lh_client_arm_ping(b, c);
	if (lws_partial_buffered(c->wsi)) /* it is not reading: the ping could not go */
		return 0;
	struct lh_buf *out = lh_client_out(b); /* written at once: a ping needs no queue */
	lh_wsp_frame_append(out, LH_WSP_PING, "", 0);
	return lh_client_send(c, out);
}

/* Counts a client closed for breaking the protocol, and logs it: at most
 * a line a minute for each reason. */
static void lh_client_note_failure(struct lh_bridge *b, struct lh_client *c)
{
	b->clients_failed++;
	uint64_t others;
	if (!lh_http_log_due(b, c->rx.why, &others))
		return;
	char peer[64];
	lh_log("warn", "closed a client from %s with %u: %s%s", lh_http_peer(c, peer, sizeof peer), c->rx.code,
	       c->rx.why, others ? " (and others since the last such line)" : "");
}

int lh_client_receive(struct lh_bridge *b, struct lh_client *c, const unsigned char *in, size_t len)
{
	c->ping_out = false;
	lh_client_arm_ping(b, c);
	while (len && !c->close_code) {
		size_t used;
		enum lh_wsp_got got = lh_wsp_rx_feed(&c->rx, in, len, &used);
		in += used;
		len -= used;
		switch (got) {
		case LH_WSP_GOT_PING:
			memcpy(c->pong, c->rx.control, c->rx.control_len);
			c->pong_len = c->rx.control_len;
			c->pong_due = true;
			lh_flush_later(c);
			break;
		case LH_WSP_GOT_CLOSE:
			lh_client_close_with(c, c->rx.code ? c->rx.code : LH_WSP_NORMAL, "");
			break;
		case LH_WSP_GOT_FAIL:
			lh_client_note_failure(b, c);
			lh_client_close_with(c, c->rx.code, c->rx.why);
			break;
		default:
			break;
		}
	}
	return 0;
}

void lh_client_open(struct lh_bridge *b, struct lh_client *c)
{
	char run[LH_RUN_ID_MAX + 2];
	c->ws = true;
	c->run = lh_http_ws_path(c->req, run, sizeof run) == 1 ? lh_xstrdup(run) : NULL;
	lh_wsp_rx_init(&c->rx, b->o->bridge.max_frame);
	lh_client_arm_ping(b, c);
	lh_frame_ring_init(&c->q, SIZE_MAX);
	LIST_INSERT_HEAD(&b->clients, c, link);
	c->listed = true;
	b->nclients++;
	lh_client_resume(c);
}

void lh_client_close(struct lh_bridge *b, struct lh_client *c)
{
	if (!c->listed)
		return;
	LIST_REMOVE(c, link);
	c->listed = false;
	b->nclients--;
	lh_flush_forget(c);
	lh_client_drop_all(c);
	free(c->run);
	c->run = NULL;
	if (b->draining && !b->nclients) /* the last one is gone: finish now */
		uv_timer_start(&b->drain, lh_bridge_drain_cb, 0, 0);
}

/* Gaps first, then queued frames, framed here into one buffer of up to
 * LH_BATCH_BYTES and sent raw: one syscall for a burst, where lws_write
 * would take a writable callback and a syscall per frame. */
static int lh_client_write_batch(struct lh_bridge *b, struct lh_client *c)
{
	struct lh_buf *out = lh_client_out(b);
	if (c->pong_due) {
		lh_wsp_frame_append(out, LH_WSP_PONG, c->pong, c->pong_len);
		c->pong_due = false;
	}
	if (c->down_since) {
		lh_buf_reset(&b->scratch);
		lh_frame_interrupted(&b->scratch, c->down_since, c->down_until);
		lh_wsp_frame_append(out, LH_WSP_TEXT, b->scratch.data, b->scratch.len);
		c->down_since = c->down_until = 0;
		b->gaps_sent++;
	}
	if (c->trim_to) {
		lh_buf_reset(&b->scratch);
		lh_frame_gap(&b->scratch, c->run ? c->run : "*", c->trim_from, c->trim_to, b->boot_id, "stream_trimmed");
		lh_wsp_frame_append(out, LH_WSP_TEXT, b->scratch.data, b->scratch.len);
		c->trim_from = c->trim_to = 0;
		b->gaps_sent++;
	}
	for (; c->ngaps && out->len < LH_BATCH_BYTES; b->gaps_sent++) {
		struct lh_gap *g = &c->gaps[0];
		lh_buf_reset(&b->scratch);
		lh_frame_gap(&b->scratch, g->run, g->from, g->to, g->epoch, g->reason);
		lh_wsp_frame_append(out, LH_WSP_TEXT, b->scratch.data, b->scratch.len);
		lh_client_forget_gap(c, 0);
	}
	if (!c->ngaps) /* every drop is said: the next one starts afresh */
		c->drops = c->drops_across = false;
	int64_t now = lh_time_mono_us();
	struct lh_frame *f;
	while (out->len < LH_BATCH_BYTES && (f = lh_frame_ring_shift(&c->q)) != NULL) {
		lh_wsp_frame_append(out, LH_WSP_TEXT, f->data, f->len);
		lh_metrics_note_latency(b, f, now);
		b->forwarded++;
		lh_frame_unref(f);
	}
	return lh_client_send(c, out);
}

static bool lh_client_pending(const struct lh_client *c)
{
	return c->pong_due || c->down_since || c->trim_to || c->ngaps || lh_frame_ring_count(&c->q);
}

/* The close frame goes out alone, after what was already written; the
 * connection is closed once it has left. */
static int lh_client_write_close(struct lh_client *c)
{
	struct lh_buf *out = lh_client_out(c->b);
	if (c->pong_due) /* a ping that came with the close is still answered */
		lh_wsp_frame_append(out, LH_WSP_PONG, c->pong, c->pong_len);
	lh_wsp_close_append(out, c->close_code, c->close_why);
	if (lh_client_send(c, out) < 0)
		return -1;
	c->hangup = true;
	lws_callback_on_writable(c->wsi);
	return 0;
}

void lh_client_close_with(struct lh_client *c, uint16_t code, const char *why)
{
	if (c->close_code)
		return;
	lh_client_drop_all(c);
	c->close_code = code;
	c->close_why = why;
	c->closing = true;
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LH_HANGUP_TIMEOUT_S); /* one that does not read */
	lws_callback_on_writable(c->wsi);
}

/* Batches while the socket takes them whole: a loop turn may have queued
 * more than one batch (a resume replaying history, a burst of 4 KB
 * events), and what is left waits for POLLOUT. */
int lh_client_write(struct lh_bridge *b, struct lh_client *c)
{
	if (c->close_code)
		return lh_client_write_close(c);
	do {
		if (lh_client_write_batch(b, c) < 0)
			return -1;
	} while (lh_client_pending(c) && !lws_partial_buffered(c->wsi));
	if (lh_client_pending(c))
		lws_callback_on_writable(c->wsi);
	else if (b->draining)
		lh_client_close_with(c, LH_WSP_GOING_AWAY, "shutting down");
	return 0;
}

void lh_bridge_flush_cb(uv_check_t *h)
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
