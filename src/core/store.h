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

/* One event in the store. Read-only outside store.c; valid until evicted. */
struct lh_entry {
	const struct lh_event *ev;
	uint64_t seq;                 /* arrival number, from 1, across all runs */
	const struct lh_run *run;
	const struct lh_agent *agent;
	const struct lh_entry *peer;  /* call <-> result; NULL once evicted */
	int64_t duration_ms;          /* calls and results once paired */
	enum lh_call_state state;
	bool error;                   /* IO_ERR result, or a call it answered */
	bool call_evicted;            /* a result whose call was evicted (before
				       * or after pairing), not an orphan */
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

/* Takes ownership of ev (freed on eviction or with the store) and returns
 * its entry, paired when it is a result. */
const struct lh_entry *lh_store_add(struct lh_store *s, struct lh_event *ev);

void lh_store_get_counts(const struct lh_store *s, struct lh_store_counts *out);
/* Entries in arrival order across runs: i = 0 is the oldest kept. */
const struct lh_entry *lh_store_entry_at(const struct lh_store *s, size_t i);

/* Runs in the order they were first seen. */
size_t lh_store_run_count(const struct lh_store *s);
const struct lh_run *lh_store_run_at(const struct lh_store *s, size_t i);
const struct lh_run *lh_store_find_run(const struct lh_store *s, const char *run_id);

const char *lh_run_id(const struct lh_run *r);
size_t lh_run_entry_count(const struct lh_run *r);
int64_t lh_run_last_activity_us(const struct lh_run *r);
/* The run's timeline, oldest first; walk with lh_entry_next. */
const struct lh_entry *lh_run_first(const struct lh_run *r);
const struct lh_entry *lh_entry_next(const struct lh_entry *e);

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
