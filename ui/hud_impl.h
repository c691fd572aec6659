/* hud_impl: the HUD's state, shared by the files of ui/ that draw it and
 * act on keys. Nothing outside ui/ includes this. */
#ifndef LH_HUD_IMPL_H
#define LH_HUD_IMPL_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "app/app.h"
#include "app/control.h"
#include "layout.h"
#include "line.h"
#include "app/options.h"
#include "rows.h"
#include "theme.h"

enum lh_view { LH_VIEW_MAIN, LH_VIEW_DETAIL, LH_VIEW_STATS };
/* The stats' columns: tool, calls, errors, pending, p50, p95, max, total. */
#define LH_STATS_COLUMNS 8
#define LH_STATS_P95 5
enum lh_picker_kind { LH_PICK_NONE, LH_PICK_RUN, LH_PICK_AGENT, LH_PICK_CATEGORY };
/* What the status line is asking for. */
enum lh_prompt { LH_PROMPT_NONE, LH_PROMPT_SEARCH, LH_PROMPT_GREP, LH_PROMPT_SAVE, LH_PROMPT_CONFIRM };

struct lh_picker {
	enum lh_picker_kind kind;
	char **labels;   /* what is shown */
	char **values;   /* what is chosen; NULL means "all" */
	size_t n, cap, sel, top;
};

struct lh_save;

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
	int64_t last_draw_us, armed_due_us; /* monotonic */
	bool dirty, armed, quitting;
	int status;

	/* timeline */
	uint64_t sel_seq;
	bool follow;
	size_t top;        /* first item on screen */
	bool auto_run;     /* the selected run follows the newest activity */
	const char *new_run; /* auto_run but paused: the newer run not switched to */
	/* where the agents panel (w 0: none) and the timeline were last
	 * drawn, the timeline's items and their rows, for mouse clicks */
	struct lh_rect drawn_agents, drawn_area;
	size_t drawn_n;
	uint64_t drawn_seq[256];
	int drawn_y[256];

	/* stats: the sort column (LH_STATS_*), the selected tool row */
	int stats_sort;
	bool stats_ascending;
	size_t stats_sel, stats_top;

	enum lh_view view;
	bool help;
	int help_scroll;
	struct lh_picker picker;
	int detail_scroll;

	/* the status line's prompt: text typed (UTF-8) or a y/n question,
	 * and what a yes does, for the run it names */
	enum lh_prompt prompt;
	char input_text[1024];
	size_t input_len;
	char question[200];
	void (*on_yes)(struct lh_hud *h, const char *run);
	char *question_run;

	/* search: the compiled pattern when set, and the words it needs */
	char *search;
	regex_t re;
	struct lh_must *search_must;
	/* "match k/n": the matches counted on the loop, a slice per turn,
	 * after the one found is shown: up to cursor (a seq), rank of them up
	 * to target (the match found) */
	uv_idle_t count;
	uint64_t count_target, count_cursor;
	size_t count_total, count_rank;
	/* a count finished, over the view as it was then: count_rows rows
	 * from seq count_first to count_last (while the view is the same,
	 * n and N step the rank instead of counting again) */
	bool count_done;
	size_t count_rows;
	uint64_t count_first, count_last;

	/* S under way, a slice a loop turn (save.c); NULL when none */
	struct lh_save *save;
	uv_idle_t save_idle;

	/* payloads as received, for Y, S and the detail */
	struct lh_spill *spill;
	uint64_t raw_failed;

	/* the kernel's HTTP API, for A and X; NULL when not known */
	struct lh_control *control;
	int64_t last_bell_us;

	/* marked items by seq, ascending */
	uint64_t *marks;
	size_t n_marks, cap_marks;

	/* the detail on its own: JSON cut instead of wrapped, and scrolled */
	bool nowrap;
	int detail_hscroll;

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
/* -1 (said on the status line) when its pattern does not compile. */
int lh_hud_apply_filter(struct lh_hud *h, struct lh_filter *f);
bool lh_hud_entry_matches_search(struct lh_hud *h, const struct lh_entry *e, struct lh_buf *scratch);
/* Stops counting a search's matches (the items counted are changing). */
void lh_search_count_stop(struct lh_hud *h);
void lh_hud_next_theme(struct lh_hud *h);
/* The payload of e exactly as received, appended to out; -1 with errno
 * when it was not kept (ENOENT), the file it lies in has changed (ESTALE),
 * or it cannot be read. */
int lh_hud_raw(struct lh_hud *h, const struct lh_entry *e, struct lh_buf *out);
/* Why lh_hud_raw failed, for the operator. */
const char *lh_hud_raw_why(int err);
/* Fills *out with e's whole event, its args and unknown fields read back
 * from the payload when the store left them there. Returns what holds
 * them, to lh_event_free once *out is no longer used (NULL: nothing). */
struct lh_event *lh_hud_event(struct lh_hud *h, const struct lh_entry *e, struct lh_event *out);
/* The source has ended (a file read to its end, a run completed). */
bool lh_hud_source_done(struct lh_hud *h);
/* The time pending calls are measured to: now, or once the source has
 * ended, its last event's time, so that a finished file's calls stop
 * counting where the file stops. */
int64_t lh_hud_now_us(struct lh_hud *h);
bool lh_hud_marked(const struct lh_hud *h, uint64_t seq);
/* Asks "question y/n" on the status line; y calls on_yes with run. */
void lh_hud_ask(struct lh_hud *h, const char *run, void (*on_yes)(struct lh_hud *h, const char *run),
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* views */
void lh_view_main(struct lh_hud *h, const struct lh_layout *lay);
void lh_view_detail(struct lh_hud *h, const struct lh_rect *r, bool full);
void lh_view_stats(struct lh_hud *h, const struct lh_rect *r);
/* The tool rows as stats shows them, sorted; the caller frees them. */
struct lh_tool_stats *lh_stats_rows(struct lh_hud *h, size_t *n);
void lh_stats_jump(struct lh_hud *h);
void lh_view_help(struct lh_hud *h, int lines, int cols);
void lh_view_picker(struct lh_hud *h, int lines, int cols);

/* keys */
void lh_keys_handle(struct lh_hud *h, int key);

/* clip.c: y and Y, the selection to the terminal's clipboard */
void lh_clip_copy(struct lh_hud *h, bool raw);
/* save.c: S, the current view's payloads to a JSONL file */
void lh_save_default_name(const struct lh_hud *h, char *buf, size_t len);
/* Starts saving the view to path (a new file), written a slice a loop
 * turn; said on the status line as it goes and when done. */
void lh_save_view(struct lh_hud *h, const char *path);
/* Writes what is left of a save under way at once (the HUD is quitting). */
void lh_save_finish(struct lh_hud *h);

/* act.c: A, X and the bell (error: for an error, else an approval) */
void lh_act_approve(struct lh_hud *h);
void lh_act_stop(struct lh_hud *h);
void lh_act_bell(struct lh_hud *h, bool error);

/* picker.c */
void lh_picker_open(struct lh_hud *h, enum lh_picker_kind kind);
void lh_picker_close(struct lh_hud *h);

#endif
