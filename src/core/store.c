/* store: runs, agents, tools and the pairing of results with calls.
 *
 * Entries sit in a ring in arrival order (for eviction and for walks).
 * Pending calls also sit in their agent's FIFO, and in the run's call_id
 * map when they carry one, so pairing never scans. Agents,
 * tools and runs count the entries that use them and are freed with the
 * last, which keeps memory bounded by max_events whatever ids arrive. */
#include "config.h"
#include "store.h"
#include "lib/hist.h"
#include "lib/map.h"
#include "lib/pages.h"
#include "lib/ring.h"
#include "lib/text.h"
#include "lib/xalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

/* An entry with what only the store sees of it: its tool and the next
 * entry of its run, then the event's other fields packed (lh_rec_pack).
 * The store hands out &rec->e and turns it back with lh_rec_of. */
struct lh_rec {
	struct lh_entry e;
	struct lh_tool *tool;
	uint16_t have;           /* LH_HAVE(field) bits: what the tail holds; LH_REC_* */
	uint16_t texts_len;      /* the tail's strings' bytes; UINT16_MAX: that or more */
	unsigned char tags;      /* lh_event_tag codes: category | metadata << 4;
				  * 0: that text is in the tail */
	char tail[];
};

/* What a record's tail may hold, in this order: the numbers (8 bytes each,
 * unaligned), then the strings, each ended by a NUL. The message is always
 * there; a field that is absent, or that the record finds elsewhere (its
 * tool's name, a common category), takes no room. */
enum lh_tail_field {
	LH_T_POS,          /* the numbers */
	LH_T_RECV,         /* only when ts_us is after it (a producer's clock ahead
			    * of ours): the one time it is read */
	LH_T_DURATION,     /* lh_event.duration_ms when sent */
	LH_T_MESSAGE,      /* the strings; the message is always there */
	LH_T_CALL_ID,
	LH_T_ARGS_TEXT,
	LH_T_TOOL,         /* tool_name, when not its tool's name */
	LH_T_CATEGORY,     /* when not one of the common ones (tags) */
	LH_T_METADATA,
	LH_T_ARGS,         /* args and extra, unless left to the raw payload */
	LH_T_EXTRA,
	LH_T_COUNT
};
#define LH_T_NUMBERS LH_T_MESSAGE
/* A record's have: bit f when field f is in its tail, and these flags. */
#define LH_HAVE(f) (1u << (f))
enum {
	LH_REC_PRINTABLE = 1 << 13,    /* the tail's strings are printable ASCII */
	LH_REC_AGENT_ABSENT = 1 << 14, /* flags of the event, not of the tail */
	LH_REC_IS_ERROR = 1 << 15,
};
_Static_assert(LH_T_COUNT <= 13, "the tail's fields and the flags share have's 16 bits");
_Static_assert(LH_EVENT_TAGS < 16, "a tag code fits four bits");

/* Records are carved in arrival order from chunks and evicted in the same
 * order, so a chunk is freed when its last record goes: no allocation of
 * its own per event, and a walk over the timeline reads memory in order.
 * Chunks double from LH_CHUNK_MIN (a store of a few events stays small) to
 * LH_CHUNK_HUGE: huge pages where the system allows, faulted in ahead by
 * lh_pages' thread and reused once evicted (a third of the time to load a
 * big file went to page faults and the zeroing of fresh pages). A record
 * bigger than a chunk gets one of its own size. */
#define LH_CHUNK_MIN (64 * 1024)
#define LH_CHUNK_HUGE LH_PAGES_SIZE

struct lh_chunk {
	struct lh_chunk *next;
	size_t used, cap, live;
	bool mapped;             /* from lh_pages, else malloc */
	_Alignas(max_align_t) char data[];
};

/* A call waiting for its result, in its agent's FIFO; its call_id and
 * tool_name point into the record. */
struct lh_pend {
	struct lh_rec *x;
	const char *call_id, *tool_name;
	TAILQ_ENTRY(lh_pend) link;
};

/* A name's length, and whether it is printable ASCII: asked once, for
 * every scan of the entries that share it. */
struct lh_name_info {
	size_t len;
	bool printable;
};

static struct lh_name_info lh_name_info(const char *s)
{
	size_t n = strlen(s);
	return (struct lh_name_info){ n, lh_text_printable(s, n) };
}

struct lh_tool {
	uint64_t order;          /* in its run's tools */
	char *name;
	struct lh_name_info name_info;
	struct lh_hist hist;
	uint64_t calls, errors, pending;
	uint64_t slowest_seq;     /* the call that took hist.max */
	size_t refs;
};

struct lh_agent {
	struct lh_run *run;
	uint64_t order;          /* in its run's agents */
	char *id;
	struct lh_name_info id_info;
	struct lh_agent_stats st;
	TAILQ_HEAD(, lh_pend) pending; /* oldest first */
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
	struct lh_name_info id_info;
	struct lh_map *agent_map, *tool_map, *call_map;
	struct lh_vec agents, tools;
	size_t nentries;
	uint64_t gone_pending;   /* calls without call_id evicted while pending */
	int64_t last_activity_us;
};

/* Calls evicted while pending, remembered (at most LH_GONE_CALLS, the
 * oldest forgotten first) so that their results say "call evicted", not
 * "no call": by run and call_id, or counted per run without one. */
#define LH_GONE_CALLS 4096

struct lh_store {
	struct lh_rec **ring;
	struct lh_chunk *oldest, *newest;
	struct lh_pages *pages;   /* LH_CHUNK_HUGE chunks, made ready ahead */
	size_t max, head, count; /* head: index of the oldest */
	uint64_t next_seq;
	struct lh_map *run_map;
	struct lh_run *last_run;  /* lh_run_get's last answer, or NULL */
	struct lh_vec runs;
	struct lh_store_counts counts;
	struct lh_map *gone_map;  /* "run\x1fcall_id" -> its key in gone */
	struct lh_ring gone;      /* of char *, oldest first */
};

/* The entries, runs and agents the store hands out are const to others,
 * not to itself: these are the only places it says so. */
static struct lh_rec *lh_rec_of(const struct lh_entry *e)
{
	return (struct lh_rec *)e;
}

static struct lh_run *lh_run_of(const struct lh_rec *x)
{
	return ((struct lh_agent *)x->e.agent)->run;
}

static struct lh_agent *lh_agent_of(const struct lh_rec *x)
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
	lh_pages_advise(s->ring, s->max * sizeof *s->ring);
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
	/* events come in runs: the last one found is asked first */
	if (s->last_run && strcmp(s->last_run->id, id) == 0)
		return s->last_run;
	struct lh_run *r = lh_map_get(s->run_map, id);
	if (r)
		return s->last_run = r;
	r = lh_xcalloc(1, sizeof *r);
	lh_vec_init(&r->agents);
	lh_vec_init(&r->tools);
	r->id = lh_xstrdup(id);
	r->id_info = lh_name_info(id);
	r->agent_map = lh_map_new();
	r->tool_map = lh_map_new();
	r->call_map = lh_map_new();
	lh_map_put(s->run_map, r->id, r);
	r->order = lh_vec_push(&s->runs, r);
	return s->last_run = r;
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
		a->run = r;
		TAILQ_INIT(&a->pending);
		a->id = lh_xstrdup(id);
		a->id_info = lh_name_info(id);
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
		t->name_info = lh_name_info(name);
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

/* ---- records: carved from chunks, packed, read back ---- */

static struct lh_chunk *lh_chunk_new(struct lh_store *s, size_t need)
{
	size_t bytes = s->newest ? 2 * (sizeof *s->newest + s->newest->cap) : LH_CHUNK_MIN;
	if (bytes > LH_CHUNK_HUGE)
		bytes = LH_CHUNK_HUGE;
	if (bytes - sizeof(struct lh_chunk) < need)
		bytes = sizeof(struct lh_chunk) + need;
	if (bytes == LH_CHUNK_HUGE && !s->pages)
		s->pages = lh_pages_new();
	struct lh_chunk *c = bytes == LH_CHUNK_HUGE ? lh_pages_get(s->pages) : NULL;
	bool mapped = c != NULL;
	if (!c)
		c = lh_xmalloc(bytes);
	*c = (struct lh_chunk){ .cap = bytes - sizeof *c, .mapped = mapped };
	return c;
}

static void lh_chunk_free(struct lh_store *s, struct lh_chunk *c)
{
	if (c && c->mapped)
		lh_pages_put(s->pages, c);
	else
		free(c);
}

static void *lh_chunk_carve(struct lh_store *s, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	struct lh_chunk *c = s->newest;
	if (!c || c->cap - c->used < size) {
		c = lh_chunk_new(s, size);
		if (s->newest)
			s->newest->next = c;
		else
			s->oldest = c;
		s->newest = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	c->live++;
	return p;
}

/* The oldest record is in the oldest chunk: eviction follows arrival. */
static void lh_chunk_release_oldest(struct lh_store *s)
{
	struct lh_chunk *c = s->oldest;
	if (--c->live)
		return;
	if (c == s->newest) {
		c->used = 0;
		return;
	}
	s->oldest = c->next;
	lh_chunk_free(s, c);
}

/* The tail's fields, by enum lh_tail_field, for lh_rec_pack and lh_rec_read
 * alike: num for the numbers, str for the strings. */
struct lh_tail {
	int64_t num[LH_T_NUMBERS];
	const char *str[LH_T_COUNT];
};

static void lh_tail_of(const struct lh_event *ev, struct lh_tail *t)
{
	*t = (struct lh_tail){
		.num = { [LH_T_POS] = (int64_t)ev->pos, [LH_T_RECV] = ev->recv_us,
			 [LH_T_DURATION] = ev->duration_ms },
		.str = { [LH_T_MESSAGE] = ev->message, [LH_T_CALL_ID] = ev->call_id,
			 [LH_T_ARGS_TEXT] = ev->args_text, [LH_T_TOOL] = ev->tool_name,
			 [LH_T_CATEGORY] = ev->category, [LH_T_METADATA] = ev->metadata,
			 [LH_T_ARGS] = ev->args, [LH_T_EXTRA] = ev->extra },
	};
}

/* tags: the category's and metadata's lh_event_tag codes, as x->tags. */
static uint16_t lh_rec_have(const struct lh_event *ev, const struct lh_tool *tool, bool rest_in_raw,
			    unsigned tags)
{
	uint16_t have = LH_HAVE(LH_T_MESSAGE);
	have |= ev->pos ? LH_HAVE(LH_T_POS) : 0;
	have |= ev->ts_us > ev->recv_us ? LH_HAVE(LH_T_RECV) : 0;
	have |= ev->duration_ms >= 0 ? LH_HAVE(LH_T_DURATION) : 0;
	have |= ev->call_id ? LH_HAVE(LH_T_CALL_ID) : 0;
	have |= ev->args_text ? LH_HAVE(LH_T_ARGS_TEXT) : 0;
	have |= ev->tool_name && !(tool && strcmp(tool->name, ev->tool_name) == 0) ? LH_HAVE(LH_T_TOOL) : 0;
	have |= !(tags & 15) ? LH_HAVE(LH_T_CATEGORY) : 0;
	have |= !(tags >> 4) ? LH_HAVE(LH_T_METADATA) : 0;
	have |= ev->args && !rest_in_raw ? LH_HAVE(LH_T_ARGS) : 0;
	have |= ev->extra && !rest_in_raw ? LH_HAVE(LH_T_EXTRA) : 0;
	have |= ev->agent_absent ? LH_REC_AGENT_ABSENT : 0;
	have |= ev->is_error ? LH_REC_IS_ERROR : 0;
	return have;
}

static struct lh_rec *lh_rec_pack(struct lh_store *s, const struct lh_event *ev, struct lh_tool *tool,
				  bool rest_in_raw)
{
	unsigned tags = lh_event_tag_code(ev->category) | lh_event_tag_code(ev->metadata) << 4;
	uint16_t have = lh_rec_have(ev, tool, rest_in_raw, tags);
	bool printable = true;
	struct lh_tail t;
	lh_tail_of(ev, &t);
	size_t lens[LH_T_COUNT] = { 0 }, size = offsetof(struct lh_rec, tail);
	for (int f = 0; f < LH_T_NUMBERS; f++)
		size += have & LH_HAVE(f) ? sizeof(int64_t) : 0;
	for (int f = LH_T_NUMBERS; f < LH_T_COUNT; f++) {
		if (!(have & LH_HAVE(f)))
			continue;
		lens[f] = strlen(t.str[f]) + 1;
		size += lens[f];
		printable = printable && lh_text_printable(t.str[f], lens[f] - 1);
	}
	struct lh_rec *x = lh_chunk_carve(s, size);
	memset(x, 0, offsetof(struct lh_rec, tail));
	x->tool = tool;
	x->have = have;
	x->tags = (unsigned char)tags;
	char *p = x->tail;
	for (int f = 0; f < LH_T_NUMBERS; f++) {
		if (have & LH_HAVE(f)) {
			memcpy(p, &t.num[f], sizeof t.num[f]);
			p += sizeof t.num[f];
		}
	}
	const char *texts = p;
	for (int f = LH_T_NUMBERS; f < LH_T_COUNT; f++) {
		if (lens[f])
			memcpy(p, t.str[f], lens[f]);
		p += lens[f];
	}
	x->texts_len = (size_t)(p - texts) < UINT16_MAX ? (uint16_t)(p - texts) : UINT16_MAX;
	if (printable)
		x->have |= LH_REC_PRINTABLE;
	x->e.ts_us = ev->ts_us;
	x->e.raw_at = ev->raw_at;
	x->e.raw_len = (uint32_t)ev->raw_len;
	x->e.cat = (unsigned char)ev->cat;
	x->e.ts_guessed = ev->ts_guessed;
	x->e.rest_in_raw = rest_in_raw;
	return x;
}

/* The tail read back: absent numbers as lh_event has them when absent. */
static void lh_rec_read(const struct lh_rec *x, struct lh_tail *t)
{
	const char *p = x->tail;
	*t = (struct lh_tail){ .num = { [LH_T_POS] = 0, [LH_T_RECV] = x->e.ts_us, [LH_T_DURATION] = -1 } };
	for (int f = 0; f < LH_T_NUMBERS; f++) {
		if (x->have & LH_HAVE(f)) {
			memcpy(&t->num[f], p, sizeof t->num[f]);
			p += sizeof t->num[f];
		}
	}
	for (int f = LH_T_NUMBERS; f < LH_T_COUNT; f++) {
		if (x->have & LH_HAVE(f)) {
			t->str[f] = p;
			p += strlen(p) + 1;
		}
	}
}

void lh_entry_event(const struct lh_entry *e, struct lh_event *out)
{
	const struct lh_rec *x = (const struct lh_rec *)e;
	struct lh_tail t;
	lh_rec_read(x, &t);
	*out = (struct lh_event){
		.run_id = lh_run_of(x)->id,
		.agent_id = lh_agent_of(x)->id,
		.category = t.str[LH_T_CATEGORY] ? t.str[LH_T_CATEGORY] : lh_event_tag(x->tags & 15),
		.message = t.str[LH_T_MESSAGE],
		.metadata = t.str[LH_T_METADATA] ? t.str[LH_T_METADATA] : lh_event_tag(x->tags >> 4),
		.tool_name = t.str[LH_T_TOOL] ? t.str[LH_T_TOOL] : x->tool ? x->tool->name : NULL,
		.call_id = t.str[LH_T_CALL_ID],
		.args = t.str[LH_T_ARGS],
		.args_text = t.str[LH_T_ARGS_TEXT],
		.extra = t.str[LH_T_EXTRA],
		.raw_len = e->raw_len,
		.raw_at = e->raw_at,
		.pos = (uint64_t)t.num[LH_T_POS],
		.ts_us = e->ts_us,
		.recv_us = t.num[LH_T_RECV],
		.duration_ms = t.num[LH_T_DURATION],
		.cat = (enum lh_category)e->cat,
		.ts_guessed = e->ts_guessed,
		.agent_absent = x->have & LH_REC_AGENT_ABSENT,
		.is_error = x->have & LH_REC_IS_ERROR,
	};
}

const char *lh_entry_message(const struct lh_entry *e)
{
	const struct lh_rec *x = (const struct lh_rec *)e;
	const char *p = x->tail;
	for (int f = 0; f < LH_T_NUMBERS; f++)
		p += x->have & LH_HAVE(f) ? sizeof(int64_t) : 0;
	return p;
}

void lh_entry_scan(const struct lh_entry *e, struct lh_entry_scan *out)
{
	const struct lh_rec *x = (const struct lh_rec *)e;
	const char *texts = lh_entry_message(e);
	size_t len = x->texts_len;
	if (len == UINT16_MAX) {
		struct lh_tail t;
		lh_rec_read(x, &t);
		for (int f = LH_T_NUMBERS; f < LH_T_COUNT; f++)
			if (t.str[f])
				len = (size_t)(t.str[f] + strlen(t.str[f]) + 1 - texts);
	}
	const struct lh_run *r = lh_run_of(x);
	const struct lh_agent *a = lh_agent_of(x);
	const struct lh_tool *t = x->tool;
	*out = (struct lh_entry_scan){
		.run_id = r->id,
		.agent_id = a->id,
		.tool = t ? t->name : NULL,
		.run_len = r->id_info.len,
		.agent_len = a->id_info.len,
		.tool_len = t ? t->name_info.len : 0,
		.texts = texts,
		.texts_len = len,
		.printable = (x->have & LH_REC_PRINTABLE) && r->id_info.printable && a->id_info.printable &&
			     (!t || t->name_info.printable),
	};
}

/* ---- pending calls ---- */

static void lh_pending_push(struct lh_run *r, struct lh_agent *a, struct lh_rec *x)
{
	struct lh_event ev;
	lh_entry_event(&x->e, &ev);
	struct lh_pend *p = lh_xmalloc(sizeof *p);
	*p = (struct lh_pend){ .x = x, .call_id = ev.call_id, .tool_name = ev.tool_name };
	x->e.state = LH_CALL_PENDING;
	TAILQ_INSERT_TAIL(&a->pending, p, link);
	a->st.pending++;
	if (x->tool)
		x->tool->pending++;
	if (p->call_id && !lh_map_get(r->call_map, p->call_id))
		lh_map_put(r->call_map, p->call_id, p);
}

static void lh_pending_remove(struct lh_run *r, struct lh_agent *a, struct lh_pend *p)
{
	TAILQ_REMOVE(&a->pending, p, link);
	a->st.pending--;
	if (p->x->tool)
		p->x->tool->pending--;
	if (p->call_id && lh_map_get(r->call_map, p->call_id) == p)
		lh_map_del(r->call_map, p->call_id);
	free(p);
}

static bool lh_ids_compatible(const char *a, const char *b)
{
	return !a || !b || strcmp(a, b) == 0;
}

/* PROTOCOL.md section 1: call_id decides when both carry one; otherwise the
 * oldest pending call of the same agent and tool, else of the same agent. */
static struct lh_pend *lh_find_call(struct lh_run *r, struct lh_agent *a, const struct lh_event *res)
{
	if (res->call_id) {
		struct lh_pend *c = lh_map_get(r->call_map, res->call_id);
		if (c)
			return c;
	}
	struct lh_pend *any = NULL;
	struct lh_pend *c;
	TAILQ_FOREACH(c, &a->pending, link) {
		if (!lh_ids_compatible(c->call_id, res->call_id))
			continue;
		if (!res->tool_name || (c->tool_name && strcmp(c->tool_name, res->tool_name) == 0))
			return c;
		if (!any)
			any = c;
	}
	return any;
}

static void lh_pair(struct lh_run *r, struct lh_pend *p, struct lh_rec *res, const struct lh_event *res_ev)
{
	struct lh_rec *call = p->x;
	struct lh_agent *a = lh_agent_of(call);
	int64_t d = res_ev->duration_ms;
	if (d < 0) {
		d = (res->e.ts_us - call->e.ts_us) / 1000;
		if (d < 0)
			d = 0; /* clocks of two producers disagree; never show negative */
	}
	lh_pending_remove(r, a, p);
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

static void lh_on_result(struct lh_store *s, struct lh_run *r, struct lh_agent *a, struct lh_rec *x,
			 const struct lh_event *ev)
{
	a->st.results++;
	if (x->e.error) {
		a->st.errors++;
		if (x->tool)
			x->tool->errors++;
	}
	/* A call_id match may be another agent's call: lh_pair charges the
	 * duration to the agent that made the call. */
	struct lh_pend *call = lh_find_call(r, a, ev);
	if (call) {
		lh_pair(r, call, x, ev);
	} else {
		x->e.state = LH_CALL_ORPHAN;
		x->e.duration_ms = ev->duration_ms;
		x->e.call_evicted = lh_gone_take(s, r, ev);
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

/* A pending call being evicted is the oldest of all, so the oldest of its
 * agent's pending calls too: found at the head. */
static struct lh_pend *lh_pending_of(struct lh_agent *a, const struct lh_rec *x)
{
	struct lh_pend *p;
	TAILQ_FOREACH(p, &a->pending, link)
		if (p->x == x)
			break;
	return p;
}

static void lh_evict_oldest(struct lh_store *s)
{
	struct lh_rec *x = s->ring[s->head];
	s->ring[s->head] = NULL;
	s->head = (s->head + 1) % s->max;
	s->count--;
	s->counts.evicted++;

	struct lh_run *r = lh_run_of(x);
	struct lh_agent *a = lh_agent_of(x);
	if (x->e.state == LH_CALL_PENDING) {
		struct lh_event ev;
		lh_entry_event(&x->e, &ev);
		lh_gone_add(s, r, &ev);
		lh_pending_remove(r, a, lh_pending_of(a, x));
		s->counts.evicted_pending++;
	}
	if (x->e.peer) {
		struct lh_rec *peer = lh_rec_of(x->e.peer);
		peer->e.peer = NULL;
		peer->e.call_evicted = x->e.cat == LH_CAT_TOOL_CALL;
	}
	a->st.events--;
	if (x->tool)
		lh_tool_put(r, x->tool);
	lh_agent_put(r, a);
	lh_chunk_release_oldest(s);
	if (--r->nentries == 0) {
		lh_map_del(s->run_map, r->id);
		lh_vec_remove(&s->runs, r->order);
		if (s->last_run == r)
			s->last_run = NULL;
		lh_run_free(r);
	}
}

const struct lh_entry *lh_store_add(struct lh_store *s, const struct lh_event *ev, bool rest_in_raw)
{
	if (s->count == s->max)
		lh_evict_oldest(s);

	struct lh_run *r = lh_run_get(s, ev->run_id);
	struct lh_agent *a = lh_agent_get(r, ev->agent_id);
	struct lh_tool *tool = NULL;
	if ((ev->cat == LH_CAT_TOOL_CALL || ev->cat == LH_CAT_TOOL_RESULT) && ev->tool_name)
		tool = lh_tool_get(r, ev->tool_name);
	struct lh_rec *x = lh_rec_pack(s, ev, tool, rest_in_raw);
	x->e.seq = s->next_seq++;
	x->e.agent = a;
	x->e.duration_ms = -1;
	x->e.error = ev->is_error;

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
		lh_on_result(s, r, a, x, ev);
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
	lh_chunk_free(s, s->oldest);
	lh_pages_free(s->pages);
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
const char *lh_agent_id(const struct lh_agent *a) { return a->id; }
size_t lh_run_entry_count(const struct lh_run *r) { return r->nentries; }
int64_t lh_run_last_activity_us(const struct lh_run *r) { return r->last_activity_us; }
const struct lh_run *lh_entry_run(const struct lh_entry *e) { return lh_run_of(lh_rec_of(e)); }
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
