#include "config.h"
#include "out.h"
#include "buf.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lh_out_kind { LH_OUT_FILE, LH_OUT_PIPE, LH_OUT_TTY };

struct lh_out {
	uv_loop_t *loop;
	int fd;
	enum lh_out_kind kind;
	union {
		uv_tty_t tty;
		uv_pipe_t pipe;
		uv_stream_t stream;
	} h;
	uv_write_t wreq;
	uv_fs_t freq;
	struct lh_buf pending, inflight;
	bool writing, closing, finished, failed;
	bool in_written; /* inside lh_out_written, which frees a finished file's */
	size_t limit;
	uint64_t dropped, dropped_told;
	void (*done)(void *ctx);
	void *done_ctx;
	void (*on_fail)(void *ctx, int err);
	void *fail_ctx;
	size_t low;
	void (*drained)(void *ctx);
	void *drained_ctx;
};

static void lh_out_flush(struct lh_out *o);

static void lh_out_destroy(struct lh_out *o)
{
	if (o->done)
		o->done(o->done_ctx);
	lh_buf_free(&o->pending);
	lh_buf_free(&o->inflight);
	free(o);
}

static void lh_out_handle_closed(uv_handle_t *h)
{
	lh_out_destroy(h->data);
}

static void lh_out_finish(struct lh_out *o)
{
	if (o->finished)
		return;
	o->finished = true;
	if (o->kind == LH_OUT_FILE) {
		if (!o->in_written)
			lh_out_destroy(o);
		return;
	}
	if (o->kind == LH_OUT_TTY)
		uv_tty_reset_mode();
	uv_close((uv_handle_t *)&o->h.stream, lh_out_handle_closed);
}

static void lh_out_fail(struct lh_out *o, int err)
{
	if (o->failed)
		return;
	o->failed = true;
	lh_buf_reset(&o->pending);
	if (o->on_fail && !o->closing)
		o->on_fail(o->fail_ctx, err);
}

/* A failure's callback may close the output: a file's is freed only on
 * the way out of here, not under our feet. */
static void lh_out_written(struct lh_out *o, int status)
{
	o->writing = false;
	o->in_written = true;
	lh_buf_reset(&o->inflight);
	if (status < 0)
		lh_out_fail(o, status);
	if (o->pending.len && !o->failed)
		lh_out_flush(o);
	else if (o->closing)
		lh_out_finish(o);
	if (!o->closing && !o->failed && o->drained && lh_out_queued(o) <= o->low)
		o->drained(o->drained_ctx);
	o->in_written = false;
	if (o->finished && o->kind == LH_OUT_FILE)
		lh_out_destroy(o);
}

static void lh_out_stream_cb(uv_write_t *req, int status)
{
	lh_out_written(req->data, status);
}

static void lh_out_fs_cb(uv_fs_t *req)
{
	int status = req->result < 0 ? (int)req->result : 0;
	uv_fs_req_cleanup(req);
	lh_out_written(req->data, status);
}

static void lh_out_flush(struct lh_out *o)
{
	if (o->writing || o->failed || !o->pending.len)
		return;
	if (o->dropped > o->dropped_told) {
		lh_buf_printf(&o->pending, "[livehud] %llu lines dropped: output too slow\n",
			      (unsigned long long)(o->dropped - o->dropped_told));
		o->dropped_told = o->dropped;
	}
	struct lh_buf t = o->inflight;
	o->inflight = o->pending;
	o->pending = t;
	uv_buf_t b = uv_buf_init(o->inflight.data, (unsigned)o->inflight.len);
	int rc;
	if (o->kind == LH_OUT_FILE) {
		o->freq.data = o;
		rc = uv_fs_write(o->loop, &o->freq, o->fd, &b, 1, -1, lh_out_fs_cb);
	} else {
		o->wreq.data = o;
		rc = uv_write(&o->wreq, &o->h.stream, &b, 1, lh_out_stream_cb);
	}
	if (rc < 0) {
		lh_out_fail(o, rc);
		return;
	}
	o->writing = true;
}

struct lh_out *lh_out_new(uv_loop_t *loop, int fd, size_t limit,
			  void (*failed)(void *ctx, int err), void *ctx)
{
	struct lh_out *o = lh_xcalloc(1, sizeof *o);
	o->on_fail = failed;
	o->fail_ctx = ctx;
	o->loop = loop;
	o->fd = fd;
	o->limit = limit;
	uv_handle_type t = uv_guess_handle(fd);
	/* uv_pipe_init cannot fail; uv_pipe_open only for a bad fd, which
	 * uv_guess_handle has ruled out. Anything else is written as a file. */
	if (t == UV_TTY && uv_tty_init(loop, &o->h.tty, fd, 0) == 0) {
		o->kind = LH_OUT_TTY;
	} else if (t == UV_NAMED_PIPE) {
		uv_pipe_init(loop, &o->h.pipe, 0);
		o->kind = uv_pipe_open(&o->h.pipe, fd) == 0 ? LH_OUT_PIPE : LH_OUT_FILE;
	}
	o->h.stream.data = o;
	return o;
}

void lh_out_line(struct lh_out *o, const char *text, size_t len)
{
	if (o->failed || o->closing)
		return;
	if (o->pending.len + o->inflight.len + len + 1 > o->limit) {
		o->dropped++;
		return;
	}
	lh_buf_append(&o->pending, text, len);
	lh_buf_putc(&o->pending, '\n');
	lh_out_flush(o);
}

uint64_t lh_out_dropped(const struct lh_out *o)
{
	return o->dropped;
}

size_t lh_out_queued(const struct lh_out *o)
{
	return o->pending.len + o->inflight.len;
}

void lh_out_on_drained(struct lh_out *o, size_t low, void (*drained)(void *ctx), void *ctx)
{
	o->low = low;
	o->drained = drained;
	o->drained_ctx = ctx;
}

void lh_out_close(struct lh_out *o, void (*done)(void *ctx), void *ctx)
{
	o->closing = true;
	o->done = done;
	o->done_ctx = ctx;
	if (!o->writing)
		lh_out_finish(o);
}
