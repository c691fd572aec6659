#include "config.h"
#include "source_impl.h"
#include "lib/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void lh_source_init(struct lh_source *src, const struct lh_source_ops *ops, uv_loop_t *loop,
		    const struct lh_source_callbacks *cb, char *describe)
{
	src->ops = ops;
	src->loop = loop;
	src->cb = *cb;
	src->describe = describe;
	src->last_error[0] = '\0';
	src->backoff_ms = LH_SOURCE_BACKOFF_MIN_MS;
	src->status = (struct lh_source_status){
		.state = LH_SOURCE_CONNECTING,
		.describe = describe,
		.last_error = src->last_error,
	};
}

static void lh_source_notify(struct lh_source *src)
{
	if (src->cb.state && !src->closing)
		src->cb.state(src->cb.ctx, &src->status);
}

void lh_source_set_state(struct lh_source *src, enum lh_source_state state)
{
	if (src->status.state == state)
		return;
	src->status.state = state;
	if (state == LH_SOURCE_LIVE) /* the status says what is, not what was */
		src->last_error[0] = '\0';
	lh_source_notify(src);
}

void lh_source_set_error(struct lh_source *src, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(src->last_error, sizeof src->last_error, fmt, ap);
	va_end(ap);
	lh_source_notify(src);
}

void lh_source_emit(struct lh_source *src, const char *data, size_t len)
{
	lh_source_emit_at(src, data, len, 0);
}

void lh_source_emit_at(struct lh_source *src, const char *data, size_t len, uint64_t pos)
{
	if (src->cb.payload && !src->closing)
		src->cb.payload(src->cb.ctx, data, len, pos);
}

void lh_source_emit_event(struct lh_source *src, struct lh_event *ev, const char *data, size_t len)
{
	if (src->cb.event && !src->closing)
		src->cb.event(src->cb.ctx, ev, data, len);
	else
		lh_event_free(ev);
}

void lh_source_emit_reject(struct lh_source *src, enum lh_reject reason, const char *why)
{
	if (src->cb.reject && !src->closing)
		src->cb.reject(src->cb.ctx, reason, why);
}

void lh_source_emit_kernel(struct lh_source *src, const struct lh_kframe *f)
{
	if (src->cb.kernel && !src->closing)
		src->cb.kernel(src->cb.ctx, f);
}

void lh_source_retry_later(struct lh_source *src, uv_timer_t *t, uv_timer_cb cb)
{
	if (src->closing)
		return;
	int delay = src->backoff_ms;
	src->backoff_ms = delay * 2 > LH_SOURCE_BACKOFF_MAX_MS ? LH_SOURCE_BACKOFF_MAX_MS : delay * 2;
	src->status.retry_at_us = lh_time_mono_us() + (int64_t)delay * 1000;
	lh_source_set_state(src, LH_SOURCE_RETRYING);
	uv_timer_start(t, cb, (uint64_t)delay, 0);
}

void lh_source_backoff_reset(struct lh_source *src)
{
	src->backoff_ms = LH_SOURCE_BACKOFF_MIN_MS;
}

int lh_source_start(struct lh_source *src)
{
	return src->ops->start(src);
}

const struct lh_source_status *lh_source_status(const struct lh_source *src)
{
	return &src->status;
}

void lh_source_close(struct lh_source *src)
{
	if (!src || src->closing)
		return;
	src->closing = 1;
	src->ops->close(src);
}

void lh_source_free(struct lh_source *src)
{
	if (!src)
		return;
	free(src->describe);
	src->ops->free(src);
}

void lh_source_retry(struct lh_source *src)
{
	if (src && !src->closing && src->status.refused && src->ops->retry) {
		src->status.refused = false;
		lh_source_backoff_reset(src);
		src->ops->retry(src);
	}
}

void lh_source_pause(struct lh_source *src, bool paused)
{
	if (src && !src->closing && src->ops->pause)
		src->ops->pause(src, paused);
}

const char *lh_source_state_name(enum lh_source_state state)
{
	switch (state) {
	case LH_SOURCE_CONNECTING: return "connecting";
	case LH_SOURCE_LIVE: return "live";
	case LH_SOURCE_RETRYING: return "retrying";
	case LH_SOURCE_DONE: return "done";
	}
	return "?";
}
