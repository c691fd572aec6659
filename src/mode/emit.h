/* emit: `livehud emit`, a publisher for scripts and tests that writes
 * events exactly as the Python agent service does (json.dumps layout,
 * naive local isoformat() timestamps). */
#ifndef LH_EMIT_H
#define LH_EMIT_H

#include "app/options.h"

/* Returns the exit status: 0 published, 1 Redis failed or a line was bad,
 * 2 bad usage. */
int lh_emit_main(const struct lh_options *o);

#endif
