/* http: what the bridge checks before a WebSocket upgrade (origin, token,
 * path, capacity), refusing with a real HTTP answer, and the plain HTTP
 * requests it serves: /health and /metrics. */
#include "config.h"
#include "bridge_impl.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/redact.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool lh_secure_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0;
}

static bool lh_authorized(struct lh_bridge *b, struct lws *wsi)
{
	if (!b->token)
		return true;
	char buf[512];
	if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_AUTHORIZATION) > 7 &&
	    strncasecmp(buf, "Bearer ", 7) == 0 && lh_secure_equal(buf + 7, b->token))
		return true;
	const char *v = lws_get_urlarg_by_name(wsi, "token=", buf, sizeof buf);
	return v && lh_secure_equal(v, b->token);
}

/* A browser says where the page came from; with --allow-origin it must
 * be one of those given, compared whole whatever its length. An Origin
 * that cannot be read whole (a NUL inside) is refused. No Origin: not a
 * browser. */
static bool lh_origin_allowed(struct lh_bridge *b, struct lws *wsi)
{
	const struct lh_bridge_options *bo = &b->o->bridge;
	int len = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
	if (!bo->norigins || len <= 0)
		return true;
	char *origin = lh_xmalloc((size_t)len + 1);
	bool ok = false;
	if (lws_hdr_copy(wsi, origin, len + 1, WSI_TOKEN_ORIGIN) == len && strlen(origin) == (size_t)len)
		for (size_t i = 0; i < bo->norigins && !ok; i++)
			ok = strcmp(origin, bo->origins[i]) == 0;
	free(origin);
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

int lh_http_ws_path(struct lws *wsi, char *run, size_t len)
{
	char uri[512];
	if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0)
		return -1;
	if (strcmp(uri, "/ws/runs") == 0)
		return 0;
	if (strncmp(uri, "/ws/runtime/", 12) != 0 || strlen(uri + 12) >= len)
		return -1;
	snprintf(run, len, "%s", uri + 12);
	return lh_valid_run_id(run) ? 1 : -1;
}

/* An HTTP/1.1 refusal written by hand: at this point libwebsockets does
 * not know the request's version yet and would answer HTTP/1.0, which
 * WebSocket clients reject as an invalid response instead of reporting the
 * status. */
static void lh_refuse(struct lws *wsi, int status, const char *why)
{
	static const struct { int code; const char *text; } names[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 503, "Service Unavailable" },
	};
	const char *text = "Error";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == status)
			text = names[i].text;
	char buf[LWS_PRE + 512];
	int n = snprintf(buf + LWS_PRE, sizeof buf - LWS_PRE,
			 "HTTP/1.1 %d %s\r\ncontent-type: text/plain\r\ncontent-length: %zu\r\n"
			 "connection: close\r\n\r\n%s\n",
			 status, text, strlen(why) + 1, why);
	if (n > 0 && (size_t)n < sizeof buf - LWS_PRE)
		lws_write(wsi, (unsigned char *)buf + LWS_PRE, (size_t)n, LWS_WRITE_HTTP_HEADERS);
}

const int lh_refused_statuses[LH_REFUSED_STATUSES] = { 400, 401, 403, 503 };

/* Counts a refusal by status and logs it with its path, peer and reason:
 * the first of a reason at once, then at most one line a minute for it,
 * saying how many there were meanwhile. */
static void lh_note_refusal(struct lh_bridge *b, struct lws *wsi, int status, const char *why)
{
	int k = 0;
	while (k < LH_REFUSED_STATUSES - 1 && lh_refused_statuses[k] != status)
		k++;
	b->refused[k]++;
	struct lh_refusal_log *r = NULL;
	for (size_t i = 0; i < LH_REFUSAL_REASONS && !r; i++)
		if (b->refusal_log[i].why == why || !b->refusal_log[i].why)
			r = &b->refusal_log[i];
	if (!r)
		return; /* more reasons than we know: counted all the same */
	r->why = why;
	r->count++;
	int64_t now = lh_time_mono_us();
	if (r->last_us && now - r->last_us < 60 * 1000000LL)
		return;
	char peer[64] = "?", uri[256] = "";
	lws_get_peer_simple(wsi, peer, sizeof peer);
	lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
	char *shown = lh_redact_url(uri);
	const char *who = strncmp(peer, "::ffff:", 7) == 0 ? peer + 7 : peer; /* IPv4, mapped */
	lh_log("warn", "refused %d %s from %s: %s%s", status, shown, who, why,
	       r->count > 1 ? " (and others since the last such line)" : "");
	free(shown);
	r->count = 0;
	r->last_us = now;
}

int lh_http_since(struct lws *wsi, uint64_t *since)
{
	char buf[32];
	const char *v = lws_get_urlarg_by_name(wsi, "since=", buf, sizeof buf);
	if (!v)
		return 0;
	struct lh_json_span sp = { .value = v, .value_len = strlen(v) };
	return lh_json_uint(&sp, since) ? 1 : -1;
}

int lh_http_confirm_upgrade(struct lh_bridge *b, struct lws *wsi)
{
	char run[LH_RUN_ID_MAX + 2];
	uint64_t since;
	int status = 0;
	const char *why = NULL;
	if (b->draining) {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
		why = "shutting down";
	} else if (!lh_origin_allowed(b, wsi)) {
		status = HTTP_STATUS_FORBIDDEN;
		why = "origin not allowed";
	} else if (!lh_authorized(b, wsi)) {
		status = HTTP_STATUS_UNAUTHORIZED;
		why = "missing or wrong token";
	} else if (lh_http_ws_path(wsi, run, sizeof run) < 0) {
		status = HTTP_STATUS_BAD_REQUEST;
		why = "expected /ws/runtime/RUN_ID (letters, digits, - _ . :) or /ws/runs";
	} else if (lh_http_since(wsi, &since) < 0) {
		status = HTTP_STATUS_BAD_REQUEST;
		why = "since must be an integer from 0 to 2^53";
	} else if (b->nclients >= b->o->bridge.max_clients) {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
		why = "too many clients";
	}
	if (!status)
		return 0;
	lh_note_refusal(b, wsi, status, why);
	lh_refuse(wsi, status, why);
	return 1;
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

int lh_http_request(struct lh_bridge *b, struct lh_client *c, struct lws *wsi, const char *path)
{
	c->b = b;
	c->ctype = "text/plain; charset=utf-8";
	if (strcmp(path, "/health") == 0) {
		c->body = lh_health_text(b, &c->status);
		c->ctype = "application/json";
	} else if (strcmp(path, "/metrics") == 0) {
		if (!lh_authorized(b, wsi)) {
			lh_note_refusal(b, wsi, HTTP_STATUS_UNAUTHORIZED, "missing or wrong token");
			c->status = HTTP_STATUS_UNAUTHORIZED;
			c->body = lh_xstrdup("missing or wrong token\n");
		} else {
			c->status = HTTP_STATUS_OK;
			c->body = lh_metrics_text(b);
			c->ctype = "text/plain; version=0.0.4";
		}
	} else {
		c->status = HTTP_STATUS_NOT_FOUND;
		c->body = lh_xstrdup("not found: try /ws/runtime/RUN_ID, /ws/runs, /health or /metrics\n");
	}
	lws_callback_on_writable(wsi);
	return 0;
}

int lh_http_write(struct lh_client *c, struct lws *wsi)
{
	size_t len = strlen(c->body);
	unsigned char *buf = lh_xmalloc(LWS_PRE + 1024 + len);
	unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + LWS_PRE + 1024 + len;
	bool sent = false;
	if (lws_add_http_common_headers(wsi, (unsigned)c->status, c->ctype, len, &p, end) == 0 &&
	    lws_finalize_write_http_header(wsi, start, &p, end) == 0) {
		memcpy(start, c->body, len);
		sent = lws_write(wsi, start, len, LWS_WRITE_HTTP_FINAL) == (int)len;
	}
	free(buf);
	free(c->body);
	c->body = NULL;
	/* Completing the transaction may free c (a keep-alive connection
	 * gets a new one): nothing of c is touched after it. */
	if (!sent)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}
