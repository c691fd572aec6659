/* source_file: a regular file is read in chunks, each read, cut into
 * lines and (when the callbacks take parsed events) parsed on libuv's
 * thread pool, up to LH_FILE_BATCHES chunks at once, then handed on by the
 * loop in the file's order: a million-line file's reading and parsing is
 * off the loop, on every core, and the loop only stores. Pipes and
 * terminals are read as libuv streams, so closing never waits on a read
 * blocked in a thread. */
#include "config.h"
#include "file.h"
#include "source_impl.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LH_FILE_CHUNK (256 * 1024)

/* The line being put together across reads: its bytes so far (at most
 * max_line + 1), where it starts in the file, and whether the rest of an
 * over-size one is being skipped. */
struct lh_file_carry {
	struct lh_buf line;
	int64_t line_at;
	bool discarding;
};

/* A line wholly inside a chunk, at `at` in it; what it parsed to, if
 * asked. */
struct lh_file_line {
	size_t at, len;
	struct lh_event *ev;
	enum lh_reject reason;
	const char *why;
};

/* Chunks being read and parsed or waiting their turn: more than the pool
 * has threads, so a thread that finishes one finds the next waiting. */
#define LH_FILE_BATCHES 8

/* One chunk, read, cut and parsed on the pool, handed on by the loop in
 * the file's order. The pool takes the lines wholly inside it; the loop,
 * which carries what came before, the piece before its first newline and
 * the one after its last. */
struct lh_file_batch {
	uv_work_t work;
	struct lh_file_source *self;
	bool ready;                 /* back from the pool: its turn may come */
	bool stale;                 /* let out before an earlier one came back short */
	int64_t off;                /* where it was read from */
	ssize_t got;                /* bytes read, or -errno */
	size_t first, last;         /* the pieces before the first newline (up to
				     * and with it) and from past the last one;
				     * first == got: no newline in it */
	struct lh_file_line *lines;
	size_t n, cap;
	struct lh_arena *events;    /* what its lines parsed to */
	char chunk[LH_FILE_CHUNK];
};

struct lh_file_source {
	struct lh_source base;
	char *path;
	int fd;
	bool follow, stream, watching;
	bool at_end;       /* a read found the end (or an error): once the
			    * batches are handed on, say so */
	int read_error;    /* that error, or 0 */
	bool changed;      /* the file changed while reading: look again */
	bool draining;     /* lh_file_drain is handing batches on */
	bool paused, held; /* held: a read was not asked for while paused */
	bool ended;        /* a stream's end or error came: nothing to resume */
	size_t max_line;
	int64_t offset;    /* the end of what was handed on */
	int64_t next_off;  /* where the next read starts */
	size_t ahead;      /* reads let out at once: one after a short read,
			    * until a chunk comes back full */
	union {
		uv_pipe_t pipe;
		uv_tty_t tty;
		uv_stream_t stream;
	} in;
	uv_fs_event_t watch;
	struct lh_file_batch *batch[LH_FILE_BATCHES]; /* a ring, oldest at head */
	size_t head, count;
	char stream_chunk[LH_FILE_CHUNK];
	struct lh_file_carry carry;
};

/* at: where the line starts in the file (-1: not known, a stream). */
typedef void lh_file_line_fn(void *ctx, const char *data, size_t len, int64_t at);

static void lh_file_read(struct lh_file_source *self);

/* A line without its CR, if any. */
static size_t lh_file_line_len(const char *line, size_t n)
{
	return n && line[n - 1] == '\r' ? n - 1 : n;
}

/* Splits data (at base in the file, -1 for a stream) into lines for each;
 * a line longer than max_line is given cut to max_line + 1 bytes, so the
 * parser rejects it as oversize, and the rest of it is skipped. A line
 * wholly inside data is given from where it is; one that began before is
 * carried in c. */
static void lh_file_split(struct lh_file_carry *c, size_t max_line, const char *data, size_t len, int64_t base,
			  lh_file_line_fn *each, void *ctx)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		if (!c->line.len && !c->discarding)
			c->line_at = base;
		if (nl && !c->line.len && !c->discarding && n <= max_line) {
			size_t l = lh_file_line_len(data, n);
			if (l)
				each(ctx, data, l, base);
		} else if (!c->discarding) {
			size_t room = max_line + 1 - c->line.len;
			lh_buf_append(&c->line, data, n < room ? n : room);
			if (c->line.len > max_line) {
				each(ctx, c->line.data, c->line.len, c->line_at);
				lh_buf_reset(&c->line);
				c->discarding = true;
			}
		}
		if (!nl)
			return;
		if (c->line.len && !c->discarding) {
			size_t l = lh_file_line_len(c->line.data, c->line.len);
			if (l)
				each(ctx, c->line.data, l, c->line_at);
		}
		lh_buf_reset(&c->line);
		c->discarding = false;
		data += n + 1;
		len -= n + 1;
		if (base >= 0)
			base += (int64_t)n + 1;
	}
}

static void lh_file_emit(void *ctx, const char *data, size_t len, int64_t at)
{
	(void)at;
	lh_source_emit(ctx, data, len);
}

static void lh_file_eof(struct lh_file_source *self)
{
	struct lh_file_carry *c = &self->carry;
	if (c->line.len && !c->discarding)
		lh_source_emit(&self->base, c->line.data, c->line.len);
	lh_buf_reset(&c->line);
	lh_source_set_state(&self->base, LH_SOURCE_DONE);
}

/* ---- a regular file's batches ---- */

/* A line of the chunk's (at: its place in the file). An over-size one
 * comes cut, from the carry: its first bytes are the chunk's own. */
static void lh_batch_add(void *ctx, const char *data, size_t len, int64_t at)
{
	struct lh_file_batch *b = ctx;
	(void)data;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->lines = lh_xrealloc(b->lines, b->cap * sizeof *b->lines);
	}
	b->lines[b->n++] = (struct lh_file_line){ .at = (size_t)(at - b->off), .len = len };
}

/* On the pool: reads the chunk, cuts it and parses its lines; nothing here
 * touches the source but what never changes. */
static void lh_batch_work(uv_work_t *w)
{
	struct lh_file_batch *b = w->data;
	const struct lh_file_source *self = b->self;
	do
		b->got = pread(self->fd, b->chunk, sizeof b->chunk, (off_t)b->off);
	while (b->got < 0 && errno == EINTR);
	if (b->got < 0)
		b->got = -errno;
	b->n = 0;
	if (b->got <= 0)
		return;
	size_t got = (size_t)b->got;
	const char *nl = memchr(b->chunk, '\n', got);
	b->first = b->last = got;
	if (!nl)
		return;
	b->first = (size_t)(nl - b->chunk) + 1;
	b->last = (size_t)((const char *)memrchr(b->chunk, '\n', got) - b->chunk) + 1;
	struct lh_file_carry whole = { LH_BUF_INIT, 0, false }; /* it ends at a newline: carries nothing */
	lh_file_split(&whole, self->max_line, b->chunk + b->first, b->last - b->first, b->off + (int64_t)b->first,
		      lh_batch_add, b);
	lh_buf_free(&whole.line);
	if (!self->base.cb.parsed)
		return;
	int64_t now = lh_time_now_us();
	for (size_t i = 0; i < b->n; i++) {
		struct lh_file_line *l = &b->lines[i];
		l->reason = lh_event_parse_in(b->events, b->chunk + l->at, l->len, self->max_line, now, &l->ev,
					      &l->why);
	}
}

/* Hands on one line: parsed already (ev, or why it was refused), or to be
 * parsed now (a line the loop put together across chunks). */
static void lh_file_hand(struct lh_file_source *self, const char *data, size_t len, int64_t at,
			 struct lh_event *ev, enum lh_reject reason, const char *why)
{
	if (self->base.closing)
		return;
	if (!self->base.cb.parsed)
		lh_source_emit(&self->base, data, len);
	else if (ev)
		self->base.cb.parsed(self->base.cb.ctx, ev, data, len, at);
	else
		lh_source_emit_reject(&self->base, reason, why);
}

/* A line put together by the loop across chunks, parsed into the events
 * of the batch it ends in. */
static void lh_file_hand_now(void *ctx, const char *data, size_t len, int64_t at)
{
	struct lh_file_batch *b = ctx;
	struct lh_file_source *self = b->self;
	struct lh_event *ev = NULL;
	const char *why = NULL;
	enum lh_reject reason = LH_REJECT_NONE;
	if (self->base.cb.parsed && !self->base.closing)
		reason = lh_event_parse_in(b->events, data, len, self->max_line, lh_time_now_us(), &ev, &why);
	lh_file_hand(self, data, len, at, ev, reason, why);
}

/* The batch whose turn it is: what it read joins the carried line and its
 * lines go on in order. Nothing read is the end for now. A short read is
 * read on from where it stopped, one chunk at a time: the batches read
 * after it are dropped, since they may have missed what was written
 * meanwhile (a file followed), or the file system gives less than asked
 * short of the end (network and FUSE file systems may). */
static void lh_batch_take(struct lh_file_source *self, struct lh_file_batch *b)
{
	if (b->got <= 0) {
		self->read_error = (int)b->got;
		self->at_end = true;
	} else {
		size_t got = (size_t)b->got;
		lh_file_split(&self->carry, self->max_line, b->chunk, b->first, b->off, lh_file_hand_now, b);
		for (size_t i = 0; i < b->n; i++) {
			struct lh_file_line *l = &b->lines[i];
			lh_file_hand(self, b->chunk + l->at, l->len, b->off + (int64_t)l->at, l->ev, l->reason,
				     l->why);
		}
		if (b->last < got)
			lh_file_split(&self->carry, self->max_line, b->chunk + b->last, got - b->last,
				      b->off + (int64_t)b->last, lh_file_hand_now, b);
		self->offset = b->off + b->got;
	}
	bool whole = b->got == (ssize_t)sizeof b->chunk;
	self->ahead = whole ? LH_FILE_BATCHES : 1;
	if (whole)
		return;
	self->next_off = self->offset;
	for (size_t i = 1; i < self->count; i++)
		self->batch[(self->head + i) % LH_FILE_BATCHES]->stale = true;
}

static void lh_batch_free(struct lh_file_batch *b)
{
	if (!b)
		return;
	free(b->lines);
	lh_arena_free(b->events);
	free(b);
}

/* At the end, with none in flight: one batch is all a followed file's
 * appends need, the others (and what their arenas grew to) go until a
 * chunk comes back full again. */
static void lh_file_trim(struct lh_file_source *self)
{
	for (size_t i = 1; i < LH_FILE_BATCHES; i++) {
		size_t k = (self->head + i) % LH_FILE_BATCHES;
		lh_batch_free(self->batch[k]);
		self->batch[k] = NULL;
	}
}

static void lh_file_check_size(struct lh_file_source *self);

/* Hands on the batches whose turn it is, then reads on, or says the end. */
static void lh_file_drain(struct lh_file_source *self)
{
	if (self->draining) /* a read asked for by a line handed on */
		return;
	self->draining = true;
	while (self->count && self->batch[self->head]->ready) {
		/* the batch keeps its slot while handed on: a read asked for
		 * meanwhile (a resume) cannot fill it under the lines */
		struct lh_file_batch *b = self->batch[self->head];
		if (!b->stale && !self->base.closing)
			lh_batch_take(self, b);
		b->n = 0;
		lh_arena_reset(b->events);
		self->head = (self->head + 1) % LH_FILE_BATCHES;
		self->count--;
	}
	self->draining = false;
	if (self->base.closing)
		return;
	if (!self->at_end) {
		lh_file_read(self);
		return;
	}
	if (self->count)
		return;
	self->at_end = false;
	lh_file_trim(self);
	if (self->read_error) {
		lh_source_set_error(&self->base, "read: %s", uv_strerror(self->read_error));
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
	} else if (self->follow) {
		lh_source_set_state(&self->base, LH_SOURCE_LIVE);
		if (self->changed)
			lh_file_check_size(self);
	} else {
		lh_file_eof(self);
	}
}

static void lh_batch_done(uv_work_t *w, int status)
{
	struct lh_file_batch *b = w->data;
	(void)status; /* never cancelled: the work always ran */
	b->ready = true;
	lh_file_drain(b->self);
}

/* Lets out reads into the free slots, up to self->ahead at once. */
static void lh_file_read(struct lh_file_source *self)
{
	if (self->paused) {
		self->held = true;
		return;
	}
	while (self->count < self->ahead) {
		size_t k = (self->head + self->count) % LH_FILE_BATCHES;
		struct lh_file_batch *b = self->batch[k];
		if (!b) {
			b = self->batch[k] = lh_xcalloc(1, sizeof *b);
			b->self = self;
			b->work.data = b;
			b->events = lh_arena_new();
		}
		b->ready = b->stale = false;
		b->off = self->next_off;
		self->next_off += LH_FILE_CHUNK;
		self->count++;
		int rc = uv_queue_work(self->base.loop, &b->work, lh_batch_work, lh_batch_done);
		if (rc < 0) { /* the pool refused it: a read that failed */
			b->got = rc;
			b->n = 0;
			b->ready = true;
			lh_file_drain(self);
			return;
		}
	}
}

/* A file followed that shrank was truncated or rewritten: start over, as
 * tail -F does; not while a read is on its way (then once it is back). */
static void lh_file_check_size(struct lh_file_source *self)
{
	struct stat st;
	if (self->count) {
		self->changed = true;
		return;
	}
	self->changed = false;
	if (fstat(self->fd, &st) < 0)
		return;
	if (st.st_size < self->offset) {
		self->offset = self->next_off = 0;
		lh_buf_reset(&self->carry.line);
		self->carry.discarding = false;
	}
	lh_file_read(self);
}

static void lh_file_on_change(uv_fs_event_t *w, const char *name, int events, int status)
{
	(void)name;
	(void)events;
	if (status == 0)
		lh_file_check_size(w->data);
}

static void lh_stream_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	(void)hint;
	struct lh_file_source *self = h->data;
	*b = uv_buf_init(self->stream_chunk, LH_FILE_CHUNK);
}

static void lh_stream_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct lh_file_source *self = s->data;
	if (n > 0) {
		lh_file_split(&self->carry, self->max_line, b->base, (size_t)n, -1, lh_file_emit, &self->base);
	} else if (n == UV_EOF) {
		uv_read_stop(s);
		self->ended = true;
		lh_file_eof(self);
	} else if (n < 0) {
		uv_read_stop(s);
		self->ended = true;
		lh_source_set_error(&self->base, "read: %s", uv_strerror((int)n));
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
	}
}

static int lh_file_start_stream(struct lh_file_source *self, uv_handle_type type)
{
	int rc = type == UV_TTY ? uv_tty_init(self->base.loop, &self->in.tty, self->fd, 1)
				: uv_pipe_init(self->base.loop, &self->in.pipe, 0);
	if (rc == 0 && type != UV_TTY)
		rc = uv_pipe_open(&self->in.pipe, self->fd);
	if (rc < 0)
		return rc;
	self->in.stream.data = self;
	self->stream = true;
	return uv_read_start(&self->in.stream, lh_stream_alloc, lh_stream_on_read);
}

static int lh_file_start(struct lh_source *src)
{
	struct lh_file_source *self = (struct lh_file_source *)src;
	uv_handle_type type = uv_guess_handle(self->fd);
	lh_source_set_state(src, LH_SOURCE_LIVE);
	if (type == UV_NAMED_PIPE || type == UV_TTY || type == UV_TCP || type == UV_UDP)
		return lh_file_start_stream(self, type);
	if (self->follow && self->fd != STDIN_FILENO) {
		uv_fs_event_init(src->loop, &self->watch);
		self->watch.data = self;
		self->watching = true;
		int rc = uv_fs_event_start(&self->watch, lh_file_on_change, self->path, 0);
		if (rc < 0)
			return rc;
	}
	lh_file_read(self);
	return 0;
}

static void lh_file_close(struct lh_source *src)
{
	struct lh_file_source *self = (struct lh_file_source *)src;
	if (self->stream)
		uv_close((uv_handle_t *)&self->in.stream, NULL);
	if (self->watching)
		uv_close((uv_handle_t *)&self->watch, NULL);
}

static void lh_file_free(struct lh_source *src)
{
	struct lh_file_source *self = (struct lh_file_source *)src;
	if (self->fd > STDIN_FILENO && !self->stream)
		close(self->fd);
	for (int i = 0; i < LH_FILE_BATCHES; i++)
		lh_batch_free(self->batch[i]);
	lh_buf_free(&self->carry.line);
	free(self->path);
	free(self);
}

/* A regular file's next read is simply not asked for while paused (the
 * one in flight still lands); a stream stops reading. */
static void lh_file_pause(struct lh_source *src, bool paused)
{
	struct lh_file_source *self = (struct lh_file_source *)src;
	if (paused == self->paused || self->ended)
		return;
	self->paused = paused;
	if (self->stream && paused)
		uv_read_stop(&self->in.stream);
	else if (self->stream)
		uv_read_start(&self->in.stream, lh_stream_alloc, lh_stream_on_read);
	else if (self->held) {
		self->held = false;
		lh_file_read(self);
	}
}

static const struct lh_source_ops lh_file_ops = {
	.start = lh_file_start,
	.close = lh_file_close,
	.free = lh_file_free,
	.pause = lh_file_pause,
};

struct lh_source *lh_source_file_new(uv_loop_t *loop, const char *path, bool follow,
				     size_t max_line, const struct lh_source_callbacks *cb,
				     char **cause)
{
	int fd = STDIN_FILENO;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			fd = -1;
			errno = EISDIR;
		}
		if (fd < 0) {
			*cause = lh_xasprintf("cannot open %s: %s", path, strerror(errno));
			return NULL;
		}
	}
	struct lh_file_source *self = lh_xcalloc(1, sizeof *self);
	self->path = lh_xstrdup(path);
	self->fd = fd;
	self->follow = follow;
	self->max_line = max_line;
	self->ahead = LH_FILE_BATCHES;
	lh_source_init(&self->base, &lh_file_ops, loop, cb,
		       lh_xasprintf("file %s%s", fd == STDIN_FILENO ? "(stdin)" : path,
				    follow ? " (follow)" : ""));
	return &self->base;
}
