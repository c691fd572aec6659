/* act: A approves the run (the kernel's resume), X stops it, each asked
 * first on the status line, the outcome said there too; and the bell that
 * calls the operator to a run waiting for approval. */
#include "config.h"
#include "hud_impl.h"
#include "app/control.h"
#include "lib/timeutil.h"

#include <curses.h>
#include <string.h>

/* The run the keys act on: the one shown, else the selected item's. */
static const char *lh_act_run(struct lh_hud *h)
{
	const char *run = lh_rows_filter(h->rows)->run;
	const struct lh_entry *e = run ? NULL : lh_hud_selected(h);
	return run ? run : e ? lh_run_id(lh_entry_run(e)) : NULL;
}

static void lh_act_done(void *ctx, const char *run, const char *action, unsigned status, const char *why)
{
	struct lh_hud *h = ctx;
	bool resume = strcmp(action, "resume") == 0;
	if (status >= 200 && status < 300)
		lh_hud_say(h, "run %s %s", run, resume ? "resumed" : "stopped");
	else if (status)
		lh_hud_say(h, "%s failed: %u %s", action, status, why);
	else
		lh_hud_say(h, "%s failed: %s", action, why);
}

static void lh_act_post(struct lh_hud *h, const char *run, const char *action)
{
	if (lh_control_post(h->control, run, action, lh_act_done, h) < 0)
		lh_hud_say(h, "a request to the kernel is already under way");
	else
		lh_hud_say(h, "%s %s: asking %s...", action, run, lh_control_base(h->control));
}

static void lh_act_resume(struct lh_hud *h, const char *run)
{
	lh_act_post(h, run, "resume");
}

static void lh_act_stop_run(struct lh_hud *h, const char *run)
{
	lh_act_post(h, run, "stop");
}

static const char *lh_act_target(struct lh_hud *h)
{
	if (!h->control) {
		lh_hud_say(h, "A and X need the kernel's HTTP API: watch with --ws URL, or give --kernel URL");
		return NULL;
	}
	const char *run = lh_act_run(h);
	if (!run)
		lh_hud_say(h, "no run to act on yet");
	return run;
}

void lh_act_approve(struct lh_hud *h)
{
	const char *run = lh_act_target(h);
	if (!run)
		return;
	const struct lh_kstate *k = lh_app_kstate(h->app);
	/* Over Redis the run's state is not known: the kernel will say. */
	if (k->known && !k->approval && strcmp(k->status, "awaitingapproval") != 0) {
		lh_hud_say(h, "run %s is not waiting for approval (%s)", run, k->status);
		return;
	}
	lh_hud_ask(h, run, lh_act_resume, "Approve run %s?", run);
}

void lh_act_stop(struct lh_hud *h)
{
	const char *run = lh_act_target(h);
	if (run)
		lh_hud_ask(h, run, lh_act_stop_run, "Stop run %s?", run);
}

/* BEL, at most once a second: tmux flags the window of a side pane. */
void lh_act_bell(struct lh_hud *h, bool error)
{
	enum lh_bell when = h->opts->bell;
	if (when == LH_BELL_NONE || (error && when != LH_BELL_ERRORS))
		return;
	int64_t now = lh_time_mono_us();
	if (now - h->last_bell_us < 1000000)
		return;
	h->last_bell_us = now;
	beep();
}
