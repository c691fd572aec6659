/* lwsclient: the one libwebsockets context the program's clients share
 * (the --ws source, the kernel's HTTP API), with a vhost for each.
 *
 * libwebsockets 4.1.6 keeps OpenSSL's ex-data indexes in globals that
 * every context's TLS set-up replaces: with two TLS contexts in a process,
 * the first one no longer finds its client SSL_CTX when destroyed and
 * leaks it. One context avoids that; a vhost per user keeps each one's
 * protocols, CA file and user pointer (lws_vhost_user) apart. */
#ifndef LH_LWSCLIENT_H
#define LH_LWSCLIENT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <uv.h>

struct lh_lwsclient_vhost {
	const char *name;
	const struct lws_protocols *protocols;
	const char *ca_file; /* NULL: the system's CAs */
	bool tls;            /* load client TLS (and the CAs) for this vhost */
	void *user;          /* lws_vhost_user(lws_get_vhost(wsi)) */
};

/* A new vhost on the shared context (made on first use, on loop); NULL
 * when libwebsockets cannot be set up. */
struct lws_vhost *lh_lwsclient_open(uv_loop_t *loop, const struct lh_lwsclient_vhost *v);
/* The shared context, for lws_client_connect_info.context. */
struct lws_context *lh_lwsclient_context(void);
/* Closes the vhost's connections (their callbacks may still run while the
 * loop turns); the last close starts tearing the context down. */
void lh_lwsclient_close(struct lws_vhost *vh);
/* Once the loop has ended: finishes tearing the context down. Safe to
 * call from every user, and when nothing was opened. */
void lh_lwsclient_finish(void);

#endif
