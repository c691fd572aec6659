#include "config.h"
#include "line.h"
#include "core/format.h"
#include "lib/text.h"

#include <string.h>

void lh_line_reset(struct lh_line *l, enum lh_style base)
{
	lh_buf_reset(&l->text);
	l->n = 0;
	l->right = LH_LINE_SEGS;
	l->base = base;
}

void lh_line_free(struct lh_line *l)
{
	lh_buf_free(&l->text);
}

static void lh_line_push(struct lh_line *l, enum lh_style style, size_t off)
{
	size_t len = l->text.len - off;
	if (!len)
		return;
	if (l->n > 0 && l->seg[l->n - 1].style == style && l->n != l->right &&
	    l->seg[l->n - 1].off + l->seg[l->n - 1].len == off) {
		l->seg[l->n - 1].len += len; /* same style: extend */
		return;
	}
	if (l->n == LH_LINE_SEGS) { /* full: the text joins the last segment */
		l->seg[l->n - 1].len = l->text.len - l->seg[l->n - 1].off;
		return;
	}
	l->seg[l->n++] = (struct lh_seg){ off, len, style };
}

void lh_line_add_n(struct lh_line *l, enum lh_style style, const char *s, size_t len)
{
	size_t off = l->text.len;
	/* Text said to be safe is made so anyway: a slip elsewhere cannot
	 * reach the terminal. Sanitized text comes through unchanged. */
	lh_text_sanitize(&l->text, s, len, LH_TEXT_ONELINE);
	lh_line_push(l, style, off);
}

void lh_line_add(struct lh_line *l, enum lh_style style, const char *s)
{
	lh_line_add_n(l, style, s, strlen(s));
}

void lh_line_add_untrusted(struct lh_line *l, enum lh_style style, const char *s, size_t max,
			   unsigned fmt_flags)
{
	size_t off = l->text.len;
	lh_format_text(&l->text, s, max, fmt_flags);
	lh_line_push(l, style, off);
}

void lh_line_right(struct lh_line *l)
{
	l->right = l->n;
}
