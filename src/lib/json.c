#include "config.h"
#include "json.h"
#include "swar.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool lh_json_must_escape(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || lh_text_invisible(cp);
}

/* \uXXXX, as a surrogate pair above U+FFFF. */
static void lh_json_put_escape(struct lh_buf *out, uint32_t cp)
{
	if (cp > 0xffff) {
		cp -= 0x10000;
		lh_buf_printf(out, "\\u%04x\\u%04x", 0xd800u + (cp >> 10), 0xdc00u + (cp & 0x3ff));
		return;
	}
	lh_buf_printf(out, "\\u%04x", (unsigned)cp);
}

/* s[i] is a control or non-ASCII byte: keeps the character in the current
 * run, or flushes the run and writes it as \uXXXX. Returns the next index. */
static size_t lh_escape_char(struct lh_buf *out, const char *s, size_t i, size_t len, size_t *run)
{
	uint32_t cp;
	size_t n = lh_utf8_decode(s + i, len - i, &cp);
	if (n && !lh_json_must_escape(cp))
		return i + n;
	lh_buf_append(out, s + *run, i - *run);
	lh_json_put_escape(out, n ? cp : 0xfffd);
	*run = i + (n ? n : 1);
	return *run;
}

static uint32_t lh_hexval(const char *p);
static bool lh_hex4(const char *p);

/* s[i] starts a \uXXXX escape: how many bytes to keep as they are (6, or
 * 12 for a surrogate pair), or 0 for a lone surrogate, which strict JSON
 * readers refuse and which stands for no character. */
static size_t lh_unicode_escape(const char *s, size_t i, size_t len)
{
	if (len - i < 6 || !lh_hex4(s + i + 2))
		return 2;
	uint32_t u = lh_hexval(s + i + 2);
	if (u < 0xd800 || u > 0xdfff)
		return 6;
	if (u <= 0xdbff && len - i >= 12 && s[i + 6] == '\\' && s[i + 7] == 'u' && lh_hex4(s + i + 8)) {
		uint32_t lo = lh_hexval(s + i + 8);
		if (lo >= 0xdc00 && lo <= 0xdfff)
			return 12;
	}
	return 0;
}

/* Copies the inside of a string literal, s[i] being its first character, up
 * to and including the closing quote; returns the index past it. */
static size_t lh_copy_string_body(struct lh_buf *out, const char *s, size_t i, size_t len)
{
	size_t run = i;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < len) {
			size_t keep = s[i + 1] == 'u' ? lh_unicode_escape(s, i, len) : 2;
			if (!keep) { /* a lone surrogate becomes U+FFFD */
				lh_buf_append(out, s + run, i - run);
				lh_buf_puts(out, "\\ufffd");
				run = i + 6;
				keep = 6;
			}
			i += keep;
			continue;
		}
		if (c == '"') {
			lh_buf_append(out, s + run, i + 1 - run);
			return i + 1;
		}
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		i = lh_escape_char(out, s, i, len, &run);
	}
	lh_buf_append(out, s + run, i - run);
	return i;
}

void lh_json_append_safe(struct lh_buf *out, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			lh_buf_putc(out, '"');
			i = lh_copy_string_body(out, s, i + 1, len);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
		} else {
			size_t start = i;
			while (i < len && s[i] != '"' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
				i++;
			lh_buf_append(out, s + start, i - start);
		}
	}
}

/* A byte a JSON string holds as it is. */
static inline bool lh_json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void lh_json_put_string(struct lh_buf *out, const char *s)
{
	lh_buf_putc(out, '"');
	size_t len = strlen(s), i = 0, run = 0;
	while (i < len) {
		while (i < len && lh_json_plain((unsigned char)s[i]))
			i++; /* the common case, in a loop of its own */
		if (i == len)
			break;
		const char *esc = NULL;
		switch (s[i]) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			lh_buf_append(out, s + run, i - run);
			lh_buf_puts(out, esc);
			run = ++i;
		} else {
			i = lh_escape_char(out, s, i, len, &run);
		}
	}
	lh_buf_append(out, s + run, i - run);
	lh_buf_putc(out, '"');
}

/* ---- validating scanner ---- */

struct lh_scan {
	const char *p, *end;
	bool escaped; /* the last string scanned held an escape */
};

static void lh_ws(struct lh_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool lh_hex4(const char *p)
{
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* The first quote or backslash in [p, end), or end; NULL when there is
 * none in the first 64 bytes (then memchr is quicker). Most strings in a
 * payload are short: eight bytes at a time in one pass beats two calls
 * to memchr. On little-endian machines the lowest byte flagged is the
 * first match (the borrow's false flags sit only above a true one). */
static const char *lh_quote_or_backslash(const char *p, const char *end)
{
	const char *stop = end - p > 64 ? p + 64 : end;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; stop - p >= 8; p += 8) {
		uint64_t x = lh_swar_load(p), hit = lh_swar_equal(x, '"') | lh_swar_equal(x, '\\');
		if (hit)
			return p + lh_swar_byte(hit);
	}
#endif
	for (; p < stop; p++)
		if (*p == '"' || *p == '\\')
			return p;
	return stop == end ? end : NULL;
}

static bool lh_scan_string(struct lh_scan *s)
{
	s->p++; /* the opening quote */
	s->escaped = false;
	const char *first = lh_quote_or_backslash(s->p, s->end);
	if (first && first < s->end && *first == '"') {
		s->p = first + 1;
		return true;
	}
	if (first)
		s->p = first;
	const char *q = NULL; /* the first quote at or after s->p */
	while (s->p < s->end) {
		/* Straight to the next quote or backslash: memchr is vectorized,
		 * and long messages are mostly neither. The quote is looked for
		 * again only once passed, so many escapes stay linear. */
		if (!q || q < s->p)
			q = memchr(s->p, '"', (size_t)(s->end - s->p));
		const char *b = memchr(s->p, '\\', (size_t)((q ? q : s->end) - s->p));
		if (!b) {
			s->p = q ? q + 1 : s->end;
			return q != NULL;
		}
		s->p = b;
		s->escaped = true;
		if (s->end - s->p < 2)
			return false;
		char e = s->p[1];
		if (e == 'u') {
			if (s->end - s->p < 6 || !lh_hex4(s->p + 2))
				return false;
			s->p += 6;
		} else if (strchr("\"\\/bfnrt", e) && e) {
			s->p += 2;
		} else {
			return false;
		}
	}
	return false;
}

static bool lh_digits1(struct lh_scan *s)
{
	const char *start = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start;
}

static bool lh_scan_number(struct lh_scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (!lh_digits1(s))
		return false;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!lh_digits1(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!lh_digits1(s))
			return false;
	}
	return true;
}

static bool lh_scan_word(struct lh_scan *s, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool lh_scan_value(struct lh_scan *s, int depth, struct lh_json_span *spans, size_t max, size_t *n);

/* '{' or '[' ... ; members of the outermost object (or elements of the
 * outermost array, without keys) go to spans. */
static bool lh_scan_container(struct lh_scan *s, int depth, struct lh_json_span *spans, size_t max,
			      size_t *n)
{
	bool obj = *s->p == '{';
	char close = obj ? '}' : ']';
	if (depth >= LH_JSON_MAX_DEPTH)
		return false;
	s->p++;
	lh_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return true;
	}
	for (;;) {
		struct lh_json_span sp = { 0 };
		if (obj) {
			if (s->p >= s->end || *s->p != '"')
				return false;
			sp.key = s->p;
			if (!lh_scan_string(s))
				return false;
			sp.key_len = (size_t)(s->p - sp.key);
			sp.key_escaped = s->escaped;
			lh_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return false;
			s->p++;
			lh_ws(s);
		}
		sp.value = s->p;
		s->escaped = false;
		if (!lh_scan_value(s, depth + 1, NULL, 0, NULL))
			return false;
		sp.value_len = (size_t)(s->p - sp.value);
		sp.value_escaped = *sp.value == '"' && s->escaped;
		if (spans) {
			if (*n < max)
				spans[*n] = sp;
			if (*n <= max)
				(*n)++;
		}
		lh_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			lh_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return true;
		}
		return false;
	}
}

static bool lh_scan_value(struct lh_scan *s, int depth, struct lh_json_span *spans, size_t max, size_t *n)
{
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '{': case '[': return lh_scan_container(s, depth, spans, max, n);
	case '"': return lh_scan_string(s);
	case 't': return lh_scan_word(s, "true");
	case 'f': return lh_scan_word(s, "false");
	case 'n': return lh_scan_word(s, "null");
	default: return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) && lh_scan_number(s);
	}
}

enum lh_json_kind lh_json_scan(const char *text, size_t len, struct lh_json_span *spans, size_t max,
			       size_t *n)
{
	struct lh_scan s = { .p = text, .end = text + len };
	*n = 0;
	lh_ws(&s);
	bool obj = s.p < s.end && *s.p == '{';
	if (!lh_scan_value(&s, 0, spans, max, n))
		return LH_JSON_INVALID;
	lh_ws(&s);
	if (s.p != s.end)
		return LH_JSON_INVALID;
	return obj ? LH_JSON_OBJECT : LH_JSON_OTHER;
}

static void lh_put_utf8(struct lh_buf *out, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	lh_buf_append(out, b, n);
}

static uint32_t lh_hexval(const char *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

void lh_json_unescape(struct lh_buf *out, const char *s, size_t len)
{
	const char *p = s + 1, *end = s + len - 1; /* inside the quotes */
	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		if (!bs) {
			lh_buf_append(out, p, (size_t)(end - p));
			return;
		}
		lh_buf_append(out, p, (size_t)(bs - p));
		char e = bs[1];
		p = bs + 2;
		switch (e) {
		case 'b': lh_buf_putc(out, '\b'); break;
		case 'f': lh_buf_putc(out, '\f'); break;
		case 'n': lh_buf_putc(out, '\n'); break;
		case 'r': lh_buf_putc(out, '\r'); break;
		case 't': lh_buf_putc(out, '\t'); break;
		case 'u': {
			uint32_t cp = lh_hexval(p);
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
				uint32_t lo = lh_hexval(p + 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			lh_put_utf8(out, cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp);
			break;
		}
		default: lh_buf_putc(out, e); break; /* " \ / */
		}
	}
}

static void lh_json_newline(struct lh_buf *out, int depth)
{
	lh_buf_putc(out, '\n');
	for (int i = 0; i < depth; i++)
		lh_buf_puts(out, "  ");
}

void lh_json_pretty(struct lh_buf *out, const char *s, size_t len)
{
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"') { /* a string goes out whole, escapes and all */
			size_t j = i + 1;
			while (j < len && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			j = j < len ? j + 1 : len;
			lh_buf_append(out, s + i, j - i);
			i = j - 1;
		} else if (c == '{' || c == '[') {
			lh_buf_putc(out, c);
			if (i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
				lh_buf_putc(out, s[++i]); /* empty: stays on its line */
				continue;
			}
			lh_json_newline(out, ++depth);
		} else if (c == '}' || c == ']') {
			lh_json_newline(out, depth > 0 ? --depth : 0);
			lh_buf_putc(out, c);
		} else if (c == ',') {
			lh_buf_putc(out, c);
			lh_json_newline(out, depth);
		} else if (c == ':') {
			lh_buf_puts(out, ": ");
		} else {
			lh_buf_putc(out, c);
		}
	}
}

const struct lh_json_span *lh_json_member(const struct lh_json_span *spans, size_t n, const char *key)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i < n; i++)
		if (spans[i].key && spans[i].key_len == klen + 2 && memcmp(spans[i].key + 1, key, klen) == 0)
			return &spans[i];
	return NULL;
}

bool lh_json_uint(const struct lh_json_span *sp, uint64_t *out)
{
	if (!sp || !sp->value_len || sp->value_len > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < sp->value_len; i++) {
		char c = sp->value[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (v > LH_JSON_MAX_UINT)
		return false;
	*out = v;
	return true;
}

bool lh_json_is_string(const struct lh_json_span *sp)
{
	return sp && sp->value_len >= 2 && sp->value[0] == '"';
}

const char *lh_json_string(struct lh_buf *tmp, const struct lh_json_span *sp, const char *absent)
{
	if (!lh_json_is_string(sp))
		return absent;
	lh_buf_reset(tmp);
	lh_json_unescape(tmp, sp->value, sp->value_len);
	return lh_buf_str(tmp);
}
