/* bridge_impl: what the bridge's files share, and only they include.
 * bridge.c owns the service (events in, the libwebsockets callback, start
 * and stop), client.c a client's queue and its writes, http.c what is
 * checked and answered over plain HTTP, metrics.c the /metrics text. */
#ifndef LH_BRIDGE_IMPL_H
#define LH_BRIDGE_IMPL_H

#include "app/app.h"
#include "frame.h"
#include "history.h"
#include "request.h"
#include "wsproto.h"
#include "lib/buf.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#define LH_MAX_GAPS 32
#define LH_RUN_ID_MAX 128
#define LH_LAT_BUCKETS 12
#define LH_BATCH_BYTES (64 * 1024)
#define LH_REFUSED_STATUSES 7 /* 400, 401, 403, 405, 426, 431, 503 */
#define LH_REFUSAL_REASONS 32
/* A connection answered or closing is dropped if what it was sent has not
 * left in this many seconds (it does not read). */
#define LH_HANGUP_TIMEOUT_S 5

/* The log of one reason for refusing a request or closing a client,
 * rate-limited. */
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

/* One connection: its request head while it is read, then a WebSocket
 * client, or an answer over HTTP (/health, /metrics, a refusal) on its
 * way out. Allocated and zeroed by libwebsockets. */
struct lh_client {
	struct lh_bridge *b;
	struct lws *wsi;
	struct lh_req *req;        /* the head, until it is answered */
	bool ws, listed, closing, failed, flushing;
	bool hangup;               /* close once what is written has left */
	struct lh_wsp_rx rx;       /* what the client sends, once a WebSocket */
	bool ping_out;             /* a ping is sent and nothing came since */
	bool pong_due;
	unsigned char pong[LH_WSP_CONTROL_MAX];
	size_t pong_len;
	uint16_t close_code;       /* a close frame to send, then hang up */
	const char *close_why;
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
	LIST_ENTRY(lh_client) link;      /* in the bridge's clients */
	LIST_ENTRY(lh_client) flush_link; /* in its flush list, while flushing */
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
	/* metrics */
	uint64_t received, forwarded, dropped_slow, dropped_closed, gaps_sent, interruptions;
	uint64_t clients_failed;      /* closed for breaking the WebSocket protocol */
	uint64_t refused[LH_REFUSED_STATUSES];
	struct lh_refusal_log refusal_log[LH_REFUSAL_REASONS];
	int64_t start_wall_us;
	uint64_t lat_count[LH_LAT_BUCKETS + 1];
	double lat_sum;
};

/* client.c */
/* The bridge's write buffer, emptied, with lws_write's headroom: what is
 * appended to it goes out with lh_client_send. */
struct lh_buf *lh_client_out(struct lh_bridge *b);
/* Writes out (after its headroom) to c: -1 when the socket failed. */
int lh_client_send(struct lh_client *c, const struct lh_buf *out);
/* The request in c->req was accepted as a WebSocket. */
void lh_client_open(struct lh_bridge *b, struct lh_client *c);
void lh_client_close(struct lh_bridge *b, struct lh_client *c);
/* Queues a frame of a run whose epoch is given, dropping the oldest when
 * the client is over its bounds. */
void lh_client_push(struct lh_client *c, struct lh_frame *f, const char *epoch);
/* Writes what is queued; -1 when the connection is to be closed. */
int lh_client_write(struct lh_bridge *b, struct lh_client *c);
/* Bytes the client sent; -1 when the connection is to be closed now. */
int lh_client_receive(struct lh_bridge *b, struct lh_client *c, const unsigned char *in, size_t len);
/* Nothing came from the client for a while: ping it, or give up on it. */
int lh_client_idle(struct lh_bridge *b, struct lh_client *c);
/* Drops what is queued and closes with code (a close frame, then the
 * connection once it has left). */
void lh_client_close_with(struct lh_client *c, uint16_t code, const char *why);
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
/* Answers the WebSocket handshake in c->req: true when it is accepted
 * (101 written), false when refused (the answer written, hanging up). */
bool lh_http_upgrade(struct lh_bridge *b, struct lh_client *c);
/* Answers a plain request (/health, /metrics, else 404), then hangs up. */
void lh_http_serve(struct lh_bridge *b, struct lh_client *c);
/* Refuses the request with status and why (counted, logged), then hangs up. */
void lh_http_refuse(struct lh_bridge *b, struct lh_client *c, int status, const char *why);
/* Whether a log line about why (static text) is due: at most one a minute
 * for each reason; *others says how many went unlogged since the last. */
bool lh_http_log_due(struct lh_bridge *b, const char *why, uint64_t *others);
/* The client's address, in buf. */
const char *lh_http_peer(const struct lh_client *c, char *buf, size_t len);
/* The WebSocket path: 0 for /ws/runs, 1 for /ws/runtime/{id} (copied into
 * run), -1 for anything else. */
int lh_http_ws_path(const struct lh_req *req, char *run, size_t len);
/* ?since=N: 1 with *since set, 0 when absent, -1 when not an integer from
 * 0 to 2^53. */
int lh_http_since(const struct lh_req *req, uint64_t *since);
/* metrics.c */
void lh_metrics_note_latency(struct lh_bridge *b, const struct lh_frame *f, int64_t now_mono_us);
/* The Prometheus text; the caller frees it. */
char *lh_metrics_text(struct lh_bridge *b);

/* bridge.c */
/* The drain timer: the last client is gone, or its time is up. */
void lh_bridge_drain_cb(uv_timer_t *t);

#endif
