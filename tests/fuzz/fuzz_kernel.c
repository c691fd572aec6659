/* The WebSocket source's frame handling: a frame scanned once, then read
 * as a log_event (the event it carries) or as a typed kernel frame. */
#include "config.h"
#include "check.h"
#include "core/event.h"
#include "core/format.h"
#include "core/kstate.h"
#include "source/kframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lh_kframe_text text;
	static struct lh_kstate k;
	struct lh_json_span top[64];
	size_t n;
	const char *s = (const char *)data;
	if (lh_json_scan(s, size, top, 64, &n) != LH_JSON_OBJECT || n > 64)
		return 0;
	struct lh_event *ev;
	const char *why;
	if (lh_event_parse_log_frame(s, size, top, n, 1 << 16, 1, true, "run", &ev, &why) == LH_REJECT_NONE) {
		struct lh_buf b = LH_BUF_INIT;
		lh_event_to_json(ev, &b);
		lh_fuzz_check_json(b.data, b.len);
		lh_buf_reset(&b);
		lh_format_call(&b, ev, 80, 0);
		lh_fuzz_check_terminal(lh_buf_str(&b), b.len);
		lh_buf_free(&b);
		lh_event_free(ev);
	}
	static const char *const types[] = { "state_update", "agent_started", "intervention_event", "error", "gap", "x" };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct lh_kframe f;
		if (lh_kframe_read(&text, types[i], top, n, "run", &f, &why) == 0 && f.type != LH_KF_GAP &&
		    f.type != LH_KF_ERROR)
			lh_kstate_apply(&k, &f);
	}
	return 0;
}
