/* store: runs, agents, tools and the pairing of results with calls.
 *
 * Entries sit in a ring in arrival order (for eviction) and in their run's
 * timeline (a tail queue). Pending calls also sit in their agent's FIFO, and in
 * the run's call_id map when they carry one, so pairing never scans. Agents,
 * tools and runs count the entries that use them and are freed with the
 * last, which keeps memory bounded by max_events whatever ids arrive. */
#include "config.h"
#include "store.h"
#include "lib/hist.h"
#include "lib/map.h"
#include "lib/ring.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

/* An entry with what only the store sees of it: its links and its tool.
 * The store hands out &slot->e and turns it back with lh_slot_of. It
 * lives in its event's store_room. */
struct lh_slot {
	struct lh_entry e;
	struct lh_tool *tool;
	TAILQ_ENTRY(lh_slot) run_link, pend_link;
};
_Static_assert(sizeof(struct lh_slot) <= LH_EVENT_STORE_ROOM, "an entry fits its event's store_room");

struct lh_tool {
	uint64_t order;          /* in its run's tools */
	char *name;
	struct lh_hist hist;
	uint64_t calls, errors, pending;
	uint64_t slowest_seq;     /* the call that took hist.max */
	size_t refs;
};

struct lh_agent {
	uint64_t order;          /* in its run's agents */
	char *id;
	struct lh_agent_stats st;
	TAILQ_HEAD(, lh_slot) pending; /* oldest first */
	size_t refs;
};

/* Pointers in the order they were added. Each carries an order number,
 * increasing, so removing one finds it by binary search and closes the
 * hole from the shorter side: when fresh run or agent ids flood in and the
 * oldest go first, a removal costs O(log n), not a scan and a shift. */
struct lh_vec {
	struct lh_ring q; /* of struct lh_vec_item */
	uint64_t next_order;
};

struct lh_vec_item {
	uint64_t order;
	void *p;
};

struct lh_run {
	uint64_t order;          /* in the store's runs */
	char *id;
	struct lh_map *agent_map, *tool_map, *call_map;
	struct lh_vec agents, tools;
	TAILQ_HEAD(, lh_slot) timeline;
	size_t nentries;
	uint64_t gone_pending;   /* calls without call_id evicted while pending */
	int64_t last_activity_us;
};

/* Calls evicted while pending, remembered (at most LH_GONE_CALLS, the
 * oldest forgotten first) so that their results say "call evicted", not
 * "no call": by run and call_id, or counted per run without one. */
#define LH_GONE_CALLS 4096

struct lh_store {
	struct lh_slot **ring;
	size_t max, head, count; /* head: index of the oldest */
	uint64_t next_seq;
	struct lh_map *run_map;
	struct lh_vec runs;
	struct lh_store_counts counts;
	struct lh_map *gone_map;  /* "run\x1fcall_id" -> its key in gone */
	struct lh_ring gone;      /* of char *, oldest first */
};

/* The entries, runs and agents the store hands out are const to others,
 * not to itself: these are the only places it says so. */
static struct lh_slot *lh_slot_of(const struct lh_entry *e)
{
	return (struct lh_slot *)e;
}

static struct lh_run *lh_run_of(const struct lh_slot *x)
{
	return (struct lh_run *)x->e.run;
}

static struct lh_agent *lh_agent_of(const struct lh_slot *x)
{
	return (struct lh_agent *)x->e.agent;
}

static void lh_vec_init(struct lh_vec *v)
{
	*v = (struct lh_vec){ .q = LH_RING_INIT(sizeof(struct lh_vec_item)) };
}

/* Returns the item's order number, for lh_vec_remove. */
static uint64_t lh_vec_push(struct lh_vec *v, void *p)
{
	uint64_t order = v->next_order++;
	*(struct lh_vec_item *)lh_ring_push(&v->q) = (struct lh_vec_item){ order, p };
	return order;
}

static void lh_vec_remove(struct lh_vec *v, uint64_t order)
{
	size_t lo = 0, hi = v->q.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (((struct lh_vec_item *)lh_ring_at(&v->q, mid))->order < order)
			lo = mid + 1;
		else
			hi = mid;
	}
	lh_ring_remove(&v->q, lo);
}

static size_t lh_vec_count(const struct lh_vec *v)
{
	return v->q.n;
}

static void *lh_vec_at(const struct lh_vec *v, size_t i)
{
	const struct lh_vec_item *it = lh_ring_at(&v->q, i);
	return it ? it->p : NULL;
}

struct lh_store *lh_store_new(size_t max_events)
{
	struct lh_store *s = lh_xcalloc(1, sizeof *s);
	lh_vec_init(&s->runs);
	s->max = max_events ? max_events : 1;
	s->ring = lh_xcalloc(s->max, sizeof *s->ring);
	s->run_map = lh_map_new();
	s->gone_map = lh_map_new();
	s->gone = (struct lh_ring)LH_RING_INIT(sizeof(char *));
	s->next_seq = 1;
	s->counts.max_events = s->max;
	return s;
}

/* ---- runs, agents, tools: found or made, freed with their last entry ---- */

static struct lh_run *lh_run_get(struct lh_store *s, const char *id)
{
	struct lh_run *r = lh_map_get(s->run_map, id);
	if (r)
		return r;
	r = lh_xcalloc(1, sizeof *r);
	TAILQ_INIT(&r->timeline);
	lh_vec_init(&r->agents);
	lh_vec_init(&r->tools);
	r->id = lh_xstrdup(id);
	r->agent_map = lh_map_new();
	r->tool_map = lh_map_new();
	r->call_map = lh_map_new();
	lh_map_put(s->run_map, r->id, r);
	r->order = lh_vec_push(&s->runs, r);
	return r;
}

static void lh_run_free(struct lh_run *r)
{
	lh_map_free(r->agent_map);
	lh_map_free(r->tool_map);
	lh_map_free(r->call_map);
	lh_ring_free(&r->agents.q);
	lh_ring_free(&r->tools.q);
	free(r->id);
	free(r);
}

static struct lh_agent *lh_agent_get(struct lh_run *r, const char *id)
{
	struct lh_agent *a = lh_map_get(r->agent_map, id);
	if (!a) {
		a = lh_xcalloc(1, sizeof *a);
		TAILQ_INIT(&a->pending);
		a->id = lh_xstrdup(id);
		a->st.id = a->id;
		lh_map_put(r->agent_map, a->id, a);
		a->order = lh_vec_push(&r->agents, a);
	}
	a->refs++;
	return a;
}

static void lh_agent_put(struct lh_run *r, struct lh_agent *a)
{
	if (--a->refs)
		return;
	lh_map_del(r->agent_map, a->id);
	lh_vec_remove(&r->agents, a->order);
	free(a->id);
	free(a);
}

static struct lh_tool *lh_tool_get(struct lh_run *r, const char *name)
{
	struct lh_tool *t = lh_map_get(r->tool_map, name);
	if (!t && lh_vec_count(&r->tools) >= LH_STORE_MAX_TOOLS) {
		name = "(other)";
		t = lh_map_get(r->tool_map, name);
	}
	if (!t) {
		t = lh_xcalloc(1, sizeof *t);
		t->name = lh_xstrdup(name);
		lh_map_put(r->tool_map, t->name, t);
		t->order = lh_vec_push(&r->tools, t);
	}
	t->refs++;
	return t;
}

static void lh_tool_put(struct lh_run *r, struct lh_tool *t)
{
	if (--t->refs)
		return;
	lh_map_del(r->tool_map, t->name);
	lh_vec_remove(&r->tools, t->order);
	lh_hist_free(&t->hist);
	free(t->name);
	free(t);
}

/* ---- pending calls ---- */

static void lh_pending_push(struct lh_run *r, struct lh_agent *a, struct lh_slot *x)
{
	x->e.state = LH_CALL_PENDING;
	TAILQ_INSERT_TAIL(&a->pending, x, pend_link);
	a->st.pending++;
	if (x->tool)
		x->tool->pending++;
	if (x->e.ev->call_id && !lh_map_get(r->call_map, x->e.ev->call_id))
		lh_map_put(r->call_map, x->e.ev->call_id, x);
}

static void lh_pending_remove(struct lh_run *r, struct lh_agent *a, struct lh_slot *x)
{
	TAILQ_REMOVE(&a->pending, x, pend_link);
	a->st.pending--;
	if (x->tool)
		x->tool->pending--;
	if (x->e.ev->call_id && lh_map_get(r->call_map, x->e.ev->call_id) == x)
		lh_map_del(r->call_map, x->e.ev->call_id);
}

static bool lh_ids_compatible(const char *a, const char *b)
{
	return !a || !b || strcmp(a, b) == 0;
}

/* PROTOCOL.md section 1: call_id decides when both carry one; otherwise the
 * oldest pending call of the same agent and tool, else of the same agent. */
static struct lh_slot *lh_find_call(struct lh_run *r, struct lh_agent *a, const struct lh_event *res)
{
	if (res->call_id) {
		struct lh_slot *c = lh_map_get(r->call_map, res->call_id);
		if (c)
			return c;
	}
	struct lh_slot *any = NULL;
	struct lh_slot *c;
	TAILQ_FOREACH(c, &a->pending, pend_link) {
		const struct lh_event *ev = c->e.ev;
		if (!lh_ids_compatible(ev->call_id, res->call_id))
			continue;
		if (!res->tool_name || (ev->tool_name && strcmp(ev->tool_name, res->tool_name) == 0))
			return c;
		if (!any)
			any = c;
	}
	return any;
}

static void lh_pair(struct lh_run *r, struct lh_slot *call, struct lh_slot *res)
{
	struct lh_agent *a = lh_agent_of(call);
	int64_t d = res->e.ev->duration_ms;
	if (d < 0) {
		d = (res->e.ev->ts_us - call->e.ev->ts_us) / 1000;
		if (d < 0)
			d = 0; /* clocks of two producers disagree; never show negative */
	}
	lh_pending_remove(r, a, call);
	call->e.state = res->e.state = LH_CALL_DONE;
	call->e.peer = &res->e;
	res->e.peer = &call->e;
	call->e.duration_ms = res->e.duration_ms = d;
	call->e.error = res->e.error;
	a->st.tool_ms += d;
	if (call->tool) {
		if (!call->tool->hist.count || d >= call->tool->hist.max)
			call->tool->slowest_seq = call->e.seq;
		lh_hist_add(&call->tool->hist, d);
	}
}

static bool lh_gone_take(struct lh_store *s, struct lh_run *r, const struct lh_event *res);

static void lh_on_result(struct lh_store *s, struct lh_run *r, struct lh_agent *a, struct lh_slot *x)
{
	a->st.results++;
	if (x->e.error) {
		a->st.errors++;
		if (x->tool)
			x->tool->errors++;
	}
	/* A call_id match may be another agent's call: lh_pair charges the
	 * duration to the agent that made the call. */
	struct lh_slot *call = lh_find_call(r, a, x->e.ev);
	if (call) {
		lh_pair(r, call, x);
	} else {
		x->e.state = LH_CALL_ORPHAN;
		x->e.duration_ms = x->e.ev->duration_ms;
		x->e.call_evicted = lh_gone_take(s, r, x->e.ev);
		if (!x->e.call_evicted)
			a->st.orphans++;
	}
}

/* ---- calls evicted while pending ---- */

static char *lh_gone_key(const char *run, const char *call_id)
{
	return lh_xasprintf("%s\x1f%s", run, call_id);
}

static void lh_gone_add(struct lh_store *s, struct lh_run *r, const struct lh_event *call)
{
	if (!call->call_id) {
		r->gone_pending++;
		return;
	}
	if (s->gone.n == LH_GONE_CALLS) {
		char *old = *(char **)lh_ring_shift(&s->gone);
		lh_map_del(s->gone_map, old);
		free(old);
	}
	char *key = lh_gone_key(call->run_id, call->call_id);
	if (lh_map_get(s->gone_map, key)) { /* the same id again */
		free(key);
		return;
	}
	lh_map_put(s->gone_map, key, key);
	*(char **)lh_ring_push(&s->gone) = key;
}

/* A result that found no call: was its call evicted while pending? */
static bool lh_gone_take(struct lh_store *s, struct lh_run *r, const struct lh_event *res)
{
	if (!res->call_id) {
		if (!r->gone_pending)
			return false;
		r->gone_pending--;
		return true;
	}
	char *key = lh_gone_key(res->run_id, res->call_id);
	bool gone = lh_map_get(s->gone_map, key) != NULL;
	free(key);
	return gone;
}

/* ---- adding and evicting ---- */

static void lh_evict_oldest(struct lh_store *s)
{
	struct lh_slot *x = s->ring[s->head];
	s->ring[s->head] = NULL;
	s->head = (s->head + 1) % s->max;
	s->count--;
	s->counts.evicted++;

	struct lh_run *r = lh_run_of(x);
	struct lh_agent *a = lh_agent_of(x);
	if (x->e.state == LH_CALL_PENDING) {
		lh_pending_remove(r, a, x);
		lh_gone_add(s, r, x->e.ev);
		s->counts.evicted_pending++;
	}
	if (x->e.peer) {
		struct lh_slot *peer = lh_slot_of(x->e.peer);
		peer->e.peer = NULL;
		peer->e.call_evicted = x->e.ev->cat == LH_CAT_TOOL_CALL;
	}
	TAILQ_REMOVE(&r->timeline, x, run_link);
	a->st.events--;
	if (x->tool)
		lh_tool_put(r, x->tool);
	lh_agent_put(r, a);
	lh_event_free((struct lh_event *)x->e.ev); /* the store's since lh_store_add; x with it */
	if (--r->nentries == 0) {
		lh_map_del(s->run_map, r->id);
		lh_vec_remove(&s->runs, r->order);
		lh_run_free(r);
	}
}

const struct lh_entry *lh_store_add(struct lh_store *s, struct lh_event *ev)
{
	if (s->count == s->max)
		lh_evict_oldest(s);

	struct lh_run *r = lh_run_get(s, ev->run_id);
	struct lh_agent *a = lh_agent_get(r, ev->agent_id);
	struct lh_slot *x = (struct lh_slot *)ev->store_room;
	memset(x, 0, sizeof *x);
	x->e.ev = ev;
	x->e.seq = s->next_seq++;
	x->e.run = r;
	x->e.agent = a;
	x->e.duration_ms = -1;
	x->e.error = ev->is_error;
	if ((ev->cat == LH_CAT_TOOL_CALL || ev->cat == LH_CAT_TOOL_RESULT) && ev->tool_name)
		x->tool = lh_tool_get(r, ev->tool_name);

	TAILQ_INSERT_TAIL(&r->timeline, x, run_link);
	r->nentries++;
	if (ev->recv_us > r->last_activity_us)
		r->last_activity_us = ev->recv_us;
	a->st.events++;

	if (ev->cat == LH_CAT_TOOL_CALL) {
		a->st.calls++;
		if (x->tool)
			x->tool->calls++;
		lh_pending_push(r, a, x);
	} else if (ev->cat == LH_CAT_TOOL_RESULT) {
		lh_on_result(s, r, a, x);
	}

	s->ring[(s->head + s->count) % s->max] = x;
	s->count++;
	s->counts.added++;
	return &x->e;
}

void lh_store_free(struct lh_store *s)
{
	if (!s)
		return;
	while (s->count)
		lh_evict_oldest(s);
	free(s->ring);
	lh_ring_free(&s->runs.q);
	lh_map_free(s->run_map);
	while (s->gone.n)
		free(*(char **)lh_ring_shift(&s->gone));
	lh_ring_free(&s->gone);
	lh_map_free(s->gone_map);
	free(s);
}

/* ---- reading ---- */

void lh_store_get_counts(const struct lh_store *s, struct lh_store_counts *out)
{
	*out = s->counts;
	out->entries = s->count;
	out->runs = lh_vec_count(&s->runs);
}

const struct lh_entry *lh_store_entry_at(const struct lh_store *s, size_t i)
{
	return i < s->count ? &s->ring[(s->head + i) % s->max]->e : NULL;
}

size_t lh_store_run_count(const struct lh_store *s)
{
	return lh_vec_count(&s->runs);
}

const struct lh_run *lh_store_run_at(const struct lh_store *s, size_t i)
{
	return lh_vec_at(&s->runs, i);
}

const struct lh_run *lh_store_find_run(const struct lh_store *s, const char *run_id)
{
	return lh_map_get(s->run_map, run_id);
}

const char *lh_run_id(const struct lh_run *r) { return r->id; }
size_t lh_run_entry_count(const struct lh_run *r) { return r->nentries; }
int64_t lh_run_last_activity_us(const struct lh_run *r) { return r->last_activity_us; }
const struct lh_entry *lh_run_first(const struct lh_run *r)
{
	const struct lh_slot *x = TAILQ_FIRST(&r->timeline);
	return x ? &x->e : NULL;
}

const struct lh_entry *lh_entry_next(const struct lh_entry *e)
{
	const struct lh_slot *x = TAILQ_NEXT(lh_slot_of(e), run_link);
	return x ? &x->e : NULL;
}
size_t lh_run_agent_count(const struct lh_run *r) { return lh_vec_count(&r->agents); }
size_t lh_run_tool_count(const struct lh_run *r) { return lh_vec_count(&r->tools); }

void lh_run_agent_stats(const struct lh_run *r, size_t i, struct lh_agent_stats *out)
{
	const struct lh_agent *a = lh_vec_at(&r->agents, i);
	*out = a ? a->st : (struct lh_agent_stats){ .id = "" };
}

static void lh_tool_stats_of(const struct lh_tool *t, const struct lh_hist *hist, struct lh_tool_stats *out)
{
	*out = (struct lh_tool_stats){
		.name = t->name,
		.calls = t->calls,
		.completed = hist->count,
		.errors = t->errors,
		.pending = t->pending,
		.p50_ms = lh_hist_quantile(hist, 0.50),
		.p95_ms = lh_hist_quantile(hist, 0.95),
		.max_ms = hist->max,
		.total_ms = hist->sum,
		.slowest_seq = t->slowest_seq,
	};
}

void lh_run_tool_stats(const struct lh_run *r, size_t i, struct lh_tool_stats *out)
{
	const struct lh_tool *t = lh_vec_at(&r->tools, i);
	if (!t) {
		*out = (struct lh_tool_stats){ .name = "" };
		return;
	}
	lh_tool_stats_of(t, &t->hist, out);
}

/* One row per tool name over every run: counts added, histograms merged,
 * the slowest call the slowest of all. */
struct lh_tool_stats *lh_store_tool_stats(const struct lh_store *s, size_t *n)
{
	struct lh_map *index = lh_map_new();
	struct lh_tool **first = NULL;
	struct lh_hist *hists = NULL;
	struct lh_tool_stats *out = NULL;
	size_t count = 0, cap = 0;
	const struct lh_run *r;
	struct lh_tool *t;
	for (size_t i = 0; (r = lh_vec_at(&s->runs, i)) != NULL; i++) {
		for (size_t j = 0; (t = lh_vec_at(&r->tools, j)) != NULL; j++) {
			size_t k = (size_t)(uintptr_t)lh_map_get(index, t->name);
			if (!k) {
				if (count == cap) {
					cap = cap ? cap * 2 : 16;
					first = lh_xrealloc(first, cap * sizeof *first);
					hists = lh_xrealloc(hists, cap * sizeof *hists);
					out = lh_xrealloc(out, cap * sizeof *out);
				}
				first[count] = t;
				hists[count] = (struct lh_hist)LH_HIST_INIT;
				out[count] = (struct lh_tool_stats){ .name = t->name };
				k = ++count;
				lh_map_put(index, t->name, (void *)(uintptr_t)k);
			}
			struct lh_tool_stats *o = &out[k - 1];
			if (t->hist.count && (!hists[k - 1].count || t->hist.max >= hists[k - 1].max))
				o->slowest_seq = t->slowest_seq;
			lh_hist_merge(&hists[k - 1], &t->hist);
			o->calls += t->calls;
			o->errors += t->errors;
			o->pending += t->pending;
		}
	}
	for (size_t k = 0; k < count; k++) {
		struct lh_tool_stats sum = out[k];
		lh_tool_stats_of(first[k], &hists[k], &out[k]);
		out[k].calls = sum.calls;
		out[k].errors = sum.errors;
		out[k].pending = sum.pending;
		out[k].slowest_seq = sum.slowest_seq;
		lh_hist_free(&hists[k]);
	}
	free(first);
	free(hists);
	lh_map_free(index);
	*n = count;
	return out;
}
