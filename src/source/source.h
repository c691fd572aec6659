/* source: where payloads come from (Redis, a file, the demo; later a
 * WebSocket), behind one small interface. A source never exits the program
 * and never blocks: it runs on the caller's libuv loop, hands each payload to
 * a callback, and reports changes of its state for the UI to show. */
#ifndef LH_SOURCE_H
#define LH_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

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
	bool insecure;          /* a TLS certificate is not being checked */
};

struct lh_source;

struct lh_source_callbacks {
	/* One payload; data is valid only during the call. */
	void (*payload)(void *ctx, const char *data, size_t len);
	/* The state changed; also called with each new last_error. */
	void (*state)(void *ctx, const struct lh_source_status *st);
	/* A frame that is not an event (WebSocket sources): its "type" ("error"
	 * for an {"error":...} frame) and the whole frame, parsed (a cJSON
	 * object, valid only during the call), for the run it concerns. */
	void (*frame)(void *ctx, const char *type, const void *json, const char *run_id);
	void *ctx;
};

int lh_source_start(struct lh_source *src);
const struct lh_source_status *lh_source_status(const struct lh_source *src);
/* Stops the source and frees it once its handles are closed (the loop must
 * run for that). lh_source_close(NULL) is a no-op. */
void lh_source_close(struct lh_source *src);
const char *lh_source_state_name(enum lh_source_state state);

#endif
