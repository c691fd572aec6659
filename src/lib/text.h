/* text: UTF-8 checks and the one gate untrusted text passes on its way to a
 * terminal. Everything an event carries is a stranger's bytes; nothing of it
 * reaches stdout or the screen without lh_text_sanitize. */
#ifndef LH_TEXT_H
#define LH_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum {
	LH_TEXT_ASCII = 1 << 0,   /* placeholders and output in 7-bit ASCII */
	LH_TEXT_ONELINE = 1 << 1, /* newlines become a visible mark */
};

/* Decodes one UTF-8 sequence at s (len > 0). Returns its length and sets *cp,
 * or returns 0 for an invalid, overlong, surrogate or truncated sequence. */
size_t lh_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* True when all of s is valid UTF-8; else *bad_at is the first bad offset. */
bool lh_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* True for a character that changes how text around it shows without
 * showing itself: bidi controls, zero-width and other format characters,
 * line and paragraph separators. */
bool lh_text_invisible(uint32_t cp);

/* True when s[0..len) is printable ASCII only (0x20-0x7e), which
 * lh_text_sanitize leaves as it is. */
bool lh_text_printable(const char *s, size_t len);

/* Appends s to out with terminal controls made visible: C0/C1 controls and
 * DEL in caret or \xNN form, invisible characters (lh_text_invisible) as
 * <U+202E>, invalid UTF-8 as
 * U+FFFD ("?" in ASCII mode, where every non-ASCII character is "?"). Tabs
 * become a space. */
void lh_text_sanitize(struct lh_buf *out, const char *s, size_t len, unsigned flags);

#endif
