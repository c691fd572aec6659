/* source_redis: SUBSCRIBE (or PSUBSCRIBE, for glob patterns) on Redis with
 * hiredis's async API on the libuv loop; reconnects with backoff forever. */
#ifndef LH_SOURCE_REDIS_H
#define LH_SOURCE_REDIS_H

#include "source.h"

#define LH_REDIS_DEFAULT_CHANNEL "raro:live_logs"
#define LH_REDIS_CONNECT_TIMEOUT_MS 5000

/* Returns NULL with *cause (a new string the caller frees) for a bad URL.
 * channels is copied. A message much larger than max_bytes is not buffered
 * whole: the connection is dropped and made again (see source_redis.c). */
struct lh_source *lh_source_redis_new(uv_loop_t *loop, const char *url,
				      const char *const *channels, size_t nchannels, size_t max_bytes,
				      const struct lh_source_callbacks *cb, char **cause);

#endif
