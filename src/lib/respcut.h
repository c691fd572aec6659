/* respcut: stands between a Redis socket and hiredis's reader, which
 * buffers a bulk string of any size whole before handing it over. A bulk
 * longer than the limit is cut as it streams past: its first limit + 1
 * bytes go on, declared as a bulk of that length, and the rest is skipped
 * without being stored. The message still arrives, the parser rejects it
 * as oversize (as the file and WebSocket sources do with what they cut),
 * and the connection stays up. Everything else passes byte for byte. */
#ifndef LH_RESPCUT_H
#define LH_RESPCUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct lh_respcut;

/* For one connection, from its first byte. */
struct lh_respcut *lh_respcut_new(size_t limit);
void lh_respcut_free(struct lh_respcut *c);
/* Appends to out what of the len bytes at in goes on to the reader. */
void lh_respcut_feed(struct lh_respcut *c, const char *in, size_t len, struct lh_buf *out);
/* Bulk strings cut so far. */
uint64_t lh_respcut_count(const struct lh_respcut *c);

#endif
