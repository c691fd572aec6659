/* hud: the dashboard's life: the screen, the keys, and when to redraw.
 *
 * Events change the store and mark the screen dirty; drawing happens in one
 * place, at most 30 times a second, and only when something changed or a
 * visible timer must tick (a pending call's spinner, a retry countdown);
 * keys are answered at once, all those one read brought in one frame.
 * With nothing pending and nothing arriving, no timer is armed at all. */
#include "config.h"
#include "hud.h"
#include "hud_impl.h"
#include "core/format.h"
#include "screen.h"
#include "lib/spill.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <curses.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LH_FRAME_US 33333     /* at most 30 frames a second */
/* Events, and the spinners and timers of pending calls, redraw at most 3
 * times a second: nobody reads a busy timeline faster, and each frame that
 * moves it rewrites it on the wire (a side-by-side layout cannot use the
 * terminal's scrolling), which over SSH is what costs. Keys keep 30. */
#define LH_EVENT_FRAME_US 333333
#define LH_SPINNER_MS 333
#define LH_SLOW_TICK_MS 1000

static void lh_hud_frame_cb(uv_timer_t *t);

static void lh_hud_arm(struct lh_hud *h, int64_t delay_ms)
{
	int64_t due = lh_time_mono_us() + delay_ms * 1000;
	if (h->armed && (int64_t)uv_timer_get_due_in(&h->frame) * 1000 + lh_time_mono_us() <= due)
		return;
	uv_timer_start(&h->frame, lh_hud_frame_cb, (uint64_t)(delay_ms < 0 ? 0 : delay_ms), 0);
	h->armed = true;
	h->armed_due_us = due;
}

static void lh_hud_dirty_after(struct lh_hud *h, int64_t frame_us)
{
	if (h->quitting)
		return;
	h->dirty = true;
	/* Events come by the thousand a second: when a frame is already due
	 * in time, that is all (no clock read, no timer touched). */
	if (h->armed && h->armed_due_us <= h->last_draw_us + frame_us)
		return;
	int64_t wait = (h->last_draw_us + frame_us - lh_time_mono_us()) / 1000;
	lh_hud_arm(h, wait > 0 ? wait : 0);
}

void lh_hud_dirty(struct lh_hud *h)
{
	lh_hud_dirty_after(h, LH_FRAME_US);
}

void lh_hud_say(struct lh_hud *h, const char *fmt, ...)
{
	char raw[sizeof h->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	struct lh_buf b = LH_BUF_INIT;
	lh_text_sanitize(&b, raw, strlen(raw), LH_TEXT_ONELINE | (h->fmt & LH_FMT_ASCII ? LH_TEXT_ASCII : 0));
	snprintf(h->message, sizeof h->message, "%s", lh_buf_str(&b));
	lh_buf_free(&b);
	h->message_until_us = lh_time_mono_us() + 5000000;
	lh_hud_dirty(h);
}

const struct lh_entry *lh_hud_selected(struct lh_hud *h)
{
	lh_rows_sync(h->rows);
	size_t n = lh_rows_count(h->rows);
	if (!n)
		return NULL;
	size_t i = h->follow ? n - 1 : lh_rows_find(h->rows, h->sel_seq);
	return lh_rows_at(h->rows, i < n ? i : n - 1);
}

int lh_hud_apply_filter(struct lh_hud *h, struct lh_filter *f)
{
	char err[128];
	if (lh_rows_set_filter(h->rows, f, err, sizeof err) < 0) {
		lh_hud_say(h, "bad pattern: %s", err);
		return -1;
	}
	lh_search_count_stop(h);
	h->top = 0;
	lh_hud_dirty(h);
	return 0;
}

void lh_search_count_stop(struct lh_hud *h)
{
	uv_idle_stop(&h->count);
	h->count_done = false;
}

bool lh_hud_entry_matches_search(struct lh_hud *h, const struct lh_entry *e, struct lh_buf *scratch)
{
	if (!h->search)
		return false;
	if (!lh_rows_entry_may_match(e, h->fmt, h->search_must, scratch))
		return false;
	lh_buf_reset(scratch);
	lh_rows_entry_text(e, h->fmt, scratch);
	return regexec(&h->re, lh_buf_str(scratch), 0, NULL, 0) == 0;
}

/* Whether ev, parsed from a payload kept as its place in the file read,
 * is still e's event: the file may have been rewritten since. */
static bool lh_hud_raw_is_entry(const struct lh_entry *e, const struct lh_event *ev)
{
	struct lh_event kept;
	lh_entry_event(e, &kept);
	return strcmp(ev->run_id, kept.run_id) == 0 && strcmp(ev->message, kept.message) == 0 &&
	       ev->ts_guessed == kept.ts_guessed && (ev->ts_guessed || ev->ts_us == kept.ts_us);
}

/* lh_hud_raw, also giving the payload parsed when whole is not NULL (the
 * caller's, NULL if it does not parse): a place in the file is parsed to
 * be checked anyway, once. */
static int lh_hud_raw_read(struct lh_hud *h, const struct lh_entry *e, struct lh_buf *out,
			   struct lh_event **whole)
{
	struct lh_event *ev = NULL;
	if (whole)
		*whole = NULL;
	if (e->raw_at == LH_EVENT_RAW_NONE) {
		errno = ENOENT;
		return -1;
	}
	size_t start = out->len;
	bool ref = lh_spill_is_ref(e->raw_at);
	if (lh_spill_get(h->spill, e->raw_at, e->raw_len, out) < 0) {
		if (ref && errno == EIO)
			errno = ESTALE; /* the file ends before it now */
		return -1;
	}
	if ((ref || whole) &&
	    lh_event_parse_keep(out->data + start, e->raw_len, e->raw_len, e->ts_us, false, &ev, NULL) != LH_REJECT_NONE)
		ev = NULL;
	if (ref && (!ev || !lh_hud_raw_is_entry(e, ev))) {
		lh_event_free(ev);
		out->len = start;
		out->data[start] = '\0';
		errno = ESTALE;
		return -1;
	}
	if (whole)
		*whole = ev;
	else
		lh_event_free(ev);
	return 0;
}

int lh_hud_raw(struct lh_hud *h, const struct lh_entry *e, struct lh_buf *out)
{
	return lh_hud_raw_read(h, e, out, NULL);
}

const char *lh_hud_raw_why(int err)
{
	switch (err) {
	case ENOENT: return "it was not kept";
	case ESTALE: return "its file has changed since";
	default: return strerror(err);
	}
}

struct lh_event *lh_hud_event(struct lh_hud *h, const struct lh_entry *e, struct lh_event *out)
{
	lh_entry_event(e, out);
	if (!e->rest_in_raw)
		return NULL;
	struct lh_buf raw = LH_BUF_INIT;
	struct lh_event *whole;
	if (lh_hud_raw_read(h, e, &raw, &whole) == 0 && whole) {
		out->args = whole->args;
		out->extra = whole->extra;
	}
	lh_buf_free(&raw);
	return whole;
}

bool lh_hud_source_done(struct lh_hud *h)
{
	const struct lh_source_status *st = lh_app_source_status(h->app);
	return st && st->state == LH_SOURCE_DONE;
}

int64_t lh_hud_now_us(struct lh_hud *h)
{
	struct lh_store_counts c;
	lh_store_get_counts(h->store, &c);
	const struct lh_entry *last = c.entries ? lh_store_entry_at(h->store, c.entries - 1) : NULL;
	if (!lh_hud_source_done(h) || !last)
		return lh_time_now_us();
	return last->ts_us; /* the receive time when none was sent */
}

bool lh_hud_marked(const struct lh_hud *h, uint64_t seq)
{
	size_t lo = 0, hi = h->n_marks;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (h->marks[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n_marks && h->marks[lo] == seq;
}

void lh_hud_ask(struct lh_hud *h, const char *run, void (*on_yes)(struct lh_hud *h, const char *run),
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->question, sizeof h->question, fmt, ap);
	va_end(ap);
	free(h->question_run);
	h->question_run = run ? lh_xstrdup(run) : NULL;
	h->on_yes = on_yes;
	h->prompt = LH_PROMPT_CONFIRM;
	lh_hud_dirty(h);
}


/* In auto mode the HUD shows the run seen last, as tail shows new lines;
 * but a paused view stays put, and only says a new run is there. */
static void lh_hud_follow_run(struct lh_hud *h)
{
	size_t n = lh_store_run_count(h->store);
	h->new_run = NULL;
	if (!h->auto_run || !n)
		return;
	const char *newest = lh_run_id(lh_store_run_at(h->store, n - 1));
	const struct lh_filter *cur = lh_rows_filter(h->rows);
	if (cur->run && strcmp(cur->run, newest) == 0)
		return;
	if (cur->run && !h->follow) {
		h->new_run = newest;
		return;
	}
	struct lh_filter f = *cur;
	f.run = (char *)newest;
	f.agent = NULL; /* another run has other agents */
	lh_hud_apply_filter(h, &f);
}

static void lh_hud_draw(struct lh_hud *h)
{
	lh_rows_sync(h->rows);
	lh_hud_follow_run(h);
	struct lh_layout lay;
	lh_layout_compute(LINES, COLS, &lay);
	erase();
	h->pending_visible = false;
	lh_view_main(h, &lay);
	if (h->picker.kind != LH_PICK_NONE)
		lh_view_picker(h, LINES, COLS);
	if (h->help)
		lh_view_help(h, LINES, COLS);
	refresh();
	h->dirty = false;
	h->last_draw_us = lh_time_mono_us();
}

static bool lh_hud_needs_slow_tick(struct lh_hud *h)
{
	const struct lh_source_status *st = lh_app_source_status(h->app);
	return h->rate_shown || h->rate_count || (st && st->state == LH_SOURCE_RETRYING) ||
	       h->message_until_us > lh_time_mono_us();
}

static void lh_hud_frame_cb(uv_timer_t *t)
{
	struct lh_hud *h = t->data;
	h->armed = false;
	int64_t now = lh_time_mono_us();
	if (now - h->rate_start_us >= 1000000) {
		h->rate_shown = h->rate_count * 1000000 / (uint64_t)(now - h->rate_start_us);
		h->rate_count = 0;
		h->rate_start_us = now;
	}
	h->spinner++;
	lh_hud_draw(h);
	if (h->pending_visible)
		lh_hud_arm(h, LH_SPINNER_MS);
	else if (lh_hud_needs_slow_tick(h))
		lh_hud_arm(h, LH_SLOW_TICK_MS);
}

static void lh_hud_quit(struct lh_hud *h)
{
	if (h->quitting)
		return;
	h->quitting = true;
	lh_save_finish(h);
	uv_timer_stop(&h->frame);
	uv_close((uv_handle_t *)&h->frame, NULL);
	uv_close((uv_handle_t *)&h->count, NULL);
	uv_close((uv_handle_t *)&h->save_idle, NULL);
	uv_close((uv_handle_t *)&h->input, NULL);
	uv_close((uv_handle_t *)&h->winch, NULL);
	lh_control_close(h->control);
	lh_screen_close();
	lh_app_shutdown(h->app);
}

static void lh_hud_on_input(uv_poll_t *p, int status, int events)
{
	(void)events;
	struct lh_hud *h = p->data;
	if (status < 0) { /* the terminal went away */
		lh_hud_quit(h);
		return;
	}
	int key;
	while (!h->quitting && (key = getch()) != ERR) {
		if (key == 'q' && h->prompt == LH_PROMPT_NONE && !h->help && h->picker.kind == LH_PICK_NONE &&
		    h->view == LH_VIEW_MAIN) {
			lh_hud_quit(h);
			return;
		}
		lh_keys_handle(h, key);
	}
	/* A key waits for no frame: typed at a human pace each is drawn as
	 * it comes, and a paste or a held key is drawn once a read. */
	lh_hud_dirty_after(h, 0);
}

static void lh_hud_on_winch(uv_signal_t *s, int signum)
{
	(void)signum;
	struct lh_hud *h = s->data;
	lh_screen_resize();
	/* Re-lay out at once, not at the next frame. */
	h->last_draw_us = 0;
	lh_hud_dirty(h);
}

/* ---- app hooks ---- */

/* Payloads go to the spill file as they arrive (those read from a file
 * are kept as where they are in it); the store evicts oldest first, so
 * the spill files older than the oldest entry's payload can go. */
static uint64_t lh_hud_keep(void *ctx, const char *data, size_t len, int64_t file_at)
{
	struct lh_hud *h = ctx;
	uint64_t at = lh_spill_put_at(h->spill, data, len, file_at);
	if (at == LH_SPILL_NONE && h->raw_failed++ == 0)
		lh_hud_say(h, "payloads are no longer kept for Y, S and the detail: spill file: %s", strerror(errno));
	return at == LH_SPILL_NONE ? LH_EVENT_RAW_NONE : at;
}

static void lh_hud_entry(void *ctx, const struct lh_entry *e, const struct lh_event *ev)
{
	struct lh_hud *h = ctx;
	const struct lh_entry *oldest = lh_store_entry_at(h->store, 0);
	if (oldest && oldest->raw_at != LH_EVENT_RAW_NONE)
		lh_spill_release(h->spill, oldest->raw_at);
	lh_rows_add(h->rows, e);
	if (e->error && ev->cat == LH_CAT_TOOL_RESULT)
		lh_act_bell(h, true);
	h->rate_count++;
	lh_hud_dirty_after(h, LH_EVENT_FRAME_US);
}

static void lh_hud_reject(void *ctx, enum lh_reject reason, const char *why, uint64_t count)
{
	struct lh_hud *h = ctx;
	lh_hud_say(h, "rejected %llu payload%s (%s): %s", (unsigned long long)count,
		   count == 1 ? "" : "s", lh_reject_name(reason), why);
}

static void lh_hud_state(void *ctx, const struct lh_source_status *st)
{
	(void)st;
	lh_hud_dirty(ctx);
}

static void lh_hud_kernel(void *ctx, unsigned changed, const struct lh_kstate *k)
{
	struct lh_hud *h = ctx;
	if (changed & LH_KS_APPROVAL)
		lh_act_bell(h, false);
	if (changed & LH_KS_STATUS)
		lh_hud_say(h, "run %s", k->status);
	else if (changed & LH_KS_AGENT)
		lh_hud_say(h, "agent %s %s", k->last_agent, lh_agent_life_name(k->last_life));
	else
		lh_hud_dirty(h);
}

static void lh_hud_stop(void *ctx, int signum)
{
	(void)signum;
	lh_hud_quit(ctx);
}

/* ---- setup ---- */

static int lh_hud_theme(struct lh_hud *h, const char *name)
{
	char *cause = NULL;
	struct lh_theme t;
	if (lh_theme_load(&t, name, &cause) < 0) {
		fprintf(stderr, "livehud: %s\n", cause);
		free(cause);
		return -1;
	}
	h->theme = t;
	return 0;
}

void lh_hud_next_theme(struct lh_hud *h)
{
	size_t n, i;
	char **names = lh_theme_names(&n);
	for (i = 0; i < n && strcmp(names[i], h->theme.name) != 0; i++)
		;
	char *cause = NULL;
	struct lh_theme t;
	const char *next = n ? names[(i + 1) % n] : "dark";
	if (lh_theme_load(&t, next, &cause) == 0) {
		h->theme = t;
		lh_screen_set_theme(&h->theme, h->color);
		lh_hud_say(h, "theme %s", t.name);
	} else {
		lh_hud_say(h, "%s", cause);
		free(cause);
	}
	lh_theme_names_free(names, n);
}

/* The kernel's HTTP API, when --kernel or --ws says where it is. */
static int lh_hud_control(struct lh_hud *h)
{
	const struct lh_options *o = h->opts;
	const char *url = o->kernel_url ? o->kernel_url : o->ws_url;
	if (!url)
		return 0;
	struct lh_control_options co = { url, o->ws_token, o->ws_ca, o->ws_insecure };
	char *cause = NULL;
	h->control = lh_control_new(lh_app_loop(h->app), &co, &cause);
	if (!h->control) {
		fprintf(stderr, "livehud: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int lh_hud_start(struct lh_hud *h)
{
	char *cause = NULL;
	int fd = lh_screen_open(true, &cause);
	if (fd < 0) {
		fprintf(stderr, "livehud: %s\n", cause);
		free(cause);
		return -1;
	}
	lh_screen_set_theme(&h->theme, h->color);
	lh_screen_set_ascii(h->fmt & LH_FMT_ASCII);
	uv_loop_t *loop = lh_app_loop(h->app);
	uv_poll_init(loop, &h->input, fd);
	uv_signal_init(loop, &h->winch);
	uv_timer_init(loop, &h->frame);
	uv_idle_init(loop, &h->count);
	uv_idle_init(loop, &h->save_idle);
	h->input.data = h->winch.data = h->frame.data = h->count.data = h->save_idle.data = h;
	uv_poll_start(&h->input, UV_READABLE, lh_hud_on_input);
	uv_signal_start(&h->winch, lh_hud_on_winch, SIGWINCH);
	lh_hud_dirty(h);
	return 0;
}

bool lh_hud_usable(FILE *err)
{
	char *cause = lh_screen_usable();
	if (!cause)
		return true;
	fprintf(err, "livehud: %s: plain output instead (--plain chooses it)\n", cause);
	free(cause);
	return false;
}

int lh_hud_main(const struct lh_options *o)
{
	struct lh_hud h = { .opts = o, .follow = true, .auto_run = true, .stats_sort = LH_STATS_P95 };
	h.fmt = o->ascii ? LH_FMT_ASCII : 0;
	h.color = !o->no_color && !getenv("NO_COLOR");
	if (lh_hud_theme(&h, o->theme ? o->theme : "dark") < 0)
		return 2;
	h.spill = lh_spill_new(NULL);
	/* a file's payloads are in it already: not copied (--file -, a pipe,
	 * is not a file lh_spill_refer takes) */
	if (o->file && strcmp(o->file, "-") != 0)
		lh_spill_refer(h.spill, o->file);
	struct lh_app_hooks hooks = { .ingest = { .entry = lh_hud_entry, .reject = lh_hud_reject,
						  .keep = lh_hud_keep, .ctx = &h },
				      .source_state = lh_hud_state, .kernel = lh_hud_kernel,
				      .stop = lh_hud_stop };
	h.app = lh_app_new(o, &hooks);
	if (!h.app) {
		lh_spill_free(h.spill);
		return 1;
	}
	if (lh_hud_control(&h) < 0) {
		lh_app_free(h.app);
		lh_spill_free(h.spill);
		return 2;
	}
	h.store = lh_app_store(h.app);
	h.rows = lh_rows_new(h.store, h.fmt);
	h.rate_start_us = lh_time_mono_us();
	if (lh_hud_start(&h) < 0) {
		lh_control_close(h.control);
		lh_app_free(h.app);
		lh_control_free(h.control);
		lh_rows_free(h.rows);
		lh_spill_free(h.spill);
		return 1;
	}
	int rc = lh_app_run(h.app);
	lh_hud_quit(&h);
	lh_app_print_losses(h.app, stderr);
	if (rc < 0) {
		fprintf(stderr, "livehud: cannot start: %s\n", uv_strerror(rc));
		h.status = 1;
	}
	lh_app_free(h.app);
	lh_control_free(h.control);
	lh_rows_free(h.rows);
	lh_picker_close(&h);
	if (h.search)
		regfree(&h.re);
	lh_must_free(h.search_must);
	free(h.search);
	free(h.question_run);
	free(h.marks);
	lh_spill_free(h.spill);
	lh_line_free(&h.l1);
	lh_line_free(&h.l2);
	return h.status;
}
