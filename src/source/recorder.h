/* recorder: the writing side of `livehud record`: payloads heard on
 * Pub/Sub appended to a Redis Stream by exactly one recorder at a time.
 *
 * A lease in Redis (the key KEY:recorder, a few hundred ms, renewed) names
 * the writer, and every append checks it in the same script, so a writer
 * that lost the lease (paused, cut off) can never append after its
 * successor. Every recorder holds the payloads it heard last; one that
 * takes the lease first reads the stream's tail, finds it among what it
 * holds, and appends what follows: a failover loses nothing and doubles
 * nothing that it still holds (PROTOCOL.md section 6). */
#ifndef LH_SOURCE_RECORDER_H
#define LH_SOURCE_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "source.h"

#define LH_RECORDER_LEASE_MS 600
#define LH_RECORDER_TICK_MS 150
#define LH_RECORDER_DEFAULT_HOLD 10000

enum lh_recorder_role {
	LH_RECORDER_STANDBY, /* not writing; holding what it hears */
	LH_RECORDER_SYNCING, /* took the lease, reading the stream's tail */
	LH_RECORDER_WRITER,
};

struct lh_recorder_status {
	enum lh_recorder_role role;
	const char *other;   /* STANDBY: the writer's name, as last seen ("" if none) */
	uint64_t appended;   /* payloads this recorder appended */
	uint64_t recovered;  /* of those, appended on taking over: the stream lacked them */
	uint64_t takeovers;  /* times it became the writer */
	uint64_t lost;       /* payloads let go before any recorder appended them */
	size_t held;
};

struct lh_recorder_options {
	const char *url;
	const char *key;
	size_t maxlen;       /* XADD MAXLEN ~ */
	size_t hold;         /* payloads held, at most */
	size_t max_bytes;
	unsigned silence_ms;
};

struct lh_recorder_hooks {
	/* The role changed, or another recorder became the writer. */
	void (*role)(void *ctx, const struct lh_recorder_status *st);
	/* The connection's state, as a source's. */
	void (*state)(void *ctx, const struct lh_source_status *st);
	void *ctx;
};

struct lh_recorder;

/* Returns NULL with *cause (a new string the caller frees) for a bad URL. */
struct lh_recorder *lh_recorder_new(uv_loop_t *loop, const struct lh_recorder_options *o,
				    const struct lh_recorder_hooks *hooks, char **cause);
void lh_recorder_start(struct lh_recorder *r);
/* Stops; hooks are not called after. A lease it held runs out, and a
 * standby takes over. */
void lh_recorder_close(struct lh_recorder *r);
void lh_recorder_free(struct lh_recorder *r);
/* A payload heard on the subscription, in order. */
void lh_recorder_offer(struct lh_recorder *r, const char *data, size_t len);
/* Whether the subscription is live: only a recorder that hears everything
 * may write; one that stops hearing gives the lease up. */
void lh_recorder_hearing(struct lh_recorder *r, bool live);
const struct lh_recorder_status *lh_recorder_status(const struct lh_recorder *r);
const char *lh_recorder_name(const struct lh_recorder *r);

#endif
