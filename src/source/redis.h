/* redis: SUBSCRIBE (or PSUBSCRIBE, for glob patterns) on Redis with
 * hiredis's async API on the libuv loop, or with a stream key, the stream
 * (stream.h); reconnects with backoff forever, and notices a Redis that
 * stopped answering (PING after silence). */
#ifndef LH_SOURCE_REDIS_H
#define LH_SOURCE_REDIS_H

#include "source.h"

#define LH_REDIS_DEFAULT_CHANNEL "raro:live_logs"
#define LH_REDIS_CONNECT_TIMEOUT_MS 5000

/* How long Redis has to answer a PING sent after silence. */
#define LH_REDIS_PING_WAIT_MS 2000
#define LH_REDIS_DEFAULT_SILENCE_S 5
#define LH_STREAM_DEFAULT_BACKLOG 1000
#define LH_STREAM_DEFAULT_MAXLEN 100000

struct lh_redis_options {
	const char *url;
	const char *const *channels; /* copied; none: the default channel */
	size_t nchannels;
	size_t max_bytes;   /* a longer message is cut as it streams in (respcut) */
	unsigned silence_ms; /* PING after this much silence; 0: never */
	const char *stream;  /* read this stream instead of the channels (stream.h) */
	size_t backlog;      /* entries read first; SIZE_MAX: the whole stream */
};

/* Returns NULL with *cause (a new string the caller frees) for a bad URL. */
struct lh_source *lh_source_redis_new(uv_loop_t *loop, const struct lh_redis_options *o,
				      const struct lh_source_callbacks *cb, char **cause);

#endif
