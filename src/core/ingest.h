/* ingest: the path every payload takes, whatever its source: size and
 * encoding checks, parsing, rejection counting, then the store. */
#ifndef LH_INGEST_H
#define LH_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "rejects.h"
#include "store.h"

/* What ingest reports, and the first part of every mode's hooks (app.h):
 * ctx is the mode's, for every hook. */
struct lh_ingest_callbacks {
	/* An event entered the store (and was paired, if a result); ev is
	 * the whole event, valid only during the call. */
	void (*entry)(void *ctx, const struct lh_entry *e, const struct lh_event *ev);
	/* Without a store: an event, valid only during the call. */
	void (*event)(void *ctx, const struct lh_event *ev);
	/* A payload was refused and this reason is due to be reported:
	 * count is how many of that reason since its last report. */
	void (*reject)(void *ctx, enum lh_reject reason, const char *why, uint64_t count);
	/* When set, keeps an accepted payload exactly as it was received,
	 * before its event enters the store (or is handed to event); returns
	 * where (ev->raw_at) or LH_EVENT_RAW_NONE. file_at: where the payload
	 * lies in the file being read (lh_ingest_parsed), else -1. */
	uint64_t (*keep)(void *ctx, const char *data, size_t len, int64_t file_at);
	void *ctx;
};

struct lh_ingest {
	struct lh_store *store;       /* borrowed; NULL: events go to cb.event */
	struct lh_rejects rejects;
	size_t max_bytes;
	struct lh_ingest_callbacks cb;
};

void lh_ingest_init(struct lh_ingest *in, struct lh_store *store, size_t max_bytes,
		    const struct lh_ingest_callbacks *cb);
/* Returns the new entry, or NULL when the payload was rejected or there is
 * no store. */
/* pos: the payload's place in a stream (lh_event.pos), else 0. */
const struct lh_entry *lh_ingest_payload(struct lh_ingest *in, const char *data, size_t len, uint64_t pos);
/* The same for an event already parsed (ev becomes the ingest's) from
 * the text data (a kernel's frame). */
const struct lh_entry *lh_ingest_event(struct lh_ingest *in, struct lh_event *ev, const char *data, size_t len);
/* The same for the event parsed elsewhere (off the loop) from the payload
 * data, exactly as lh_ingest_payload would have; ev stays the caller's
 * (only its raw_at is set).
 * file_at: where data lies in the file it was read from, or -1. */
const struct lh_entry *lh_ingest_parsed(struct lh_ingest *in, struct lh_event *ev, const char *data,
					size_t len, int64_t file_at);
/* Counts a payload refused before it reached lh_ingest_payload. */
void lh_ingest_reject(struct lh_ingest *in, enum lh_reject reason, const char *why);

#endif
