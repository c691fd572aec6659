/* hud_impl: the HUD's state, shared by the files of ui/ that draw it and
 * act on keys. Nothing outside ui/ includes this. */
#ifndef LH_HUD_IMPL_H
#define LH_HUD_IMPL_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "app/app.h"
#include "layout.h"
#include "line.h"
#include "app/options.h"
#include "rows.h"
#include "theme.h"

enum lh_view { LH_VIEW_MAIN, LH_VIEW_DETAIL, LH_VIEW_STATS };
enum lh_picker_kind { LH_PICK_NONE, LH_PICK_RUN, LH_PICK_AGENT, LH_PICK_CATEGORY };

struct lh_picker {
	enum lh_picker_kind kind;
	char **labels;   /* what is shown */
	char **values;   /* what is chosen; NULL means "all" */
	size_t n, cap, sel, top;
};

struct lh_hud {
	const struct lh_options *opts;
	struct lh_app *app;
	struct lh_store *store;
	struct lh_rows *rows;
	unsigned fmt;      /* LH_FMT_ASCII */
	bool color;
	struct lh_theme theme;

	uv_poll_t input;
	uv_signal_t winch;
	uv_timer_t frame;  /* the next redraw */
	int64_t last_draw_us;
	bool dirty, armed, quitting;
	int status;

	/* timeline */
	uint64_t sel_seq;
	bool follow;
	size_t top;        /* first item on screen */
	bool auto_run;     /* the selected run follows the newest activity */
	/* where the agents panel (w 0: none) and the timeline were last
	 * drawn, the timeline's items and their rows, for mouse clicks */
	struct lh_rect drawn_agents, drawn_area;
	size_t drawn_n;
	uint64_t drawn_seq[256];
	int drawn_y[256];

	enum lh_view view;
	bool help;
	struct lh_picker picker;
	int detail_scroll;

	/* search: typing into search_in; the compiled pattern when set */
	bool typing;
	char search_in[256];
	size_t search_len;
	char *search;
	regex_t re;

	/* events per second over the last whole second */
	uint64_t rate_count, rate_shown;
	int64_t rate_start_us;

	char message[256];
	int64_t message_until_us;
	int spinner;
	bool pending_visible;

	struct lh_line l1, l2;
};

/* hud.c: the state's own operations */
void lh_hud_dirty(struct lh_hud *h);
void lh_hud_say(struct lh_hud *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct lh_entry *lh_hud_selected(struct lh_hud *h);
void lh_hud_apply_filter(struct lh_hud *h, struct lh_filter *f);
bool lh_hud_entry_matches_search(struct lh_hud *h, const struct lh_entry *e);
void lh_hud_next_theme(struct lh_hud *h);

/* views */
void lh_view_main(struct lh_hud *h, const struct lh_layout *lay);
void lh_view_detail(struct lh_hud *h, const struct lh_rect *r, bool full);
void lh_view_stats(struct lh_hud *h, const struct lh_rect *r);
void lh_view_help(struct lh_hud *h, int lines, int cols);
void lh_view_picker(struct lh_hud *h, int lines, int cols);

/* keys */
void lh_keys_handle(struct lh_hud *h, int key);

/* picker.c */
void lh_picker_open(struct lh_hud *h, enum lh_picker_kind kind);
void lh_picker_close(struct lh_hud *h);

#endif
