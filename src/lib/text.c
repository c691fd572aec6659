#include "config.h"
#include "swar.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

size_t lh_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2; v = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; v = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

bool lh_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
	size_t i = 0;
	while (i < len) {
		/* ASCII runs are the common case; skip them without decoding,
		 * eight bytes at a time while no high bit is set. */
		while (len - i >= 8 && !(lh_swar_load(s + i) & LH_SWAR_HIGHS))
			i += 8;
		if (i == len)
			break;
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = lh_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			if (bad_at)
				*bad_at = i;
			return false;
		}
		i += n;
	}
	return true;
}

/* Eight bytes at a time: a search asks it of every field of every item. */
bool lh_text_printable(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t x = lh_swar_load(s + i);
		/* a byte below 0x20, or with the top bit set, or 0x7f */
		uint64_t low = (x - LH_SWAR_ONES * 0x20) & ~x;
		if ((low | x) & LH_SWAR_HIGHS || lh_swar_equal(x, 0x7f))
			return false;
	}
	for (; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

bool lh_text_invisible(uint32_t cp)
{
	/* Unicode's format characters (category Cf) and the line and
	 * paragraph separators: bidi embeddings, overrides, isolates and
	 * marks, zero-width characters, the soft hyphen, the BOM, tags. */
	static const uint32_t ranges[][2] = {
		{ 0x00ad, 0x00ad }, { 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
		{ 0x070f, 0x070f }, { 0x08e2, 0x08e2 }, { 0x180e, 0x180e }, { 0x200b, 0x200f },
		{ 0x2028, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f }, { 0xfeff, 0xfeff },
		{ 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
		{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
	};
	if (cp < 0xad)
		return false;
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

static void lh_put_control(struct lh_buf *out, uint32_t cp, unsigned flags)
{
	char tmp[16];
	if (cp == '\n' || cp == '\r') {
		if (flags & LH_TEXT_ONELINE)
			lh_buf_puts(out, (flags & LH_TEXT_ASCII) ? "\\n" : "\xe2\x8f\x8e"); /* ⏎ */
		else
			lh_buf_putc(out, '\n');
		return;
	}
	if (cp == '\t') {
		lh_buf_putc(out, ' ');
		return;
	}
	if (cp < 0x20 || cp == 0x7f)
		snprintf(tmp, sizeof tmp, "^%c", (char)(cp ^ 0x40));
	else if (cp < 0xa0)
		snprintf(tmp, sizeof tmp, "\\x%02X", (unsigned)cp);
	else
		snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)cp);
	lh_buf_puts(out, tmp);
}

void lh_text_sanitize(struct lh_buf *out, const char *s, size_t len, unsigned flags)
{
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		/* Copy printable ASCII runs in one go. */
		while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
			i++;
		if (i > start)
			lh_buf_append(out, s + start, i - start);
		if (i >= len)
			break;
		uint32_t cp;
		size_t n = lh_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			lh_buf_puts(out, (flags & LH_TEXT_ASCII) ? "?" : "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || lh_text_invisible(cp))
			lh_put_control(out, cp, flags);
		else if (flags & LH_TEXT_ASCII)
			lh_buf_putc(out, '?');
		else
			lh_buf_append(out, s + i, n);
		i += n;
	}
}
