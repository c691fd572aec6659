#include "config.h"
#include "format.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <ctype.h>
#include <string.h>

#define LH_PLAIN_ARGS_MAX 80
#define LH_PLAIN_TEXT_MAX 160

static const struct lh_marks lh_utf8_marks = { "\xe2\x86\x92", "\xe2\x86\xb3", "\xe2\x9c\x93",
					       "\xe2\x9c\x97", "\xe2\x80\xa6" };
static const struct lh_marks lh_ascii_marks = { "->", "`-", "ok", "x", "..." };

const struct lh_marks *lh_format_marks(unsigned flags)
{
	return (flags & LH_FMT_ASCII) ? &lh_ascii_marks : &lh_utf8_marks;
}

static unsigned lh_text_flags(unsigned flags)
{
	return LH_TEXT_ONELINE | ((flags & LH_FMT_ASCII) ? LH_TEXT_ASCII : 0);
}

/* Cuts the text appended since `start` to max code points. */
static void lh_cut(struct lh_buf *out, size_t start, size_t max, unsigned flags)
{
	if (out->len - start <= max)
		return; /* fewer bytes than max: fewer code points too */
	size_t chars = 0, i = start;
	while (i < out->len) {
		if (chars == max) {
			/* Make room for the ellipsis inside the limit. */
			size_t keep = start, n = 0;
			size_t dots = (flags & LH_FMT_ASCII) ? 3 : 1;
			size_t room = max > dots ? max - dots : 0;
			while (n < room) {
				keep++;
				while (keep < out->len && ((unsigned char)out->data[keep] & 0xc0) == 0x80)
					keep++;
				n++;
			}
			out->len = keep;
			out->data[keep] = '\0';
			lh_buf_puts(out, lh_format_marks(flags)->ellipsis);
			return;
		}
		i++;
		while (i < out->len && ((unsigned char)out->data[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
}

void lh_format_text(struct lh_buf *out, const char *s, size_t max, unsigned flags)
{
	size_t start = out->len, len = strlen(s);
	if (len <= max && lh_text_printable(s, len)) { /* most text: nothing to do */
		lh_buf_append(out, s, len);
		return;
	}
	lh_text_sanitize(out, s, len, lh_text_flags(flags));
	lh_cut(out, start, max, flags);
}

void lh_format_args(struct lh_buf *out, const char *args_json, size_t max, unsigned flags)
{
	struct lh_buf text = LH_BUF_INIT;
	lh_event_args_text(&text, args_json, strlen(args_json));
	lh_format_text(out, lh_buf_str(&text), max, flags);
	lh_buf_free(&text);
}

size_t lh_format_call(struct lh_buf *out, const struct lh_event *ev, size_t max, unsigned flags)
{
	/* Without args (the reference kernel drops them) the message is the
	 * service's own "tool(args...)" text. */
	if (!ev->tool_name || (!ev->args_text && ev->message[0])) {
		lh_format_text(out, ev->message, max, flags);
		return 0;
	}
	size_t start = out->len;
	lh_format_text(out, ev->tool_name, max, flags);
	size_t tool = out->len - start;
	lh_buf_putc(out, '(');
	if (ev->args_text)
		lh_format_text(out, ev->args_text, max, flags);
	lh_buf_putc(out, ')');
	lh_cut(out, start, max, flags);
	return tool < out->len - start ? tool : out->len - start;
}

void lh_format_agent(struct lh_buf *out, const char *agent_id, size_t max, unsigned flags)
{
	size_t start = out->len;
	lh_format_text(out, agent_id, max, flags);
	for (size_t i = start; i < out->len; i++)
		out->data[i] = (char)toupper((unsigned char)out->data[i]);
}

static void lh_plain_result(struct lh_buf *out, const struct lh_entry *e, const struct lh_event *ev,
			    uint64_t prev_seq, unsigned flags)
{
	const struct lh_marks *m = lh_format_marks(flags);
	lh_buf_puts(out, m->result);
	lh_buf_putc(out, ' ');
	if (e->call_evicted)
		lh_buf_puts(out, "(call evicted) ");
	else if (e->state == LH_CALL_ORPHAN)
		lh_buf_puts(out, "(no matching call) ");
	if (!e->peer || e->peer->seq != prev_seq) {
		lh_format_agent(out, ev->agent_id, 40, flags);
		if (ev->tool_name) {
			lh_buf_putc(out, ' ');
			lh_format_text(out, ev->tool_name, 40, flags);
		}
		lh_buf_puts(out, ": ");
	}
	lh_format_text(out, ev->message, LH_PLAIN_TEXT_MAX, flags);
	if (e->duration_ms >= 0) {
		char d[24];
		lh_time_format_duration(e->duration_ms, d, sizeof d);
		lh_buf_puts(out, " (");
		lh_buf_puts(out, d);
		lh_buf_putc(out, ')');
	}
}

/* A million of these go by in a reading of a file: put together piece by
 * piece, without printf. */
void lh_format_plain(struct lh_buf *out, const struct lh_entry *e, const struct lh_event *ev,
		     uint64_t prev_seq, unsigned flags)
{
	char clock[24];
	lh_time_format_clock(ev->ts_us, clock, sizeof clock);
	lh_buf_puts(out, clock);
	lh_buf_puts(out, ev->ts_guessed ? "? " : "  ");

	size_t tag = out->len;
	lh_buf_putc(out, '[');
	lh_format_text(out, ev->metadata, 16, flags);
	lh_buf_putc(out, ']');
	do
		lh_buf_putc(out, ' ');
	while (out->len - tag < 10);

	switch (ev->cat) {
	case LH_CAT_TOOL_CALL:
		lh_format_agent(out, ev->agent_id, 40, flags);
		lh_buf_putc(out, ' ');
		lh_buf_puts(out, lh_format_marks(flags)->arrow);
		lh_buf_putc(out, ' ');
		lh_format_call(out, ev, LH_PLAIN_ARGS_MAX, flags);
		break;
	case LH_CAT_TOOL_RESULT:
		lh_plain_result(out, e, ev, prev_seq, flags);
		break;
	default:
		lh_format_agent(out, ev->agent_id, 40, flags);
		lh_buf_putc(out, ' ');
		lh_buf_puts(out, lh_category_name(ev->cat));
		lh_buf_puts(out, ": ");
		lh_format_text(out, ev->message, LH_PLAIN_TEXT_MAX, flags);
		break;
	}
}
