#include "config.h"
#include "app.h"
#include "source/demo.h"
#include "source/file.h"
#include "source/redis.h"
#include "source/ws.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct lh_app {
	uv_loop_t loop;
	struct lh_store *store;
	struct lh_ingest ingest;
	struct lh_source *source;
	uv_signal_t sigint, sigterm;
	struct lh_app_hooks hooks;
	struct lh_kstate kstate;
	bool shut, ever_live;
	int64_t down_since_us;   /* wall clock; 0 while live */
	uint64_t interruptions;
};

static void lh_app_payload(void *ctx, const char *data, size_t len, uint64_t pos)
{
	struct lh_app *app = ctx;
	lh_ingest_payload(&app->ingest, data, len, pos);
}

static void lh_app_event(void *ctx, struct lh_event *ev, const char *data, size_t len)
{
	struct lh_app *app = ctx;
	lh_ingest_event(&app->ingest, ev, data, len);
}

static void lh_app_parsed(void *ctx, struct lh_event *ev, const char *data, size_t len, int64_t at)
{
	struct lh_app *app = ctx;
	lh_ingest_parsed(&app->ingest, ev, data, len, at);
}

static void lh_app_reject(void *ctx, enum lh_reject reason, const char *why)
{
	struct lh_app *app = ctx;
	lh_ingest_reject(&app->ingest, reason, why);
}

static void lh_app_outage(struct lh_app *app, const char *run, int64_t since_us, int64_t until_us,
			  const char *where);

/* The run the newest event belongs to, where an outage row goes. */
static const char *lh_app_newest_run(const struct lh_app *app)
{
	struct lh_store_counts c;
	if (!app->store)
		return "unknown";
	lh_store_get_counts(app->store, &c);
	const struct lh_entry *e = c.entries ? lh_store_entry_at(app->store, c.entries - 1) : NULL;
	return e ? lh_run_id(lh_entry_run(e)) : "unknown";
}

static void lh_app_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_app *app = ctx;
	/* Only a store shows rows; the bridge tells its clients itself. A
	 * stream resumes where it left off: an outage loses nothing there. */
	bool lossy = app->store && !st->durable;
	if (lossy && st->state == LH_SOURCE_LIVE && app->down_since_us) {
		lh_app_outage(app, lh_app_newest_run(app), app->down_since_us, lh_time_now_us(), "source");
		app->down_since_us = 0;
	} else if (lossy && st->state != LH_SOURCE_LIVE && st->state != LH_SOURCE_DONE && app->ever_live &&
		   !app->down_since_us) {
		app->down_since_us = lh_time_now_us();
	}
	if (st->state == LH_SOURCE_LIVE)
		app->ever_live = true;
	if (app->hooks.source_state)
		app->hooks.source_state(app->hooks.ingest.ctx, st);
}

/* A gap or an error from the WebSocket becomes an event of its own, so it
 * is shown in the timeline where it happened. */
static void lh_app_synth(struct lh_app *app, const char *run, const char *category, const char *meta,
			 const char *message)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_buf_puts(&b, "{\"run_id\":");
	lh_json_put_string(&b, run);
	lh_buf_printf(&b, ",\"category\":\"%s\",\"metadata\":\"%s\",\"message\":", category, meta);
	lh_json_put_string(&b, message);
	lh_buf_putc(&b, '}');
	lh_ingest_payload(&app->ingest, b.data, b.len, 0);
	lh_buf_free(&b);
}

/* A row where a source outage happened: Pub/Sub keeps nothing for a
 * subscriber that is away, so what was published meanwhile is lost. */
static void lh_app_outage(struct lh_app *app, const char *run, int64_t since_us, int64_t until_us,
			  const char *where)
{
	char since[24], until[24], msg[160];
	lh_time_format_clock(since_us, since, sizeof since);
	lh_time_format_clock(until_us, until, sizeof until);
	since[8] = until[8] = '\0'; /* HH:MM:SS */
	snprintf(msg, sizeof msg, "%s lost %s, back %s (events published meanwhile are lost)", where, since, until);
	app->interruptions++;
	lh_app_synth(app, run, "GAP", "GAP", msg);
}

static void lh_app_gap(struct lh_app *app, const struct lh_kframe *f)
{
	if (f->interrupted) {
		int64_t since = 0, until = 0;
		lh_time_parse_iso8601(f->since, &since);
		lh_time_parse_iso8601(f->until, &until);
		lh_app_outage(app, f->run_id[0] ? f->run_id : "unknown", since, until, "the bridge's source");
		return;
	}
	char msg[200];
	const char *reason = f->text ? f->text : "gap";
	const char *across = f->all_runs ? " across runs" : "";
	if (f->to >= f->from && f->sparse)
		snprintf(msg, sizeof msg, "events missed%s (seq %llu-%llu, %.40s)", across,
			 (unsigned long long)f->from, (unsigned long long)f->to, reason);
	else if (f->to >= f->from)
		snprintf(msg, sizeof msg, "%llu event%s missed%s (seq %llu-%llu, %.40s)",
			 (unsigned long long)(f->to - f->from + 1), f->to == f->from ? "" : "s", across,
			 (unsigned long long)f->from, (unsigned long long)f->to, reason);
	else
		snprintf(msg, sizeof msg, "history restarted%s (%.40s)", across, reason);
	lh_app_synth(app, f->run_id[0] ? f->run_id : lh_app_newest_run(app), "GAP", "GAP", msg);
}

static void lh_app_kernel(void *ctx, const struct lh_kframe *f)
{
	struct lh_app *app = ctx;
	if (f->type == LH_KF_GAP) {
		if (app->hooks.gap)
			app->hooks.gap(app->hooks.ingest.ctx, f);
		else
			lh_app_gap(app, f);
		return;
	}
	if (f->type == LH_KF_ERROR) {
		lh_app_synth(app, f->run_id[0] ? f->run_id : "unknown", "ERROR", "IO_ERR", f->text ? f->text : "error");
		return;
	}
	unsigned changed = lh_kstate_apply(&app->kstate, f);
	if (changed && app->hooks.kernel)
		app->hooks.kernel(app->hooks.ingest.ctx, changed, &app->kstate);
}

static void lh_app_signal(uv_signal_t *h, int signum)
{
	struct lh_app *app = h->data;
	if (app->hooks.stop)
		app->hooks.stop(app->hooks.ingest.ctx, signum);
	else
		lh_app_shutdown(app);
}

static struct lh_source *lh_app_source(struct lh_app *app, const struct lh_options *o, char **cause)
{
	struct lh_source_callbacks cb = { lh_app_payload, lh_app_event, lh_app_reject, lh_app_state,
					  lh_app_kernel, app, NULL };
	/* a store's events need no forward: parsing them can leave the loop */
	if (app->store)
		cb.parsed = lh_app_parsed;
	if (o->ws_url) {
		struct lh_ws_options w = { o->ws_url, o->ws_run, o->ws_token, o->ws_ca, o->ws_insecure, o->max_bytes,
					   app->hooks.no_store };
		return lh_source_ws_new(&app->loop, &w, &cb, cause);
	}
	if (o->demo)
		return lh_source_demo_new(&app->loop, o->seed, o->speed, &cb);
	if (o->file)
		return lh_source_file_new(&app->loop, o->file, o->follow, o->max_bytes, &cb, cause);
	/* the recorder subscribes to the channels to write the stream */
	struct lh_redis_options r = { o->redis_url, o->channels, o->nchannels, o->max_bytes,
				      o->redis_timeout_s * 1000, o->mode == LH_MODE_RECORD ? NULL : o->stream,
				      o->backlog };
	return lh_source_redis_new(&app->loop, &r, &cb, cause);
}

struct lh_app *lh_app_new(const struct lh_options *o, const struct lh_app_hooks *hooks)
{
	struct lh_app *app = lh_xcalloc(1, sizeof *app);
	char *cause = NULL;
	if (uv_loop_init(&app->loop) < 0) {
		fprintf(stderr, "%s: cannot create the event loop\n", lh_options_prog(o));
		free(app);
		return NULL;
	}
	app->hooks = *hooks;
	lh_kstate_init(&app->kstate);
	app->store = hooks->no_store ? NULL : lh_store_new(o->max_events);
	lh_ingest_init(&app->ingest, app->store, o->max_bytes, &hooks->ingest);
	app->source = lh_app_source(app, o, &cause);
	if (!app->source) {
		fprintf(stderr, "%s: %s\n", lh_options_prog(o), cause);
		free(cause);
		lh_store_free(app->store);
		uv_loop_close(&app->loop);
		free(app);
		return NULL;
	}
	/* A reader that goes away shows up as EPIPE on the write, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	uv_signal_init(&app->loop, &app->sigint);
	uv_signal_init(&app->loop, &app->sigterm);
	app->sigint.data = app->sigterm.data = app;
	uv_signal_start(&app->sigint, lh_app_signal, SIGINT);
	uv_signal_start(&app->sigterm, lh_app_signal, SIGTERM);
	return app;
}

uv_loop_t *lh_app_loop(struct lh_app *app) { return &app->loop; }
uint64_t lh_app_interruptions(const struct lh_app *app) { return app->interruptions; }

void lh_app_print_losses(struct lh_app *app, FILE *f)
{
	char *rejects = lh_app_rejects_summary(app);
	if (*rejects)
		fprintf(f, "livehud: rejected payloads: %s\n", rejects);
	free(rejects);
	if (app->interruptions)
		fprintf(f, "livehud: source interrupted %llu time%s; events published meanwhile are lost\n",
			(unsigned long long)app->interruptions, app->interruptions == 1 ? "" : "s");
	struct lh_store_counts c;
	if (!app->store)
		return;
	lh_store_get_counts(app->store, &c);
	if (c.evicted)
		fprintf(f, "livehud: %llu events evicted to stay under --max-events %zu\n",
			(unsigned long long)c.evicted, c.max_events);
}
const struct lh_kstate *lh_app_kstate(const struct lh_app *app) { return &app->kstate; }
struct lh_store *lh_app_store(struct lh_app *app) { return app->store; }
const struct lh_rejects *lh_app_rejects(const struct lh_app *app) { return &app->ingest.rejects; }

const struct lh_source_status *lh_app_source_status(const struct lh_app *app)
{
	return app->source && !app->shut ? lh_source_status(app->source) : NULL;
}

void lh_app_source_pause(struct lh_app *app, bool paused)
{
	if (!app->shut)
		lh_source_pause(app->source, paused);
}

void lh_app_source_retry(struct lh_app *app)
{
	if (!app->shut)
		lh_source_retry(app->source);
}

int lh_app_run(struct lh_app *app)
{
	int rc = lh_source_start(app->source);
	if (rc < 0)
		return rc;
	return uv_run(&app->loop, UV_RUN_DEFAULT);
}

void lh_app_shutdown(struct lh_app *app)
{
	if (app->shut)
		return;
	app->shut = true;
	lh_source_close(app->source);
	uv_close((uv_handle_t *)&app->sigint, NULL);
	uv_close((uv_handle_t *)&app->sigterm, NULL);
}

void lh_app_settle(struct lh_app *app)
{
	uv_run(&app->loop, UV_RUN_DEFAULT);
}

void lh_app_free(struct lh_app *app)
{
	if (!app)
		return;
	lh_app_shutdown(app);
	uv_run(&app->loop, UV_RUN_DEFAULT); /* let the close callbacks run */
	lh_source_free(app->source);
	uv_run(&app->loop, UV_RUN_DEFAULT); /* and what freeing it closed */
	uv_loop_close(&app->loop);
	lh_store_free(app->store);
	free(app);
}

char *lh_app_rejects_summary(const struct lh_app *app)
{
	struct lh_buf b = LH_BUF_INIT;
	const struct lh_rejects *r = &app->ingest.rejects;
	for (int i = 1; i < LH_REJECT_COUNT; i++)
		if (r->count[i])
			lh_buf_printf(&b, "%s%s %llu", b.len ? ", " : "", lh_reject_name((enum lh_reject)i),
				      (unsigned long long)r->count[i]);
	return b.data ? b.data : lh_xstrdup("");
}
