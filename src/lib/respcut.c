#include "config.h"
#include "respcut.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* RESP is a flat sequence of typed lines as far as cutting goes: an
 * array's header is a line and its elements follow it, so no nesting
 * needs following. Only a bulk ("$LEN\r\n" and LEN bytes and "\r\n") has
 * a body; its header is held until complete, to read LEN. */
enum lh_respcut_at {
	LH_AT_TYPE,   /* the next byte starts a line */
	LH_AT_LINE,   /* inside a line other than a bulk header: passes */
	LH_AT_HEADER, /* inside "$LEN\r\n": held in hdr */
	LH_AT_BODY,   /* inside a bulk's body: pass, then skip, then tail */
};

struct lh_respcut {
	size_t limit;
	enum lh_respcut_at at;
	char hdr[24];
	size_t hlen;
	uint64_t pass, skip, tail;
	uint64_t cut;
};

struct lh_respcut *lh_respcut_new(size_t limit)
{
	struct lh_respcut *c = lh_xcalloc(1, sizeof *c);
	c->limit = limit;
	return c;
}

void lh_respcut_free(struct lh_respcut *c)
{
	free(c);
}

uint64_t lh_respcut_count(const struct lh_respcut *c)
{
	return c->cut;
}

/* "LEN\r" (from "$LEN\r\n"): LEN, -1 for the null bulk, or -2 if it is not
 * a length at all (left for hiredis to call a protocol error). */
static long long lh_respcut_len(const char *s, size_t n)
{
	if (n < 2 || s[n - 1] != '\r')
		return -2;
	if (n == 3 && s[0] == '-' && s[1] == '1')
		return -1;
	long long v = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (1LL << 50))
			return -2;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The bulk header in hdr is complete: pass it on, or a shorter one. */
static void lh_respcut_header(struct lh_respcut *c, struct lh_buf *out)
{
	long long len = lh_respcut_len(c->hdr, c->hlen);
	c->at = len >= 0 ? LH_AT_BODY : LH_AT_TYPE;
	if (len < 0 || (unsigned long long)len <= c->limit) {
		lh_buf_putc(out, '$');
		lh_buf_append(out, c->hdr, c->hlen);
		lh_buf_putc(out, '\n');
		c->pass = len >= 0 ? (uint64_t)len + 2 : 0; /* the body and its CRLF */
		c->skip = c->tail = 0;
		return;
	}
	lh_buf_printf(out, "$%zu\r\n", c->limit + 1);
	c->pass = c->limit + 1;
	c->skip = (uint64_t)len - c->pass;
	c->tail = 2;
	c->cut++;
}

/* Consumes bytes of the body part that is due; returns how many. */
static size_t lh_respcut_body(struct lh_respcut *c, const char *in, size_t len, struct lh_buf *out)
{
	uint64_t *part = c->pass ? &c->pass : c->skip ? &c->skip : &c->tail;
	size_t n = *part < len ? (size_t)*part : len;
	if (part != &c->skip)
		lh_buf_append(out, in, n);
	*part -= n;
	if (!c->pass && !c->skip && !c->tail)
		c->at = LH_AT_TYPE;
	return n;
}

/* Consumes bytes of a line; returns how many. */
static size_t lh_respcut_line(struct lh_respcut *c, const char *in, size_t len, struct lh_buf *out)
{
	const char *nl = memchr(in, '\n', len);
	size_t n = nl ? (size_t)(nl - in) + 1 : len;
	if (c->at == LH_AT_LINE) {
		lh_buf_append(out, in, n);
	} else if (c->hlen + n <= sizeof c->hdr) {
		memcpy(c->hdr + c->hlen, in, n);
		c->hlen += n;
		if (nl) {
			c->hlen--; /* the '\n' */
			lh_respcut_header(c, out);
			return n;
		}
	} else { /* no length is this long: not ours to judge */
		lh_buf_putc(out, '$');
		lh_buf_append(out, c->hdr, c->hlen);
		lh_buf_append(out, in, n);
		c->at = LH_AT_LINE;
	}
	if (nl)
		c->at = LH_AT_TYPE;
	return n;
}

void lh_respcut_feed(struct lh_respcut *c, const char *in, size_t len, struct lh_buf *out)
{
	while (len) {
		size_t n;
		if (c->at == LH_AT_TYPE) {
			c->at = *in == '$' ? LH_AT_HEADER : LH_AT_LINE;
			c->hlen = 0;
			if (*in != '$')
				lh_buf_putc(out, *in);
			n = 1;
		} else if (c->at == LH_AT_BODY) {
			n = lh_respcut_body(c, in, len, out);
		} else {
			n = lh_respcut_line(c, in, len, out);
		}
		in += n;
		len -= n;
	}
}
