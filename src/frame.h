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
