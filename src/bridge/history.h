/* history: what the bridge remembers of each run: the last N frames (for
 * clients resuming with ?since=), the next sequence number, and the run's
 * epoch. At most max_runs runs; the least recently active is forgotten, and
 * a run that comes back gets a new epoch, since its numbers start over.
 * The frames of all runs together hold at most max_bytes of text: past it,
 * the least recently active runs lose their oldest frames first (a run
 * keeps its numbers and epoch, so resuming there gets a gap). */
#ifndef LH_HISTORY_H
#define LH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct lh_history;
struct lh_hrun;

/* boot_id makes epochs differ between two runs of the bridge. stable: the
 * numbers come from a stream, not from the history, so they never start
 * over and every run's epoch is boot_id itself. */
struct lh_history *lh_history_new(size_t per_run, size_t max_runs, size_t max_bytes,
				  const char *boot_id, bool stable);
void lh_history_free(struct lh_history *h);

/* The run, made (with a new epoch) when unknown or forgotten. */
struct lh_hrun *lh_history_run(struct lh_history *h, const char *run_id);
struct lh_hrun *lh_history_find(const struct lh_history *h, const char *run_id);
const char *lh_hrun_epoch(const struct lh_hrun *r);
/* The number the next frame of the run gets (from 1). */
uint64_t lh_hrun_next_seq(const struct lh_hrun *r);
/* The seq of the newest frame of r let go (0: none): a resume from before
 * it has missed frames. */
uint64_t lh_hrun_gone(const struct lh_hrun *r);
/* Keeps a reference to f (whose seq is at least lh_hrun_next_seq) as the newest
 * of r, a run of h; then lets the stalest frames go while over max_bytes. */
void lh_hrun_append(struct lh_history *h, struct lh_hrun *r, struct lh_frame *f);
/* Retained frames, oldest first: i from 0 to lh_hrun_count - 1. */
size_t lh_hrun_count(const struct lh_hrun *r);
struct lh_frame *lh_hrun_at(const struct lh_hrun *r, size_t i);

size_t lh_history_runs(const struct lh_history *h);
uint64_t lh_history_forgotten(const struct lh_history *h);
size_t lh_history_bytes(const struct lh_history *h);
/* Frames let go early to stay within max_bytes. */
uint64_t lh_history_evicted(const struct lh_history *h);

#endif
