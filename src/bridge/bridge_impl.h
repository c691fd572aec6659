/* bridge_impl: what the bridge's files share, and only they include.
 * bridge.c owns the service (events in, the libwebsockets callback, start
 * and stop), client.c a client's queue and its writes, http.c what is
 * checked and answered over plain HTTP, metrics.c the /metrics text. */
#ifndef LH_BRIDGE_IMPL_H
#define LH_BRIDGE_IMPL_H

#include "app/app.h"
#include "frame.h"
#include "history.h"
#include "lib/buf.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#define LH_MAX_GAPS 32
#define LH_RUN_ID_MAX 128
#define LH_LAT_BUCKETS 12
#define LH_BATCH_BYTES (64 * 1024)
#define LH_REFUSED_STATUSES 4 /* 400, 401, 403, 503 */
#define LH_REFUSAL_REASONS 8

/* The log of one reason for refusing requests, rate-limited. */
struct lh_refusal_log {
	const char *why;   /* static text; NULL: a free slot */
	uint64_t count;    /* since its last line */
	int64_t last_us;   /* monotonic */
};

struct lh_gap {
	char *run;
	uint64_t from, to;
	char epoch[48];
	const char *reason;
};

/* One connection: a WebSocket client, or an HTTP request for /health or
 * /metrics. Allocated and zeroed by libwebsockets. */
struct lh_client {
	struct lh_bridge *b;
	struct lws *wsi;
	bool ws, listed, closing, failed, flushing;
	char *run;                 /* NULL: every run (/ws/runs) */
	/* what the client said it has (?since=): a bridge reading a stream may
	 * be behind the one it came from, and must not send that again */
	uint64_t after;
	struct lh_frame_ring q;    /* waiting to be written */
	struct lh_gap gaps[LH_MAX_GAPS];
	size_t ngaps;
	/* /ws/runs: the first gseq dropped and not yet said (drops), and
	 * whether they are said as one gap across runs, the last (across) */
	uint64_t drops_from;
	bool drops, drops_across;
	/* the source was down from .. until (wall clock, us); 0: not to say */
	int64_t down_since, down_until;
	/* stream entries deleted before the bridge read them, from .. to
	 * (numbers as seq); to 0: nothing to say */
	uint64_t trim_from, trim_to;
	size_t rx;                 /* bytes of the message being received */
	LIST_ENTRY(lh_client) link;      /* in the bridge's clients */
	LIST_ENTRY(lh_client) flush_link; /* in its flush list, while flushing */
	/* HTTP */
	char *body;
	int status;
	const char *ctype;
};

struct lh_bridge {
	const struct lh_options *o;
	struct lh_app *app;
	struct lws_context *ctx;
	struct lh_history *hist;
	LIST_HEAD(, lh_client) clients;
	size_t nclients;
	char boot_id[24];
	char *token;
	/* the last frames of every run, for /ws/runs?since= */
	struct lh_frame_ring all;
	uint64_t gseq, all_evicted;
	/* from a stream: the first entry read; a resume from before it may
	 * have missed some (0: not from a stream, or nothing read yet) */
	uint64_t known_from;
	struct lh_buf scratch, batch;
	uv_timer_t drain;
	uv_check_t flush;             /* runs once per loop turn while clients wait */
	LIST_HEAD(, lh_client) to_flush;
	bool draining, drain_forced;
	int64_t start_mono_us;
	int last_state;
	unsigned attempts;            /* since the source last went away */
	int64_t failing_since_us;     /* monotonic */
	bool ever_live;
	int64_t down_since_us;        /* wall clock; 0 while live or never live */
	lws_retry_bo_t idle;
	/* metrics */
	uint64_t received, forwarded, dropped_slow, dropped_closed, gaps_sent, interruptions;
	uint64_t refused[LH_REFUSED_STATUSES];
	struct lh_refusal_log refusal_log[LH_REFUSAL_REASONS];
	int64_t start_wall_us;
	uint64_t lat_count[LH_LAT_BUCKETS + 1];
	double lat_sum;
};

/* client.c */
void lh_client_open(struct lh_bridge *b, struct lh_client *c, struct lws *wsi);
void lh_client_close(struct lh_bridge *b, struct lh_client *c);
/* Queues a frame of a run whose epoch is given, dropping the oldest when
 * the client is over its bounds. */
void lh_client_push(struct lh_client *c, struct lh_frame *f, const char *epoch);
/* Writes what is queued; -1 when the connection is to be closed. */
int lh_client_write(struct lh_bridge *b, struct lh_client *c);
/* The source was down from since_us to until_us: said before anything
 * else still queued (several outages before a write are said as one span). */
void lh_client_interrupted(struct lh_client *c, int64_t since_us, int64_t until_us);
/* Entries numbered from .. to were deleted from the stream unread. */
void lh_client_trimmed(struct lh_client *c, uint64_t from, uint64_t to);
/* Drops what is queued and the gaps not yet said, counting them. */
void lh_client_drop_all(struct lh_client *c);
void lh_bridge_flush_cb(uv_check_t *h);

/* http.c */
/* The statuses refusals are counted by (refused[i]); others count as the last. */
extern const int lh_refused_statuses[LH_REFUSED_STATUSES];
/* Checks an upgrade before it happens: 0 to go on, 1 when refused. */
int lh_http_confirm_upgrade(struct lh_bridge *b, struct lws *wsi);
/* The WebSocket path: 0 for /ws/runs, 1 for /ws/runtime/{id} (copied into
 * run), -1 for anything else. */
int lh_http_ws_path(struct lws *wsi, char *run, size_t len);
/* ?since=N: 1 with *since set, 0 when absent, -1 when not an integer from
 * 0 to 2^53. */
int lh_http_since(struct lws *wsi, uint64_t *since);
int lh_http_request(struct lh_bridge *b, struct lh_client *c, struct lws *wsi, const char *path);
int lh_http_write(struct lh_client *c, struct lws *wsi);

/* metrics.c */
void lh_metrics_note_latency(struct lh_bridge *b, const struct lh_frame *f, int64_t now_mono_us);
/* The Prometheus text; the caller frees it. */
char *lh_metrics_text(struct lh_bridge *b);

/* bridge.c */
/* The drain timer: the last client is gone, or its time is up. */
void lh_bridge_drain_cb(uv_timer_t *t);

#endif
