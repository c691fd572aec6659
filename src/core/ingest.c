#include "config.h"
#include "ingest.h"
#include "lib/timeutil.h"

#include <string.h>

void lh_ingest_init(struct lh_ingest *in, struct lh_store *store, size_t max_bytes,
		    const struct lh_ingest_callbacks *cb)
{
	memset(in, 0, sizeof *in);
	in->store = store;
	in->max_bytes = max_bytes;
	in->cb = *cb;
}

const struct lh_entry *lh_ingest_payload(struct lh_ingest *in, const char *data, size_t len)
{
	int64_t now = lh_time_now_us();
	struct lh_event *ev;
	const char *why = NULL;
	/* The bridge (no store) forwards fields from the payload's own text;
	 * a store of up to --max-events keeps only the parsed fields. */
	enum lh_reject r = lh_event_parse_keep(data, len, in->max_bytes, now, in->store == NULL, &ev, &why);
	if (r != LH_REJECT_NONE) {
		uint64_t count;
		if (lh_rejects_add(&in->rejects, r, now, &count) && in->cb.reject)
			in->cb.reject(in->cb.ctx, r, why ? why : "", count);
		return NULL;
	}
	if (!in->store) {
		if (in->cb.event)
			in->cb.event(in->cb.ctx, ev);
		lh_event_free(ev);
		return NULL;
	}
	const struct lh_entry *e = lh_store_add(in->store, ev);
	if (in->cb.entry)
		in->cb.entry(in->cb.ctx, e);
	return e;
}
