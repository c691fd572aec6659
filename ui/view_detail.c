/* view_detail: everything about one item: its fields, the message and the
 * result in full, the args as indented JSON, and the raw event. Shown in a
 * pane beside the timeline on wide screens, or on its own after Enter. */
#include "config.h"
#include "hud_impl.h"
#include "cells.h"
#include "core/format.h"
#include "rowfmt.h"
#include "screen.h"
#include "lib/json.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 1 MiB web_search result is not read on a terminal: show this much. */
#define LH_DETAIL_TEXT_MAX (16 * 1024)

struct lh_dline {
	char *text;
	enum lh_style st;
};

struct lh_doc {
	struct lh_dline *lines;
	size_t n, cap;
	int width;
	unsigned fmt;
	bool nowrap; /* a paragraph is one line, cut at the screen's edge */
};

/* Where to break a line that does not fit in n bytes: after a space or
 * JSON punctuation in its second half when there is one, so that JSON
 * wraps between tokens; else where it stops fitting. */
static size_t lh_doc_break(const char *p, size_t n)
{
	for (size_t j = n; j > n / 2; j--)
		if (strchr(" ,:", p[j - 1]) || (j < n && strchr("{[", p[j])))
			return j;
	return n;
}

static void lh_doc_push(struct lh_doc *d, const char *s, size_t len, enum lh_style st)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->lines = lh_xrealloc(d->lines, d->cap * sizeof *d->lines);
	}
	d->lines[d->n++] = (struct lh_dline){ lh_xstrndup(s, len), st };
}

/* Sanitizes a stranger's text, keeping its line breaks, and wraps it. */
static void lh_doc_text(struct lh_doc *d, const char *s, enum lh_style st, int indent)
{
	struct lh_buf clean = LH_BUF_INIT;
	size_t len = strlen(s);
	bool cut = len > LH_DETAIL_TEXT_MAX;
	lh_text_sanitize(&clean, s, cut ? LH_DETAIL_TEXT_MAX : len, d->fmt & LH_FMT_ASCII ? LH_TEXT_ASCII : 0);
	int w = d->width - indent > 8 ? d->width - indent : 8;
	char pad[16];
	snprintf(pad, sizeof pad, "%*s", indent < 15 ? indent : 15, "");
	const char *p = lh_buf_str(&clean), *end = p + clean.len;
	struct lh_buf row = LH_BUF_INIT;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t para = nl ? (size_t)(nl - p) : (size_t)(end - p);
		do {
			size_t n = d->nowrap ? para : lh_cells_fit(p, para, w, NULL);
			if (!n && para)
				n = 1;
			if (n < para)
				n = lh_doc_break(p, n);
			lh_buf_reset(&row);
			lh_buf_puts(&row, pad);
			lh_buf_append(&row, p, n);
			lh_doc_push(d, row.data, row.len, st);
			p += n;
			para -= n;
		} while (para);
		p = nl ? nl + 1 : end;
	}
	if (cut) {
		char note[64];
		snprintf(note, sizeof note, "%s(%zu more bytes)", pad, len - LH_DETAIL_TEXT_MAX);
		lh_doc_push(d, note, strlen(note), LH_ST_DIM);
	}
	lh_buf_free(&clean);
	lh_buf_free(&row);
}

static void lh_doc_kv(struct lh_doc *d, const char *key, const char *value, enum lh_style st)
{
	char line[64];
	snprintf(line, sizeof line, "%-9s", key);
	struct lh_buf b = LH_BUF_INIT;
	lh_buf_puts(&b, line);
	lh_format_text(&b, value, (size_t)(d->width > 12 ? d->width * 4 : 40), d->fmt);
	size_t n = lh_cells_fit(b.data, b.len, d->width, NULL);
	lh_doc_push(d, b.data, n, st);
	lh_buf_free(&b);
}

static void lh_doc_title(struct lh_doc *d, const char *title)
{
	lh_doc_push(d, "", 0, LH_ST_NORMAL);
	lh_doc_push(d, title, strlen(title), LH_ST_TITLE);
}

static void lh_doc_free(struct lh_doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i].text);
	free(d->lines);
}

static void lh_doc_times(struct lh_doc *d, const struct lh_entry *e, int64_t now_us)
{
	char ts[40], buf[96];
	lh_time_format_rfc3339(e->ts_us, ts, sizeof ts);
	snprintf(buf, sizeof buf, "%s%s", ts, e->ts_guessed ? " (received; none sent)" : "");
	lh_doc_kv(d, "Time", buf, LH_ST_TIME);
	if (e->cat != LH_CAT_TOOL_CALL && e->cat != LH_CAT_TOOL_RESULT)
		return;
	char dur[24];
	if (e->state == LH_CALL_PENDING) {
		lh_time_format_duration(lh_rowfmt_pending_ms(e, now_us), dur, sizeof dur);
		snprintf(buf, sizeof buf, "pending for %s", dur);
		lh_doc_kv(d, "Duration", buf, LH_ST_PENDING);
	} else if (e->duration_ms >= 0) {
		lh_time_format_duration(e->duration_ms, dur, sizeof dur);
		snprintf(buf, sizeof buf, "%s %s", dur, e->error ? "failed" : "ok");
		lh_doc_kv(d, "Duration", buf, e->error ? LH_ST_ERROR : LH_ST_OK);
	}
}

static void lh_doc_args(struct lh_doc *d, const char *args)
{
	struct lh_buf pretty = LH_BUF_INIT;
	lh_json_pretty(&pretty, args, strlen(args));
	lh_doc_title(d, "Args");
	lh_doc_text(d, lh_buf_str(&pretty), LH_ST_ARGS, 2);
	lh_buf_free(&pretty);
}

/* The call as the timeline and plain output read it. */
static void lh_doc_call(struct lh_doc *d, const struct lh_event *ev)
{
	struct lh_buf call = LH_BUF_INIT;
	lh_format_call(&call, ev, (size_t)(d->width > 12 ? d->width * 4 : 40), d->fmt);
	lh_doc_kv(d, "Call", lh_buf_str(&call), LH_ST_TOOL);
	lh_buf_free(&call);
}

/* The payload byte for byte as it arrived (from the spill, or the file it
 * was read from); when it is not available, the event written again from
 * its parsed fields, and titled so. */
static void lh_doc_raw(struct lh_doc *d, struct lh_hud *h, const char *title, const struct lh_entry *e)
{
	struct lh_buf b = LH_BUF_INIT;
	if (lh_hud_raw(h, e, &b) == 0) {
		lh_doc_title(d, title);
	} else {
		char t[128];
		snprintf(t, sizeof t, "%s (as parsed: %s)", title, lh_hud_raw_why(errno));
		lh_doc_title(d, t);
		struct lh_event ev;
		lh_entry_event(e, &ev);
		lh_buf_reset(&b);
		lh_event_to_json(&ev, &b);
	}
	lh_doc_text(d, lh_buf_str(&b), LH_ST_DIM, 2);
	lh_buf_free(&b);
}

static void lh_doc_build(struct lh_doc *d, struct lh_hud *h, const struct lh_entry *e)
{
	struct lh_event whole;
	struct lh_event *rest = lh_hud_event(h, e, &whole);
	const struct lh_event *ev = &whole;
	lh_doc_kv(d, "Run", ev->run_id, LH_ST_NORMAL);
	lh_doc_kv(d, "Agent", ev->agent_id, LH_ST_AGENT);
	lh_doc_kv(d, "Category", ev->category, LH_ST_NORMAL);
	lh_doc_kv(d, "Metadata", ev->metadata, ev->is_error ? LH_ST_ERROR : LH_ST_NORMAL);
	if (ev->tool_name)
		lh_doc_kv(d, "Tool", ev->tool_name, LH_ST_TOOL);
	if (ev->cat == LH_CAT_TOOL_CALL)
		lh_doc_call(d, ev);
	if (ev->call_id)
		lh_doc_kv(d, "Call id", ev->call_id, LH_ST_NORMAL);
	if (e->call_evicted)
		lh_doc_kv(d, "Pairing", "its call was evicted (--max-events)", LH_ST_ORPHAN);
	else if (e->state == LH_CALL_ORPHAN)
		lh_doc_kv(d, "Pairing", "no call found for this result", LH_ST_ORPHAN);
	lh_doc_times(d, e, lh_hud_now_us(h));
	lh_doc_title(d, "Message");
	lh_doc_text(d, ev->message, LH_ST_NORMAL, 2);
	if (ev->args)
		lh_doc_args(d, ev->args);
	if (ev->cat == LH_CAT_TOOL_CALL && e->peer) {
		lh_doc_title(d, e->peer->error ? "Result (error)" : "Result");
		lh_doc_text(d, lh_entry_message(e->peer), e->peer->error ? LH_ST_ERROR : LH_ST_RESULT, 2);
	}
	lh_doc_raw(d, h, "Raw event", e);
	if (ev->cat == LH_CAT_TOOL_CALL && e->peer)
		lh_doc_raw(d, h, "Raw result", e->peer);
	lh_event_free(rest);
}

void lh_view_detail(struct lh_hud *h, const struct lh_rect *r, bool full)
{
	const struct lh_entry *e = lh_hud_selected(h);
	int y = r->y;
	if (full) {
		lh_screen_text(y++, r->x, r->w,
			       h->nowrap ? "DETAIL  (Esc: back, j/k: scroll, \xe2\x86\x90/\xe2\x86\x92: sideways, w: wrap, y/Y: copy)"
					 : "DETAIL  (Esc: back, j/k: scroll, w: unwrap, y/Y: copy)",
			       LH_ST_TITLE);
	} else {
		lh_screen_text(y++, r->x, r->w, "DETAIL", LH_ST_TITLE);
	}
	if (!e) {
		lh_screen_text(y, r->x, r->w, "nothing selected", LH_ST_DIM);
		return;
	}
	struct lh_doc d = { .width = r->w, .fmt = h->fmt, .nowrap = full && h->nowrap };
	lh_doc_build(&d, h, e);
	int rows = r->h - (y - r->y);
	int max_scroll = (int)d.n - rows > 0 ? (int)d.n - rows : 0;
	if (!full)
		h->detail_scroll = 0;
	else if (h->detail_scroll > max_scroll)
		h->detail_scroll = max_scroll;
	int skip = d.nowrap ? h->detail_hscroll : 0;
	for (size_t i = (size_t)h->detail_scroll; i < d.n && y < r->y + r->h; i++) {
		const char *t = d.lines[i].text;
		t += lh_cells_fit(t, strlen(t), skip, NULL);
		lh_screen_text(y++, r->x, r->w, t, d.lines[i].st);
	}
	lh_doc_free(&d);
}
