/* view_overlay: boxes drawn over the main screen: the help with every key,
 * and the pickers for run, agent and category. */
#include "config.h"
#include "hud_impl.h"
#include "core/format.h"
#include "screen.h"

#include <stdio.h>

static void lh_centered_box(int lines, int cols, int want_h, int want_w, const char *title,
			    bool ascii, struct lh_rect *inner)
{
	int h = want_h + 2 < lines ? want_h + 2 : lines;
	int w = want_w + 4 < cols ? want_w + 4 : cols;
	int y = (lines - h) / 2, x = (cols - w) / 2;
	lh_screen_box(y, x, h, w, title, ascii);
	*inner = (struct lh_rect){ y + 1, x + 2, h - 2, w - 4 };
}

/* Every key, as keys.c handles them. */
static const char *const lh_help_lines[] = {
	"Key            Action",
	"j k  Down Up   move the selection (moving up leaves follow mode)",
	"PgDn PgUp      half a screen down, up (also Space and b)",
	"g Home         the first item",
	"G End F        the last item, and follow new events",
	"Enter          the detail of the selected item (Esc: back); in it",
	"  w            wrap long lines or not; Left Right scroll sideways",
	"s              statistics per tool and per agent; in them",
	"  < > I        sort by the column before, after; invert",
	"  j k Enter    choose a tool; go to its slowest call",
	"r              choose the run (or all runs, or the newest)",
	"a              choose the agent",
	"c              choose the category: tools, thoughts, info",
	"e              errors only, on and off",
	"/              search (extended regex, any UTF-8); says match 3/17",
	"n N            the next, previous match",
	"&              only items matching a pattern; &!PAT hides them",
	"p              pending calls only, the longest waiting first",
	"m              mark the selected item, or unmark it",
	"] [            the next, previous marked item",
	"y              copy the item (a call's args, a result's text)",
	"Y              copy the payload exactly as received",
	"S              save the view's events as JSONL",
	"A              approve the run waiting for approval (the kernel's API)",
	"X              stop the run",
	"Esc            clear the filters and the search",
	"t              the next theme",
	"R              connect again after the server refused (401, 403)",
	"Ctrl-L         redraw the screen",
	"mouse          wheel scrolls, a click selects; on an agent, filters",
	"?              this help",
	"q              quit",
};

void lh_view_help(struct lh_hud *h, int lines, int cols)
{
	const char *const *help = lh_help_lines;
	size_t n = sizeof lh_help_lines / sizeof lh_help_lines[0];
	struct lh_rect r;
	bool fits = (int)n + 2 <= lines;
	lh_centered_box(lines, cols, (int)n, 72, fits ? "livehud keys (any key closes)" : "livehud keys (j/k: scroll)",
			h->fmt & LH_FMT_ASCII, &r);
	/* The heading stays; the keys under it scroll when the screen is short. */
	int rows = r.h - 1;
	int max = (int)n - 1 - rows > 0 ? (int)n - 1 - rows : 0;
	if (h->help_scroll > max)
		h->help_scroll = max;
	lh_screen_text(r.y, r.x, r.w, help[0], LH_ST_TITLE);
	for (int i = 0; i < rows && 1 + h->help_scroll + i < (int)n; i++)
		lh_screen_text(r.y + 1 + i, r.x, r.w, help[1 + h->help_scroll + i], LH_ST_NORMAL);
}

void lh_view_picker(struct lh_hud *h, int lines, int cols)
{
	struct lh_picker *p = &h->picker;
	static const char *const titles[] = { "", "run", "agent", "category" };
	char title[64];
	snprintf(title, sizeof title, "choose %s (Enter, Esc)", titles[p->kind]);
	struct lh_rect r;
	lh_centered_box(lines, cols, (int)p->n < 16 ? (int)p->n : 16, 56, title, h->fmt & LH_FMT_ASCII, &r);
	if (r.h <= 0)
		return;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + (size_t)r.h)
		p->top = p->sel - (size_t)r.h + 1;
	for (size_t i = p->top; i < p->n && (int)(i - p->top) < r.h; i++) {
		int y = r.y + (int)(i - p->top);
		if (i == p->sel)
			lh_screen_fill(y, r.x, r.w, LH_ST_SELECTED);
		lh_screen_text(y, r.x, r.w, p->labels[i], i == p->sel ? LH_ST_SELECTED : LH_ST_NORMAL);
	}
}
