/* source: where payloads come from (Redis, a WebSocket, a file, the demo),
 * behind one small interface. A source never exits the program and never
 * blocks: it runs on the caller's libuv loop, hands each payload (or event
 * it parsed itself) to a callback, and reports changes of its state for
 * the UI to show. */
#ifndef LH_SOURCE_H
#define LH_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/event.h"
#include "core/kstate.h"

enum lh_source_state {
	LH_SOURCE_CONNECTING,
	LH_SOURCE_LIVE,
	LH_SOURCE_RETRYING, /* waiting until retry_at_us; last_error says why */
	LH_SOURCE_DONE,     /* finished for good: end of file, demo stopped */
};

struct lh_source_status {
	enum lh_source_state state;
	const char *describe;   /* "redis://host:6379 raro:live_logs", "file x.jsonl" */
	const char *last_error; /* "" when none */
	int64_t retry_at_us;    /* monotonic, for "retrying in N s" */
	uint64_t reconnects;    /* successful connections after the first */
	uint64_t stalls;        /* connections given up for not answering */
	bool insecure;          /* a TLS certificate is not being checked */
	bool durable;           /* a stream, or a bridge: after an outage it resumes
				 * where it left off, and whatever it cannot have
				 * is announced, so an outage by itself loses nothing */
	bool refused;           /* DONE because the server refused us (401, 403):
				 * retrying would not help; lh_source_retry can */
};

struct lh_source;

struct lh_source_callbacks {
	/* One payload to parse; data is valid only during the call; pos its
	 * place in a Redis Stream (lh_event.pos), 0 for other sources. */
	void (*payload)(void *ctx, const char *data, size_t len, uint64_t pos);
	/* An event the source parsed itself (a kernel's log_event frame);
	 * the callee owns it; data is the frame it came in. */
	void (*event)(void *ctx, struct lh_event *ev, const char *data, size_t len);
	/* Something the source refused itself, counted as a bad payload. */
	void (*reject)(void *ctx, enum lh_reject reason, const char *why);
	/* The state changed; also called with each new last_error. */
	void (*state)(void *ctx, const struct lh_source_status *st);
	/* A frame of the kernel's (or a bridge's) that is not an event. */
	void (*kernel)(void *ctx, const struct lh_kframe *f);
	void *ctx;
	/* When set, a regular file's lines are parsed on libuv's thread pool
	 * (as lh_event_parse_keep does, without forward) and come here instead
	 * of to payload, ev lent for the call (it lives in the source's
	 * arena); data is the line, at where it starts in the file. A line
	 * that does not parse goes to reject. */
	void (*parsed)(void *ctx, struct lh_event *ev, const char *data, size_t len, int64_t at);
};

int lh_source_start(struct lh_source *src);
const struct lh_source_status *lh_source_status(const struct lh_source *src);
/* Stops the source: no callback is called after this. Its handles close
 * as the loop turns. lh_source_close(NULL) is a no-op. */
void lh_source_close(struct lh_source *src);
/* Frees a closed source once the loop has ended (libwebsockets finishes
 * tearing down only then). lh_source_free(NULL) is a no-op. */
void lh_source_free(struct lh_source *src);
const char *lh_source_state_name(enum lh_source_state state);
/* After a refusal (status.refused), tries again at once, as the user asked. */
void lh_source_retry(struct lh_source *src);
/* Asks a source that can wait (a file, a pipe) to stop reading until
 * resumed, because what it gives cannot be passed on as fast; a live
 * source (Redis, a WebSocket) cannot make its producer wait and goes on. */
void lh_source_pause(struct lh_source *src, bool paused);

#endif
