#include "config.h"
#include "rejects.h"

bool lh_rejects_add(struct lh_rejects *r, enum lh_reject reason, int64_t now_us,
		    uint64_t *count_since)
{
	if ((unsigned)reason >= LH_REJECT_COUNT || reason == LH_REJECT_NONE)
		return false;
	r->count[reason]++;
	r->total++;
	if (r->reported[reason] && now_us - r->last_report_us[reason] < LH_REJECTS_REPORT_EVERY_US)
		return false;
	*count_since = r->count[reason] - r->reported[reason];
	r->reported[reason] = r->count[reason];
	r->last_report_us[reason] = now_us;
	return true;
}
