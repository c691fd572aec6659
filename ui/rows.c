#include "config.h"
#include "rows.h"
#include "lib/ring.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct lh_item {
	uint64_t seq; /* kept apart so evicted entries are never read */
	const struct lh_entry *e;
};

struct lh_rows {
	const struct lh_store *store;
	struct lh_filter f;
	struct lh_ring items; /* of struct lh_item, oldest first */
	bool stale;
};

const char *lh_cat_filter_name(enum lh_cat_filter c)
{
	static const char *const names[LH_CATF_COUNT] = { "all", "tools", "thoughts", "info" };
	return (unsigned)c < LH_CATF_COUNT ? names[c] : "?";
}

void lh_filter_clear(struct lh_filter *f)
{
	free(f->run);
	free(f->agent);
	memset(f, 0, sizeof *f);
}

struct lh_rows *lh_rows_new(const struct lh_store *store)
{
	struct lh_rows *r = lh_xcalloc(1, sizeof *r);
	r->store = store;
	r->items = (struct lh_ring)LH_RING_INIT(sizeof(struct lh_item));
	return r;
}

void lh_rows_free(struct lh_rows *r)
{
	if (!r)
		return;
	lh_filter_clear(&r->f);
	lh_ring_free(&r->items);
	free(r);
}

/* A result drawn under its call is not an item. */
static bool lh_is_item(const struct lh_entry *e)
{
	return !(e->ev->cat == LH_CAT_TOOL_RESULT && e->state == LH_CALL_DONE && e->peer);
}

static bool lh_cat_matches(enum lh_cat_filter c, enum lh_category cat)
{
	switch (c) {
	case LH_CATF_TOOLS: return cat == LH_CAT_TOOL_CALL || cat == LH_CAT_TOOL_RESULT;
	case LH_CATF_THOUGHTS: return cat == LH_CAT_THOUGHT || cat == LH_CAT_REASONING;
	case LH_CATF_INFO: return cat == LH_CAT_INFO;
	default: return true;
	}
}

bool lh_rows_matches(const struct lh_rows *r, const struct lh_entry *e)
{
	const struct lh_filter *f = &r->f;
	if (f->run && strcmp(e->ev->run_id, f->run) != 0)
		return false;
	if (f->agent && strcmp(e->ev->agent_id, f->agent) != 0)
		return false;
	if (!lh_cat_matches(f->cat, e->ev->cat))
		return false;
	return !f->errors || e->error;
}

static void lh_rows_push(struct lh_rows *r, const struct lh_entry *e)
{
	*(struct lh_item *)lh_ring_push(&r->items) = (struct lh_item){ e->seq, e };
}

static const struct lh_item *lh_rows_item(const struct lh_rows *r, size_t i)
{
	return lh_ring_at(&r->items, i);
}

static void lh_rows_rebuild(struct lh_rows *r)
{
	lh_ring_clear(&r->items);
	r->stale = false;
	if (r->f.run) {
		const struct lh_run *run = lh_store_find_run(r->store, r->f.run);
		for (const struct lh_entry *e = run ? lh_run_first(run) : NULL; e; e = lh_entry_next(e))
			if (lh_is_item(e) && lh_rows_matches(r, e))
				lh_rows_push(r, e);
		return;
	}
	const struct lh_entry *e;
	for (size_t i = 0; (e = lh_store_entry_at(r->store, i)) != NULL; i++)
		if (lh_is_item(e) && lh_rows_matches(r, e))
			lh_rows_push(r, e);
}

void lh_rows_set_filter(struct lh_rows *r, const struct lh_filter *f)
{
	if (&r->f != f) {
		char *run = f->run ? lh_xstrdup(f->run) : NULL, *agent = f->agent ? lh_xstrdup(f->agent) : NULL;
		lh_filter_clear(&r->f);
		r->f = *f;
		r->f.run = run;
		r->f.agent = agent;
	}
	lh_rows_rebuild(r);
}

const struct lh_filter *lh_rows_filter(const struct lh_rows *r)
{
	return &r->f;
}

void lh_rows_add(struct lh_rows *r, const struct lh_entry *e)
{
	if (r->stale)
		return;
	/* An error result makes its older call match "errors only": that call
	 * must appear where it belongs, so rebuild. */
	if (r->f.errors && e->ev->cat == LH_CAT_TOOL_RESULT && e->peer && e->error) {
		r->stale = true;
		return;
	}
	if (lh_is_item(e) && lh_rows_matches(r, e))
		lh_rows_push(r, e);
}

void lh_rows_sync(struct lh_rows *r)
{
	if (r->stale) {
		lh_rows_rebuild(r);
		return;
	}
	const struct lh_entry *oldest = lh_store_entry_at(r->store, 0);
	uint64_t min = oldest ? oldest->seq : UINT64_MAX;
	const struct lh_item *it;
	while ((it = lh_rows_item(r, 0)) != NULL && it->seq < min)
		lh_ring_shift(&r->items);
}

size_t lh_rows_count(const struct lh_rows *r)
{
	return r->items.n;
}

const struct lh_entry *lh_rows_at(const struct lh_rows *r, size_t i)
{
	const struct lh_item *it = lh_rows_item(r, i);
	return it ? it->e : NULL;
}

size_t lh_rows_find(const struct lh_rows *r, uint64_t seq)
{
	size_t lo = 0, hi = r->items.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (lh_rows_item(r, mid)->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
