/* picker: the run, agent and category lists a key opens: what they hold
 * and which line is chosen. view_overlay.c draws them. */
#include "config.h"
#include "hud_impl.h"
#include "core/format.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void lh_picker_add(struct lh_picker *p, char *label, const char *value)
{
	if (p->n == p->cap) { /* doubling: a flood of runs makes a long list */
		p->cap = p->cap ? p->cap * 2 : 16;
		p->labels = lh_xrealloc(p->labels, p->cap * sizeof *p->labels);
		p->values = lh_xrealloc(p->values, p->cap * sizeof *p->values);
	}
	p->labels[p->n] = label;
	p->values[p->n] = value ? lh_xstrdup(value) : NULL;
	p->n++;
}

static char *lh_safe(const char *s, size_t max, unsigned fmt)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_format_text(&b, s, max, fmt);
	return b.data ? b.data : lh_xstrdup("");
}

struct lh_run_pos {
	const struct lh_run *run;
	size_t i;
};

static int lh_run_pos_cmp(const void *pa, const void *pb)
{
	const struct lh_run_pos *a = pa, *b = pb;
	int64_t ta = lh_run_last_activity_us(a->run), tb = lh_run_last_activity_us(b->run);
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void lh_picker_runs(struct lh_hud *h, struct lh_picker *p)
{
	int64_t now = lh_time_now_us();
	const struct lh_filter *f = lh_rows_filter(h->rows);
	lh_picker_add(p, lh_xstrdup("all runs"), NULL);
	lh_picker_add(p, lh_xstrdup("newest run, automatically"), "");
	/* Most recently active first; a tie keeps the order first seen. */
	size_t n = lh_store_run_count(h->store);
	struct lh_run_pos *pos = lh_xcalloc(n ? n : 1, sizeof *pos);
	const struct lh_run **runs = lh_xcalloc(n ? n : 1, sizeof *runs);
	for (size_t i = 0; i < n; i++)
		pos[i] = (struct lh_run_pos){ lh_store_run_at(h->store, i), i };
	qsort(pos, n, sizeof *pos, lh_run_pos_cmp);
	for (size_t i = 0; i < n; i++)
		runs[i] = pos[i].run;
	free(pos);
	for (size_t i = 0; i < n; i++) {
		char ago[16];
		char *id = lh_safe(lh_run_id(runs[i]), 32, h->fmt);
		lh_time_format_duration((now - lh_run_last_activity_us(runs[i])) / 1000, ago, sizeof ago);
		lh_picker_add(p, lh_xasprintf("%-32s %7zu events  %s ago", id, lh_run_entry_count(runs[i]), ago),
			      lh_run_id(runs[i]));
		free(id);
		if (!h->auto_run && f->run && strcmp(f->run, lh_run_id(runs[i])) == 0)
			p->sel = p->n - 1;
	}
	if (h->auto_run)
		p->sel = 1;
	free(runs);
}

static void lh_picker_agents(struct lh_hud *h, struct lh_picker *p)
{
	const struct lh_filter *f = lh_rows_filter(h->rows);
	const struct lh_run *run = f->run ? lh_store_find_run(h->store, f->run) : NULL;
	lh_picker_add(p, lh_xstrdup("all agents"), NULL);
	for (size_t i = 0; run && i < lh_run_agent_count(run); i++) {
		struct lh_agent_stats a;
		lh_run_agent_stats(run, i, &a);
		struct lh_buf name = LH_BUF_INIT;
		lh_format_agent(&name, a.id, 32, h->fmt);
		lh_picker_add(p, lh_xasprintf("%-32s %5llu calls %4llu errors", name.data,
					      (unsigned long long)a.calls, (unsigned long long)a.errors), a.id);
		lh_buf_free(&name);
		if (f->agent && strcmp(f->agent, a.id) == 0)
			p->sel = p->n - 1;
	}
}

void lh_picker_open(struct lh_hud *h, enum lh_picker_kind kind)
{
	lh_picker_close(h);
	struct lh_picker *p = &h->picker;
	p->kind = kind;
	if (kind == LH_PICK_RUN) {
		lh_picker_runs(h, p);
	} else if (kind == LH_PICK_AGENT) {
		lh_picker_agents(h, p);
	} else {
		for (int c = 0; c < LH_CATF_COUNT; c++) {
			char v[2] = { (char)('0' + c), 0 };
			lh_picker_add(p, lh_xstrdup(lh_cat_filter_name((enum lh_cat_filter)c)), v);
		}
		p->sel = lh_rows_filter(h->rows)->cat;
	}
}

void lh_picker_close(struct lh_hud *h)
{
	struct lh_picker *p = &h->picker;
	for (size_t i = 0; i < p->n; i++) {
		free(p->labels[i]);
		free(p->values[i]);
	}
	free(p->labels);
	free(p->values);
	memset(p, 0, sizeof *p);
}
