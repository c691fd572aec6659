/* line: one screen line as styled segments, built without curses so the
 * formatting can be unit tested. Segments after lh_line_right() are drawn
 * flush right (a duration, a mark). */
#ifndef LH_LINE_H
#define LH_LINE_H

#include <stddef.h>

#include "lib/buf.h"
#include "theme.h"

#define LH_LINE_SEGS 24

struct lh_seg {
	size_t off, len; /* into text */
	enum lh_style style;
};

struct lh_line {
	struct lh_buf text;
	struct lh_seg seg[LH_LINE_SEGS];
	int n;
	int right; /* index of the first right-aligned segment; n when none */
	enum lh_style base;
};

void lh_line_reset(struct lh_line *l, enum lh_style base);
void lh_line_free(struct lh_line *l);
/* Adds text meant to be safe for the terminal (sanitized all the same). */
void lh_line_add(struct lh_line *l, enum lh_style style, const char *s);
void lh_line_add_n(struct lh_line *l, enum lh_style style, const char *s, size_t len);
/* Adds a stranger's text: sanitized, on one line, at most max characters. */
void lh_line_add_untrusted(struct lh_line *l, enum lh_style style, const char *s, size_t max,
			   unsigned fmt_flags);
/* What comes next is drawn at the right edge. */
void lh_line_right(struct lh_line *l);

#endif
