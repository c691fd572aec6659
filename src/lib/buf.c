#include "config.h"
#include "buf.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lh_buf_reserve(struct lh_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = lh_xrealloc(b->data, cap);
	b->cap = cap;
}

void lh_buf_append(struct lh_buf *b, const void *data, size_t len)
{
	lh_buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void lh_buf_puts(struct lh_buf *b, const char *s)
{
	lh_buf_append(b, s, strlen(s));
}

void lh_buf_putc(struct lh_buf *b, char c)
{
	lh_buf_append(b, &c, 1);
}

void lh_buf_vprintf(struct lh_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	lh_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void lh_buf_printf(struct lh_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lh_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void lh_buf_reset(struct lh_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void lh_buf_free(struct lh_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *lh_buf_str(const struct lh_buf *b)
{
	return b->data ? b->data : "";
}
