/* The event parser, and every output built from an event: the plain line,
 * the JSON line, the bridge's frame, a gap frame, terminal text. */
#include "config.h"
#include "check.h"
#include "bridge/frame.h"
#include "core/event.h"
#include "core/format.h"
#include "core/store.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lh_fuzz_outputs(struct lh_store *store, struct lh_event *ev)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_event_to_json(ev, &b);
	lh_fuzz_check_json(b.data, b.len);
	lh_buf_reset(&b);
	lh_frame_log_event(&b, ev, 7, "epoch-1", 9, "epoch");
	lh_fuzz_check_json(b.data, b.len);
	lh_buf_reset(&b);
	lh_frame_gap(&b, ev->run_id, 1, 2, "epoch-1", "slow_client");
	lh_fuzz_check_json(b.data, b.len);
	const struct lh_entry *e = lh_store_add(store, ev, false);
	/* The store's packed copy reads back as the event it was given. */
	struct lh_event kept;
	lh_entry_event(e, &kept);
	struct lh_buf k = LH_BUF_INIT;
	lh_buf_reset(&b);
	lh_event_to_json(ev, &b);
	lh_event_to_json(&kept, &k);
	if (k.len != b.len || memcmp(k.data, b.data, b.len) != 0)
		abort();
	for (unsigned flags = 0; flags <= LH_FMT_ASCII; flags++) {
		lh_buf_reset(&b);
		lh_format_plain(&b, e, ev, 0, flags);
		lh_fuzz_check_terminal(b.data, b.len);
		lh_buf_reset(&k);
		lh_format_plain(&k, e, &kept, 0, flags);
		if (k.len != b.len || memcmp(k.data, b.data, b.len) != 0)
			abort(); /* the kept event prints as the one added */
		lh_buf_reset(&b);
		lh_format_call(&b, ev, 80, flags);
		lh_fuzz_check_terminal(lh_buf_str(&b), b.len);
	}
	lh_buf_free(&b);
	lh_buf_free(&k);
	lh_event_free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lh_store *store;
	if (!store)
		store = lh_store_new(64); /* pairing and eviction across inputs */
	for (int forward = 0; forward < 2; forward++) {
		struct lh_event *ev;
		if (lh_event_parse_keep((const char *)data, size, 1 << 16, 1, forward, &ev, NULL) != LH_REJECT_NONE)
			return 0;
		if (forward)
			lh_fuzz_outputs(store, ev);
		else
			lh_event_free(ev);
	}
	return 0;
}
