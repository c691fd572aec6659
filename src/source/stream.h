/* stream: a Redis Stream as a source (--stream KEY): the last --backlog
 * entries, then XREAD BLOCK from the last entry read, on one connection
 * (rconn.h). After a disconnect it resumes from the last entry it handed
 * on: nothing lost and nothing doubled while the entries are still in the
 * stream; when MAXLEN trimmed some before they were read, a gap says so.
 * Each entry carries the payload in its field "data"
 * (docs/PROTOCOL.md, section 6). */
#ifndef LH_SOURCE_STREAM_H
#define LH_SOURCE_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "redis.h"
#include "lib/redisurl.h"

/* Entry ids as one number, the same for every reader: (ms - 2024-01-01)
 * * 4096 + seq + 1, below 2^53 until 2093. Returns false for an id that is
 * malformed or outside that range. */
bool lh_stream_id_pos(const char *id, uint64_t *pos);

/* For lh_source_redis_new, when o->stream is set; url's strings become
 * the source's. */
struct lh_source *lh_source_stream_new(uv_loop_t *loop, const struct lh_redis_options *o, struct lh_redis_url *url,
				       const struct lh_source_callbacks *cb);

#endif
