/* source_file: regular files are read with libuv's async file requests,
 * two chunks in turn, so the next read runs on the thread pool while the
 * loop parses the last; pipes and terminals as libuv streams, so closing
 * never waits on a read blocked in a thread. */
#include "config.h"
#include "file.h"
#include "source_impl.h"
#include "lib/buf.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LH_FILE_CHUNK (256 * 1024)

struct lh_file_source {
	struct lh_source base;
	char *path;
	int fd;
	bool follow, stream, watching, reading, discarding;
	bool paused, held; /* held: a read was not asked for while paused */
	bool ended;        /* a stream's end or error came: nothing to resume */
	int filling; /* the chunk a read is filling, or will */
	size_t max_line;
	int64_t offset;
	union {
		uv_pipe_t pipe;
		uv_tty_t tty;
		uv_stream_t stream;
	} in;
	uv_fs_t req;
	uv_fs_event_t watch;
	char chunk[2][LH_FILE_CHUNK];
	struct lh_buf line;
};

static void lh_file_read(struct lh_file_source *self);

/* Splits data into lines; a line longer than max_line is passed on cut to
 * max_line + 1 bytes, so the parser rejects it as oversize, and the rest of
 * it is skipped. */
static void lh_file_feed(struct lh_file_source *self, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		if (!self->discarding) {
			size_t room = self->max_line + 1 - self->line.len;
			lh_buf_append(&self->line, data, n < room ? n : room);
			if (self->line.len > self->max_line) {
				lh_source_emit(&self->base, self->line.data, self->line.len);
				lh_buf_reset(&self->line);
				self->discarding = true;
			}
		}
		if (!nl)
			return;
		if (!self->discarding) {
			size_t l = self->line.len;
			if (l && self->line.data[l - 1] == '\r')
				l--;
			if (l)
				lh_source_emit(&self->base, self->line.data, l);
		}
		lh_buf_reset(&self->line);
		self->discarding = false;
		data += n + 1;
		len -= n + 1;
	}
}

static void lh_file_eof(struct lh_file_source *self)
{
	if (self->line.len && !self->discarding)
		lh_source_emit(&self->base, self->line.data, self->line.len);
	lh_buf_reset(&self->line);
	lh_source_set_state(&self->base, LH_SOURCE_DONE);
}

static void lh_file_on_read(uv_fs_t *req)
{
	struct lh_file_source *self = req->data;
	ssize_t n = req->result;
	uv_fs_req_cleanup(req);
	self->reading = false;
	if (self->base.closing)
		return;
	if (n > 0) {
		const char *got = self->chunk[self->filling];
		self->filling ^= 1;
		self->offset += n;
		lh_file_read(self);
		lh_file_feed(self, got, (size_t)n);
	} else if (n < 0) {
		lh_source_set_error(&self->base, "read: %s", uv_strerror((int)n));
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
	} else if (self->follow) {
		lh_source_set_state(&self->base, LH_SOURCE_LIVE);
	} else {
		lh_file_eof(self);
	}
}

static void lh_file_read(struct lh_file_source *self)
{
	if (self->reading)
		return;
	if (self->paused) {
		self->held = true;
		return;
	}
	uv_buf_t b = uv_buf_init(self->chunk[self->filling], LH_FILE_CHUNK);
	self->req.data = self;
	if (uv_fs_read(self->base.loop, &self->req, self->fd, &b, 1, self->offset, lh_file_on_read) == 0)
		self->reading = true;
}

static void lh_file_on_change(uv_fs_event_t *w, const char *name, int events, int status)
{
	(void)name;
	(void)events;
	struct lh_file_source *self = w->data;
	struct stat st;
	if (status < 0 || fstat(self->fd, &st) < 0)
		return;
	if (st.st_size < self->offset) {
		self->offset = 0; /* truncated or rewritten: start over, as tail -F does */
		lh_buf_reset(&self->line);
		self->discarding = false;
	}
	lh_file_read(self);
}

static void lh_stream_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	(void)hint;
	struct lh_file_source *self = h->data;
	*b = uv_buf_init(self->chunk[0], LH_FILE_CHUNK);
}

static void lh_stream_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct lh_file_source *self = s->data;
	if (n > 0) {
		lh_file_feed(self, b->base, (size_t)n);
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
	lh_buf_free(&self->line);
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
	lh_source_init(&self->base, &lh_file_ops, loop, cb,
		       lh_xasprintf("file %s%s", fd == STDIN_FILENO ? "(stdin)" : path,
				    follow ? " (follow)" : ""));
	return &self->base;
}
