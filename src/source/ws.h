/* ws: the kernel's or the bridge's WebSocket as a source. log_event frames
 * become events as if Redis had carried them; the other frame types
 * (state_update, agent lifecycle, intervention, error, gap) go to the
 * kernel callback, typed. Reconnects with backoff, resuming from the last seq seen
 * when the server is a livehud bridge; stops for good after the kernel
 * closes a completed or failed run. */
#ifndef LH_SOURCE_WS_H
#define LH_SOURCE_WS_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

struct lh_ws_options {
	const char *url;     /* ws:// or wss:// */
	const char *run;     /* with a bare URL: watch /ws/runtime/RUN */
	const char *token;   /* sent as Authorization: Bearer */
	const char *ca_file; /* else the system's CA store */
	bool insecure;       /* accept any certificate */
	size_t max_bytes;    /* largest frame accepted */
	bool forward;        /* events keep what a bridge forwards (lh_event.forward) */
};

/* Returns NULL with *cause (a new string) for a bad URL. */
struct lh_source *lh_source_ws_new(uv_loop_t *loop, const struct lh_ws_options *o,
				   const struct lh_source_callbacks *cb, char **cause);

#endif
