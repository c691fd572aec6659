/* clip: y and Y put the selected item on the clipboard with OSC 52. The
 * request travels with the screen's output, so it reaches the terminal
 * the operator sits at: over SSH, and inside tmux (with its set-clipboard
 * option on, tmux keeps it as a paste buffer and passes it on). */
#include "config.h"
#include "hud_impl.h"
#include "screen.h"
#include "lib/base64.h"
#include "lib/json.h"

#include <errno.h>
#include <string.h>

/* Terminals cap what one OSC 52 may carry (tmux takes about 1 MiB of
 * base64); past this much the text is cut, and the status line says so. */
#define LH_CLIP_MAX (512 * 1024)

/* What y copies: a call's args as JSON, else the item's text (a result's
 * or a thought's message in full). */
static const char *lh_clip_text(struct lh_hud *h, const struct lh_entry *e, struct lh_buf *out)
{
	struct lh_event ev;
	struct lh_event *whole = lh_hud_event(h, e, &ev);
	const char *what = ev.cat == LH_CAT_TOOL_RESULT ? "result" : "message";
	if (ev.cat == LH_CAT_TOOL_CALL && ev.args) {
		lh_json_pretty(out, ev.args, strlen(ev.args));
		what = "args";
	} else {
		lh_buf_puts(out, ev.message);
	}
	lh_event_free(whole);
	return what;
}

/* The longest start of s[0..len) that is at most max bytes and does not
 * end inside a UTF-8 character. */
static size_t lh_clip_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void lh_clip_copy(struct lh_hud *h, bool raw)
{
	const struct lh_entry *e = lh_hud_selected(h);
	if (!e) {
		lh_hud_say(h, "nothing selected to copy");
		return;
	}
	struct lh_buf text = LH_BUF_INIT, osc = LH_BUF_INIT;
	const char *what = "raw payload";
	if (raw && lh_hud_raw(h, e, &text) < 0) {
		lh_hud_say(h, "the payload as received is not available: %s", lh_hud_raw_why(errno));
		lh_buf_free(&text);
		return;
	}
	if (!raw)
		what = lh_clip_text(h, e, &text);
	size_t n = lh_clip_cut(lh_buf_str(&text), text.len, LH_CLIP_MAX);
	lh_buf_puts(&osc, "\033]52;c;");
	lh_base64_put(&osc, lh_buf_str(&text), n);
	lh_buf_putc(&osc, '\a');
	if (lh_screen_send(osc.data, osc.len) < 0)
		lh_hud_say(h, "cannot write to the terminal: %s", strerror(errno));
	else if (n < text.len)
		lh_hud_say(h, "copied the first %zu of %zu bytes of the %s (the terminal takes no more)", n,
			   text.len, what);
	else
		lh_hud_say(h, "copied %s (%zu bytes)", what, n);
	lh_buf_free(&text);
	lh_buf_free(&osc);
}
