/* record: the app's Pub/Sub source feeds the recorder; each change of
 * role or connection is one log line, the totals one more at exit. */
#include "config.h"
#include "record.h"
#include "app/app.h"
#include "core/event.h"
#include "lib/log.h"
#include "source/recorder.h"

#include <stdlib.h>

struct lh_record {
	const struct lh_options *o;
	struct lh_app *app;
	struct lh_recorder *rec;
	int sub_state, conn_state; /* the last logged; -1: none yet */
};

static uint64_t lh_record_keep(void *ctx, const char *data, size_t len, int64_t file_at)
{
	(void)file_at;
	struct lh_record *r = ctx;
	lh_recorder_offer(r->rec, data, len);
	return LH_EVENT_RAW_NONE;
}

static void lh_record_reject(void *ctx, enum lh_reject reason, const char *why, uint64_t count)
{
	(void)ctx;
	lh_log("warn", "not recorded: %llu payload%s (%s): %s", (unsigned long long)count, count == 1 ? "" : "s",
	       lh_reject_name(reason), why);
}

/* One line per change of a connection's state, with the error when down. */
static void lh_record_log_state(int *last, const char *what, const struct lh_source_status *st)
{
	bool live = st->state == LH_SOURCE_LIVE;
	if (*last == (int)live)
		return;
	*last = live;
	if (live)
		lh_log("info", "%s: %s", st->describe, what);
	else if (st->last_error[0])
		lh_log("warn", "%s: %s; retrying until it is back", st->describe, st->last_error);
}

static void lh_record_sub_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_record *r = ctx;
	lh_recorder_hearing(r->rec, st->state == LH_SOURCE_LIVE);
	lh_record_log_state(&r->sub_state, "subscribed", st);
}

static void lh_record_conn_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_record *r = ctx;
	lh_record_log_state(&r->conn_state, "connected to write", st);
}

static void lh_record_role(void *ctx, const struct lh_recorder_status *st)
{
	struct lh_record *r = ctx;
	const char *me = lh_recorder_name(r->rec);
	if (st->role == LH_RECORDER_WRITER)
		lh_log("info", "%s: writing to stream %s (takeover %llu; appended %llu the stream lacked so far)", me,
		       r->o->stream, (unsigned long long)st->takeovers, (unsigned long long)st->recovered);
	else if (st->role == LH_RECORDER_STANDBY)
		lh_log("info", "%s: standing by, holding the last %zu payloads%s%s", me, r->o->hold,
		       st->other[0] ? "; writer: " : "", st->other);
}

static void lh_record_stop(void *ctx, int signum)
{
	struct lh_record *r = ctx;
	(void)signum;
	lh_recorder_close(r->rec);
	lh_app_shutdown(r->app);
}

int lh_record_main(const struct lh_options *o)
{
	struct lh_record r = { .o = o, .sub_state = -1, .conn_state = -1 };
	lh_log_init(o->log_json);
	struct lh_app_hooks hooks = { .ingest = { .keep = lh_record_keep, .reject = lh_record_reject, .ctx = &r },
				      .source_state = lh_record_sub_state, .stop = lh_record_stop, .no_store = true };
	r.app = lh_app_new(o, &hooks);
	if (!r.app)
		return 1;
	struct lh_recorder_options ro = { o->redis_url, o->stream, o->maxlen, o->hold, o->max_bytes,
					  (unsigned)o->redis_timeout_s * 1000 };
	struct lh_recorder_hooks rh = { lh_record_role, lh_record_conn_state, &r };
	char *cause = NULL;
	r.rec = lh_recorder_new(lh_app_loop(r.app), &ro, &rh, &cause);
	if (!r.rec) {
		lh_log("error", "%s", cause);
		free(cause);
		lh_app_shutdown(r.app);
		lh_app_settle(r.app);
		lh_app_free(r.app);
		return 1;
	}
	lh_recorder_start(r.rec);
	int status = lh_app_run(r.app) < 0 ? 1 : 0;
	const struct lh_recorder_status *st = lh_recorder_status(r.rec);
	lh_log("info", "stopped: appended %llu (%llu on taking over), lost %llu", (unsigned long long)st->appended,
	       (unsigned long long)st->recovered, (unsigned long long)st->lost);
	lh_recorder_free(r.rec);
	lh_app_free(r.app);
	return status;
}
