/* rconn: one Redis connection of a source, on the loop: the host looked
 * up, the connect timed out, AUTH and SELECT sent, then the source's own
 * commands; replies read through respcut; a silent server asked to
 * answer, and taken for stalled when it does not; a lost connection
 * retried with the source's backoff. The Pub/Sub and the stream sources
 * are each a few callbacks on top. */
#ifndef LH_SOURCE_RCONN_H
#define LH_SOURCE_RCONN_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis.h>
#include <async.h>

#include "lib/redisurl.h"
#include "source_impl.h"

struct lh_rconn;

struct lh_rconn_hooks {
	/* Connected, authenticated, the database selected: send the source's
	 * first commands on ac (their callbacks get privdata ctx). */
	void (*ready)(void *ctx, redisAsyncContext *ac);
	/* Nothing was read for silence_ms: write something Redis answers.
	 * NULL when the source's own commands are answered within silence_ms. */
	void (*nudge)(void *ctx, redisAsyncContext *ac);
	void *ctx;
};

/* The head of a source that reads through one rconn; its start and close
 * ops are lh_rsource_start and lh_rsource_close. */
struct lh_rsource {
	struct lh_source base;
	struct lh_rconn *rc;
};

int lh_rsource_start(struct lh_source *src);
void lh_rsource_close(struct lh_source *src);

/* url: parsed already (lh_redis_url_parse); its strings become the rconn's. */
struct lh_rconn *lh_rconn_new(struct lh_source *src, struct lh_redis_url *url, size_t max_bytes,
			      unsigned silence_ms, const struct lh_rconn_hooks *hooks);
void lh_rconn_free(struct lh_rconn *rc);
void lh_rconn_connect(struct lh_rconn *rc);
/* Stops every handle; no hook is called after. */
void lh_rconn_close(struct lh_rconn *rc);
/* Whether ac is the connection in use (a reply of one given up is ignored). */
bool lh_rconn_current(const struct lh_rconn *rc, const redisAsyncContext *ac);
/* The connection in use, once ready (hooks.ready ran); else NULL. */
redisAsyncContext *lh_rconn_ac(const struct lh_rconn *rc);
/* The source's commands are answered: the source is live. */
void lh_rconn_live(struct lh_rconn *rc);
/* A reply callback's reply, or NULL when it is to be ignored: from a
 * connection given up, or an error, on which the connection is given up
 * (what: the command, for the message). */
redisReply *lh_rconn_reply(struct lh_rconn *rc, const redisAsyncContext *ac, void *r, const char *what);
/* From inside a reply callback: give the connection up and retry. */
void lh_rconn_fail(struct lh_rconn *rc, const char *what, const char *detail);
/* Writes a command into the connection's output without a callback (its
 * reply must be one the source's reply callback ignores). */
void lh_rconn_write_raw(struct lh_rconn *rc, const char *cmd, size_t len);
/* Parses url into *u for lh_rconn_new; -1 with *cause (a new string the
 * caller frees, the URL shown without its password) when it is bad. */
int lh_rconn_parse_url(const char *url, struct lh_redis_url *u, char **cause);

#endif
