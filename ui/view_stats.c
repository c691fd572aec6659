/* view_stats: per tool (count, errors, pending, p50, p95, max, total) and
 * per agent totals, for the selected run. */
#include "config.h"
#include "hud_impl.h"
#include "core/format.h"
#include "screen.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <string.h>

static void lh_stats_tools(struct lh_hud *h, const struct lh_run *run, const struct lh_rect *r, int *y)
{
	char line[256], p50[16], p95[16], max[16], total[16];
	snprintf(line, sizeof line, "%-20s %7s %6s %5s %8s %8s %8s %9s", "TOOL", "CALLS", "ERRORS",
		 "PEND", "P50", "P95", "MAX", "TOTAL");
	lh_screen_text((*y)++, r->x, r->w, line, LH_ST_TITLE);
	for (size_t i = 0; i < lh_run_tool_count(run) && *y < r->y + r->h; i++) {
		struct lh_tool_stats t;
		lh_run_tool_stats(run, i, &t);
		lh_time_format_duration(t.p50_ms, p50, sizeof p50);
		lh_time_format_duration(t.p95_ms, p95, sizeof p95);
		lh_time_format_duration(t.max_ms, max, sizeof max);
		lh_time_format_duration(t.total_ms, total, sizeof total);
		struct lh_buf name = LH_BUF_INIT;
		lh_format_text(&name, t.name, 20, h->fmt);
		snprintf(line, sizeof line, "%-20s %7llu %6llu %5llu %8s %8s %8s %9s", name.data,
			 (unsigned long long)t.calls, (unsigned long long)t.errors,
			 (unsigned long long)t.pending, t.completed ? p50 : "-", t.completed ? p95 : "-",
			 t.completed ? max : "-", total);
		lh_buf_free(&name);
		lh_screen_text((*y)++, r->x, r->w, line, t.errors ? LH_ST_ERROR : LH_ST_NORMAL);
	}
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
	char title[160];
	snprintf(title, sizeof title, "STATS  run %.100s  (s or Esc: back)", f->run ? f->run : "-");
	lh_screen_text(y++, r->x, r->w, title, LH_ST_TITLE);
	if (!run) {
		lh_screen_text(y, r->x, r->w, "choose a run with r to see its stats", LH_ST_DIM);
		return;
	}
	y++;
	lh_stats_tools(h, run, r, &y);
	y++;
	if (y < r->y + r->h)
		lh_stats_agents(h, run, r, &y);
}
