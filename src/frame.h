/* frame: one event serialized once, as the WebSocket text frame every
 * client of its run receives. It carries libwebsockets' LWS_PRE headroom so
 * it is written without a copy, and a reference count, since the run's
 * history and every client queue hold the same frame. */
#ifndef LH_FRAME_H
#define LH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"

struct lh_frame {
	unsigned refs;
	uint64_t seq;
	uint64_t gseq;        /* its number across every run (/ws/runs resume) */
	int64_t recv_mono_us; /* when the event came from Redis, for latency */
	size_t len;
	unsigned char *data;  /* len bytes, with LWS_PRE writable bytes before */
	char run_id[];        /* the run it belongs to */
};

/* A new frame holding a copy of text, with one reference. */
struct lh_frame *lh_frame_new(const char *text, size_t len, const char *run_id, uint64_t seq);
struct lh_frame *lh_frame_ref(struct lh_frame *f);
/* Drops a reference; frees at zero. lh_frame_unref(NULL) is a no-op. */
void lh_frame_unref(struct lh_frame *f);

/* The newest cap frames, by reference, oldest first. */
struct lh_frame_ring {
	struct lh_frame **slot;
	size_t head, n, cap;
	size_t bytes; /* the text of the frames held */
};

/* cap 0 keeps nothing. */
void lh_frame_ring_init(struct lh_frame_ring *r, size_t cap);
/* Keeps a reference to f; when full, the oldest is let go. */
void lh_frame_ring_push(struct lh_frame_ring *r, struct lh_frame *f);
/* Lets the oldest frame go (none: a no-op). */
void lh_frame_ring_pop(struct lh_frame_ring *r);
/* i from 0 (the oldest) to r->n - 1; NULL past the end. */
struct lh_frame *lh_frame_ring_at(const struct lh_frame_ring *r, size_t i);
/* Lets every frame go and frees the slots. */
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

#endif
