/* bridge: `livehud bridge`, the kernel's WebSocket side as a service:
 * Redis in, every run's events out to browser consoles and remote HUDs,
 * with per-run history for resuming, bounded per-client queues, /health and
 * /metrics. */
#ifndef LH_BRIDGE_H
#define LH_BRIDGE_H

#include "app/options.h"

/* Runs until SIGTERM or SIGINT; returns the exit status. */
int lh_bridge_main(const struct lh_options *o);

#endif
