/* store: what livehud knows. Runs -> agents -> a timeline of entries, each
 * TOOL_RESULT paired with its TOOL_CALL, stats kept as events arrive, and at
 * most max_events entries: the oldest are evicted, and counted. */
#ifndef LH_STORE_H
#define LH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct lh_store;
struct lh_run;
struct lh_agent;
struct lh_tool;

#define LH_STORE_DEFAULT_MAX_EVENTS 100000
/* Distinct tool names kept per run; further names count under "(other)". */
#define LH_STORE_MAX_TOOLS 256

enum lh_call_state {
	LH_CALL_NONE,    /* not a tool call or result */
	LH_CALL_PENDING, /* a call still waiting for its result */
	LH_CALL_DONE,    /* a call with its result, or a result with its call */
	LH_CALL_ORPHAN,  /* a result that found no call */
};

/* One event in the store. Read-only outside store.c; valid until evicted.
 * The event's texts sit packed after it: lh_entry_event reads them out. */
struct lh_entry {
	uint64_t seq;                 /* arrival number, from 1, across all runs */
	const struct lh_agent *agent; /* its run: lh_entry_run */
	const struct lh_entry *peer;  /* call <-> result; NULL once evicted */
	int64_t ts_us;                /* lh_event.ts_us */
	int64_t duration_ms;          /* calls and results once paired */
	uint64_t raw_at;              /* lh_event.raw_at */
	uint32_t raw_len;             /* lh_event.raw_len */
	unsigned char state;          /* enum lh_call_state */
	unsigned char cat;            /* enum lh_category */
	bool error : 1;               /* IO_ERR result, or a call it answered */
	bool call_evicted : 1;        /* a result whose call was evicted (before
				       * or after pairing), not an orphan */
	bool ts_guessed : 1;          /* lh_event.ts_guessed */
	/* Its args and unknown fields were not kept: they are in the raw
	 * payload (lh_store_add). */
	bool rest_in_raw : 1;
};
struct lh_agent_stats {
	const char *id;
	uint64_t events, calls, results, errors, pending, orphans;
	int64_t tool_ms;              /* sum of completed call durations */
};

struct lh_tool_stats {
	const char *name;
	uint64_t calls, completed, errors, pending;
	int64_t p50_ms, p95_ms, max_ms, total_ms;
	uint64_t slowest_seq;         /* the call that took max_ms; 0: none */
};

struct lh_store_counts {
	uint64_t added;               /* events ever added */
	uint64_t evicted;             /* events dropped to stay under the limit */
	uint64_t evicted_pending;     /* of those, calls that were still pending */
	size_t entries, runs, max_events;
};

/* lh_store_free(NULL) is a no-op. */
struct lh_store *lh_store_new(size_t max_events);
void lh_store_free(struct lh_store *s);

/* Keeps a copy of ev and returns its entry, paired when it is a result.
 * rest_in_raw: ev's raw payload is kept and parses back to ev, so the
 * store leaves out its args and unknown fields (read them back from the
 * payload when they are needed); memory per event is what bounds a store
 * of a million. */
const struct lh_entry *lh_store_add(struct lh_store *s, const struct lh_event *ev, bool rest_in_raw);

/* Fills *out with the entry's event, its strings valid while the entry
 * is: everything lh_store_add was given but forward, args and extra when
 * rest_in_raw left them out, and recv_us when it was not before ts_us
 * (then it reads as ts_us: it is kept for the one use, a producer's clock
 * ahead of ours). */
void lh_entry_event(const struct lh_entry *e, struct lh_event *out);
/* The event's message, without the rest. */
const char *lh_entry_message(const struct lh_entry *e);

/* All of an entry's text at once, for a scan of a million: the names it
 * shares, and its own texts one after another, each ended by a NUL (the
 * message, then call id, args text and whatever else it kept: a tool name
 * not its tool's, an uncommon category or metadata, args, unknown fields). */
struct lh_entry_scan {
	const char *run_id, *agent_id;
	const char *tool;       /* its tool's name (maybe "(other)"); NULL: none */
	size_t run_len, agent_len, tool_len;
	const char *texts;
	size_t texts_len;
	bool printable;         /* all of it is printable ASCII */
};
void lh_entry_scan(const struct lh_entry *e, struct lh_entry_scan *out);

void lh_store_get_counts(const struct lh_store *s, struct lh_store_counts *out);
/* Entries in arrival order across runs: i = 0 is the oldest kept. */
const struct lh_entry *lh_store_entry_at(const struct lh_store *s, size_t i);

/* Runs in the order they were first seen. */
size_t lh_store_run_count(const struct lh_store *s);
const struct lh_run *lh_store_run_at(const struct lh_store *s, size_t i);
const struct lh_run *lh_store_find_run(const struct lh_store *s, const char *run_id);

const char *lh_run_id(const struct lh_run *r);
const char *lh_agent_id(const struct lh_agent *a);
const struct lh_run *lh_entry_run(const struct lh_entry *e);
size_t lh_run_entry_count(const struct lh_run *r);
int64_t lh_run_last_activity_us(const struct lh_run *r);
/* Agents and tools of a run, in the order first seen (i past the end:
 * zeroes and an empty name). */
size_t lh_run_agent_count(const struct lh_run *r);
void lh_run_agent_stats(const struct lh_run *r, size_t i, struct lh_agent_stats *out);
size_t lh_run_tool_count(const struct lh_run *r);
void lh_run_tool_stats(const struct lh_run *r, size_t i, struct lh_tool_stats *out);
/* The same for every run together, one row per tool name (n of them); the
 * caller frees the array, whose names are valid until the next add. */
struct lh_tool_stats *lh_store_tool_stats(const struct lh_store *s, size_t *n);

#endif
