#include "config.h"
#include "watch.h"
#include "app/app.h"
#include "core/format.h"
#include "lib/out.h"
#include "lib/text.h"
#include "lib/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Output queued past this makes a source that can wait (a file) wait
 * until a quarter of it is written: lines from a file are then never
 * dropped for a slow reader (| less); a live source goes on, and what
 * does not fit the output's limit is dropped and counted. */
#define LH_WATCH_BEHIND (1024 * 1024)

struct lh_watch {
	struct lh_app *app;
	struct lh_out *out;
	bool json;
	unsigned fmt;
	struct lh_buf line;
	uint64_t prev_seq;             /* the entry printed last */
	char *prev_run;                /* its run, for the "run X" separators */
	char last_error[256];          /* the source error last told */
	bool stopping, paused;
	int status;
	uint64_t out_dropped;
};

static void lh_watch_entry(void *ctx, const struct lh_entry *e, const struct lh_event *ev)
{
	struct lh_watch *w = ctx;
	lh_buf_reset(&w->line);
	if (w->json) {
		lh_event_to_json(ev, &w->line);
	} else {
		if (!w->prev_run || strcmp(w->prev_run, ev->run_id) != 0) {
			lh_buf_puts(&w->line, "== run ");
			lh_format_text(&w->line, ev->run_id, 80, w->fmt);
			lh_buf_puts(&w->line, " ==");
			lh_out_line(w->out, w->line.data, w->line.len);
			lh_buf_reset(&w->line);
			free(w->prev_run);
			w->prev_run = lh_xstrdup(ev->run_id);
			w->prev_seq = 0;
		}
		lh_format_plain(&w->line, e, ev, w->prev_seq, w->fmt);
	}
	lh_out_line(w->out, w->line.data, w->line.len);
	w->prev_seq = e->seq;
	if (!w->paused && lh_out_queued(w->out) > LH_WATCH_BEHIND) {
		w->paused = true;
		lh_app_source_pause(w->app, true);
	}
}

static void lh_watch_drained(void *ctx)
{
	struct lh_watch *w = ctx;
	if (w->paused) {
		w->paused = false;
		lh_app_source_pause(w->app, false);
	}
}

static void lh_watch_reject(void *ctx, enum lh_reject reason, const char *why, uint64_t count)
{
	(void)ctx;
	if (count > 1)
		fprintf(stderr, "livehud: rejected %llu payloads (%s) since the last report: %s\n",
			(unsigned long long)count, lh_reject_name(reason), why);
	else
		fprintf(stderr, "livehud: rejected a payload (%s): %s\n", lh_reject_name(reason), why);
}

static void lh_watch_finish(struct lh_watch *w)
{
	if (w->stopping)
		return;
	w->stopping = true;
	lh_app_shutdown(w->app);
	w->out_dropped = lh_out_dropped(w->out);
	lh_out_close(w->out, NULL, NULL);
}

static void lh_watch_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_watch *w = ctx;
	struct lh_buf msg = LH_BUF_INIT;
	/* Say each change once: a retry loop with the same error stays quiet. */
	if (st->state == LH_SOURCE_LIVE && w->last_error[0]) {
		w->last_error[0] = '\0';
		lh_buf_printf(&msg, "%s: live again", st->describe);
	} else if (st->state == LH_SOURCE_RETRYING && st->last_error[0] &&
		   strcmp(st->last_error, w->last_error) != 0) {
		snprintf(w->last_error, sizeof w->last_error, "%s", st->last_error);
		lh_buf_printf(&msg, "%s: %s; retrying", st->describe, st->last_error);
	} else if (st->state == LH_SOURCE_DONE) {
		if (st->last_error[0])
			lh_buf_printf(&msg, "%s: %s", st->describe, st->last_error);
		if (st->refused) /* the server will not have us: a failure */
			w->status = 1;
		lh_watch_finish(w);
	}
	if (msg.len) {
		struct lh_buf safe = LH_BUF_INIT;
		lh_text_sanitize(&safe, msg.data, msg.len, LH_TEXT_ONELINE);
		fprintf(stderr, "livehud: %s\n", lh_buf_str(&safe));
		lh_buf_free(&safe);
	}
	lh_buf_free(&msg);
}

static void lh_watch_out_failed(void *ctx, int err)
{
	struct lh_watch *w = ctx;
	if (err != UV_EPIPE) /* a reader that quit (| head) is a normal end */
		fprintf(stderr, "livehud: cannot write output: %s\n", uv_strerror(err));
	w->status = err == UV_EPIPE ? 0 : 1;
	lh_watch_finish(w);
}

/* What the kernel says about the run, as lines among the events. */
static void lh_watch_kernel(void *ctx, unsigned changed, const struct lh_kstate *k)
{
	struct lh_watch *w = ctx;
	struct lh_buf line = LH_BUF_INIT;
	if (w->json)
		return; /* JSON Lines carry events only */
	if (changed & LH_KS_STATUS) {
		lh_buf_puts(&line, "== status ");
		lh_format_text(&line, k->status, 32, w->fmt);
		lh_buf_printf(&line, ": %zu active, %zu completed, %zu failed agents", k->active, k->completed, k->failed);
		if (k->tokens >= 0)
			lh_buf_printf(&line, ", %lld tokens", k->tokens);
		lh_buf_puts(&line, " ==");
	} else if (changed & LH_KS_AGENT) {
		lh_buf_puts(&line, "[AGENT]   ");
		lh_format_agent(&line, k->last_agent, 40, w->fmt);
		lh_buf_printf(&line, " %s", lh_agent_life_name(k->last_life));
	} else if (changed & LH_KS_APPROVAL) {
		lh_buf_puts(&line, "[APPROVAL REQUIRED] ");
		lh_format_agent(&line, k->approval_agent, 40, w->fmt);
		lh_buf_puts(&line, ": ");
		lh_format_text(&line, k->approval_reason, 200, w->fmt);
	}
	if (line.len)
		lh_out_line(w->out, line.data, line.len);
	lh_buf_free(&line);
}

static void lh_watch_stop(void *ctx, int signum)
{
	(void)signum;
	lh_watch_finish(ctx);
}

static void lh_watch_summary(struct lh_watch *w)
{
	lh_app_print_losses(w->app, stderr);
	if (w->out_dropped)
		fprintf(stderr, "livehud: %llu lines dropped because the output was too slow\n",
			(unsigned long long)w->out_dropped);
}

int lh_watch_main(const struct lh_options *o)
{
	struct lh_watch w = { .json = o->mode == LH_MODE_JSON, .fmt = o->ascii ? LH_FMT_ASCII : 0 };
	struct lh_app_hooks hooks = { .ingest = { .entry = lh_watch_entry, .reject = lh_watch_reject, .ctx = &w },
				      .source_state = lh_watch_state, .kernel = lh_watch_kernel,
				      .stop = lh_watch_stop };
	w.app = lh_app_new(o, &hooks);
	if (!w.app)
		return 1;
	w.out = lh_out_new(lh_app_loop(w.app), STDOUT_FILENO, LH_OUT_DEFAULT_LIMIT,
			   lh_watch_out_failed, &w);
	lh_out_on_drained(w.out, LH_WATCH_BEHIND / 4, lh_watch_drained, &w);
	int rc = lh_app_run(w.app);
	if (rc < 0) {
		fprintf(stderr, "livehud: cannot start: %s\n", uv_strerror(rc));
		lh_watch_finish(&w);
		w.status = 1;
	}
	lh_watch_summary(&w);
	lh_app_free(w.app);
	lh_buf_free(&w.line);
	free(w.prev_run);
	return w.status;
}
