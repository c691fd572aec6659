#include "config.h"
#include "history.h"
#include "lib/map.h"
#include "lib/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

struct lh_hrun {
	char *id;
	char epoch[48];
	uint64_t next_seq;
	struct lh_frame_ring frames;
	TAILQ_ENTRY(lh_hrun) link;    /* most recently active first */
	TAILQ_ENTRY(lh_hrun) holding; /* the same order, only runs with frames */
	bool held;                    /* in the holding list */
};

struct lh_history {
	size_t per_run, max_runs, nruns;
	size_t max_bytes, bytes;
	uint64_t generation, forgotten, evicted;
	bool stable;
	char boot_id[24];
	struct lh_map *map;
	TAILQ_HEAD(lh_hrun_list, lh_hrun) runs;
	/* so the byte budget finds the stalest frames without walking the
	 * runs that have none left */
	struct lh_hrun_list holding;
};

struct lh_history *lh_history_new(size_t per_run, size_t max_runs, size_t max_bytes,
				  const char *boot_id, bool stable)
{
	struct lh_history *h = lh_xcalloc(1, sizeof *h);
	h->per_run = per_run;
	h->max_runs = max_runs ? max_runs : 1;
	h->max_bytes = max_bytes;
	h->stable = stable;
	snprintf(h->boot_id, sizeof h->boot_id, "%s", boot_id);
	h->map = lh_map_new();
	TAILQ_INIT(&h->runs);
	TAILQ_INIT(&h->holding);
	return h;
}

static void lh_hrun_free(struct lh_hrun *r)
{
	lh_frame_ring_clear(&r->frames);
	free(r->id);
	free(r);
}

/* Some of r's frames went away (bytes_before is what it held): off the
 * byte count, and off the holding list when none remain. */
static void lh_hrun_release(struct lh_history *h, struct lh_hrun *r, size_t bytes_before)
{
	h->bytes = h->bytes - bytes_before + r->frames.bytes;
	if (!lh_frame_ring_count(&r->frames) && r->held) {
		TAILQ_REMOVE(&h->holding, r, holding);
		r->held = false;
	}
}

void lh_history_free(struct lh_history *h)
{
	if (!h)
		return;
	struct lh_hrun *r;
	while ((r = TAILQ_FIRST(&h->runs)) != NULL) {
		TAILQ_REMOVE(&h->runs, r, link);
		lh_hrun_free(r);
	}
	lh_map_free(h->map);
	free(h);
}

struct lh_hrun *lh_history_find(const struct lh_history *h, const char *run_id)
{
	return lh_map_get(h->map, run_id);
}

struct lh_hrun *lh_history_run(struct lh_history *h, const char *run_id)
{
	struct lh_hrun *r = lh_map_get(h->map, run_id);
	if (r) {
		TAILQ_REMOVE(&h->runs, r, link);
		TAILQ_INSERT_HEAD(&h->runs, r, link);
		return r;
	}
	if (h->nruns == h->max_runs) {
		struct lh_hrun *old = TAILQ_LAST(&h->runs, lh_hrun_list);
		TAILQ_REMOVE(&h->runs, old, link);
		lh_map_del(h->map, old->id);
		size_t bytes = old->frames.bytes;
		lh_frame_ring_clear(&old->frames);
		lh_hrun_release(h, old, bytes);
		lh_hrun_free(old);
		h->nruns--;
		h->forgotten++;
	}
	r = lh_xcalloc(1, sizeof *r);
	r->id = lh_xstrdup(run_id);
	r->next_seq = 1;
	lh_frame_ring_init(&r->frames, h->per_run);
	if (h->stable)
		snprintf(r->epoch, sizeof r->epoch, "%s", h->boot_id);
	else
		snprintf(r->epoch, sizeof r->epoch, "%s-%llu", h->boot_id, (unsigned long long)++h->generation);
	lh_map_put(h->map, r->id, r);
	TAILQ_INSERT_HEAD(&h->runs, r, link);
	h->nruns++;
	return r;
}

const char *lh_hrun_epoch(const struct lh_hrun *r) { return r->epoch; }
uint64_t lh_hrun_next_seq(const struct lh_hrun *r) { return r->next_seq; }
uint64_t lh_hrun_gone(const struct lh_hrun *r) { return r->frames.gone_seq; }
size_t lh_hrun_count(const struct lh_hrun *r) { return lh_frame_ring_count(&r->frames); }
size_t lh_history_runs(const struct lh_history *h) { return h->nruns; }
uint64_t lh_history_forgotten(const struct lh_history *h) { return h->forgotten; }
size_t lh_history_bytes(const struct lh_history *h) { return h->bytes; }
uint64_t lh_history_evicted(const struct lh_history *h) { return h->evicted; }

void lh_hrun_append(struct lh_history *h, struct lh_hrun *r, struct lh_frame *f)
{
	/* A run that comes back after being forgotten may have had frames
	 * here before: from a stream, its numbers say so. */
	if (h->stable && r->next_seq == 1 && h->forgotten)
		r->frames.gone_seq = f->seq - 1;
	r->next_seq = f->seq + 1;
	size_t before = r->frames.bytes;
	lh_frame_ring_push(&r->frames, f);
	h->bytes = h->bytes - before + r->frames.bytes;
	if (!lh_frame_ring_count(&r->frames))
		return; /* per_run 0 keeps nothing */
	if (r->held)
		TAILQ_REMOVE(&h->holding, r, holding);
	TAILQ_INSERT_HEAD(&h->holding, r, holding);
	r->held = true;
	while (h->bytes > h->max_bytes) {
		struct lh_hrun *stale = TAILQ_LAST(&h->holding, lh_hrun_list);
		size_t bytes = stale->frames.bytes;
		lh_frame_ring_pop(&stale->frames);
		lh_hrun_release(h, stale, bytes);
		h->evicted++;
	}
}

struct lh_frame *lh_hrun_at(const struct lh_hrun *r, size_t i)
{
	return lh_frame_ring_at(&r->frames, i);
}
