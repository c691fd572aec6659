/* source_impl: what each kind of source fills in. Only source files include
 * this; everyone else sees struct lh_source as opaque. */
#ifndef LH_SOURCE_IMPL_H
#define LH_SOURCE_IMPL_H

#include "source.h"

struct lh_source_ops {
	int (*start)(struct lh_source *src);
	/* Begin closing: stop every handle. */
	void (*close)(struct lh_source *src);
	/* The loop has ended: free everything. */
	void (*free)(struct lh_source *src);
	/* Connect again after a refusal (NULL: the source cannot be refused). */
	void (*retry)(struct lh_source *src);
	/* Stop or go on reading (NULL: the source cannot wait). */
	void (*pause)(struct lh_source *src, bool paused);
};

struct lh_source {
	const struct lh_source_ops *ops;
	uv_loop_t *loop;
	struct lh_source_callbacks cb;
	struct lh_source_status status;
	char *describe;
	char last_error[256];
	int closing;
	int backoff_ms; /* the next retry's delay */
};

#define LH_SOURCE_BACKOFF_MIN_MS 100
#define LH_SOURCE_BACKOFF_MAX_MS 5000

void lh_source_init(struct lh_source *src, const struct lh_source_ops *ops, uv_loop_t *loop,
		    const struct lh_source_callbacks *cb, char *describe);
void lh_source_set_state(struct lh_source *src, enum lh_source_state state);
void lh_source_set_error(struct lh_source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lh_source_emit(struct lh_source *src, const char *data, size_t len);
/* The same for a payload with a place in a stream (lh_event.pos). */
void lh_source_emit_at(struct lh_source *src, const char *data, size_t len, uint64_t pos);
void lh_source_emit_event(struct lh_source *src, struct lh_event *ev, const char *data, size_t len);
void lh_source_emit_reject(struct lh_source *src, enum lh_reject reason, const char *why);
void lh_source_emit_kernel(struct lh_source *src, const struct lh_kframe *f);
/* Says the source is retrying and runs cb on t after the current backoff,
 * which doubles from 100 ms up to 5 s; lh_source_backoff_reset once a
 * connection works. */
void lh_source_retry_later(struct lh_source *src, uv_timer_t *t, uv_timer_cb cb);
void lh_source_backoff_reset(struct lh_source *src);

#endif
