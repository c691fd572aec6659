/* frame: one event serialized once, as the WebSocket text frame every
 * client of its run receives, with a reference count, since the run's
 * history, the history of all runs and every client queue hold the same
 * frame. The text is written straight into the frame's own block. */
#ifndef LH_FRAME_H
#define LH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/ring.h"
#include "core/event.h"

struct lh_frame {
	unsigned refs;
	uint64_t seq;
	uint64_t gseq;        /* its number across every run (/ws/runs resume) */
	int64_t recv_mono_us; /* when the event came from Redis, for latency */
	size_t len;
	const char *data;     /* len bytes of JSON text, in the same block */
	char run_id[];        /* the run it belongs to */
};

/* A new frame holding a copy of text, with one reference. */
struct lh_frame *lh_frame_new(const char *text, size_t len, const char *run_id, uint64_t seq);
/* A new log_event frame for ev (see lh_frame_log_event), one reference. */
struct lh_frame *lh_frame_new_event(const struct lh_event *ev, uint64_t seq, const char *epoch,
				    uint64_t gseq, const char *gepoch);
struct lh_frame *lh_frame_ref(struct lh_frame *f);
/* Drops a reference; frees at zero. lh_frame_unref(NULL) is a no-op. */
void lh_frame_unref(struct lh_frame *f);

/* Frames by reference, oldest first, at most limit of them (pushing onto
 * a full ring lets the oldest go); bytes is their text's total. The
 * bridge's history of a run, of every run, and each client's queue. */
struct lh_frame_ring {
	struct lh_ring q;
	size_t limit;
	size_t bytes;
	uint64_t gone_seq, gone_gseq; /* the numbers of the newest frame let go; 0: none */
};

/* limit 0 keeps nothing; SIZE_MAX has no limit. */
void lh_frame_ring_init(struct lh_frame_ring *r, size_t limit);
/* Keeps a reference to f. */
void lh_frame_ring_push(struct lh_frame_ring *r, struct lh_frame *f);
/* Takes the oldest frame out; its reference is the caller's. NULL when empty. */
struct lh_frame *lh_frame_ring_shift(struct lh_frame_ring *r);
/* Lets the oldest frame go (none: a no-op). */
void lh_frame_ring_pop(struct lh_frame_ring *r);
static inline size_t lh_frame_ring_count(const struct lh_frame_ring *r) { return r->q.n; }
/* i from 0 (the oldest) to the count - 1; NULL past the end. */
struct lh_frame *lh_frame_ring_at(const struct lh_frame_ring *r, size_t i);
/* Lets every frame go and frees the memory. */
void lh_frame_ring_clear(struct lh_frame_ring *r);

/* The kernel's log_event frame (PROTOCOL.md section 2) with our additions:
 * run_id, seq and epoch in the envelope (and gseq and gepoch, the same
 * across all runs, for /ws/runs), and in payload every field of the event
 * but run_id, agent_id and timestamp, as it came. */
void lh_frame_log_event(struct lh_buf *out, const struct lh_event *ev, uint64_t seq,
			const char *epoch, uint64_t gseq, const char *gepoch);
/* {"type":"gap","run_id":...,"from":...,"to":...,"epoch":...,"reason":...} */
void lh_frame_gap(struct lh_buf *out, const char *run_id, uint64_t from, uint64_t to,
		  const char *epoch, const char *reason);

/* {"type":"gap","run_id":"*","reason":"source_interrupted","since":...,
 * "until":...}: the subscription was down between the two times (RFC 3339
 * UTC); what was published meanwhile is lost and cannot be counted. */
void lh_frame_interrupted(struct lh_buf *out, int64_t since_us, int64_t until_us);

#endif
