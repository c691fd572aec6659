#include "config.h"
#include "control.h"
#include "lib/buf.h"
#include "lib/lookup.h"
#include "lib/lwsclient.h"
#include "lib/url.h"
#include "lib/xalloc.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lh_control {
	uv_loop_t *loop;
	struct lws_vhost *vh;
	struct lh_url url;
	char *base, *token, *ca_file;
	bool insecure;
	/* the request under way */
	struct lh_lookup *lookup;
	struct lws *wsi;
	char *run, *action, *path;
	unsigned status;
	bool busy, closing;
	lh_control_cb *cb;
	void *cb_ctx;
};

const char *lh_control_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 422: return "Unprocessable Entity";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* Reports once, and frees the request's state for the next one. */
static void lh_control_done(struct lh_control *c, unsigned status, const char *why)
{
	if (!c->busy)
		return;
	c->busy = false;
	c->wsi = NULL;
	if (!c->closing && c->cb)
		c->cb(c->cb_ctx, c->run, c->action, status, why);
	free(c->run);
	free(c->action);
	free(c->path);
	c->run = c->action = c->path = NULL;
}

static int lh_control_headers(struct lh_control *c, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;
	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, (unsigned char *)"0", 1, p, end))
		return -1;
	if (!c->token)
		return 0;
	char value[600];
	snprintf(value, sizeof value, "Bearer %s", c->token);
	return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)value,
					    (int)strlen(value), p, end) ? -1 : 0;
}

static int lh_control_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lh_control *c = lws_vhost_user(lws_get_vhost(wsi));
	if (!c)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	char body[1024 + LWS_PRE], *p = body + LWS_PRE;
	int n = (int)sizeof body - LWS_PRE;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return lh_control_headers(c, wsi, in, len);
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		c->status = lws_http_client_http_response(wsi);
		break;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: /* the body is not needed: drain it */
		return lws_http_client_read(wsi, &p, &n) < 0 ? -1 : 0;
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		lh_control_done(c, c->status, lh_control_reason(c->status));
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		lh_control_done(c, 0, in ? (const char *)in : "connection failed");
		break;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		lh_control_done(c, c->status, c->status ? lh_control_reason(c->status) : "connection closed");
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols lh_control_protocols[] = {
	{ "livehud-control", lh_control_callback, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void lh_control_connect(struct lh_control *c, const char *addr)
{
	char hostport[300];
	snprintf(hostport, sizeof hostport, "%s:%d", c->url.host, c->url.port);
	struct lws_client_connect_info i;
	memset(&i, 0, sizeof i);
	i.context = lh_lwsclient_context();
	i.vhost = c->vh;
	i.address = addr;
	i.port = c->url.port;
	i.path = c->path;
	i.host = hostport;
	i.method = "POST";
	i.alpn = "http/1.1";
	i.protocol = lh_control_protocols[0].name;
	i.local_protocol_name = lh_control_protocols[0].name;
	i.pwsi = &c->wsi;
	if (c->url.tls)
		i.ssl_connection = LCCSCF_USE_SSL |
				   (c->insecure ? LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
							  LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE
						: 0);
	c->status = 0;
	if (!lws_client_connect_via_info(&i))
		lh_control_done(c, 0, "cannot start a connection");
}

static void lh_control_found(void *ctx, const char *addr, const char *error)
{
	struct lh_control *c = ctx;
	c->lookup = NULL;
	if (!addr) {
		char why[300];
		snprintf(why, sizeof why, "cannot resolve %s: %s", c->url.host, error);
		lh_control_done(c, 0, why);
		return;
	}
	lh_control_connect(c, addr);
}

/* Unreserved characters pass, everything else is %XX: a run id is a
 * stranger's text and must stay one path segment. */
static void lh_control_escape(struct lh_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch))
			lh_buf_putc(b, (char)ch);
		else
			lh_buf_printf(b, "%%%02X", ch);
	}
}

int lh_control_post(struct lh_control *c, const char *run, const char *action, lh_control_cb *cb, void *ctx)
{
	if (c->busy || c->closing)
		return -1;
	struct lh_buf path = LH_BUF_INIT;
	size_t plen = strlen(c->url.path);
	lh_buf_append(&path, c->url.path, plen && c->url.path[plen - 1] == '/' ? plen - 1 : plen);
	lh_buf_puts(&path, "/runtime/");
	lh_control_escape(&path, run);
	lh_buf_printf(&path, "/%s", action);
	c->path = path.data;
	c->run = lh_xstrdup(run);
	c->action = lh_xstrdup(action);
	c->cb = cb;
	c->cb_ctx = ctx;
	c->busy = true;
	const char *error;
	if (lh_lookup_is_address(c->url.host))
		lh_control_connect(c, c->url.host);
	else if (!(c->lookup = lh_lookup_start(c->loop, c->url.host, lh_control_found, c, &error)))
		lh_control_done(c, 0, error);
	return 0;
}

static int lh_control_base_url(struct lh_control *c, const char *url)
{
	if (lh_url_parse(url, &c->url) < 0)
		return -1;
	const char *s = c->url.scheme;
	if (strcmp(s, "ws") && strcmp(s, "wss") && strcmp(s, "http") && strcmp(s, "https"))
		return -1;
	/* A --ws URL names the stream; the API is at the same host's root. */
	if (s[0] == 'w') {
		free(c->url.path);
		c->url.path = lh_xstrdup("/");
	}
	c->base = lh_xasprintf("%s://%s:%d%s", c->url.tls ? "https" : "http", c->url.host, c->url.port,
			       strcmp(c->url.path, "/") ? c->url.path : "");
	return 0;
}

struct lh_control *lh_control_new(uv_loop_t *loop, const struct lh_control_options *o, char **cause)
{
	struct lh_control *c = lh_xcalloc(1, sizeof *c);
	c->loop = loop;
	if (lh_control_base_url(c, o->url) < 0) {
		*cause = lh_xasprintf("bad kernel URL '%s': expected http[s]://host[:port][/path]", o->url);
		lh_control_free(c);
		return NULL;
	}
	c->token = o->token ? lh_xstrdup(o->token) : NULL;
	c->ca_file = o->ca_file ? lh_xstrdup(o->ca_file) : NULL;
	c->insecure = o->insecure;
	const struct lh_lwsclient_vhost v = { "livehud-control", lh_control_protocols, c->ca_file, c->url.tls, c };
	c->vh = lh_lwsclient_open(loop, &v);
	if (!c->vh) {
		*cause = lh_xasprintf("cannot set up libwebsockets (is libwebsockets-evlib-uv installed?)");
		lh_control_free(c);
		return NULL;
	}
	return c;
}

const char *lh_control_base(const struct lh_control *c)
{
	return c->base;
}

void lh_control_close(struct lh_control *c)
{
	if (!c || c->closing)
		return;
	c->closing = true;
	if (c->lookup)
		lh_lookup_abandon(c->lookup);
	c->lookup = NULL;
	lh_control_done(c, 0, "closing");
	lh_lwsclient_close(c->vh);
}

void lh_control_free(struct lh_control *c)
{
	if (!c)
		return;
	lh_lwsclient_finish();
	lh_url_free(&c->url);
	free(c->base);
	free(c->token);
	free(c->ca_file);
	free(c->run);
	free(c->action);
	free(c->path);
	free(c);
}
