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

void lh_ingest_reject(struct lh_ingest *in, enum lh_reject reason, const char *why)
{
	uint64_t count;
	if (lh_rejects_add(&in->rejects, reason, lh_time_now_us(), &count) && in->cb.reject)
		in->cb.reject(in->cb.ctx, reason, why ? why : "", count);
}

/* from_payload: ev came from the payload kept as raw, which parses back
 * to it (lh_store_add). ev stays the caller's. */
static const struct lh_entry *lh_ingest_take(struct lh_ingest *in, struct lh_event *ev, const char *data,
					     size_t len, bool from_payload, int64_t file_at)
{
	if (in->cb.keep)
		ev->raw_at = in->cb.keep(in->cb.ctx, data, len, file_at);
	const struct lh_entry *e = NULL;
	if (in->store) {
		e = lh_store_add(in->store, ev, from_payload && ev->raw_at != LH_EVENT_RAW_NONE);
		if (in->cb.entry)
			in->cb.entry(in->cb.ctx, e, ev);
	} else if (in->cb.event) {
		in->cb.event(in->cb.ctx, ev);
	}
	return e;
}

const struct lh_entry *lh_ingest_payload(struct lh_ingest *in, const char *data, size_t len, uint64_t pos)
{
	struct lh_event *ev;
	const char *why = NULL;
	/* The bridge (no store) forwards fields from the payload's own text;
	 * a store of up to --max-events keeps only the parsed fields. */
	enum lh_reject r = lh_event_parse_keep(data, len, in->max_bytes, lh_time_now_us(), in->store == NULL,
					       &ev, &why);
	if (r != LH_REJECT_NONE) {
		lh_ingest_reject(in, r, why);
		return NULL;
	}
	ev->pos = pos;
	const struct lh_entry *e = lh_ingest_take(in, ev, data, len, true, -1);
	lh_event_free(ev);
	return e;
}

const struct lh_entry *lh_ingest_parsed(struct lh_ingest *in, struct lh_event *ev, const char *data, size_t len,
					int64_t file_at)
{
	return lh_ingest_take(in, ev, data, len, true, file_at);
}

const struct lh_entry *lh_ingest_event(struct lh_ingest *in, struct lh_event *ev, const char *data, size_t len)
{
	const struct lh_entry *e = lh_ingest_take(in, ev, data, len, false, -1);
	lh_event_free(ev);
	return e;
}
