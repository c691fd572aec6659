/* buf: a growable byte buffer, always NUL-terminated, for building lines
 * and JSON text without fixed-size arrays. */
#ifndef LH_BUF_H
#define LH_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lh_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

#define LH_BUF_INIT { NULL, 0, 0 }

/* Makes room for extra more bytes (and the NUL) without writing them. */
void lh_buf_reserve(struct lh_buf *b, size_t extra);
void lh_buf_append(struct lh_buf *b, const void *data, size_t len);
void lh_buf_puts(struct lh_buf *b, const char *s);
void lh_buf_putc(struct lh_buf *b, char c);
void lh_buf_printf(struct lh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lh_buf_vprintf(struct lh_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Keeps the memory for reuse. */
void lh_buf_reset(struct lh_buf *b);
void lh_buf_free(struct lh_buf *b);
/* The text so far; "" for an empty buffer, valid until the next append. */
const char *lh_buf_str(const struct lh_buf *b);

#endif
