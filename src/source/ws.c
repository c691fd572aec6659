/* ws: a libwebsockets client on the program's libuv loop, reading the
 * kernel's stream (PROTOCOL.md section 2) or a bridge's.
 *
 * A message may come in fragments; it is gathered up to max_bytes (a larger
 * one is passed on cut at max_bytes + 1 so the parser rejects it as
 * oversize, and the rest skipped). Each message is scanned once: a
 * log_event becomes an event here, any other frame a struct lh_kframe.
 *
 * On a foreign loop libwebsockets destroys its context in two steps: the
 * first call (on close) closes its handles as the loop turns, and a second
 * call after the loop has ended (on free) frees it. Its callbacks may run
 * in between; they see the source closing and do nothing of ours. */
#include "config.h"
#include "ws.h"
#include "source_impl.h"
#include "kframe.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/lookup.h"
#include "lib/lwsclient.h"
#include "lib/redact.h"
#include "lib/url.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lh_ws_source {
	struct lh_source base;
	char *url, *host, *path, *run, *token, *ca_file;
	int port;
	bool tls, insecure, ever_live, finished;
	size_t max_bytes;
	bool forward;
	struct lws_vhost *vh;
	struct lws *wsi;
	struct lh_lookup *lookup; /* while the host name is looked up */
	uv_timer_t timer;
	struct lh_buf msg;
	struct lh_kframe_text ktext;
	bool msg_overflow;
	uint64_t last_seq;     /* per run, or across runs (gseq) on /ws/runs */
	char epoch[64];
	char last_run[128];    /* the run of the last event, for /ws/runs gaps */
	char final_status[32];
};

static void lh_ws_connect(struct lh_ws_source *self);

/* ---- URLs ---- */

static int lh_ws_parse_url(struct lh_ws_source *self, const char *url, const char *run, char **cause)
{
	struct lh_url u;
	bool ws = strncmp(url, "ws://", 5) == 0 || strncmp(url, "wss://", 6) == 0;
	if (!ws || lh_url_parse(url, &u) < 0) {
		char *shown = lh_redact_url(url);
		*cause = lh_xasprintf(ws ? "bad --ws URL '%s': expected ws://host[:port][/path]"
					 : "bad --ws URL '%s': it must start with ws:// or wss://", shown);
		free(shown);
		return -1;
	}
	self->tls = u.tls;
	self->port = u.port;
	self->host = lh_xstrdup(u.host);
	const char *path = u.path;
	const char *rt = strstr(path, "/ws/runtime/");
	if (rt && rt[12]) {
		self->path = lh_xstrdup(path);
		self->run = lh_xstrdup(rt + 12);
	} else if (strcmp(path, "/") == 0 && run) {
		self->path = lh_xasprintf("/ws/runtime/%s", run);
		self->run = lh_xstrdup(run);
	} else if (strcmp(path, "/") == 0) {
		self->path = lh_xstrdup("/ws/runs");
	} else {
		self->path = lh_xstrdup(path);
		self->run = run ? lh_xstrdup(run) : NULL;
	}
	lh_url_free(&u);
	return 0;
}

/* ---- retrying ---- */

static void lh_ws_timer_cb(uv_timer_t *t)
{
	lh_ws_connect(t->data);
}

static void lh_ws_retry(struct lh_ws_source *self)
{
	lh_source_retry_later(&self->base, &self->timer, lh_ws_timer_cb);
}

/* ---- messages ---- */

#define LH_WS_MAX_MEMBERS 64

/* Where the stream is, to resume there after a reconnection: watching
 * one run, by its seq; watching all, by the bridge's numbering across
 * runs. A number that is not one is not used. */
static void lh_ws_note_position(struct lh_ws_source *self, const struct lh_json_span *top, size_t n,
				const struct lh_event *ev)
{
	uint64_t seq;
	struct lh_buf tmp = LH_BUF_INIT;
	const char *epoch = lh_json_string(&tmp, lh_json_member(top, n, self->run ? "epoch" : "gepoch"), NULL);
	if (lh_json_uint(lh_json_member(top, n, self->run ? "seq" : "gseq"), &seq) && epoch &&
	    strlen(epoch) < sizeof self->epoch) {
		self->last_seq = seq;
		snprintf(self->epoch, sizeof self->epoch, "%s", epoch);
		/* a bridge: a reconnection resumes, and it names what it cannot replay */
		self->base.status.durable = true;
	}
	lh_buf_free(&tmp);
	snprintf(self->last_run, sizeof self->last_run, "%s", ev->run_id);
}

static void lh_ws_log_event(struct lh_ws_source *self, const char *text, size_t len,
			    const struct lh_json_span *top, size_t n)
{
	struct lh_event *ev;
	const char *why = NULL;
	enum lh_reject r = lh_event_parse_log_frame(text, len, top, n, self->max_bytes, lh_time_now_us(),
						    self->forward, self->run, &ev, &why);
	if (r != LH_REJECT_NONE) {
		lh_source_emit_reject(&self->base, r, why);
		return;
	}
	lh_ws_note_position(self, top, n, ev);
	lh_source_emit_event(&self->base, ev, text, len);
}

static void lh_ws_other(struct lh_ws_source *self, const char *type, const struct lh_json_span *top, size_t n)
{
	struct lh_kframe f;
	const char *why;
	if (lh_kframe_read(&self->ktext, type, top, n, self->run ? self->run : self->last_run, &f, &why) < 0) {
		lh_source_emit_reject(&self->base, LH_REJECT_WRONG_TYPE, why);
		return;
	}
	if (f.type == LH_KF_STATE && f.status &&
	    (strcmp(f.status, "completed") == 0 || strcmp(f.status, "failed") == 0)) {
		self->finished = true;
		snprintf(self->final_status, sizeof self->final_status, "%s", f.status);
	}
	lh_source_emit_kernel(&self->base, &f);
}

static void lh_ws_message(struct lh_ws_source *self, const char *text, size_t len)
{
	struct lh_json_span top[LH_WS_MAX_MEMBERS];
	size_t n;
	if (lh_json_scan(text, len, top, LH_WS_MAX_MEMBERS, &n) != LH_JSON_OBJECT) {
		lh_source_emit(&self->base, text, len); /* rejected and counted as any bad payload */
		return;
	}
	if (n > LH_WS_MAX_MEMBERS) {
		lh_source_emit_reject(&self->base, LH_REJECT_WRONG_TYPE, "too many fields in a frame");
		return;
	}
	struct lh_buf tmp = LH_BUF_INIT;
	const char *type = lh_json_string(&tmp, lh_json_member(top, n, "type"),
					  lh_json_member(top, n, "error") ? "error" : "");
	if (strcmp(type, "log_event") == 0)
		lh_ws_log_event(self, text, len, top, n);
	else
		lh_ws_other(self, type, top, n);
	lh_buf_free(&tmp);
}

static void lh_ws_receive(struct lh_ws_source *self, struct lws *wsi, const char *in, size_t len)
{
	if (!self->msg_overflow) {
		size_t room = self->max_bytes + 1 - self->msg.len;
		lh_buf_append(&self->msg, in, len < room ? len : room);
		self->msg_overflow = self->msg.len > self->max_bytes;
		if (self->msg_overflow) /* cut: the parser rejects it as oversize */
			lh_source_emit(&self->base, self->msg.data, self->msg.len);
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	if (!self->msg_overflow)
		lh_ws_message(self, self->msg.data ? self->msg.data : "", self->msg.len);
	lh_buf_reset(&self->msg);
	self->msg_overflow = false;
}

/* ---- the libwebsockets callback ---- */

static int lh_ws_headers(struct lh_ws_source *self, struct lws *wsi, void *in, size_t len)
{
	if (!self->token)
		return 0;
	unsigned char **p = in, *end = *p + len;
	char value[600];
	snprintf(value, sizeof value, "Bearer %s", self->token);
	return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)value,
					    (int)strlen(value), p, end) ? -1 : 0;
}

/* What a refused upgrade means, by its HTTP status. */
static const char *lh_ws_refusal(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request: the server does not serve this path";
	case 401: return "Unauthorized: missing or wrong token (--token)";
	case 403: return "Forbidden: the server refuses this client";
	case 404: return "Not Found: no WebSocket at this path";
	case 503: return "Service Unavailable";
	default: return "refused";
	}
}

/* A connection that failed: with the HTTP status when the server answered
 * the upgrade with one. 401 and 403 are final (trying again with the same
 * token changes nothing): the source stops until lh_source_retry. */
static void lh_ws_failed(struct lh_ws_source *self, unsigned status, const char *why)
{
	if (!status || status == 101) {
		lh_source_set_error(&self->base, "%s", why);
		lh_ws_retry(self);
		return;
	}
	lh_source_set_error(&self->base, "%u %s", status, lh_ws_refusal(status));
	if (status == 401 || status == 403) {
		self->base.status.refused = true;
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
		return;
	}
	lh_ws_retry(self);
}

static void lh_ws_closed(struct lh_ws_source *self)
{
	self->wsi = NULL;
	if (self->base.closing)
		return;
	if (self->finished) { /* the kernel closes the stream of a finished run */
		lh_source_set_error(&self->base, "run %s", self->final_status);
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
		return;
	}
	lh_source_set_error(&self->base, "connection closed");
	lh_ws_retry(self);
}

static int lh_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lh_ws_source *self = lws_vhost_user(lws_get_vhost(wsi));
	if (!self || self->base.closing) /* libwebsockets is tidying up after us */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return lh_ws_headers(self, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		self->wsi = NULL;
		lh_ws_failed(self, lws_http_client_http_response(wsi), in ? (const char *)in : "connection failed");
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lh_source_backoff_reset(&self->base);
		if (self->ever_live)
			self->base.status.reconnects++;
		self->ever_live = true;
		self->base.last_error[0] = '\0';
		lh_source_set_state(&self->base, LH_SOURCE_LIVE);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		lh_ws_receive(self, wsi, in, len);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		lh_ws_closed(self);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols lh_ws_protocols[] = {
	{ "livehud-client", lh_ws_callback, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* ---- connecting ---- */

/* addr: the host's address, so libwebsockets has no name to look up; the
 * name still goes in the Host header and is what TLS checks. */
static void lh_ws_connect_to(struct lh_ws_source *self, const char *addr)
{
	char path[1024], hostport[300];
	/* Against a bridge, ask for what was missed while away. */
	if (self->epoch[0])
		snprintf(path, sizeof path, "%s%ssince=%llu&epoch=%s", self->path, strchr(self->path, '?') ? "&" : "?",
			 (unsigned long long)self->last_seq, self->epoch);
	else
		snprintf(path, sizeof path, "%s", self->path);
	snprintf(hostport, sizeof hostport, "%s:%d", self->host, self->port);
	struct lws_client_connect_info i;
	memset(&i, 0, sizeof i);
	i.context = lh_lwsclient_context();
	i.vhost = self->vh;
	i.address = addr;
	i.port = self->port;
	i.path = path;
	i.host = hostport;
	/* No Origin: this is not a browser, and a bridge's --allow-origin is
	 * about browsers. */
	i.local_protocol_name = "livehud-client";
	i.pwsi = &self->wsi;
	if (self->tls)
		i.ssl_connection = LCCSCF_USE_SSL |
				   (self->insecure ? LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
							     LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE
						   : 0);
	if (!lws_client_connect_via_info(&i)) {
		self->wsi = NULL;
		lh_source_set_error(&self->base, "cannot start a connection to %s", hostport);
		lh_ws_retry(self);
	}
}

static void lh_ws_found(void *ctx, const char *addr, const char *error)
{
	struct lh_ws_source *self = ctx;
	self->lookup = NULL;
	if (!addr) {
		lh_source_set_error(&self->base, "cannot resolve %s: %s", self->host, error);
		lh_ws_retry(self);
		return;
	}
	lh_ws_connect_to(self, addr);
}

static void lh_ws_connect(struct lh_ws_source *self)
{
	lh_source_set_state(&self->base, LH_SOURCE_CONNECTING);
	if (lh_lookup_is_address(self->host)) {
		lh_ws_connect_to(self, self->host);
		return;
	}
	const char *error;
	if (!self->lookup && !(self->lookup = lh_lookup_start(self->base.loop, self->host, lh_ws_found, self, &error))) {
		lh_source_set_error(&self->base, "cannot resolve %s: %s", self->host, error);
		lh_ws_retry(self);
	}
}

static int lh_ws_start(struct lh_source *src)
{
	struct lh_ws_source *self = (struct lh_ws_source *)src;
	const struct lh_lwsclient_vhost v = { "livehud-ws", lh_ws_protocols, self->ca_file, self->tls, self };
	self->vh = lh_lwsclient_open(src->loop, &v);
	if (!self->vh) {
		lh_source_set_error(&self->base, "cannot set up libwebsockets (is libwebsockets-evlib-uv installed?)");
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
		return 0;
	}
	lh_ws_connect(self);
	return 0;
}

static void lh_ws_close(struct lh_source *src)
{
	struct lh_ws_source *self = (struct lh_ws_source *)src;
	if (self->lookup)
		lh_lookup_abandon(self->lookup);
	uv_close((uv_handle_t *)&self->timer, NULL);
	lh_lwsclient_close(self->vh);
}

static void lh_ws_free(struct lh_source *src)
{
	struct lh_ws_source *self = (struct lh_ws_source *)src;
	lh_lwsclient_finish();
	free(self->url);
	free(self->host);
	free(self->path);
	free(self->run);
	free(self->token);
	free(self->ca_file);
	lh_buf_free(&self->msg);
	lh_kframe_text_free(&self->ktext);
	free(self);
}

static void lh_ws_retry_now(struct lh_source *src)
{
	lh_ws_connect((struct lh_ws_source *)src);
}

static const struct lh_source_ops lh_ws_ops = {
	.start = lh_ws_start,
	.close = lh_ws_close,
	.free = lh_ws_free,
	.retry = lh_ws_retry_now,
};

struct lh_source *lh_source_ws_new(uv_loop_t *loop, const struct lh_ws_options *o,
				   const struct lh_source_callbacks *cb, char **cause)
{
	struct lh_ws_source *self = lh_xcalloc(1, sizeof *self);
	if (lh_ws_parse_url(self, o->url, o->run, cause) < 0) {
		free(self->host);
		free(self);
		return NULL;
	}
	self->url = lh_xstrdup(o->url);
	self->token = lh_xstrdup(o->token);
	self->ca_file = lh_xstrdup(o->ca_file);
	self->insecure = o->insecure;
	self->max_bytes = o->max_bytes;
	self->forward = o->forward;
	char *path = lh_redact_url(self->path);
	lh_source_init(&self->base, &lh_ws_ops, loop, cb,
		       lh_xasprintf("%s%s://%s:%d%s", self->insecure ? "INSECURE (certificate not checked) " : "",
				    self->tls ? "wss" : "ws", self->host, self->port, path));
	free(path);
	self->base.status.insecure = self->insecure;
	uv_timer_init(loop, &self->timer);
	self->timer.data = self;
	return &self->base;
}
