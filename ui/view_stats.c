/* view_stats: per tool (count, errors, pending, p50, p95, max, total),
 * sorted by any column, for the selected run or all runs together; and
 * per agent totals for a run. Enter on a tool goes to its slowest call. */
#include "config.h"
#include "hud_impl.h"
#include "core/format.h"
#include "screen.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lh_stats_columns[LH_STATS_COLUMNS] = {
	"TOOL", "CALLS", "ERRORS", "PEND", "P50", "P95", "MAX", "TOTAL",
};

static int64_t lh_stats_key(const struct lh_tool_stats *t, int column)
{
	switch (column) {
	case 1: return (int64_t)t->calls;
	case 2: return (int64_t)t->errors;
	case 3: return (int64_t)t->pending;
	case 4: return t->completed ? t->p50_ms : -1;
	case 5: return t->completed ? t->p95_ms : -1;
	case 6: return t->completed ? t->max_ms : -1;
	default: return t->total_ms;
	}
}

static int lh_stats_column;
static bool lh_stats_ascending;

/* Names ascend and numbers descend unless inverted; ties go by name. */
static int lh_stats_cmp(const void *a, const void *b)
{
	const struct lh_tool_stats *x = a, *y = b;
	int by_name = strcmp(x->name, y->name), c = by_name;
	if (lh_stats_column) {
		int64_t kx = lh_stats_key(x, lh_stats_column), ky = lh_stats_key(y, lh_stats_column);
		c = kx == ky ? 0 : kx > ky ? -1 : 1;
	}
	if (lh_stats_ascending)
		c = -c;
	return c ? c : by_name;
}

struct lh_tool_stats *lh_stats_rows(struct lh_hud *h, size_t *n)
{
	const struct lh_filter *f = lh_rows_filter(h->rows);
	struct lh_tool_stats *rows;
	const struct lh_run *run = f->run ? lh_store_find_run(h->store, f->run) : NULL;
	if (run) {
		*n = lh_run_tool_count(run);
		rows = lh_xmalloc((*n + 1) * sizeof *rows);
		for (size_t i = 0; i < *n; i++)
			lh_run_tool_stats(run, i, &rows[i]);
	} else if (f->run) { /* a run with no events left */
		*n = 0;
		rows = lh_xmalloc(sizeof *rows);
	} else {
		rows = lh_store_tool_stats(h->store, n);
	}
	lh_stats_column = h->stats_sort;
	lh_stats_ascending = h->stats_ascending;
	qsort(rows, *n, sizeof *rows, lh_stats_cmp);
	return rows;
}

static void lh_stats_heading(struct lh_hud *h, const struct lh_rect *r, int y)
{
	static const int width[LH_STATS_COLUMNS] = { -20, 7, 6, 5, 8, 8, 8, 9 };
	char line[256], name[24];
	size_t len = 0;
	for (int c = 0; c < LH_STATS_COLUMNS; c++) {
		/* The sort column carries its direction. */
		snprintf(name, sizeof name, "%s%s", lh_stats_columns[c],
			 c != h->stats_sort ? "" : (c == 0) != h->stats_ascending ? "^" : "v");
		len += (size_t)snprintf(line + len, sizeof line - len, "%s%*s", c ? " " : "", width[c], name);
	}
	lh_screen_text(y, r->x, r->w, line, LH_ST_TITLE);
}

static void lh_stats_tool_line(struct lh_hud *h, const struct lh_tool_stats *t, char *line, size_t len)
{
	char p50[16], p95[16], max[16], total[16];
	lh_time_format_duration(t->p50_ms, p50, sizeof p50);
	lh_time_format_duration(t->p95_ms, p95, sizeof p95);
	lh_time_format_duration(t->max_ms, max, sizeof max);
	lh_time_format_duration(t->total_ms, total, sizeof total);
	struct lh_buf name = LH_BUF_INIT;
	lh_format_text(&name, t->name, 20, h->fmt);
	snprintf(line, len, "%-20s %7llu %6llu %5llu %8s %8s %8s %9s", name.data, (unsigned long long)t->calls,
		 (unsigned long long)t->errors, (unsigned long long)t->pending, t->completed ? p50 : "-",
		 t->completed ? p95 : "-", t->completed ? max : "-", total);
	lh_buf_free(&name);
}

/* The tools, a window of them around the selection when they do not all
 * fit in rows lines. */
static void lh_stats_tools(struct lh_hud *h, const struct lh_rect *r, int *y, int rows)
{
	size_t n;
	struct lh_tool_stats *t = lh_stats_rows(h, &n);
	lh_stats_heading(h, r, (*y)++);
	if (h->stats_sel >= n)
		h->stats_sel = n ? n - 1 : 0;
	if (h->stats_sel < h->stats_top)
		h->stats_top = h->stats_sel;
	if (rows > 0 && h->stats_sel >= h->stats_top + (size_t)rows)
		h->stats_top = h->stats_sel - (size_t)rows + 1;
	char line[256];
	for (size_t i = h->stats_top; i < n && rows-- > 0; i++, (*y)++) {
		lh_stats_tool_line(h, &t[i], line, sizeof line);
		if (i == h->stats_sel)
			lh_screen_fill(*y, r->x, r->w, LH_ST_SELECTED);
		lh_screen_text(*y, r->x, r->w, line, i == h->stats_sel ? LH_ST_SELECTED : t[i].errors ? LH_ST_ERROR : LH_ST_NORMAL);
	}
	if (!n)
		lh_screen_text((*y)++, r->x, r->w, "no tool calls yet", LH_ST_DIM);
	free(t);
}

static void lh_stats_agents(struct lh_hud *h, const struct lh_run *run, const struct lh_rect *r, int *y)
{
	char line[256], total[16];
	snprintf(line, sizeof line, "%-20s %7s %6s %5s %8s %9s %9s", "AGENT", "CALLS", "ERRORS", "PEND",
		 "ORPHANS", "EVENTS", "TOOL TIME");
	lh_screen_text((*y)++, r->x, r->w, line, LH_ST_TITLE);
	for (size_t i = 0; i < lh_run_agent_count(run) && *y < r->y + r->h; i++) {
		struct lh_agent_stats a;
		lh_run_agent_stats(run, i, &a);
		lh_time_format_duration(a.tool_ms, total, sizeof total);
		struct lh_buf name = LH_BUF_INIT;
		lh_format_agent(&name, a.id, 20, h->fmt);
		snprintf(line, sizeof line, "%-20s %7llu %6llu %5llu %8llu %9llu %9s", name.data,
			 (unsigned long long)a.calls, (unsigned long long)a.errors,
			 (unsigned long long)a.pending, (unsigned long long)a.orphans,
			 (unsigned long long)a.events, total);
		lh_buf_free(&name);
		lh_screen_text((*y)++, r->x, r->w, line, a.errors ? LH_ST_ERROR : LH_ST_NORMAL);
	}
}

void lh_view_stats(struct lh_hud *h, const struct lh_rect *r)
{
	const struct lh_filter *f = lh_rows_filter(h->rows);
	const struct lh_run *run = f->run ? lh_store_find_run(h->store, f->run) : NULL;
	int y = r->y;
	char title[200];
	snprintf(title, sizeof title, "STATS  %s%.100s  (< >: sort column, I: invert, Enter: slowest call, s/Esc: back)",
		 f->run ? "run " : "", f->run ? f->run : "all runs");
	lh_screen_text(y++, r->x, r->w, title, LH_ST_TITLE);
	y++;
	/* The agents of a run take what the tools leave, at least a third. */
	int agents = run ? (int)lh_run_agent_count(run) + 2 : 0;
	int room = r->y + r->h - y - 1;
	if (agents > room / 3 + 1)
		agents = room / 3 + 1;
	lh_stats_tools(h, r, &y, room - agents);
	y++;
	if (run && y < r->y + r->h)
		lh_stats_agents(h, run, r, &y);
}

/* Enter: the timeline at the selected tool's slowest call. */
void lh_stats_jump(struct lh_hud *h)
{
	size_t n;
	struct lh_tool_stats *t = lh_stats_rows(h, &n);
	uint64_t seq = h->stats_sel < n ? t[h->stats_sel].slowest_seq : 0;
	char name[64];
	snprintf(name, sizeof name, "%s", h->stats_sel < n ? t[h->stats_sel].name : "");
	free(t);
	struct lh_store_counts c;
	lh_store_get_counts(h->store, &c);
	const struct lh_entry *first = c.entries ? lh_store_entry_at(h->store, 0) : NULL;
	/* Seqs are consecutive in the store: the entry is found by subtraction. */
	const struct lh_entry *e = first && seq >= first->seq ? lh_store_entry_at(h->store, seq - first->seq) : NULL;
	if (!seq || !e || e->seq != seq) {
		lh_hud_say(h, seq ? "the slowest %s call was evicted" : "no completed %s call", name);
		return;
	}
	struct lh_filter f = { .run = lh_rows_filter(h->rows)->run ? (char *)lh_run_id(lh_entry_run(e)) : NULL };
	h->auto_run = false;
	lh_hud_apply_filter(h, &f);
	h->view = LH_VIEW_MAIN;
	h->follow = false;
	h->sel_seq = seq;
	char d[24];
	lh_time_format_duration(e->duration_ms, d, sizeof d);
	lh_hud_say(h, "the slowest %s call: %s", name, d);
}
