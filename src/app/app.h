/* app: what every mode shares: the libuv loop, the store, the ingest path,
 * the source the options chose, and the signals that end the program. A
 * mode (plain output, the HUD, the bridge) supplies hooks and reacts. */
#ifndef LH_APP_H
#define LH_APP_H

#include <stdbool.h>
#include <stdio.h>
#include <uv.h>

#include "core/ingest.h"
#include "core/kstate.h"
#include "options.h"
#include "source/source.h"
#include "core/store.h"

struct lh_app;

struct lh_app_hooks {
	/* The events, as ingest reports them (with a store: each entry as it
	 * enters it; without: each event, valid during the call only), the
	 * rejections, and the ctx every hook here is called with. */
	struct lh_ingest_callbacks ingest;
	void (*source_state)(void *ctx, const struct lh_source_status *st);
	/* The kernel told something about the run (LH_KS_* bits). */
	void (*kernel)(void *ctx, unsigned changed, const struct lh_kstate *k);
	/* The source says events are missing (a bridge's gap frame, a stream
	 * trimmed while away). Unset: a GAP row where it happened. */
	void (*gap)(void *ctx, const struct lh_kframe *f);
	/* SIGINT or SIGTERM arrived: the mode finishes, then lh_app_shutdown. */
	void (*stop)(void *ctx, int signum);
	bool no_store; /* events are not kept (the bridge keeps its own history) */
};

/* Returns NULL, having said why on stderr, when the source cannot be set
 * up (a bad URL, a file that cannot be opened). */
struct lh_app *lh_app_new(const struct lh_options *o, const struct lh_app_hooks *hooks);
/* lh_app_free(NULL) is a no-op; call after lh_app_run returns. */
void lh_app_free(struct lh_app *app);

uv_loop_t *lh_app_loop(struct lh_app *app);
/* NULL with no_store. */
struct lh_store *lh_app_store(struct lh_app *app);
const struct lh_rejects *lh_app_rejects(const struct lh_app *app);
const struct lh_source_status *lh_app_source_status(const struct lh_app *app);
/* What the kernel's WebSocket said about the run (known is false otherwise). */
const struct lh_kstate *lh_app_kstate(const struct lh_app *app);

/* Connects again after the source's server refused us (401, 403). */
void lh_app_source_retry(struct lh_app *app);
/* Asks the source to wait, or go on (lh_source_pause). */
void lh_app_source_pause(struct lh_app *app, bool paused);

/* Starts the source and runs the loop until every handle is closed. */
int lh_app_run(struct lh_app *app);
/* Closes the source and the signal watchers; the loop ends once the mode
 * has closed its own handles too. Safe to call twice. */
void lh_app_shutdown(struct lh_app *app);
/* Turns the loop until what is closing has closed, without starting the
 * source: for a mode that gives up before lh_app_run. */
void lh_app_settle(struct lh_app *app);

/* Outages of the source shown as rows: times it came back after being
 * down (or a bridge said its own source had been). */
uint64_t lh_app_interruptions(const struct lh_app *app);
/* What was lost, one "livehud: ..." line each (rejected payloads, source
 * interruptions, evicted events), as every mode says at exit. */
void lh_app_print_losses(struct lh_app *app, FILE *f);

/* "invalid_json 2, nul_byte 1" for the rejections so far ("" when none);
 * the caller frees it. */
char *lh_app_rejects_summary(const struct lh_app *app);

#endif
