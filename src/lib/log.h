/* log: the bridge's log, one line per event on stderr, as text or as JSON
 * objects (--log-json). Messages are sanitized: a run id or an error from
 * the network cannot forge log lines. */
#ifndef LH_LOG_H
#define LH_LOG_H

#include <stdbool.h>

void lh_log_init(bool json);
void lh_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
