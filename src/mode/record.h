/* record: `livehud record`, for producers that only PUBLISH: subscribes to
 * the channels and appends every accepted payload to a Redis Stream, one
 * recorder of several writing at a time (source/recorder.h). */
#ifndef LH_RECORD_H
#define LH_RECORD_H

#include "app/options.h"

/* Runs until SIGINT or SIGTERM; returns the exit status (0, or 1 when it
 * could not start). */
int lh_record_main(const struct lh_options *o);

#endif
