#include "config.h"
#include "rows.h"
#include "core/format.h"
#include "lib/ring.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

struct lh_item {
	uint64_t seq; /* kept apart so evicted entries are never read */
	const struct lh_entry *e;
};

struct lh_rows {
	const struct lh_store *store;
	struct lh_filter f;
	struct lh_ring items; /* of struct lh_item, oldest first */
	regex_t grep;         /* f.grep compiled, when set */
	struct lh_must *must; /* and the words it needs */
	struct lh_buf text;   /* scratch for matching it */
	unsigned fmt;
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
	free(f->grep);
	memset(f, 0, sizeof *f);
}

/* Upper case anywhere (É as well as E) makes a pattern case-sensitive. */
static bool lh_has_upper(const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s);
	while (len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2)
			return false;
		if (iswupper((wint_t)wc))
			return true;
		s += n ? n : 1;
		len -= n ? n : 1;
	}
	return false;
}

/* Without REG_NOSUB: the search's regex also says where its matches are,
 * to highlight them (with REG_NOSUB, regexec leaves the positions unset);
 * asked for no positions, as every walk does, it does no more work. */
int lh_rows_regcomp(regex_t *re, const char *pattern)
{
	int flags = REG_EXTENDED | REG_NEWLINE | (lh_has_upper(pattern) ? 0 : REG_ICASE);
	return regcomp(re, pattern, flags);
}

/* How much of each part the text keeps: lh_format_* cut there. A call
 * shows as tool(args), cut as a whole; a tool name and args within the
 * SURE lengths cannot be cut. */
#define LH_TEXT_AGENT_MAX 64
#define LH_TEXT_CALL_MAX 1000
#define LH_TEXT_MESSAGE_MAX 4000
#define LH_TEXT_TOOL_SURE 64
#define LH_TEXT_ARGS_SURE (LH_TEXT_CALL_MAX - LH_TEXT_TOOL_SURE - 2)

void lh_rows_entry_text(const struct lh_entry *e, unsigned fmt, struct lh_buf *out)
{
	struct lh_event ev;
	lh_entry_event(e, &ev);
	lh_buf_puts(out, ev.run_id);
	lh_buf_putc(out, ' ');
	lh_format_agent(out, ev.agent_id, LH_TEXT_AGENT_MAX, fmt);
	lh_buf_putc(out, ' ');
	lh_format_call(out, &ev, LH_TEXT_CALL_MAX, fmt);
	lh_buf_putc(out, ' ');
	lh_format_text(out, ev.message, LH_TEXT_MESSAGE_MAX, fmt);
	const struct lh_entry *result = ev.cat == LH_CAT_TOOL_CALL ? e->peer : NULL;
	if (result) {
		lh_buf_putc(out, ' ');
		lh_format_text(out, lh_entry_message(result), LH_TEXT_MESSAGE_MAX, fmt);
	}
	if (e->duration_ms >= 0 && e->state == LH_CALL_DONE) {
		char d[24];
		lh_time_format_duration(e->duration_ms, d, sizeof d);
		lh_buf_printf(out, " %s", d);
	}
}

/* Most items, the quick way: when every text shows as its bytes, the
 * words are looked for in all of the item's texts at once (its own and
 * its result's, whole; the names it shares). A part the text does not show
 * (a call id, the args JSON) or shows cut may let an item through to the
 * regex, which decides; a word in none of them is in no text. Sets *maybe;
 * false when the item needs the careful way. */
static bool lh_may_match_printable(const struct lh_entry *e, struct lh_must *m, const char *d,
				   bool *maybe)
{
	struct lh_entry_scan own, res = { 0 };
	lh_entry_scan(e, &own);
	const struct lh_entry *result = e->cat == LH_CAT_TOOL_CALL ? e->peer : NULL;
	if (result)
		lh_entry_scan(result, &res);
	if (!own.printable || (result && !res.printable) || own.agent_len > LH_TEXT_AGENT_MAX ||
	    own.tool_len > LH_TEXT_TOOL_SURE)
		return false;
	const char *field[] = { own.run_id, own.agent_id, own.tool, own.texts, res.texts, d };
	size_t len[] = { own.run_len, own.agent_len, own.tool_len, own.texts_len, res.texts_len, strlen(d) };
	*maybe = lh_must_maybe(m, field, len, sizeof field / sizeof field[0]);
	return true;
}

/* The parts of lh_rows_entry_text, each with the length it is cut at.
 * Most show as their bytes and are searched as they are; the others are
 * made visible as the text does it, into scratch, unless that would be
 * cut (then anything may match). */
bool lh_rows_entry_may_match(const struct lh_entry *e, unsigned fmt, struct lh_must *m,
			     struct lh_buf *scratch)
{
	if (!m)
		return true;
	char d[24] = "";
	if (e->duration_ms >= 0 && e->state == LH_CALL_DONE && lh_must_within(m, "0123456789.mhs"))
		lh_time_format_duration(e->duration_ms, d, sizeof d);
	bool maybe;
	if (lh_may_match_printable(e, m, d, &maybe))
		return maybe;
	struct lh_event whole;
	lh_entry_event(e, &whole);
	const struct lh_event *ev = &whole;
	const struct lh_entry *result = ev->cat == LH_CAT_TOOL_CALL ? e->peer : NULL;
	/* lh_format_call shows the message instead of tool(args) */
	bool call_is_message = !ev->tool_name || (!ev->args_text && ev->message[0]);
	struct {
		const char *text;
		size_t max;
		size_t shown; /* its visible form's offset in scratch, + 1 */
	} part[] = {
		{ ev->run_id, SIZE_MAX, 0 },
		{ ev->agent_id, LH_TEXT_AGENT_MAX, 0 },
		{ call_is_message ? NULL : ev->tool_name, LH_TEXT_TOOL_SURE, 0 },
		{ call_is_message ? NULL : ev->args_text, LH_TEXT_ARGS_SURE, 0 },
		{ ev->message, call_is_message ? LH_TEXT_CALL_MAX : LH_TEXT_MESSAGE_MAX, 0 },
		{ result ? lh_entry_message(result) : NULL, LH_TEXT_MESSAGE_MAX, 0 },
		{ d, SIZE_MAX, 0 },
	};
	enum { N = sizeof part / sizeof part[0] };
	size_t len[N] = { 0 };
	lh_buf_reset(scratch);
	for (size_t i = 0; i < N; i++) {
		if (!part[i].text || lh_must_as_is(part[i].text, part[i].max, &len[i]))
			continue;
		size_t start = scratch->len;
		lh_format_text(scratch, part[i].text, SIZE_MAX, fmt);
		len[i] = scratch->len - start;
		if (len[i] > part[i].max)
			return true;
		lh_buf_putc(scratch, '\0');
		part[i].shown = start + 1;
	}
	const char *text[N];
	for (size_t i = 0; i < N; i++)
		text[i] = part[i].shown ? scratch->data + part[i].shown - 1 : part[i].text;
	return lh_must_maybe(m, text, len, N);
}

struct lh_rows *lh_rows_new(const struct lh_store *store, unsigned fmt)
{
	struct lh_rows *r = lh_xcalloc(1, sizeof *r);
	r->store = store;
	r->fmt = fmt;
	r->items = (struct lh_ring)LH_RING_INIT(sizeof(struct lh_item));
	return r;
}

void lh_rows_free(struct lh_rows *r)
{
	if (!r)
		return;
	if (r->f.grep)
		regfree(&r->grep);
	lh_must_free(r->must);
	lh_filter_clear(&r->f);
	lh_ring_free(&r->items);
	lh_buf_free(&r->text);
	free(r);
}

static void lh_prefetch_entry(const struct lh_entry *e)
{
	const char *p = (const char *)e;
	__builtin_prefetch(p);
	__builtin_prefetch(p + 64);
	__builtin_prefetch(p + 128);
	if (e->peer) {
		__builtin_prefetch(e->peer);
		__builtin_prefetch((const char *)e->peer + 64);
	}
}

/* A result drawn under its call is not an item. */
static bool lh_is_item(const struct lh_entry *e)
{
	return !(e->cat == LH_CAT_TOOL_RESULT && e->state == LH_CALL_DONE && e->peer);
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

static bool lh_grep_matches(struct lh_rows *r, const struct lh_entry *e)
{
	bool m = false;
	if (lh_rows_entry_may_match(e, r->fmt, r->must, &r->text)) {
		lh_buf_reset(&r->text);
		lh_rows_entry_text(e, r->fmt, &r->text);
		m = regexec(&r->grep, lh_buf_str(&r->text), 0, NULL, 0) == 0;
	}
	return m != r->f.grep_invert;
}

bool lh_rows_matches(struct lh_rows *r, const struct lh_entry *e)
{
	const struct lh_filter *f = &r->f;
	if (f->run && strcmp(lh_run_id(lh_entry_run(e)), f->run) != 0)
		return false;
	if (f->agent && strcmp(lh_agent_id(e->agent), f->agent) != 0)
		return false;
	if (!lh_cat_matches(f->cat, e->cat))
		return false;
	if (f->errors && !e->error)
		return false;
	if (f->pending && e->state != LH_CALL_PENDING)
		return false;
	return !f->grep || lh_grep_matches(r, e);
}

static void lh_rows_push(struct lh_rows *r, const struct lh_entry *e)
{
	*(struct lh_item *)lh_ring_push(&r->items) = (struct lh_item){ e->seq, e };
}

static const struct lh_item *lh_rows_item(const struct lh_rows *r, size_t i)
{
	return lh_ring_at(&r->items, i);
}

static bool lh_rows_has(const struct lh_rows *r, const struct lh_entry *e)
{
	size_t i = lh_rows_find(r, e->seq);
	return i < r->items.n && lh_rows_item(r, i)->seq == e->seq;
}

static void lh_rows_rebuild(struct lh_rows *r)
{
	lh_ring_clear(&r->items);
	r->stale = false;
	const struct lh_entry *e;
	for (size_t i = 0; (e = lh_store_entry_at(r->store, i)) != NULL; i++) {
		const struct lh_entry *ahead = lh_store_entry_at(r->store, i + 8); /* as lh_rows_prefetch */
		if (ahead)
			lh_prefetch_entry(ahead);
		if (lh_is_item(e) && lh_rows_matches(r, e))
			lh_rows_push(r, e);
	}
}

static char *lh_dup_or_null(const char *s)
{
	return s ? lh_xstrdup(s) : NULL;
}

int lh_rows_set_filter(struct lh_rows *r, const struct lh_filter *f, char *err, size_t errlen)
{
	if (&r->f != f) {
		regex_t re;
		int rc = f->grep ? lh_rows_regcomp(&re, f->grep) : 0;
		if (rc != 0) {
			regerror(rc, &re, err, errlen);
			regfree(&re);
			return -1;
		}
		char *run = lh_dup_or_null(f->run), *agent = lh_dup_or_null(f->agent);
		char *grep = lh_dup_or_null(f->grep);
		if (r->f.grep)
			regfree(&r->grep);
		lh_must_free(r->must);
		lh_filter_clear(&r->f);
		r->f = *f;
		r->f.run = run;
		r->f.agent = agent;
		r->f.grep = grep;
		r->must = grep ? lh_must_new(grep) : NULL;
		if (grep)
			r->grep = re;
	}
	lh_rows_rebuild(r);
	return 0;
}

const struct lh_filter *lh_rows_filter(const struct lh_rows *r)
{
	return &r->f;
}

void lh_rows_add(struct lh_rows *r, const struct lh_entry *e)
{
	if (r->stale)
		return;
	/* A result can change whether its older call matches (an error for
	 * "errors only", any result for "pending only", its text for
	 * patterns): the call must then appear or go where it belongs. */
	if (e->cat == LH_CAT_TOOL_RESULT && e->peer && lh_rows_has(r, e->peer) != lh_rows_matches(r, e->peer)) {
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

/* A walk over a million items asks for the memory of the one 8 on (a
 * few cache lines, and its result's, which may sit far) before it gets
 * there. */
void lh_rows_prefetch(const struct lh_rows *r, size_t i)
{
	const struct lh_item *near = lh_rows_item(r, i + 8);
	if (near)
		lh_prefetch_entry(near->e);
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
