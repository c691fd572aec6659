/* view_main: the main screen: header, filter line, agents, timeline, the
 * detail pane when there is room, and the footer. */
#include "config.h"
#include "hud_impl.h"
#include "cells.h"
#include "core/format.h"
#include "rowfmt.h"
#include "screen.h"
#include "lib/timeutil.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* ---- header and status ---- */

/* The source's state: "live", or "retrying in 3s: connect: ..." */
static enum lh_style lh_state_text(const struct lh_source_status *st, char *buf, size_t len)
{
	if (st->state == LH_SOURCE_RETRYING) {
		int64_t in = (st->retry_at_us - lh_time_mono_us() + 999999) / 1000000;
		snprintf(buf, len, " retrying in %llds: %s ", (long long)(in < 0 ? 0 : in), st->last_error);
		return LH_ST_WARNING;
	}
	if (st->refused) { /* 401 or 403: not retried until the user says so */
		snprintf(buf, len, " %s (R: retry) ", st->last_error);
		return LH_ST_ERROR;
	}
	/* Connecting again: why, until it works (a stall's reason would
	 * otherwise show only for the 100 ms before the first retry). */
	if (st->state == LH_SOURCE_CONNECTING && st->last_error[0]) {
		snprintf(buf, len, " reconnecting after: %s ", st->last_error);
		return LH_ST_WARNING;
	}
	/* A source that ended says why: "end of file", "run completed". */
	snprintf(buf, len, " %s ", st->state == LH_SOURCE_DONE && st->last_error[0] ? st->last_error
										     : lh_source_state_name(st->state));
	return st->state == LH_SOURCE_LIVE || st->state == LH_SOURCE_DONE ? LH_ST_OK : LH_ST_WARNING;
}

/* Counts at the right, kept at every width (shorter when narrow); the
 * source's state and description at the left get what is left, the
 * description cut first. */
static void lh_header(struct lh_hud *h, const struct lh_rect *r)
{
	const struct lh_source_status *st = lh_app_source_status(h->app);
	struct lh_store_counts c;
	lh_store_get_counts(h->store, &c);
	unsigned long long rej = lh_app_rejects(h->app)->total;
	char counts[160], state[320];
	if (r->w >= 80)
		snprintf(counts, sizeof counts, " %llu ev/s  %llu events  %llu evicted  %llu rejected ",
			 (unsigned long long)h->rate_shown, (unsigned long long)c.added,
			 (unsigned long long)c.evicted, rej);
	else
		snprintf(counts, sizeof counts, " %llu/s %llu ev %llu rej ", (unsigned long long)h->rate_shown,
			 (unsigned long long)c.added, rej);
	int cw = lh_cells_width(counts, strlen(counts));
	int left = r->w - cw; /* what the left side may use */
	lh_screen_fill(r->y, r->x, r->w, LH_ST_HEADER);
	int x = left >= 9 ? lh_screen_text(r->y, r->x, left, " livehud", LH_ST_HEADER) : 0;
	if (st && left - x > 2) {
		enum lh_style sst = lh_state_text(st, state, sizeof state);
		x += lh_screen_text(r->y, r->x + x, left - x, " ", LH_ST_HEADER);
		x += lh_screen_text(r->y, r->x + x, left - x, state, sst);
		/* An unchecked certificate is said in warning colors. */
		enum lh_style dst = st->insecure ? LH_ST_WARNING : LH_ST_HEADER;
		if (left - x - 1 > 4)
			x += lh_screen_text(r->y, r->x + x + 1, left - x - 2, st->describe, dst) + 1;
	}
	lh_screen_text(r->y, r->x + (left > 0 ? left : 0), r->w, counts, LH_ST_HEADER);
}

/* The prompt takes the whole line, the cursor at its end. */
static void lh_prompt_line(struct lh_hud *h, const struct lh_rect *r)
{
	static const char *const lead[] = { "", "/", "&", "save to: ", "" };
	char buf[1280];
	if (h->prompt == LH_PROMPT_CONFIRM)
		snprintf(buf, sizeof buf, "%s y/n", h->question);
	else
		snprintf(buf, sizeof buf, "%s%.*s", lead[h->prompt], (int)h->input_len, h->input_text);
	int x = lh_screen_text(r->y, r->x, r->w, buf, h->prompt == LH_PROMPT_CONFIRM ? LH_ST_WARNING : LH_ST_STATUS);
	curs_set(1);
	move(r->y, r->x + (x < r->w ? x : r->w - 1));
}

/* Every filter in force, in full or (short) abbreviated, so that even a
 * 40-column pane says what it hides. */
static void lh_filter_text(struct lh_hud *h, bool brief, struct lh_buf *b)
{
	const struct lh_filter *f = lh_rows_filter(h->rows);
	if (f->agent)
		lh_buf_printf(b, brief ? " @%s" : "  agent %s", f->agent);
	if (f->cat != LH_CATF_ALL)
		lh_buf_printf(b, brief ? " c:%s" : "  %s only", lh_cat_filter_name(f->cat));
	if (f->errors)
		lh_buf_puts(b, brief ? " err" : "  errors only");
	if (f->pending)
		lh_buf_puts(b, brief ? " pend" : "  pending only");
	if (f->grep)
		lh_buf_printf(b, brief ? " &%s%s" : "  &%s%s", f->grep_invert ? "!" : "", f->grep);
	if (h->search)
		lh_buf_printf(b, brief ? " /%s/" : "  /%s/", h->search);
}

static void lh_status(struct lh_hud *h, const struct lh_rect *r)
{
	const struct lh_filter *f = lh_rows_filter(h->rows);
	char buf[768];
	int x = 0;
	lh_screen_fill(r->y, r->x, r->w, LH_ST_STATUS);
	if (h->prompt != LH_PROMPT_NONE) {
		lh_prompt_line(h, r);
		return;
	}
	curs_set(0);
	bool brief = r->w < 80;
	struct lh_buf filters = LH_BUF_INIT;
	lh_filter_text(h, brief, &filters);
	if (brief)
		x += lh_screen_text(r->y, r->x + x, r->w - x, h->follow ? "FOLLOW" : "PAUSED",
				    h->follow ? LH_ST_OK : LH_ST_WARNING);
	else
		x += lh_screen_text(r->y, r->x + x, r->w - x, h->follow ? "FOLLOW " : "PAUSED (End: follow) ",
				    h->follow ? LH_ST_OK : LH_ST_WARNING);
	/* The filters come before the run when room is short. */
	int fw = lh_cells_width(lh_buf_str(&filters), filters.len);
	if (brief)
		snprintf(buf, sizeof buf, " %s", f->run ? f->run : "all");
	else
		snprintf(buf, sizeof buf, "run %s%s (%zu runs)", f->run ? f->run : "all",
			 h->auto_run && f->run ? " auto" : "", lh_store_run_count(h->store));
	x += lh_screen_text(r->y, r->x + x, r->w - x - fw > 4 ? r->w - x - fw : 4, buf, LH_ST_STATUS);
	const struct lh_kstate *k = lh_app_kstate(h->app);
	if (k->known && !brief) {
		snprintf(buf, sizeof buf, "  %s", k->status);
		if (k->tokens >= 0)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " %lld tok", k->tokens);
		x += lh_screen_text(r->y, r->x + x, r->w - x - fw, buf,
				    strcmp(k->status, "failed") == 0 ? LH_ST_ERROR : LH_ST_STATUS);
	}
	x += lh_screen_text(r->y, r->x + x, r->w - x, lh_buf_str(&filters), LH_ST_KEY);
	lh_buf_free(&filters);
	if (h->new_run && r->w - x > 4) {
		snprintf(buf, sizeof buf, brief ? "  new %s (r)" : "  new run %s (r to switch)", h->new_run);
		x += lh_screen_text(r->y, r->x + x, r->w - x, buf, LH_ST_WARNING);
	}
	if (h->message_until_us > lh_time_mono_us() && r->w - x > 4)
		lh_screen_text(r->y, r->x + x + 2, r->w - x - 2, h->message, LH_ST_STATUS);
}

static void lh_footer(struct lh_hud *h, const struct lh_rect *r)
{
	static const char *const keys[][2] = {
		{ "q", "quit" }, { "?", "help" }, { "Enter", "detail" }, { "/", "search" },
		{ "r", "run" }, { "a", "agent" }, { "c", "category" }, { "e", "errors" },
		{ "s", "stats" }, { "t", "theme" },
	};
	(void)h;
	lh_screen_fill(r->y, r->x, r->w, LH_ST_FOOTER);
	int x = 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && x < r->w; i++) {
		x += lh_screen_text(r->y, r->x + x, r->w - x, keys[i][0], LH_ST_KEY);
		x += lh_screen_text(r->y, r->x + x, r->w - x, " ", LH_ST_FOOTER);
		x += lh_screen_text(r->y, r->x + x, r->w - x, keys[i][1], LH_ST_FOOTER);
		x += lh_screen_text(r->y, r->x + x, r->w - x, "  ", LH_ST_FOOTER);
	}
}

/* ---- agents ---- */

/* Two lines an agent: mark, name and tool time; then its counts. */
static void lh_agent(struct lh_hud *h, const struct lh_rect *r, int y, const struct lh_agent_stats *a,
		     bool selected)
{
	bool ascii = h->fmt & LH_FMT_ASCII;
	const char *mark = a->pending ? (ascii ? "*" : "\xe2\x97\x8f") : (ascii ? "o" : "\xe2\x97\x8b");
	enum lh_style mst = a->pending ? LH_ST_PENDING : LH_ST_DIM;
	/* What the kernel says wins: a finished or failed agent is marked so. */
	enum lh_agent_life life = lh_kstate_agent(lh_app_kstate(h->app), a->id);
	if (life == LH_LIFE_COMPLETED) {
		mark = lh_format_marks(h->fmt)->ok;
		mst = LH_ST_OK;
	} else if (life == LH_LIFE_FAILED) {
		mark = lh_format_marks(h->fmt)->err;
		mst = LH_ST_ERROR;
	} else if (life == LH_LIFE_ACTIVE) {
		mark = ascii ? "*" : "\xe2\x97\x8f";
		mst = LH_ST_PENDING;
	}
	char d[24], line[96];
	lh_time_format_duration(a->tool_ms, d, sizeof d);
	int dw = (int)strlen(d);
	if (selected)
		lh_screen_fill(y, r->x, r->w, LH_ST_SELECTED);
	int x = lh_screen_text(y, r->x, r->w, mark, mst);
	x += lh_screen_text(y, r->x + x, r->w - x, " ", LH_ST_NORMAL);
	struct lh_buf name = LH_BUF_INIT;
	lh_format_agent(&name, a->id, 40, h->fmt);
	if (a->errors)
		lh_buf_printf(&name, " %s", lh_format_marks(h->fmt)->err);
	lh_screen_text(y, r->x + x, r->w - x - dw - 1, name.data, a->errors ? LH_ST_ERROR : LH_ST_AGENT);
	lh_buf_free(&name);
	if (r->w - x > dw + 4)
		lh_screen_text(y, r->x + r->w - dw, dw, d, LH_ST_DURATION);
	snprintf(line, sizeof line, "  %llu calls %llu err %llu pend", (unsigned long long)a->calls,
		 (unsigned long long)a->errors, (unsigned long long)a->pending);
	lh_screen_text(y + 1, r->x, r->w, line, LH_ST_DIM);
}

static void lh_agents(struct lh_hud *h, const struct lh_rect *r)
{
	const struct lh_filter *f = lh_rows_filter(h->rows);
	const struct lh_run *run = f->run ? lh_store_find_run(h->store, f->run) : NULL;
	lh_screen_text(r->y, r->x, r->w, "AGENTS", LH_ST_TITLE);
	if (!run) {
		lh_screen_text(r->y + 1, r->x, r->w, f->run ? "(no events)" : "(all runs)", LH_ST_DIM);
		return;
	}
	int y = r->y + 1;
	for (size_t i = 0; i < lh_run_agent_count(run) && y + 1 < r->y + r->h; i++, y += 2) {
		struct lh_agent_stats a;
		lh_run_agent_stats(run, i, &a);
		lh_agent(h, r, y, &a, f->agent && strcmp(f->agent, a.id) == 0);
	}
}

static void lh_separator(int y, int x, int h, bool ascii)
{
	for (int i = 0; i < h; i++)
		lh_screen_text(y + i, x, 1, ascii ? "|" : "\xe2\x94\x82", LH_ST_BORDER);
}

/* ---- timeline ---- */

static int lh_item_height(const struct lh_entry *e)
{
	return e->cat == LH_CAT_TOOL_CALL && e->state == LH_CALL_DONE ? 2 : 1;
}

/* The first item that, drawn from the top, puts item sel on the last rows. */
static size_t lh_backfill(struct lh_hud *h, size_t sel, int rows)
{
	size_t top = sel;
	int used = lh_item_height(lh_rows_at(h->rows, sel));
	while (top > 0 && used + lh_item_height(lh_rows_at(h->rows, top - 1)) <= rows)
		used += lh_item_height(lh_rows_at(h->rows, --top));
	return top;
}

/* Where the timeline starts: the selection at the bottom in follow mode,
 * else the old top moved only as far as the selection needs. */
static size_t lh_timeline_top(struct lh_hud *h, size_t sel, size_t n, int rows)
{
	if (h->follow || h->top >= n)
		return lh_backfill(h, sel, rows);
	if (sel < h->top)
		return sel;
	size_t top = lh_backfill(h, sel, rows);
	return top > h->top ? top : h->top;
}

static int lh_search_ranges(struct lh_hud *h, const struct lh_line *l, size_t *hl, int max)
{
	if (!h->search || !l->text.len)
		return 0;
	int n = 0;
	size_t off = 0;
	regmatch_t m;
	while (n < max && off < l->text.len &&
	       regexec(&h->re, l->text.data + off, 1, &m, off ? REG_NOTBOL : 0) == 0) {
		if (m.rm_eo == m.rm_so) { /* an empty match: step over one byte */
			off += (size_t)m.rm_eo + 1;
			continue;
		}
		hl[2 * n] = off + (size_t)m.rm_so;
		hl[2 * n + 1] = (size_t)(m.rm_eo - m.rm_so);
		n++;
		off += (size_t)m.rm_eo;
	}
	return n;
}

static void lh_timeline_line(struct lh_hud *h, const struct lh_rect *r, int y, const struct lh_line *l,
			     bool selected)
{
	size_t hl[32];
	int nhl = lh_search_ranges(h, l, hl, 16);
	lh_screen_line(y, r->x, r->w, l, selected ? LH_ST_SELECTED : LH_ST_NORMAL, hl, nhl,
		       lh_format_marks(h->fmt)->ellipsis);
}

/* 12345 as "12,345". */
static void lh_thousands(uint64_t v, char *buf, size_t len)
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
	size_t k = 0;
	for (int i = 0; i < n && k + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
}

/* What --max-events took is said where it was: above the oldest left. */
static void lh_evicted_row(struct lh_hud *h, struct lh_rect *r)
{
	struct lh_store_counts c;
	lh_store_get_counts(h->store, &c);
	if (!c.evicted || r->h < 3)
		return;
	char count[32], line[96];
	lh_thousands(c.evicted, count, sizeof count);
	snprintf(line, sizeof line, "%s older event%s evicted (--max-events)", count, c.evicted == 1 ? "" : "s");
	lh_screen_text(r->y, r->x, r->w, line, LH_ST_DIM);
	r->y++;
	r->h--;
}

static void lh_timeline(struct lh_hud *h, const struct lh_rect *area, bool narrow)
{
	struct lh_rect box = *area, *r = &box;
	lh_evicted_row(h, r);
	size_t n = lh_rows_count(h->rows);
	h->drawn_area = *r;
	h->drawn_n = 0;
	if (!n) {
		lh_screen_text(r->y, r->x, r->w, "waiting for events...", LH_ST_DIM);
		return;
	}
	size_t sel = h->follow ? n - 1 : lh_rows_find(h->rows, h->sel_seq);
	if (sel >= n)
		sel = n - 1;
	h->sel_seq = lh_rows_at(h->rows, sel)->seq;
	h->top = lh_timeline_top(h, sel, n, r->h);
	const struct lh_filter *f = lh_rows_filter(h->rows);
	struct lh_rowfmt rf = {
		.now_us = lh_hud_now_us(h), .fmt = h->fmt, .spinner = h->spinner,
		.agent_cols = narrow || f->agent ? 0 : 11, .show_run = !f->run && !narrow,
		.short_time = narrow || r->w < 70, .narrow = narrow,
	};
	int y = r->y;
	for (size_t i = h->top; i < n && y < r->y + r->h; i++) {
		const struct lh_entry *e = lh_rows_at(h->rows, i);
		rf.marked = h->n_marks && lh_hud_marked(h, e->seq);
		int lines = lh_rowfmt_entry(&rf, e, &h->l1, &h->l2);
		if (e->state == LH_CALL_PENDING && !lh_hud_source_done(h))
			h->pending_visible = true;
		if (h->drawn_n < sizeof h->drawn_seq / sizeof h->drawn_seq[0]) {
			h->drawn_seq[h->drawn_n] = e->seq;
			h->drawn_y[h->drawn_n++] = y;
		}
		lh_timeline_line(h, r, y++, &h->l1, i == sel);
		if (lines == 2 && y < r->y + r->h)
			lh_timeline_line(h, r, y++, &h->l2, i == sel);
	}
}

/* A pending approval takes the first body line until the run moves on. */
static void lh_banner(struct lh_hud *h, struct lh_layout *L)
{
	const struct lh_kstate *k = lh_app_kstate(h->app);
	if (!k->approval || L->timeline.h < 3)
		return;
	struct lh_buf b = LH_BUF_INIT;
	lh_buf_puts(&b, h->control ? " APPROVAL REQUIRED (A: approve, X: stop) " : " APPROVAL REQUIRED ");
	lh_format_agent(&b, k->approval_agent, 40, h->fmt);
	lh_buf_puts(&b, ": ");
	lh_format_text(&b, k->approval_reason, 400, h->fmt);
	lh_screen_fill(L->timeline.y, 0, L->footer.w, LH_ST_WARNING);
	lh_screen_text(L->timeline.y, 0, L->footer.w, b.data, LH_ST_WARNING);
	lh_buf_free(&b);
	struct lh_rect *body[] = { &L->agents, &L->timeline, &L->detail };
	for (int i = 0; i < 3; i++) {
		if (body[i]->w) {
			body[i]->y++;
			body[i]->h--;
		}
	}
}

void lh_view_main(struct lh_hud *h, const struct lh_layout *layout)
{
	struct lh_layout lay = *layout, *L = &lay;
	lh_banner(h, L);
	lh_header(h, &L->header);
	lh_status(h, &L->status);
	lh_footer(h, &L->footer);
	bool ascii = h->fmt & LH_FMT_ASCII;
	if (h->view == LH_VIEW_DETAIL) {
		struct lh_rect r = { L->timeline.y, 0, L->timeline.h, L->footer.w };
		lh_view_detail(h, &r, true);
		return;
	}
	if (h->view == LH_VIEW_STATS) {
		struct lh_rect r = { L->timeline.y, 0, L->timeline.h, L->footer.w };
		lh_view_stats(h, &r);
		return;
	}
	h->drawn_agents = L->agents;
	if (L->agents.w) {
		lh_agents(h, &L->agents);
		lh_separator(L->agents.y, L->agents.w, L->agents.h, ascii);
	}
	lh_timeline(h, &L->timeline, L->narrow);
	if (L->detail.w) {
		lh_separator(L->detail.y, L->detail.x - 1, L->detail.h, ascii);
		lh_view_detail(h, &L->detail, false);
	}
}
