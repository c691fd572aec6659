/* http: what the bridge answers to a request head: a WebSocket upgrade
 * checked (the handshake, origin, token, path, capacity) and accepted or
 * refused with a real HTTP answer, and the plain requests it serves,
 * /health and /metrics. Every answer but the upgrade closes the
 * connection once written. */
#include "config.h"
#include "bridge_impl.h"
#include "lib/base64.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/redact.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool lh_secure_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0;
}

static bool lh_authorized(struct lh_bridge *b, const struct lh_req *req)
{
	if (!b->token)
		return true;
	const char *auth = lh_req_header(req, "Authorization", NULL);
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0 && lh_secure_equal(auth + 7, b->token))
		return true;
	char buf[512];
	const char *v = lh_req_arg(req, "token", buf, sizeof buf);
	return v && lh_secure_equal(v, b->token);
}

/* A browser says where the page came from; with --allow-origin it must
 * be one of those given, compared whole whatever its length (a NUL or any
 * other control byte refuses the whole request). Two Origins are refused.
 * No Origin: not a browser. */
static bool lh_origin_allowed(struct lh_bridge *b, const struct lh_req *req)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	size_t n;
	const char *origin = lh_req_header(req, "Origin", &n);
	if (!bo->norigins || !n)
		return true;
	bool ok = false;
	for (size_t i = 0; i < bo->norigins && !ok && n == 1; i++)
		ok = strcmp(origin, bo->origins[i]) == 0;
	return ok;
}

static bool lh_valid_run_id(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > LH_RUN_ID_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("-_.:", *s)))
			return false;
	return true;
}

int lh_http_ws_path(const struct lh_req *req, char *run, size_t len)
{
	const char *uri = lh_req_path(req);
	if (strcmp(uri, "/ws/runs") == 0)
		return 0;
	if (strncmp(uri, "/ws/runtime/", 12) != 0 || strlen(uri + 12) >= len)
		return -1;
	snprintf(run, len, "%s", uri + 12);
	return lh_valid_run_id(run) ? 1 : -1;
}

static const char *lh_status_text(int status)
{
	static const struct { int code; const char *text; } names[] = {
		{ 200, "OK" }, { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 426, "Upgrade Required" },
		{ 431, "Request Header Fields Too Large" }, { 503, "Service Unavailable" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == status)
			return names[i].text;
	return "Error";
}

/* Writes a whole answer and asks for the connection to be closed once it
 * has left. */
static void lh_http_answer(struct lh_client *c, int status, const char *ctype, const char *body)
{
	struct lh_buf *out = lh_client_out(c->b);
	size_t len = strlen(body);
	lh_buf_printf(out, "HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %zu\r\n%s"
			   "cache-control: no-store\r\nconnection: close\r\n\r\n",
		      status, lh_status_text(status), ctype, len,
		      status == 426 ? "sec-websocket-version: 13\r\n" : "");
	lh_buf_append(out, body, len);
	/* written or not, the connection is closed next: nothing to undo */
	(void)lh_client_send(c, out);
	c->hangup = true;
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LH_HANGUP_TIMEOUT_S); /* one that does not read */
	lws_callback_on_writable(c->wsi);
}

const int lh_refused_statuses[LH_REFUSED_STATUSES] = { 400, 401, 403, 405, 426, 431, 503 };

bool lh_http_log_due(struct lh_bridge *b, const char *why, uint64_t *others)
{
	struct lh_refusal_log *r = NULL;
	for (size_t i = 0; i < LH_REFUSAL_REASONS && !r; i++)
		if (b->refusal_log[i].why == why || !b->refusal_log[i].why)
			r = &b->refusal_log[i];
	if (!r)
		return false; /* more reasons than we know: counted all the same */
	r->why = why;
	r->count++;
	int64_t now = lh_time_mono_us();
	if (r->last_us && now - r->last_us < 60 * 1000000LL)
		return false;
	*others = r->count - 1;
	r->count = 0;
	r->last_us = now;
	return true;
}

const char *lh_http_peer(const struct lh_client *c, char *buf, size_t len)
{
	snprintf(buf, len, "?");
	lws_get_peer_simple(c->wsi, buf, len);
	return strncmp(buf, "::ffff:", 7) == 0 ? buf + 7 : buf; /* IPv4, mapped */
}

/* Counts a refusal by status and logs it with its path, peer and reason:
 * the first of a reason at once, then at most one line a minute for it,
 * saying how many there were meanwhile. */
static void lh_note_refusal(struct lh_bridge *b, struct lh_client *c, int status, const char *why)
{
	int k = 0;
	while (k < LH_REFUSED_STATUSES - 1 && lh_refused_statuses[k] != status)
		k++;
	b->refused[k]++;
	uint64_t others;
	if (!lh_http_log_due(b, why, &others))
		return;
	char peer[64], uri[256] = "(head not read whole)";
	if (lh_req_path(c->req)) /* the query is left out: it may carry the token */
		snprintf(uri, sizeof uri, "%s", lh_req_path(c->req));
	char *shown = lh_redact_url(uri);
	lh_log("warn", "refused %d %s from %s: %s%s", status, shown, lh_http_peer(c, peer, sizeof peer), why,
	       others ? " (and others since the last such line)" : "");
	free(shown);
}

int lh_http_since(const struct lh_req *req, uint64_t *since)
{
	char buf[32];
	const char *v = lh_req_arg(req, "since", buf, sizeof buf);
	if (!v)
		return 0;
	struct lh_json_span sp = { .value = v, .value_len = strlen(v) };
	return lh_json_uint(&sp, since) ? 1 : -1;
}

void lh_http_refuse(struct lh_bridge *b, struct lh_client *c, int status, const char *why)
{
	lh_note_refusal(b, c, status, why);
	char *body = lh_xasprintf("%s\n", why);
	lh_http_answer(c, status, "text/plain; charset=utf-8", body);
	free(body);
}

/* A key is 16 bytes in base64: 22 characters, then "==". */
static bool lh_ws_key_ok(const char *key)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	return key && strlen(key) == 24 && strspn(key, b64) == 22 && strcmp(key + 22, "==") == 0;
}

/* Why a request is not a WebSocket handshake the bridge can take (RFC
 * 6455 4.2.1), with the status to refuse it with; NULL when it is one. */
static const char *lh_handshake_fault(const struct lh_req *req, int *status)
{
	size_t nkeys;
	const char *version = lh_req_header(req, "Sec-WebSocket-Version", NULL);
	const char *key = lh_req_header(req, "Sec-WebSocket-Key", &nkeys);
	*status = 400;
	if (strcmp(lh_req_method(req), "GET") != 0 || !lh_req_is_http11(req))
		return "a WebSocket handshake is a GET over HTTP/1.1";
	if (!lh_req_header_lists(req, "Connection", "upgrade"))
		return "a WebSocket handshake says Connection: Upgrade";
	if (nkeys != 1 || !lh_ws_key_ok(key))
		return "Sec-WebSocket-Key must be one key of 16 bytes in base64";
	if (!version || strcmp(version, "13") != 0) {
		*status = 426;
		return "Sec-WebSocket-Version must be 13";
	}
	return NULL;
}

/* Why the bridge will not take this client now, with the status; NULL
 * when it will. */
static const char *lh_upgrade_refusal(struct lh_bridge *b, const struct lh_req *req, int *status)
{
	char run[LH_RUN_ID_MAX + 2];
	uint64_t since;
	const char *why = lh_handshake_fault(req, status);
	if (why)
		return why;
	*status = HTTP_STATUS_SERVICE_UNAVAILABLE;
	if (b->draining)
		return "shutting down";
	*status = HTTP_STATUS_FORBIDDEN;
	if (!lh_origin_allowed(b, req))
		return "origin not allowed";
	*status = HTTP_STATUS_UNAUTHORIZED;
	if (!lh_authorized(b, req))
		return "missing or wrong token";
	*status = HTTP_STATUS_BAD_REQUEST;
	if (lh_http_ws_path(req, run, sizeof run) < 0)
		return "expected /ws/runtime/RUN_ID (letters, digits, - _ . :) or /ws/runs";
	if (lh_http_since(req, &since) < 0)
		return "since must be an integer from 0 to 2^53";
	*status = HTTP_STATUS_SERVICE_UNAVAILABLE;
	if (b->nclients >= b->o->bridge.max_clients)
		return "too many clients";
	return NULL;
}

/* The 101 answer: the key proven read (RFC 6455 4.2.2), and the
 * subprotocol "livehud" when the client offers it. False when it could
 * not be written. */
static bool lh_http_accept(struct lh_client *c)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char both[24 + sizeof guid];
	unsigned char digest[20];
	snprintf(both, sizeof both, "%s%s", lh_req_header(c->req, "Sec-WebSocket-Key", NULL), guid);
	lws_SHA1((const unsigned char *)both, strlen(both), digest);
	struct lh_buf *out = lh_client_out(c->b);
	lh_buf_puts(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: ");
	lh_base64_put(out, digest, sizeof digest);
	if (lh_req_header_lists(c->req, "Sec-WebSocket-Protocol", "livehud"))
		lh_buf_puts(out, "\r\nSec-WebSocket-Protocol: livehud");
	lh_buf_puts(out, "\r\n\r\n");
	return lh_client_send(c, out) == 0;
}

bool lh_http_upgrade(struct lh_bridge *b, struct lh_client *c)
{
	int status;
	const char *why = lh_upgrade_refusal(b, c->req, &status);
	if (why) {
		lh_http_refuse(b, c, status, why);
		return false;
	}
	if (lh_http_accept(c))
		return true;
	c->hangup = true; /* the socket failed: closed from its writable callback */
	lws_callback_on_writable(c->wsi);
	return false;
}

static char *lh_health_text(struct lh_bridge *b, int *status)
{
	const struct lh_source_status *st = lh_app_source_status(b->app);
	bool up = st && st->state == LH_SOURCE_LIVE;
	*status = up ? HTTP_STATUS_OK : HTTP_STATUS_SERVICE_UNAVAILABLE;
	struct lh_buf h = LH_BUF_INIT;
	lh_buf_printf(&h, "{\"status\":\"%s\",\"redis\":\"%s\",\"redis_error\":", up ? "ok" : "unavailable",
		      st ? lh_source_state_name(st->state) : "closed");
	lh_json_put_string(&h, st ? st->last_error : "");
	lh_buf_printf(&h, ",\"clients\":%zu,\"runs\":%zu,\"uptime_s\":%lld,\"version\":\"%s\"}\n", b->nclients,
		      lh_history_runs(b->hist), (long long)((lh_time_mono_us() - b->start_mono_us) / 1000000),
		      PACKAGE_VERSION);
	return h.data;
}

void lh_http_serve(struct lh_bridge *b, struct lh_client *c)
{
	const char *path = lh_req_path(c->req);
	int status;
	if (strcmp(lh_req_method(c->req), "GET") != 0) {
		lh_http_refuse(b, c, 405, "only GET is served");
	} else if (strcmp(path, "/health") == 0) {
		char *body = lh_health_text(b, &status);
		lh_http_answer(c, status, "application/json", body);
		free(body);
	} else if (strcmp(path, "/metrics") == 0 && !lh_authorized(b, c->req)) {
		lh_http_refuse(b, c, HTTP_STATUS_UNAUTHORIZED, "missing or wrong token");
	} else if (strcmp(path, "/metrics") == 0) {
		char *body = lh_metrics_text(b);
		lh_http_answer(c, HTTP_STATUS_OK, "text/plain; version=0.0.4", body);
		free(body);
	} else {
		lh_http_answer(c, HTTP_STATUS_NOT_FOUND, "text/plain; charset=utf-8",
			       "not found: try /ws/runtime/RUN_ID, /ws/runs, /health or /metrics\n");
	}
}
