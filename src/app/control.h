/* control: acting on a run through the kernel's HTTP API, as the web
 * console does (PROTOCOL.md section 5): POST {kernel}/runtime/{run}/resume
 * approves a run waiting for approval, .../stop stops it. Requests run on
 * the event loop (the name looked up off it, the socket non-blocking), one
 * at a time: each is an operator's decision, answered before the next. */
#ifndef LH_CONTROL_H
#define LH_CONTROL_H

#include <stdbool.h>
#include <uv.h>

struct lh_control;

struct lh_control_options {
	const char *url;     /* http[s]://host[:port][/prefix], or the --ws URL:
			      * ws -> http, wss -> https, same host and port */
	const char *token;   /* sent as Authorization: Bearer */
	const char *ca_file; /* else the system's CA store */
	bool insecure;       /* accept any certificate */
};

/* The outcome: status is the HTTP status, or 0 when there was no answer,
 * with why ("connection refused"); reason is the status's meaning. */
typedef void lh_control_cb(void *ctx, const char *run, const char *action, unsigned status, const char *why);

/* NULL with *cause (a new string) for a URL that is not http(s) or ws(s). */
struct lh_control *lh_control_new(uv_loop_t *loop, const struct lh_control_options *o, char **cause);
/* The base URL requests go to. */
const char *lh_control_base(const struct lh_control *c);
/* Starts POST {base}/runtime/{run}/{action}; -1 while one is under way. */
int lh_control_post(struct lh_control *c, const char *run, const char *action, lh_control_cb *cb, void *ctx);
/* The words for an HTTP status ("Not Found"), "" when unknown. */
const char *lh_control_reason(unsigned status);
/* As sources: close while the loop runs (no callback after it), free
 * once it has ended. Both accept NULL. */
void lh_control_close(struct lh_control *c);
void lh_control_free(struct lh_control *c);

#endif
