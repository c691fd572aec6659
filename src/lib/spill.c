#include "config.h"
#include "spill.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Segments hold consecutive addresses: seg[0] is the oldest kept. */
struct lh_spill_seg {
	int fd;
	uint64_t base, len;
	bool sealed; /* no more appends: full, or a write failed in it */
};

/* Strings are gathered in wbuf and written LH_SPILL_WBUF bytes at a time:
 * a million small payloads would otherwise be a million write calls. The
 * gathered bytes are the tail of the last segment. */
#define LH_SPILL_WBUF (64 * 1024)

/* Addresses with this bit are places in the file given to lh_spill_refer
 * (LH_SPILL_NONE has it too, and is checked first). */
#define LH_SPILL_REF (1ULL << 62)

struct lh_spill {
	char *dir;
	int ref_fd;    /* lh_spill_refer's file, or -1 */
	struct lh_spill_seg *seg;
	size_t n, cap;
	uint64_t next; /* the address the next string gets */
	char *wbuf;
	size_t wlen;
};

struct lh_spill *lh_spill_new(const char *dir)
{
	struct lh_spill *s = lh_xcalloc(1, sizeof *s);
	const char *tmp = getenv("TMPDIR");
	s->dir = lh_xstrdup(dir ? dir : tmp && *tmp ? tmp : "/tmp");
	s->ref_fd = -1;
	return s;
}

void lh_spill_free(struct lh_spill *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		close(s->seg[i].fd);
	if (s->ref_fd >= 0)
		close(s->ref_fd);
	free(s->seg);
	free(s->wbuf);
	free(s->dir);
	free(s);
}

/* A file nobody else can open: made private, then unlinked at once, so
 * it goes with the process however that ends. */
static int lh_spill_open_segment(struct lh_spill *s)
{
	size_t plen = strlen(s->dir) + 32;
	char *path = lh_xmalloc(plen);
	snprintf(path, plen, "%s/livehud-spill-XXXXXX", s->dir);
	mode_t old = umask(077);
	int fd = mkstemp(path);
	umask(old);
	if (fd >= 0)
		unlink(path);
	free(path);
	if (fd < 0)
		return -1;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->seg = lh_xrealloc(s->seg, s->cap * sizeof *s->seg);
	}
	s->seg[s->n++] = (struct lh_spill_seg){ fd, s->next, 0, false };
	return 0;
}

static int lh_spill_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Writes what is gathered. On failure the segment is sealed and ends
 * where its file does, so the strings that were lost read as gone. */
static int lh_spill_flush(struct lh_spill *s)
{
	if (!s->wlen)
		return 0;
	struct lh_spill_seg *g = &s->seg[s->n - 1];
	int rc = lh_spill_write_all(g->fd, s->wbuf, s->wlen);
	if (rc < 0) {
		int err = errno;
		struct stat st;
		g->len = fstat(g->fd, &st) == 0 && (uint64_t)st.st_size < g->len ? (uint64_t)st.st_size
										   : g->len - s->wlen;
		g->sealed = true;
		errno = err ? err : ENOSPC;
	}
	s->wlen = 0;
	return rc;
}

uint64_t lh_spill_put(struct lh_spill *s, const void *data, size_t len)
{
	if (s->n && !s->seg[s->n - 1].sealed && s->wlen + len > LH_SPILL_WBUF && lh_spill_flush(s) < 0)
		return LH_SPILL_NONE;
	if ((!s->n || s->seg[s->n - 1].sealed) && lh_spill_open_segment(s) < 0)
		return LH_SPILL_NONE;
	struct lh_spill_seg *g = &s->seg[s->n - 1];
	if (len >= LH_SPILL_WBUF) {
		if (lh_spill_write_all(g->fd, data, len) < 0) {
			/* A short write leaves bytes nobody will address: the
			 * next string starts a file of its own. */
			int err = errno;
			g->sealed = true;
			errno = err ? err : ENOSPC;
			return LH_SPILL_NONE;
		}
	} else {
		if (!s->wbuf)
			s->wbuf = lh_xmalloc(LH_SPILL_WBUF);
		memcpy(s->wbuf + s->wlen, data, len);
		s->wlen += len;
	}
	uint64_t at = s->next;
	g->len += len;
	s->next += len;
	if (g->len >= LH_SPILL_SEGMENT) {
		int err = lh_spill_flush(s);
		g->sealed = true;
		if (err < 0)
			return LH_SPILL_NONE;
	}
	return at;
}

int lh_spill_refer(struct lh_spill *s, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (s->ref_fd >= 0)
		close(s->ref_fd);
	s->ref_fd = fd;
	return 0;
}

bool lh_spill_is_ref(uint64_t at)
{
	return at != LH_SPILL_NONE && (at & LH_SPILL_REF);
}

uint64_t lh_spill_put_at(struct lh_spill *s, const void *data, size_t len, int64_t file_at)
{
	if (s->ref_fd >= 0 && file_at >= 0 && (uint64_t)file_at < LH_SPILL_REF)
		return LH_SPILL_REF | (uint64_t)file_at;
	return lh_spill_put(s, data, len);
}

/* len bytes at off in fd, appended to out; a file that ends before them
 * has lost them (EIO). */
static int lh_spill_read(int fd, uint64_t off, size_t len, struct lh_buf *out)
{
	lh_buf_reserve(out, len);
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, out->data + out->len + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)r;
	}
	out->len += len;
	out->data[out->len] = '\0';
	return 0;
}

int lh_spill_get(struct lh_spill *s, uint64_t at, size_t len, struct lh_buf *out)
{
	if (lh_spill_is_ref(at))
		return lh_spill_read(s->ref_fd, at & ~LH_SPILL_REF, len, out);
	if (s->wlen && at + len > s->next - s->wlen && lh_spill_flush(s) < 0)
		return -1;
	for (size_t i = s->n; i-- > 0;) {
		const struct lh_spill_seg *g = &s->seg[i];
		if (at < g->base)
			continue;
		if (at + len > g->base + g->len)
			break;
		return lh_spill_read(g->fd, at - g->base, len, out);
	}
	errno = ENOENT;
	return -1;
}

void lh_spill_release(struct lh_spill *s, uint64_t at)
{
	if (lh_spill_is_ref(at))
		return; /* the file is not ours to shorten */
	size_t k = 0;
	while (k + 1 < s->n && s->seg[k].base + s->seg[k].len <= at)
		close(s->seg[k++].fd);
	if (k) {
		memmove(s->seg, s->seg + k, (s->n - k) * sizeof *s->seg);
		s->n -= k;
	}
}

uint64_t lh_spill_bytes(const struct lh_spill *s)
{
	uint64_t total = 0;
	for (size_t i = 0; i < s->n; i++)
		total += s->seg[i].len;
	return total;
}
