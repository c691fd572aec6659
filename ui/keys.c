/* keys: what each key does, in each mode (main, detail, stats, picker,
 * help, search input): keys change the HUD's state and mark it dirty;
 * drawing is the views'. The help overlay lists them (view_overlay.c). */
#include "config.h"
#include "hud_impl.h"
#include "core/format.h"
#include "lib/xalloc.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LH_KEY_ESC 27
#define LH_CTRL(c) ((c) & 0x1f)

/* ---- moving ---- */

static void lh_select_index(struct lh_hud *h, long i)
{
	size_t n = lh_rows_count(h->rows);
	if (!n)
		return;
	if (i < 0)
		i = 0;
	if ((size_t)i >= n)
		i = (long)n - 1;
	h->sel_seq = lh_rows_at(h->rows, (size_t)i)->seq;
}

static long lh_sel_index(struct lh_hud *h)
{
	lh_rows_sync(h->rows);
	size_t n = lh_rows_count(h->rows);
	if (!n)
		return 0;
	size_t i = h->follow ? n - 1 : lh_rows_find(h->rows, h->sel_seq);
	return (long)(i < n ? i : n - 1);
}

static void lh_move(struct lh_hud *h, long delta)
{
	long i = lh_sel_index(h) + delta;
	if (h->follow && delta < 0)
		h->follow = false;
	lh_select_index(h, i);
}

static void lh_follow(struct lh_hud *h)
{
	h->follow = true;
	lh_select_index(h, (long)lh_rows_count(h->rows) - 1);
}

/* ---- search ---- */

/* Items a turn of the loop counts matches in: a few milliseconds. */
#define LH_COUNT_SLICE 20000

static void lh_count_step(uv_idle_t *idle)
{
	struct lh_hud *h = idle->data;
	struct lh_buf scratch = LH_BUF_INIT;
	lh_rows_sync(h->rows);
	size_t n = lh_rows_count(h->rows), i = lh_rows_find(h->rows, h->count_cursor);
	size_t end = n - i > LH_COUNT_SLICE ? i + LH_COUNT_SLICE : n;
	for (; i < end; i++) {
		lh_rows_prefetch(h->rows, i);
		const struct lh_entry *e = lh_rows_at(h->rows, i);
		if (lh_hud_entry_matches_search(h, e, &scratch)) {
			h->count_total++;
			h->count_rank += e->seq <= h->count_target;
		}
	}
	lh_buf_free(&scratch);
	if (i < n) {
		h->count_cursor = lh_rows_at(h->rows, i)->seq;
		return;
	}
	uv_idle_stop(idle);
	h->count_done = n > 0;
	h->count_rows = n;
	if (n) {
		h->count_first = lh_rows_at(h->rows, 0)->seq;
		h->count_last = lh_rows_at(h->rows, n - 1)->seq;
	}
	if (h->sel_seq == h->count_target && h->count_total)
		lh_hud_say(h, "match %zu/%zu", h->count_rank, h->count_total);
}

/* Whether the finished count still holds: the view has the same rows
 * (rows only come at its end and go from its start), and the selection is
 * still on the match counted. */
static bool lh_count_holds(struct lh_hud *h)
{
	size_t n = lh_rows_count(h->rows);
	return h->count_done && h->count_total && h->sel_seq == h->count_target && n == h->count_rows &&
	       lh_rows_at(h->rows, 0)->seq == h->count_first && lh_rows_at(h->rows, n - 1)->seq == h->count_last;
}

/* Goes to the next match in direction dir (the current item counts when
 * include_current), wrapping around, and shows it at once; which match it
 * is of how many is counted after, on the loop, unless a count of the same
 * view already says (n and N over a file that is not growing). */
static void lh_search_step(struct lh_hud *h, long dir, bool include_current)
{
	if (!h->search)
		return;
	bool holds = !include_current && lh_count_holds(h);
	lh_search_count_stop(h);
	size_t start = (size_t)lh_sel_index(h), n = lh_rows_count(h->rows), at = SIZE_MAX;
	struct lh_buf scratch = LH_BUF_INIT;
	for (size_t k = include_current ? 0 : 1; k < n + !include_current && at == SIZE_MAX; k++) {
		size_t i = dir > 0 ? (start + k) % n : (start + n - k % n) % n;
		if (dir > 0)
			lh_rows_prefetch(h->rows, i);
		if (lh_hud_entry_matches_search(h, lh_rows_at(h->rows, i), &scratch))
			at = i;
	}
	lh_buf_free(&scratch);
	if (at == SIZE_MAX) {
		lh_hud_say(h, "pattern not found: %s", h->search);
		return;
	}
	h->follow = false;
	lh_select_index(h, (long)at);
	h->count_target = h->sel_seq;
	if (holds) { /* the next match in dir is the neighbour in rank */
		size_t t = h->count_total;
		h->count_rank = dir > 0 ? h->count_rank % t + 1 : (h->count_rank + t - 2) % t + 1;
		h->count_done = true;
		lh_hud_say(h, "match %zu/%zu", h->count_rank, h->count_total);
		return;
	}
	lh_hud_say(h, "match (counting)");
	h->count_cursor = lh_rows_at(h->rows, 0)->seq;
	h->count_total = h->count_rank = 0;
	uv_idle_start(&h->count, lh_count_step);
}

static void lh_search_set(struct lh_hud *h, const char *pattern)
{
	lh_search_count_stop(h);
	if (h->search) {
		regfree(&h->re);
		free(h->search);
		h->search = NULL;
		lh_must_free(h->search_must);
		h->search_must = NULL;
	}
	if (!*pattern)
		return;
	int rc = lh_rows_regcomp(&h->re, pattern);
	if (rc != 0) {
		char err[128];
		regerror(rc, &h->re, err, sizeof err);
		regfree(&h->re);
		lh_hud_say(h, "bad pattern: %s", err);
		return;
	}
	h->search = lh_xstrdup(pattern);
	h->search_must = lh_must_new(pattern);
	lh_search_step(h, 1, true);
}

/* &PATTERN shows only the items that match, &!PATTERN hides them, and
 * an empty pattern shows all again, as in less. */
static void lh_grep_set(struct lh_hud *h, const char *pattern)
{
	struct lh_filter f = *lh_rows_filter(h->rows);
	f.grep_invert = pattern[0] == '!';
	f.grep = pattern[f.grep_invert] ? (char *)pattern + f.grep_invert : NULL;
	if (lh_hud_apply_filter(h, &f) == 0 && f.grep)
		lh_hud_say(h, "%zu item%s %s", lh_rows_count(h->rows), lh_rows_count(h->rows) == 1 ? "" : "s",
			   f.grep_invert ? "do not match" : "match");
}

/* ---- the status line's prompt ---- */

static void lh_prompt_open(struct lh_hud *h, enum lh_prompt kind, const char *initial);

static void lh_save_start(struct lh_hud *h)
{
	char name[256];
	lh_save_default_name(h, name, sizeof name);
	lh_prompt_open(h, LH_PROMPT_SAVE, name);
}

static void lh_prompt_open(struct lh_hud *h, enum lh_prompt kind, const char *initial)
{
	h->prompt = kind;
	snprintf(h->input_text, sizeof h->input_text, "%s", initial);
	h->input_len = strlen(h->input_text);
	h->message_until_us = 0; /* a stale "not found" goes with the new question */
}

static void lh_prompt_done(struct lh_hud *h)
{
	enum lh_prompt kind = h->prompt;
	h->prompt = LH_PROMPT_NONE;
	h->input_text[h->input_len] = '\0';
	if (kind == LH_PROMPT_SEARCH)
		lh_search_set(h, h->input_text);
	else if (kind == LH_PROMPT_GREP)
		lh_grep_set(h, h->input_text);
	else if (kind == LH_PROMPT_SAVE && h->input_len)
		lh_save_view(h, h->input_text);
}

/* Keys arrive as bytes: a UTF-8 character is typed a byte at a time, and
 * Backspace takes back a whole character. */
static void lh_key_prompt(struct lh_hud *h, int key)
{
	if (h->prompt == LH_PROMPT_CONFIRM) {
		h->prompt = LH_PROMPT_NONE;
		if (key == 'y' || key == 'Y')
			h->on_yes(h, h->question_run);
		else
			lh_hud_say(h, "cancelled");
		return;
	}
	if (key == LH_KEY_ESC) {
		h->prompt = LH_PROMPT_NONE;
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		lh_prompt_done(h);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (!h->input_len)
			h->prompt = LH_PROMPT_NONE;
		while (h->input_len && ((unsigned char)h->input_text[h->input_len - 1] & 0xc0) == 0x80)
			h->input_len--;
		if (h->input_len)
			h->input_len--;
	} else if (key == LH_CTRL('u')) {
		h->input_len = 0;
	} else if (key >= 0x20 && key <= 0xff && key != 0x7f && h->input_len + 1 < sizeof h->input_text) {
		h->input_text[h->input_len++] = (char)key;
	}
}

/* ---- pickers and filters ---- */

static void lh_pick(struct lh_hud *h)
{
	struct lh_picker *p = &h->picker;
	struct lh_filter f = *lh_rows_filter(h->rows);
	const char *v = p->sel < p->n ? p->values[p->sel] : NULL;
	if (p->kind == LH_PICK_RUN) {
		h->auto_run = v && !*v;
		f.run = h->auto_run ? NULL : (char *)v;
		f.agent = NULL;
	} else if (p->kind == LH_PICK_AGENT) {
		f.agent = (char *)v;
	} else if (v) {
		f.cat = (enum lh_cat_filter)(v[0] - '0');
	}
	lh_hud_apply_filter(h, &f);
	lh_picker_close(h);
}

static void lh_key_picker(struct lh_hud *h, int key)
{
	struct lh_picker *p = &h->picker;
	switch (key) {
	case 'j': case KEY_DOWN: if (p->sel + 1 < p->n) p->sel++; break;
	case 'k': case KEY_UP: if (p->sel) p->sel--; break;
	case KEY_NPAGE: p->sel = p->sel + 10 < p->n ? p->sel + 10 : (p->n ? p->n - 1 : 0); break;
	case KEY_PPAGE: p->sel = p->sel > 10 ? p->sel - 10 : 0; break;
	case '\n': case '\r': case KEY_ENTER: lh_pick(h); break;
	case LH_KEY_ESC: case 'q': lh_picker_close(h); break;
	default: break;
	}
}

static void lh_clear_filters(struct lh_hud *h)
{
	struct lh_filter f = *lh_rows_filter(h->rows);
	f.agent = NULL;
	f.cat = LH_CATF_ALL;
	f.errors = false;
	f.pending = false;
	f.grep = NULL;
	lh_search_set(h, "");
	lh_hud_apply_filter(h, &f);
}

static void lh_toggle_errors(struct lh_hud *h)
{
	struct lh_filter f = *lh_rows_filter(h->rows);
	f.errors = !f.errors;
	lh_hud_apply_filter(h, &f);
}

/* What is running right now, the longest waiting first (arrival order). */
static void lh_toggle_pending(struct lh_hud *h)
{
	struct lh_filter f = *lh_rows_filter(h->rows);
	f.pending = !f.pending;
	if (f.pending) {
		h->follow = false;
		h->sel_seq = 0;
	}
	lh_hud_apply_filter(h, &f);
	if (f.pending)
		lh_hud_say(h, "%zu pending call%s", lh_rows_count(h->rows), lh_rows_count(h->rows) == 1 ? "" : "s");
}

/* ---- marks ---- */

static void lh_toggle_mark(struct lh_hud *h)
{
	const struct lh_entry *e = lh_hud_selected(h);
	if (!e)
		return;
	size_t i = 0;
	while (i < h->n_marks && h->marks[i] < e->seq)
		i++;
	if (i < h->n_marks && h->marks[i] == e->seq) {
		memmove(h->marks + i, h->marks + i + 1, (h->n_marks - i - 1) * sizeof *h->marks);
		h->n_marks--;
		lh_hud_say(h, "mark removed (%zu left)", h->n_marks);
		return;
	}
	if (h->n_marks == h->cap_marks) {
		h->cap_marks = h->cap_marks ? h->cap_marks * 2 : 16;
		h->marks = lh_xrealloc(h->marks, h->cap_marks * sizeof *h->marks);
	}
	memmove(h->marks + i + 1, h->marks + i, (h->n_marks - i) * sizeof *h->marks);
	h->marks[i] = e->seq;
	h->n_marks++;
	h->follow = false;
	h->sel_seq = e->seq;
	lh_hud_say(h, "marked (%zu mark%s; ] and [ jump)", h->n_marks, h->n_marks == 1 ? "" : "s");
}

/* The next (dir 1) or previous marked item in the view, wrapping. */
static void lh_jump_mark(struct lh_hud *h, long dir)
{
	size_t n = lh_rows_count(h->rows);
	long start = lh_sel_index(h);
	for (size_t k = 1; k <= n; k++) {
		long i = ((start + dir * (long)k) % (long)n + (long)n) % (long)n;
		if (lh_hud_marked(h, lh_rows_at(h->rows, (size_t)i)->seq)) {
			h->follow = false;
			lh_select_index(h, i);
			return;
		}
	}
	lh_hud_say(h, h->n_marks ? "no marked item in this view" : "no marks (m marks the selected item)");
}

/* ---- mouse ---- */

static bool lh_inside(const struct lh_rect *r, const MEVENT *m)
{
	return m->x >= r->x && m->x < r->x + r->w && m->y >= r->y && m->y < r->y + r->h;
}

/* A click on an agent (two lines each, under the title) shows only its
 * events; on the agent already shown, everyone's again. */
static void lh_click_agent(struct lh_hud *h, int y)
{
	struct lh_filter f = *lh_rows_filter(h->rows);
	const struct lh_run *run = f.run ? lh_store_find_run(h->store, f.run) : NULL;
	int i = (y - h->drawn_agents.y - 1) / 2;
	if (!run || y <= h->drawn_agents.y || (size_t)i >= lh_run_agent_count(run))
		return;
	struct lh_agent_stats a;
	lh_run_agent_stats(run, (size_t)i, &a);
	f.agent = f.agent && strcmp(f.agent, a.id) == 0 ? NULL : (char *)a.id;
	lh_hud_apply_filter(h, &f);
}

static void lh_click_timeline(struct lh_hud *h, int y)
{
	for (size_t i = h->drawn_n; i-- > 0;) {
		if (y >= h->drawn_y[i]) {
			h->follow = false;
			h->sel_seq = h->drawn_seq[i];
			break;
		}
	}
}

static void lh_key_mouse(struct lh_hud *h)
{
	MEVENT m;
	if (getmouse(&m) != OK)
		return;
	if (m.bstate & BUTTON4_PRESSED)
		lh_move(h, -3);
	else if (m.bstate & BUTTON5_PRESSED)
		lh_move(h, 3);
	else if (!(m.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	else if (lh_inside(&h->drawn_agents, &m))
		lh_click_agent(h, m.y);
	else if (lh_inside(&h->drawn_area, &m))
		lh_click_timeline(h, m.y);
}

/* ---- views ---- */

static void lh_key_detail(struct lh_hud *h, int key)
{
	switch (key) {
	case 'j': case KEY_DOWN: h->detail_scroll++; break;
	case 'k': case KEY_UP: if (h->detail_scroll) h->detail_scroll--; break;
	case KEY_NPAGE: case ' ': h->detail_scroll += LINES - 4; break;
	case KEY_PPAGE: case 'b': h->detail_scroll = h->detail_scroll > LINES - 4 ? h->detail_scroll - (LINES - 4) : 0; break;
	case 'g': case KEY_HOME: h->detail_scroll = 0; break;
	case 'G': case KEY_END: h->detail_scroll = 1 << 30; break;
	case 'w': h->nowrap = !h->nowrap; h->detail_hscroll = 0; break;
	case KEY_RIGHT: case 'l': if (h->nowrap) h->detail_hscroll += 8; break;
	case KEY_LEFT: case 'h': h->detail_hscroll = h->detail_hscroll > 8 ? h->detail_hscroll - 8 : 0; break;
	case 'y': lh_clip_copy(h, false); break;
	case 'Y': lh_clip_copy(h, true); break;
	case LH_KEY_ESC: case 'q': case '\n': case '\r': case KEY_ENTER: case KEY_BACKSPACE:
		h->view = LH_VIEW_MAIN;
		break;
	default: break;
	}
}

static void lh_key_stats(struct lh_hud *h, int key)
{
	switch (key) {
	case 'j': case KEY_DOWN: h->stats_sel++; break;
	case 'k': case KEY_UP: if (h->stats_sel) h->stats_sel--; break;
	case KEY_NPAGE: case ' ': h->stats_sel += 10; break;
	case KEY_PPAGE: case 'b': h->stats_sel = h->stats_sel > 10 ? h->stats_sel - 10 : 0; break;
	case 'g': case KEY_HOME: h->stats_sel = 0; break;
	case 'G': case KEY_END: h->stats_sel = SIZE_MAX / 2; break;
	case '<': h->stats_sort = (h->stats_sort + LH_STATS_COLUMNS - 1) % LH_STATS_COLUMNS; break;
	case '>': h->stats_sort = (h->stats_sort + 1) % LH_STATS_COLUMNS; break;
	case 'I': h->stats_ascending = !h->stats_ascending; break;
	case '\n': case '\r': case KEY_ENTER: lh_stats_jump(h); break;
	case 's': case LH_KEY_ESC: case 'q': h->view = LH_VIEW_MAIN; break;
	default: break;
	}
}

static void lh_key_main(struct lh_hud *h, int key)
{
	int page = LINES > 6 ? (LINES - 4) / 2 : 1;
	switch (key) {
	case 'j': case KEY_DOWN: lh_move(h, 1); break;
	case 'k': case KEY_UP: lh_move(h, -1); break;
	case KEY_NPAGE: case ' ': lh_move(h, page); break;
	case KEY_PPAGE: case 'b': lh_move(h, -page); break;
	case 'g': case KEY_HOME: h->follow = false; lh_select_index(h, 0); break;
	case 'G': case 'F': case KEY_END: lh_follow(h); break;
	case '\n': case '\r': case KEY_ENTER: h->view = LH_VIEW_DETAIL; h->detail_scroll = 0; break;
	case 's': h->view = LH_VIEW_STATS; break;
	case 'r': lh_picker_open(h, LH_PICK_RUN); break;
	case 'a': lh_picker_open(h, LH_PICK_AGENT); break;
	case 'c': lh_picker_open(h, LH_PICK_CATEGORY); break;
	case 'e': lh_toggle_errors(h); break;
	case '/': lh_prompt_open(h, LH_PROMPT_SEARCH, ""); break;
	case '&': lh_prompt_open(h, LH_PROMPT_GREP, ""); break;
	case 'p': lh_toggle_pending(h); break;
	case 'm': lh_toggle_mark(h); break;
	case ']': lh_jump_mark(h, 1); break;
	case '[': lh_jump_mark(h, -1); break;
	case 'y': lh_clip_copy(h, false); break;
	case 'Y': lh_clip_copy(h, true); break;
	case 'S': lh_save_start(h); break;
	case 'A': lh_act_approve(h); break;
	case 'X': lh_act_stop(h); break;
	case 'n': lh_search_step(h, 1, false); break;
	case 'N': lh_search_step(h, -1, false); break;
	case 't': lh_hud_next_theme(h); break;
	case 'R': lh_app_source_retry(h->app); break;
	case '?': h->help = true; h->help_scroll = 0; break;
	case LH_KEY_ESC: lh_clear_filters(h); break;
	case KEY_MOUSE: lh_key_mouse(h); break;
	default: break;
	}
}

void lh_keys_handle(struct lh_hud *h, int key)
{
	if (key == KEY_RESIZE)
		return; /* SIGWINCH is handled by the loop */
	if (key == LH_CTRL('l')) {
		clearok(curscr, TRUE);
		return;
	}
	if (h->help) {
		if (key == 'j' || key == KEY_DOWN || key == KEY_NPAGE || key == ' ')
			h->help_scroll += key == 'j' || key == KEY_DOWN ? 1 : LINES / 2;
		else if (key == 'k' || key == KEY_UP || key == KEY_PPAGE)
			h->help_scroll = h->help_scroll > 1 ? h->help_scroll - (key == KEY_PPAGE ? LINES / 2 : 1) : 0;
		else
			h->help = false;
		if (h->help_scroll < 0)
			h->help_scroll = 0;
	} else if (h->prompt != LH_PROMPT_NONE) {
		lh_key_prompt(h, key);
	} else if (h->picker.kind != LH_PICK_NONE) {
		lh_key_picker(h, key);
	} else if (h->view == LH_VIEW_DETAIL) {
		lh_key_detail(h, key);
	} else if (h->view == LH_VIEW_STATS) {
		lh_key_stats(h, key);
	} else {
		lh_key_main(h, key);
	}
}
