/* bridge: libwebsockets on the program's libuv loop, serving the events
 * of the chosen source to WebSocket clients.
 *
 * Each event is parsed once and serialized once into a frame; the frame is
 * appended to its run's history and to the history of all runs, and a
 * reference is queued on every client that watches the run (client.c). */
#include "config.h"
#include "bridge.h"
#include "bridge_impl.h"
#include "lib/log.h"
#include "lib/readfile.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define LH_DRAIN_MS 1000

/* ---- events in ---- */

static void lh_bridge_event(void *ctx, const struct lh_event *ev)
{
	struct lh_bridge *b = ctx;
	b->received++;
	struct lh_hrun *r = lh_history_run(b->hist, ev->run_id);
	/* From a stream, the entry's place numbers the frame, the same on
	 * every bridge; what came before the first one read is not known. */
	if (ev->pos && !b->known_from)
		b->known_from = ev->pos;
	b->gseq = ev->pos ? ev->pos : b->gseq + 1;
	struct lh_frame *f = lh_frame_new_event(ev, ev->pos ? ev->pos : lh_hrun_next_seq(r), lh_hrun_epoch(r),
						b->gseq, b->boot_id);
	lh_hrun_append(b->hist, r, f);
	lh_frame_ring_push(&b->all, f);
	for (; b->all.bytes > b->o->bridge.history_bytes; b->all_evicted++)
		lh_frame_ring_pop(&b->all);
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link)
		if (!c->closing && (!c->run || strcmp(c->run, ev->run_id) == 0))
			lh_client_push(c, f, lh_hrun_epoch(r));
	lh_frame_unref(f);
}

static void lh_bridge_reject(void *ctx, enum lh_reject reason, const char *why, uint64_t count)
{
	(void)ctx;
	lh_log("warn", "rejected %llu payload%s (%s): %s", (unsigned long long)count, count == 1 ? "" : "s",
	       lh_reject_name(reason), why);
}

/* Pub/Sub keeps nothing for a subscriber that is away: when the source
 * comes back after being down, every client is told that what was
 * published meanwhile is lost (the bridge's own numbers go on unbroken,
 * so no seq gap could say it). */
static void lh_bridge_track_outage(struct lh_bridge *b, bool live)
{
	if (b->o->stream) /* it resumes where it left off: nothing to tell */
		return;
	int64_t now = lh_time_now_us();
	if (!live) {
		if (b->ever_live && !b->down_since_us)
			b->down_since_us = now;
		return;
	}
	b->ever_live = true;
	if (!b->down_since_us)
		return;
	b->interruptions++;
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link)
		if (!c->closing)
			lh_client_interrupted(c, b->down_since_us, now);
	b->down_since_us = 0;
}

/* The stream lost entries before the bridge read them: every client is
 * told, by the numbers they would have had. */
static void lh_bridge_gap(void *ctx, const struct lh_kframe *f)
{
	struct lh_bridge *b = ctx;
	struct lh_client *c;
	lh_log("warn", "stream %s: entries deleted before they were read (seq %llu-%llu): clients are told",
	       b->o->stream ? b->o->stream : "?", (unsigned long long)f->from, (unsigned long long)f->to);
	LIST_FOREACH(c, &b->clients, link)
		if (c->ws)
			lh_client_trimmed(c, f->from, f->to);
}

/* One log line per change of state: the source went away (with the
 * error), and came back (with how long it was down and how many attempts
 * that took); not one per attempt. */
static void lh_bridge_state(void *ctx, const struct lh_source_status *st)
{
	struct lh_bridge *b = ctx;
	if (st->state == LH_SOURCE_RETRYING)
		b->attempts++;
	if ((int)st->state == b->last_state)
		return;
	b->last_state = (int)st->state;
	lh_bridge_track_outage(b, st->state == LH_SOURCE_LIVE);
	if (st->state == LH_SOURCE_LIVE && b->attempts) {
		lh_log("info", "%s: subscribed again after %.1f s down, %u attempt%s", st->describe,
		       (double)(lh_time_mono_us() - b->failing_since_us) / 1e6, b->attempts,
		       b->attempts == 1 ? "" : "s");
		b->attempts = 0;
	} else if (st->state == LH_SOURCE_LIVE) {
		lh_log("info", "%s: subscribed", st->describe);
	} else if (st->state == LH_SOURCE_RETRYING && b->attempts == 1) {
		b->failing_since_us = lh_time_mono_us();
		lh_log("warn", "%s: %s; retrying until it is back", st->describe, st->last_error);
	}
}

/* ---- the libwebsockets callback ----
 *
 * libwebsockets accepts connections (and does TLS) and hands over their
 * bytes raw: the request head is read here (request.c), answered by
 * http.c, and a WebSocket's frames both ways are the bridge's own
 * (wsproto.c), so that every rule of RFC 6455 a server must enforce is. */

/* The head is read in 20 s or the connection is dropped. */
#define LH_HEAD_TIMEOUT_S 20

static void lh_conn_adopt(struct lh_bridge *b, struct lh_client *c, struct lws *wsi)
{
	c->b = b;
	c->wsi = wsi;
	c->req = lh_req_new();
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LH_HEAD_TIMEOUT_S);
}

/* Bytes of the request head; once it is whole, the answer. What follows
 * a WebSocket's head is already the client's first frames. */
static int lh_conn_head(struct lh_bridge *b, struct lh_client *c, const unsigned char *in, size_t len)
{
	size_t used;
	const char *why;
	int got = lh_req_feed(c->req, (const char *)in, len, &used, &why);
	if (got == 0)
		return 0;
	lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
	if (got > 1) {
		lh_http_refuse(b, c, got, why);
	} else if (!lh_req_header_lists(c->req, "Upgrade", "websocket")) {
		lh_http_serve(b, c);
	} else if (lh_http_upgrade(b, c)) {
		lh_client_open(b, c);
		lh_req_free(c->req);
		c->req = NULL;
		return lh_client_receive(b, c, in + used, len - used);
	}
	return 0;
}

static int lh_conn_rx(struct lh_bridge *b, struct lh_client *c, const unsigned char *in, size_t len)
{
	if (c->hangup)
		return 0; /* answered: what more it sends is not read */
	if (c->ws)
		return lh_client_receive(b, c, in, len);
	return lh_conn_head(b, c, in, len);
}

static int lh_conn_writeable(struct lh_bridge *b, struct lh_client *c)
{
	if (c->hangup || c->failed)
		return -1;
	return c->listed ? lh_client_write(b, c) : 0;
}

static int lh_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lh_bridge *b = lws_context_user(lws_get_context(wsi));
	struct lh_client *c = user;
	if (!c)
		return 0; /* not a connection of ours (the listener) */
	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT:
		lh_conn_adopt(b, c, wsi);
		break;
	case LWS_CALLBACK_RAW_RX:
		return lh_conn_rx(b, c, in, len);
	case LWS_CALLBACK_RAW_WRITEABLE:
		return lh_conn_writeable(b, c);
	case LWS_CALLBACK_TIMER:
		return lh_client_idle(b, c);
	case LWS_CALLBACK_RAW_CLOSE:
		lh_client_close(b, c);
		lh_req_free(c->req);
		c->req = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols lh_protocols[] = {
	/* tx_packet_size: lws would otherwise cut a batch into sends of its
	 * 4 KB receive buffer size and copy the rest into its own buffer. */
	{ "livehud", lh_callback, sizeof(struct lh_client), 4096, 0, NULL, LH_BATCH_BYTES },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* ---- life ---- */

static void lh_lws_log(int level, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	lh_log(level & LLL_ERR ? "error" : "warn", "libwebsockets: %.*s", (int)n, line);
}

static void lh_bridge_finish(struct lh_bridge *b)
{
	uv_close((uv_handle_t *)&b->drain, NULL);
	uv_close((uv_handle_t *)&b->flush, NULL);
	if (b->ctx)
		lws_context_destroy(b->ctx);
	lh_app_shutdown(b->app);
}

void lh_bridge_drain_cb(uv_timer_t *t)
{
	struct lh_bridge *b = t->data;
	if (!b->nclients || b->drain_forced) {
		lh_bridge_finish(b);
		return;
	}
	/* A second is up: whatever is still queued is dropped. */
	b->drain_forced = true;
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link) {
		lh_client_drop_all(c);
		lws_callback_on_writable(c->wsi);
	}
	uv_timer_start(&b->drain, lh_bridge_drain_cb, 200, 0);
}

static void lh_bridge_stop(void *ctx, int signum)
{
	struct lh_bridge *b = ctx;
	if (b->draining)
		return;
	lh_log("info", "signal %d: closing %zu client%s", signum, b->nclients, b->nclients == 1 ? "" : "s");
	b->draining = true;
	struct lh_client *c;
	LIST_FOREACH(c, &b->clients, link)
		lws_callback_on_writable(c->wsi);
	uv_timer_start(&b->drain, lh_bridge_drain_cb, b->nclients ? LH_DRAIN_MS : 0, 0);
}

static int lh_split_listen(const char *listen, char *host, size_t hlen, int *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return -1;
	const char *h = listen;
	size_t n = (size_t)(colon - listen);
	if (*h == '[' && n >= 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n >= hlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

/* The token in the file at path, without trailing white space; NULL, with
 * *cause (static) saying why, when it cannot be read or is empty. */
static char *lh_read_token(const char *path, const char **cause)
{
	char *text = lh_read_file(path, 4096, NULL);
	if (!text) {
		*cause = errno == EFBIG ? "larger than 4096 bytes" : strerror(errno);
		return NULL;
	}
	size_t n = strlen(text);
	while (n && strchr("\r\n \t", text[n - 1]))
		text[--n] = '\0';
	if (!n) {
		free(text);
		*cause = "the file is empty";
		return NULL;
	}
	return text;
}

/* Sets b->ctx (destroyed on the way out even when this fails, as a
 * foreign loop needs); false if the address cannot be served. */
static bool lh_bridge_listen(struct lh_bridge *b, char *host, int port)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[1] = { lh_app_loop(b->app) };
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
	info.listen_accept_role = "raw-skt";
	info.listen_accept_protocol = lh_protocols[0].name;
	info.port = port;
	info.iface = host;
	info.protocols = lh_protocols;
	info.user = b;
	info.pcontext = &b->ctx;
	info.timeout_secs = 20;
	info.fd_limit_per_thread = (unsigned)(bo->max_clients + 64);
	if (bo->tls_cert) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = bo->tls_cert;
		info.ssl_private_key_filepath = bo->tls_key;
		info.alpn = "http/1.1"; /* the head is read as HTTP/1.x: no h2 */
	}
	/* libwebsockets' own words only when asked: what matters is said by us. */
	lws_set_log_level(bo->verbose ? LLL_ERR | LLL_WARN : 0, lh_lws_log);
	/* The listening vhost is made apart: on a foreign loop a failed
	 * default vhost (a port in use) still returns the context, already
	 * being destroyed, and running it aborted. */
	info.options |= LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	b->ctx = lws_create_context(&info);
	return b->ctx && lws_create_vhost(b->ctx, &info);
}

/* What libwebsockets would only log in its own words: a port in use or a
 * TLS file that cannot be read, said with the reason (errno). Returns 0,
 * or -1 with why filled in. */
static int lh_bridge_preflight(const struct lh_bridge_options *bo, const char *host, int port, char *why,
			       size_t len)
{
	const char *files[] = { bo->tls_cert, bo->tls_key }, *names[] = { "--tls-cert", "--tls-key" };
	for (int i = 0; i < 2; i++) {
		FILE *f = files[i] ? fopen(files[i], "r") : NULL;
		if (files[i] && !f) {
			snprintf(why, len, "cannot read %s %s: %s", names[i], files[i], strerror(errno));
			return -1;
		}
		if (f)
			fclose(f);
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		sl = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		sl = sizeof *v6;
	} else {
		return 0; /* a name: libwebsockets resolves it and says what fails */
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int rc = bind(fd, (struct sockaddr *)&ss, sl);
	int err = errno;
	close(fd);
	if (rc == 0)
		return 0;
	snprintf(why, len, "%s", strerror(err));
	return -1;
}

/* The epoch: random for Pub/Sub, where the numbers are the bridge's own;
 * from a stream, named after its key, so every bridge serving it agrees. */
static void lh_bridge_epoch(struct lh_bridge *b)
{
	uint64_t v = 0xcbf29ce484222325ULL; /* FNV-1a */
	if (b->o->stream) {
		for (const unsigned char *p = (const unsigned char *)b->o->stream; *p; p++)
			v = (v ^ *p) * 0x100000001b3ULL;
		snprintf(b->boot_id, sizeof b->boot_id, "s%016llx", (unsigned long long)v);
		return;
	}
	v = (uint64_t)lh_time_now_us();
	if (getrandom(&v, sizeof v, GRND_NONBLOCK) < 0)
		v ^= (uint64_t)getpid() << 32;
	snprintf(b->boot_id, sizeof b->boot_id, "%016llx", (unsigned long long)v);
}

static int lh_bridge_setup(struct lh_bridge *b)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	char host[256];
	int port;
	if (lh_split_listen(bo->listen, host, sizeof host, &port) < 0) {
		fprintf(stderr, "livehud bridge: bad --listen '%s': expected HOST:PORT\n", bo->listen);
		return 2;
	}
	const char *cause;
	if (bo->token_file && !(b->token = lh_read_token(bo->token_file, &cause))) {
		fprintf(stderr, "livehud bridge: cannot read a token from %s: %s\n", bo->token_file, cause);
		return 2;
	}
	if (bo->token)
		b->token = lh_xstrdup(bo->token);
	lh_bridge_epoch(b);
	b->hist = lh_history_new(bo->history, bo->max_runs, bo->history_bytes, b->boot_id, b->o->stream != NULL);
	/* /ws/runs keeps ten runs' worth, within the same byte budget */
	lh_frame_ring_init(&b->all, bo->history * 10);
	char why[512];
	if (lh_bridge_preflight(bo, host, port, why, sizeof why) < 0) {
		fprintf(stderr, "livehud bridge: cannot serve on %s: %s\n", bo->listen, why);
		return 1;
	}
	if (!lh_bridge_listen(b, host, port)) {
		fprintf(stderr, "livehud bridge: cannot serve on %s: libwebsockets could not start "
				"(its libuv plugin is the Debian package libwebsockets-evlib-uv; --verbose "
				"shows what it says)\n", bo->listen);
		return 1;
	}
	lh_log("info", "serving %s://%s from %s (history %zu per run, %zu runs)", bo->tls_cert ? "wss" : "ws",
	       bo->listen, lh_app_source_status(b->app)->describe, bo->history, bo->max_runs);
	return 0;
}

int lh_bridge_main(const struct lh_options *o)
{
	struct lh_bridge b = { .o = o, .last_state = -1 };
	lh_log_init(o->log_json);
	b.start_mono_us = lh_time_mono_us();
	b.start_wall_us = lh_time_now_us();
	struct lh_app_hooks hooks = { .ingest = { .event = lh_bridge_event, .reject = lh_bridge_reject, .ctx = &b },
				      .source_state = lh_bridge_state, .gap = lh_bridge_gap, .stop = lh_bridge_stop,
				      .no_store = true };
	b.app = lh_app_new(o, &hooks);
	if (!b.app)
		return 1;
	uv_timer_init(lh_app_loop(b.app), &b.drain);
	uv_check_init(lh_app_loop(b.app), &b.flush);
	b.drain.data = b.flush.data = &b;
	int status = lh_bridge_setup(&b);
	bool started = !status;
	if (status) {
		lh_bridge_finish(&b);
		lh_app_settle(b.app); /* a half-made context's first destroy finishes */
	} else if (lh_app_run(b.app) < 0) {
		lh_bridge_finish(&b);
		status = 1;
	}
	if (b.ctx) /* with a foreign loop, destroying takes a second call */
		lws_context_destroy(b.ctx);
	lh_app_free(b.app);
	lh_history_free(b.hist);
	lh_frame_ring_clear(&b.all);
	lh_buf_free(&b.scratch);
	lh_buf_free(&b.batch);
	free(b.token);
	if (started)
		lh_log("info", "stopped");
	return status;
}
