/* out: lines to stdout without ever blocking the loop. Lines queue while a
 * write is in flight and go out together in the next one, so a fast stream
 * costs few syscalls. When the reader falls behind by more than the limit,
 * further lines are dropped, counted, and the count is printed as soon as
 * there is room again. */
#ifndef LH_OUT_H
#define LH_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define LH_OUT_DEFAULT_LIMIT (16 * 1024 * 1024)

struct lh_out;

/* Writes to fd (normally STDOUT_FILENO) on loop. lh_out_new never fails:
 * an fd libuv cannot wrap is written as a file. failed (may be NULL) is
 * called once when a write fails, e.g. EPIPE when the reader went away. */
struct lh_out *lh_out_new(uv_loop_t *loop, int fd, size_t limit,
			  void (*failed)(void *ctx, int err), void *ctx);
/* Queues one line; a newline is added. */
void lh_out_line(struct lh_out *o, const char *text, size_t len);
uint64_t lh_out_dropped(const struct lh_out *o);
/* Bytes queued and not yet written. */
size_t lh_out_queued(const struct lh_out *o);
/* Calls drained after each write that leaves at most low bytes queued,
 * so that a producer that can wait (a file) waits instead of having its
 * lines dropped. */
void lh_out_on_drained(struct lh_out *o, size_t low, void (*drained)(void *ctx), void *ctx);
/* Flushes what is queued, then closes and frees; done is called after
 * (it may be NULL). A write error (EPIPE: the reader went away) ends it. */
void lh_out_close(struct lh_out *o, void (*done)(void *ctx), void *ctx);

#endif
