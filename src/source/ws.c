/* source_ws: a libwebsockets client on the program's libuv loop.
 *
 * A message may come in fragments; it is gathered up to max_bytes (a larger
 * one is passed on cut at max_bytes + 1 so the parser rejects it as
 * oversize, and the rest skipped).
 *
 * On a foreign loop libwebsockets destroys its context in two steps: the
 * first call closes its handles as the loop turns, and a second call after
 * the loop has ended frees it. Its callbacks may run in between, after the
 * source is gone, so the context's user pointer is a small box that
 * outlives the source and is emptied when the source closes;
 * lh_source_ws_reap() makes the second call. */
#include "config.h"
#include "ws.h"
#include "source_impl.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/lookup.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <cJSON.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lh_ws_box {
	struct lh_ws_source *self; /* NULL once the source is closed */
	struct lws_context *ctx;
	struct lh_ws_box *next;
};

/* Contexts waiting for their second lws_context_destroy. */
static struct lh_ws_box *lh_ws_dying;

struct lh_ws_source {
	struct lh_source base;
	struct lh_ws_box *box;
	char *url, *host, *path, *run, *token, *ca_file;
	int port;
	bool tls, insecure, ever_live, finished;
	size_t max_bytes;
	struct lws_context *ctx;
	struct lws *wsi;
	struct lh_lookup *lookup; /* while the host name is looked up */
	uv_timer_t timer;
	struct lh_buf msg, ev;
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
	const char *p;
	if (strncmp(url, "ws://", 5) == 0) {
		p = url + 5;
	} else if (strncmp(url, "wss://", 6) == 0) {
		p = url + 6;
		self->tls = true;
	} else {
		*cause = lh_xasprintf("bad --ws URL '%s': it must start with ws:// or wss://", url);
		return -1;
	}
	const char *slash = strchr(p, '/');
	size_t hostlen = slash ? (size_t)(slash - p) : strlen(p);
	const char *colon = memchr(p, ':', hostlen);
	self->port = self->tls ? 443 : 80;
	if (colon) {
		self->port = atoi(colon + 1);
		hostlen = (size_t)(colon - p);
	}
	if (!hostlen || self->port < 1 || self->port > 65535) {
		*cause = lh_xasprintf("bad --ws URL '%s': expected ws://host[:port][/path]", url);
		return -1;
	}
	self->host = lh_xstrndup(p, hostlen);
	const char *path = slash ? slash : "/";
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

/* The reference kernel drops tool_name; a call's message still starts with
 * "tool(", so take the name from there and pairing by tool keeps working. */
static void lh_ws_guess_tool(struct lh_buf *b, const cJSON *payload)
{
	const cJSON *cat = cJSON_GetObjectItemCaseSensitive(payload, "category");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(payload, "message");
	if (cJSON_GetObjectItemCaseSensitive(payload, "tool_name") || !cJSON_IsString(cat) ||
	    strcmp(cat->valuestring, "TOOL_CALL") != 0 || !cJSON_IsString(msg))
		return;
	const char *m = msg->valuestring;
	size_t n = strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (!n || n > 64 || m[n] != '(')
		return;
	lh_buf_printf(b, ",\"tool_name\":\"%.*s\"", (int)n, m);
}

/* A log_event frame as the event the agent service published. */
static void lh_ws_log_event(struct lh_ws_source *self, const cJSON *m)
{
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(m, "payload");
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(m, "run_id");
	const cJSON *agent = cJSON_GetObjectItemCaseSensitive(m, "agent_id");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(m, "timestamp");
	/* Watching one run, resume by its seq; watching all, by the bridge's
	 * numbering across runs. */
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(m, self->run ? "seq" : "gseq");
	const cJSON *epoch = cJSON_GetObjectItemCaseSensitive(m, self->run ? "epoch" : "gepoch");
	struct lh_buf *b = &self->ev;
	lh_buf_reset(b);
	lh_buf_puts(b, "{\"run_id\":");
	lh_json_put_string(b, cJSON_IsString(run) ? run->valuestring : self->run ? self->run : "unknown");
	if (cJSON_IsString(agent)) {
		lh_buf_puts(b, ",\"agent_id\":");
		lh_json_put_string(b, agent->valuestring);
	}
	if (cJSON_IsString(ts)) {
		lh_buf_puts(b, ",\"timestamp\":");
		lh_json_put_string(b, ts->valuestring);
	}
	for (const cJSON *f = cJSON_IsObject(payload) ? payload->child : NULL; f; f = f->next) {
		char *v = cJSON_PrintUnformatted(f);
		if (!v)
			continue;
		lh_buf_putc(b, ',');
		lh_json_put_string(b, f->string);
		lh_buf_putc(b, ':');
		lh_buf_puts(b, v);
		cJSON_free(v);
	}
	lh_ws_guess_tool(b, payload);
	lh_buf_putc(b, '}');
	if (cJSON_IsString(run))
		snprintf(self->last_run, sizeof self->last_run, "%s", run->valuestring);
	if (cJSON_IsNumber(seq) && cJSON_IsString(epoch)) {
		self->last_seq = (uint64_t)seq->valuedouble;
		snprintf(self->epoch, sizeof self->epoch, "%s", epoch->valuestring);
	}
	lh_source_emit(&self->base, b->data, b->len);
}

static void lh_ws_message(struct lh_ws_source *self, const char *text, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(text, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(m, "type");
	if (!cJSON_IsObject(m)) {
		lh_source_emit(&self->base, text, len); /* rejected and counted as any bad payload */
	} else if (cJSON_IsString(type) && strcmp(type->valuestring, "log_event") == 0) {
		lh_ws_log_event(self, m);
	} else {
		const char *t = cJSON_IsString(type) ? type->valuestring
				: cJSON_GetObjectItemCaseSensitive(m, "error") ? "error" : "";
		if (strcmp(t, "state_update") == 0) {
			const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "state");
			const cJSON *status = cJSON_GetObjectItemCaseSensitive(st, "status");
			if (cJSON_IsString(status) && (strcmp(status->valuestring, "completed") == 0 ||
							strcmp(status->valuestring, "failed") == 0)) {
				self->finished = true;
				snprintf(self->final_status, sizeof self->final_status, "%s", status->valuestring);
			}
		}
		lh_source_emit_frame(&self->base, t, m, self->run ? self->run : self->last_run);
	}
	cJSON_Delete(m);
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
	struct lh_ws_box *box = lws_context_user(lws_get_context(wsi));
	struct lh_ws_source *self = box ? box->self : NULL;
	if (!self) /* closing: libwebsockets is tidying up after us */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return lh_ws_headers(self, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		self->wsi = NULL;
		lh_source_set_error(&self->base, "%s", in ? (const char *)in : "connection failed");
		lh_ws_retry(self);
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
	i.context = self->ctx;
	i.address = addr;
	i.port = self->port;
	i.path = path;
	i.host = hostport;
	i.origin = hostport;
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
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[1] = { src->loop };
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (self->tls)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = lh_ws_protocols;
	self->box = lh_xcalloc(1, sizeof *self->box);
	self->box->self = self;
	info.user = self->box;
	info.client_ssl_ca_filepath = self->ca_file;
	lws_set_log_level(0, NULL); /* errors come through the callbacks; stderr may be the HUD's */
	self->ctx = lws_create_context(&info);
	self->box->ctx = self->ctx;
	if (!self->ctx) {
		lh_source_set_error(&self->base, "cannot set up libwebsockets (is libwebsockets-evlib-uv installed?)");
		lh_source_set_state(&self->base, LH_SOURCE_DONE);
		return 0;
	}
	lh_ws_connect(self);
	return 0;
}

static void lh_ws_timer_closed(uv_handle_t *h)
{
	lh_source_closed(h->data);
}

static void lh_ws_close(struct lh_source *src)
{
	struct lh_ws_source *self = (struct lh_ws_source *)src;
	if (self->lookup)
		lh_lookup_abandon(self->lookup);
	uv_close((uv_handle_t *)&self->timer, lh_ws_timer_closed);
	if (!self->box)
		return;
	self->box->self = NULL;
	if (self->ctx)
		lws_context_destroy(self->ctx);
	self->box->next = lh_ws_dying;
	lh_ws_dying = self->box;
	self->box = NULL;
}

void lh_source_ws_reap(void)
{
	while (lh_ws_dying) {
		struct lh_ws_box *box = lh_ws_dying;
		lh_ws_dying = box->next;
		if (box->ctx)
			lws_context_destroy(box->ctx);
		free(box);
	}
}

static void lh_ws_free(struct lh_source *src)
{
	struct lh_ws_source *self = (struct lh_ws_source *)src;
	free(self->url);
	free(self->host);
	free(self->path);
	free(self->run);
	free(self->token);
	free(self->ca_file);
	lh_buf_free(&self->msg);
	lh_buf_free(&self->ev);
	free(self);
}

static const struct lh_source_ops lh_ws_ops = {
	.start = lh_ws_start,
	.close = lh_ws_close,
	.free = lh_ws_free,
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
	lh_source_init(&self->base, &lh_ws_ops, loop, cb,
		       lh_xasprintf("%s%s://%s:%d%s", self->insecure ? "INSECURE (certificate not checked) " : "",
				    self->tls ? "wss" : "ws", self->host, self->port, self->path));
	self->base.status.insecure = self->insecure;
	uv_timer_init(loop, &self->timer);
	self->timer.data = self;
	return &self->base;
}
