/* rejects: counts of payloads refused, by reason, and the rate limit that
 * lets each reason be reported at most once a minute, so a flood of bad
 * input is visible without drowning the output. */
#ifndef LH_REJECTS_H
#define LH_REJECTS_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

#define LH_REJECTS_REPORT_EVERY_US (60 * 1000000LL)

struct lh_rejects {
	uint64_t count[LH_REJECT_COUNT];
	uint64_t reported[LH_REJECT_COUNT]; /* count at the last report */
	int64_t last_report_us[LH_REJECT_COUNT];
	uint64_t total;
};

/* Counts one rejection. Returns true when it should be reported now: the
 * first of its reason, or the first a minute or more after its last report;
 * then *count_since is how many of that reason came since that report. */
bool lh_rejects_add(struct lh_rejects *r, enum lh_reject reason, int64_t now_us,
		    uint64_t *count_since);

#endif
