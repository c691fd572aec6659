#include "config.h"
#include "json.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static size_t lh_skip_ws(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Index just past the string starting at s[i] == '"'. */
static size_t lh_skip_string(const char *s, size_t i, size_t len)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

/* Index just past the value starting at s[i]. */
static size_t lh_skip_value(const char *s, size_t i, size_t len)
{
	int depth = 0;
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			i = lh_skip_string(s, i, len);
			if (depth == 0)
				return i;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			return i;
		}
		i++;
	}
	return i;
}

size_t lh_json_members(const char *text, size_t len, struct lh_json_span *spans, size_t max)
{
	size_t i = lh_skip_ws(text, 0, len), n = 0;
	if (i >= len || text[i] != '{')
		return 0;
	i++;
	while (n < max) {
		i = lh_skip_ws(text, i, len);
		if (i >= len || text[i] != '"')
			break;
		size_t kend = lh_skip_string(text, i, len);
		spans[n].key = text + i;
		spans[n].key_len = kend - i;
		i = lh_skip_ws(text, kend, len);
		if (i >= len || text[i] != ':')
			break;
		i = lh_skip_ws(text, i + 1, len);
		size_t vend = lh_skip_value(text, i, len);
		spans[n].value = text + i;
		spans[n].value_len = vend - i;
		n++;
		i = lh_skip_ws(text, vend, len);
		if (i >= len || text[i] != ',')
			break;
		i++;
	}
	return n;
}

static bool lh_json_must_escape(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
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
	lh_buf_printf(out, "\\u%04x", n ? (unsigned)cp : 0xfffdu);
	*run = i + (n ? n : 1);
	return *run;
}

/* Copies the inside of a string literal, s[i] being its first character, up
 * to and including the closing quote; returns the index past it. */
static size_t lh_copy_string_body(struct lh_buf *out, const char *s, size_t i, size_t len)
{
	size_t run = i;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < len) {
			i += 2;
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

void lh_json_put_string(struct lh_buf *out, const char *s)
{
	lh_buf_putc(out, '"');
	size_t len = strlen(s), i = 0, run = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		switch (c) {
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
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		i = lh_escape_char(out, s, i, len, &run);
	}
	lh_buf_append(out, s + run, i - run);
	lh_buf_putc(out, '"');
}
