/* lookup: a host name turned into an address off the event loop.
 * hiredis 0.14 and libwebsockets 4.1 (as Debian builds it) call
 * getaddrinfo on the calling thread, which is the event loop: a slow name
 * server would freeze the HUD or the bridge for as long as it takes, on
 * every reconnection. Sources look the name up here first and give the
 * library the address. */
#ifndef LH_LOOKUP_H
#define LH_LOOKUP_H

#include <stdbool.h>
#include <uv.h>

struct lh_lookup;

/* addr: the first IPv4 address, else the first IPv6 one (as hiredis
 * would choose); NULL with a reason in error when there is none. The
 * lookup is freed when this returns. */
typedef void lh_lookup_cb(void *ctx, const char *addr, const char *error);

/* host is an address already: nothing to look up. */
bool lh_lookup_is_address(const char *host);
/* Starts looking host up, or returns NULL with *error set (then cb is
 * never called). */
struct lh_lookup *lh_lookup_start(uv_loop_t *loop, const char *host, lh_lookup_cb *cb, void *ctx,
				  const char **error);
/* cb will not be called; nothing waits for the lookup to end. */
void lh_lookup_abandon(struct lh_lookup *l);

#endif
