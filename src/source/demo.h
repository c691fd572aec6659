/* source_demo: a simulated multi-agent run, generated in-process and fed
 * through the same parser as real payloads. Runs follow one another until
 * the source is closed. */
#ifndef LH_SOURCE_DEMO_H
#define LH_SOURCE_DEMO_H

#include <stdint.h>

#include "source.h"

/* seed makes the run repeatable; speed > 1 makes it faster (tests use it). */
struct lh_source *lh_source_demo_new(uv_loop_t *loop, uint64_t seed, double speed,
				     const struct lh_source_callbacks *cb);

#endif
