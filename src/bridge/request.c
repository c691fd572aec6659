/* request: an HTTP/1.x request head, taken a read at a time and parsed in
 * place once whole. Strict where leniency has been used to smuggle (folded
 * lines, space before a colon, control bytes); a head is at most
 * LH_REQ_HEAD_MAX bytes and LH_REQ_FIELDS fields. Bytes that cannot start
 * a request (a TLS hello on a plain port, a binary protocol) are refused
 * at the first one, not after 8 KiB or the head's timeout. */
#include "config.h"
#include "request.h"
#include "lib/buf.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LH_REQ_FIELDS 64
/* Methods are short words (the longest registered is 17 letters). */
#define LH_REQ_METHOD_MAX 32

struct lh_req_field {
	const char *name, *value;
};

struct lh_req {
	struct lh_buf head;        /* grows as the head comes, to LH_REQ_HEAD_MAX */
	bool past_method;          /* the request line's first space has come */
	const char *method, *path, *query;
	bool http11;
	struct lh_req_field f[LH_REQ_FIELDS];
	size_t nf;
};

struct lh_req *lh_req_new(void)
{
	return lh_xcalloc(1, sizeof(struct lh_req));
}

void lh_req_free(struct lh_req *r)
{
	if (!r)
		return;
	lh_buf_free(&r->head);
	free(r);
}

static bool lh_is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The next line of the head, cut in place (its CR too); NULL at its end. */
static char *lh_req_line(char **at)
{
	char *line = *at, *nl = strchr(line, '\n');
	if (!nl)
		return NULL;
	*nl = '\0';
	if (nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	*at = nl + 1;
	return line;
}

static int lh_req_request_line(struct lh_req *r, char *line, const char **why)
{
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	*why = "not an HTTP/1.x request line";
	if (!sp1 || !sp2 || sp1 == line || sp1[1] != '/' || strchr(sp2 + 1, ' '))
		return 400;
	*sp1 = *sp2 = '\0'; /* the method is a token: lh_req_feed saw to it */
	if (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0)
		return 400;
	r->http11 = strcmp(sp2 + 1, "HTTP/1.1") == 0;
	r->method = line;
	r->path = sp1 + 1;
	char *q = strchr(sp1 + 1, '?');
	if (q)
		*q = '\0';
	r->query = q ? q + 1 : "";
	return 0;
}

static int lh_req_field_line(struct lh_req *r, char *line, const char **why)
{
	char *colon = strchr(line, ':');
	*why = "malformed header field";
	if (!colon || colon == line)
		return 400;
	for (const char *p = line; p < colon; p++)
		if (!lh_is_tchar(*p))
			return 400;
	if (r->nf == LH_REQ_FIELDS) {
		*why = "too many header fields";
		return 431;
	}
	*colon = '\0';
	char *v = colon + 1, *end = v + strlen(v);
	while (*v == ' ' || *v == '\t')
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	r->f[r->nf++] = (struct lh_req_field){ line, v };
	return 0;
}

static int lh_req_parse(struct lh_req *r, const char **why)
{
	char *at = r->head.data, *line = lh_req_line(&at);
	int status = lh_req_request_line(r, line, why);
	while (!status && (line = lh_req_line(&at)) != NULL && *line) {
		if (*line == ' ' || *line == '\t') {
			*why = "folded header field";
			return 400;
		}
		status = lh_req_field_line(r, line, why);
	}
	return status;
}

/* Why byte c, coming after the head so far, rules out a request (a
 * control byte anywhere, a method that is not a short token), or NULL;
 * notes where the method ends. */
static const char *lh_req_byte_refused(struct lh_req *r, unsigned char c)
{
	if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7F)
		return "control byte in the request head";
	if (r->past_method)
		return NULL;
	if (c == ' ' && r->head.len)
		r->past_method = true;
	else if (!lh_is_tchar((char)c) || r->head.len == LH_REQ_METHOD_MAX)
		return "not an HTTP/1.x request line";
	return NULL;
}

int lh_req_feed(struct lh_req *r, const char *in, size_t len, size_t *used, const char **why)
{
	struct lh_buf *h = &r->head;
	for (size_t i = 0; i < len; i++) {
		if (h->len == LH_REQ_HEAD_MAX) {
			*used = i;
			*why = "request head too large";
			return 431;
		}
		if ((*why = lh_req_byte_refused(r, (unsigned char)in[i])) != NULL) {
			*used = i;
			return 400;
		}
		lh_buf_putc(h, in[i]);
		if (in[i] != '\n')
			continue;
		/* the head ends at an empty line: LF LF or LF CR LF */
		size_t n = h->len;
		if ((n >= 2 && h->data[n - 2] == '\n') || (n >= 3 && h->data[n - 2] == '\r' && h->data[n - 3] == '\n')) {
			*used = i + 1;
			int status = lh_req_parse(r, why);
			return status ? status : 1;
		}
	}
	*used = len;
	return 0;
}

const char *lh_req_method(const struct lh_req *r)
{
	return r->method;
}

const char *lh_req_path(const struct lh_req *r)
{
	return r->path;
}

const char *lh_req_query(const struct lh_req *r)
{
	return r->query;
}

bool lh_req_is_http11(const struct lh_req *r)
{
	return r->http11;
}

const char *lh_req_header(const struct lh_req *r, const char *name, size_t *count)
{
	const char *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->nf; i++) {
		if (strcasecmp(r->f[i].name, name) != 0)
			continue;
		if (!n++)
			first = r->f[i].value;
	}
	if (count)
		*count = n;
	return first;
}

bool lh_req_header_lists(const struct lh_req *r, const char *name, const char *token)
{
	size_t tl = strlen(token);
	for (size_t i = 0; i < r->nf; i++) {
		if (strcasecmp(r->f[i].name, name) != 0)
			continue;
		for (const char *p = r->f[i].value; *p;) {
			p += strspn(p, " \t,");
			size_t n = strcspn(p, ",");
			size_t w = n;
			while (w && (p[w - 1] == ' ' || p[w - 1] == '\t'))
				w--;
			if (w == tl && strncasecmp(p, token, tl) == 0)
				return true;
			p += n;
		}
	}
	return false;
}

static int lh_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value at v (up to '&' or the end), decoded into buf; NULL when it
 * does not fit or decodes to a NUL. */
static const char *lh_req_decode(const char *v, char *buf, size_t len)
{
	size_t o = 0;
	for (; *v && *v != '&'; v++) {
		int c = (unsigned char)*v;
		if (c == '+') {
			c = ' ';
		} else if (c == '%' && lh_hex(v[1]) >= 0 && lh_hex(v[2]) >= 0) {
			c = lh_hex(v[1]) << 4 | lh_hex(v[2]);
			v += 2;
		}
		if (!c || o + 1 >= len)
			return NULL;
		buf[o++] = (char)c;
	}
	if (!len)
		return NULL;
	buf[o] = '\0';
	return buf;
}

const char *lh_req_arg(const struct lh_req *r, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);
	for (const char *p = r->query; *p; p += strcspn(p, "&"), p += *p == '&') {
		if (strncmp(p, name, nl) == 0 && p[nl] == '=')
			return lh_req_decode(p + nl + 1, buf, len);
		if (strncmp(p, name, nl) == 0 && (p[nl] == '&' || !p[nl]))
			return lh_req_decode(p + nl, buf, len);
	}
	return NULL;
}
