/* format: events as text, with no terminal library: the pieces both the
 * plain output and the HUD use. Everything written here is sanitized. */
#ifndef LH_FORMAT_H
#define LH_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "store.h"

enum {
	LH_FMT_ASCII = 1 << 0, /* no UTF-8 marks or text */
};

/* The marks, UTF-8 or ASCII. */
struct lh_marks {
	const char *arrow, *result, *ok, *err, *ellipsis;
};
const struct lh_marks *lh_format_marks(unsigned flags);

/* Appends s sanitized, on one line, cut to at most max characters (with an
 * ellipsis when cut). */
void lh_format_text(struct lh_buf *out, const char *s, size_t max, unsigned flags);

/* Appends a call's arguments as key=value pairs (query="RARO docs", n=5)
 * cut to max characters; the raw JSON when it is not an object. */
void lh_format_args(struct lh_buf *out, const char *args_json, size_t max, unsigned flags);

/* Appends what a call reads as, wherever it is shown: "tool(args)", or
 * the message when there is no tool or no args but a message (the kernel
 * drops args; its message is the service's own "tool(args...)"). Returns
 * how many bytes of it are the tool's name, 0 for a message. */
size_t lh_format_call(struct lh_buf *out, const struct lh_event *ev, size_t max, unsigned flags);

/* The agent as the console shows it: upper-cased. */
void lh_format_agent(struct lh_buf *out, const char *agent_id, size_t max, unsigned flags);

/* One line of plain output for an entry (no newline), whose event is ev
 * (as lh_entry_event reads it, or as it was added). prev_seq is the seq
 * of the entry printed just before (0 for none): a result right under its
 * own call is shown short, otherwise with its agent and tool. */
void lh_format_plain(struct lh_buf *out, const struct lh_entry *e, const struct lh_event *ev,
		     uint64_t prev_seq, unsigned flags);

#endif
