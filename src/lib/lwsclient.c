#include "config.h"
#include "lwsclient.h"

#include <string.h>

static struct lws_context *lh_ctx;
static unsigned lh_users;

static struct lws_context *lh_lwsclient_make(uv_loop_t *loop)
{
	if (lh_ctx)
		return lh_ctx;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[1] = { loop };
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
		       LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	lws_set_log_level(0, NULL); /* errors come through the callbacks; stderr may be the HUD's */
	lh_ctx = lws_create_context(&info);
	return lh_ctx;
}

struct lws_vhost *lh_lwsclient_open(uv_loop_t *loop, const struct lh_lwsclient_vhost *v)
{
	struct lws_context *ctx = lh_lwsclient_make(loop);
	if (!ctx)
		return NULL;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.vhost_name = v->name;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8 |
		       (v->tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = v->protocols;
	info.user = v->user;
	info.client_ssl_ca_filepath = v->ca_file;
	struct lws_vhost *vh = lws_create_vhost(ctx, &info);
	if (vh)
		lh_users++;
	return vh;
}

struct lws_context *lh_lwsclient_context(void)
{
	return lh_ctx;
}

void lh_lwsclient_close(struct lws_vhost *vh)
{
	if (!vh)
		return;
	lws_vhost_destroy(vh);
	if (--lh_users == 0)
		lws_context_destroy(lh_ctx);
}

void lh_lwsclient_finish(void)
{
	if (!lh_ctx || lh_users)
		return;
	lws_context_destroy(lh_ctx); /* the second call, now that the loop has ended */
	lh_ctx = NULL;
}
