#include "config.h"
#include "rowfmt.h"
#include "cells.h"
#include "core/format.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <string.h>

/* Enough for any screen; longer text is cut before it is formatted. */
#define LH_ROW_TEXT_MAX 400

const char *lh_rowfmt_spinner(unsigned fmt, int frame)
{
	static const char *const braille[] = {
		"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
		"\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f",
	};
	static const char *const ascii[] = { "|", "/", "-", "\\" };
	if (fmt & LH_FMT_ASCII)
		return ascii[(unsigned)frame % 4];
	return braille[(unsigned)frame % 10];
}

static void lh_row_prefix(const struct lh_rowfmt *rf, const struct lh_event *ev, struct lh_line *l)
{
	char clock[24];
	lh_time_format_clock(ev->ts_us, clock, sizeof clock);
	if (rf->short_time)
		clock[8] = '\0';
	lh_line_add(l, LH_ST_TIME, clock);
	if (rf->marked)
		lh_line_add(l, LH_ST_KEY, rf->fmt & LH_FMT_ASCII ? "*" : "\xe2\x97\x86");
	else
		lh_line_add(l, LH_ST_TIME, ev->ts_guessed ? "?" : " ");
	if (rf->show_run) {
		lh_line_add_untrusted(l, LH_ST_DIM, ev->run_id, 16, rf->fmt);
		lh_line_add(l, LH_ST_NORMAL, " ");
	}
	struct lh_buf agent = LH_BUF_INIT;
	lh_format_agent(&agent, ev->agent_id, rf->agent_cols ? (size_t)rf->agent_cols : 24, rf->fmt);
	lh_line_add(l, LH_ST_AGENT, agent.data);
	if (rf->agent_cols) {
		for (int cols = lh_cells_width(agent.data, agent.len); cols < rf->agent_cols; cols++)
			lh_line_add(l, LH_ST_NORMAL, " ");
	}
	lh_line_add(l, LH_ST_NORMAL, " ");
	lh_buf_free(&agent);
}

int64_t lh_rowfmt_pending_ms(const struct lh_entry *e, int64_t now_us)
{
	int64_t ms = (now_us - e->ts_us) / 1000;
	/* The producer's clock may run ahead of ours: never show negative. */
	if (ms < 0) {
		struct lh_event ev;
		lh_entry_event(e, &ev);
		ms = (now_us - ev.recv_us) / 1000;
	}
	return ms < 0 ? 0 : ms;
}

static void lh_row_duration(const struct lh_rowfmt *rf, const struct lh_entry *e, struct lh_line *l)
{
	const struct lh_marks *m = lh_format_marks(rf->fmt);
	char d[24];
	lh_line_right(l);
	if (e->state == LH_CALL_PENDING) {
		lh_time_format_duration(lh_rowfmt_pending_ms(e, rf->now_us), d, sizeof d);
		lh_line_add(l, LH_ST_PENDING, lh_rowfmt_spinner(rf->fmt, rf->spinner));
		lh_line_add(l, LH_ST_PENDING, " ");
		lh_line_add(l, LH_ST_PENDING, d);
		return;
	}
	if (e->duration_ms >= 0) {
		lh_time_format_duration(e->duration_ms, d, sizeof d);
		lh_line_add(l, LH_ST_DURATION, d);
		lh_line_add(l, LH_ST_NORMAL, " ");
	}
	if (e->cat == LH_CAT_TOOL_CALL || e->cat == LH_CAT_TOOL_RESULT)
		lh_line_add(l, e->error ? LH_ST_ERROR : LH_ST_OK, e->error ? m->err : m->ok);
}

static void lh_row_call(const struct lh_rowfmt *rf, const struct lh_event *ev, struct lh_line *l)
{
	struct lh_buf call = LH_BUF_INIT;
	size_t tool = lh_format_call(&call, ev, LH_ROW_TEXT_MAX, rf->fmt);
	if (!tool) {
		lh_line_add(l, LH_ST_TOOL, lh_buf_str(&call));
	} else {
		lh_line_add_n(l, LH_ST_TOOL, call.data, tool);
		lh_line_add(l, LH_ST_ARGS, call.data + tool);
	}
	lh_buf_free(&call);
}

/* The result under its call, indented to where the call text starts. */
static void lh_row_result_line(const struct lh_rowfmt *rf, const struct lh_entry *call,
			       size_t indent_cols, struct lh_line *l)
{
	const struct lh_entry *res = call->peer;
	lh_line_reset(l, LH_ST_NORMAL);
	for (size_t i = 0; i < indent_cols; i++)
		lh_line_add(l, LH_ST_NORMAL, " ");
	lh_line_add(l, res && res->error ? LH_ST_ERROR : LH_ST_RESULT, lh_format_marks(rf->fmt)->result);
	lh_line_add(l, LH_ST_NORMAL, " ");
	if (res)
		lh_line_add_untrusted(l, res->error ? LH_ST_ERROR : LH_ST_RESULT, lh_entry_message(res),
				      LH_ROW_TEXT_MAX, rf->fmt);
	else
		lh_line_add(l, LH_ST_DIM, "(result evicted)");
}

static void lh_row_other(const struct lh_rowfmt *rf, const struct lh_event *ev, struct lh_line *l)
{
	enum lh_style st = LH_ST_INFO;
	if (ev->cat == LH_CAT_THOUGHT) {
		st = LH_ST_THOUGHT;
		lh_line_add(l, st, rf->fmt & LH_FMT_ASCII ? ">> " : "\xc2\xbb ");
	} else if (ev->cat == LH_CAT_REASONING) {
		st = LH_ST_REASONING;
		lh_line_add(l, st, rf->fmt & LH_FMT_ASCII ? "~ " : "\xe2\x88\xb4 ");
	} else {
		lh_line_add(l, LH_ST_DIM, "[");
		lh_line_add_untrusted(l, LH_ST_DIM, ev->metadata, 16, rf->fmt);
		lh_line_add(l, LH_ST_DIM, "] ");
	}
	lh_line_add_untrusted(l, st, ev->message, LH_ROW_TEXT_MAX, rf->fmt);
}

int lh_rowfmt_entry(const struct lh_rowfmt *rf, const struct lh_entry *e, struct lh_line *l1,
		    struct lh_line *l2)
{
	struct lh_event ev;
	lh_entry_event(e, &ev);
	lh_line_reset(l1, LH_ST_NORMAL);
	lh_row_prefix(rf, &ev, l1);
	size_t indent = (size_t)lh_cells_width(l1->text.data, l1->text.len);
	if (rf->narrow && indent > 4)
		indent = 4;
	switch (ev.cat) {
	case LH_CAT_TOOL_CALL:
		lh_row_call(rf, &ev, l1);
		lh_row_duration(rf, e, l1);
		if (e->state == LH_CALL_DONE) {
			lh_row_result_line(rf, e, indent, l2);
			return 2;
		}
		return 1;
	case LH_CAT_TOOL_RESULT: /* an orphan, or a result whose call was evicted */
		lh_line_add(l1, LH_ST_ORPHAN, lh_format_marks(rf->fmt)->result);
		lh_line_add(l1, LH_ST_ORPHAN, e->call_evicted ? " (call evicted) "
					      : e->state == LH_CALL_ORPHAN ? " (no call) " : " ");
		if (ev.tool_name) {
			lh_line_add_untrusted(l1, LH_ST_TOOL, ev.tool_name, 64, rf->fmt);
			lh_line_add(l1, LH_ST_NORMAL, ": ");
		}
		lh_line_add_untrusted(l1, e->error ? LH_ST_ERROR : LH_ST_RESULT, ev.message,
				      LH_ROW_TEXT_MAX, rf->fmt);
		lh_row_duration(rf, e, l1);
		return 1;
	default:
		lh_row_other(rf, &ev, l1);
		return 1;
	}
}
