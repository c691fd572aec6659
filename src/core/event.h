/* event: one live-log event (PROTOCOL.md section 1), parsed from a payload
 * into a normalized, immutable value, or rejected with a reason. */
#ifndef LH_EVENT_H
#define LH_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/json.h"

enum lh_category {
	LH_CAT_TOOL_CALL,
	LH_CAT_TOOL_RESULT,
	LH_CAT_THOUGHT,
	LH_CAT_REASONING,
	LH_CAT_INFO, /* any other category; the event keeps its own text */
};

/* Why a payload was not accepted. Counted per reason by lh_rejects. */
enum lh_reject {
	LH_REJECT_NONE,
	LH_REJECT_OVERSIZE,
	LH_REJECT_NUL_BYTE,
	LH_REJECT_INVALID_UTF8,
	LH_REJECT_INVALID_JSON,
	LH_REJECT_NOT_OBJECT,
	LH_REJECT_MISSING_RUN_ID,
	LH_REJECT_WRONG_TYPE,
	LH_REJECT_COUNT
};

#define LH_EVENT_DEFAULT_MAX_BYTES (1024 * 1024)
#define LH_ARGS_TEXT_MAX 4096
#define LH_EVENT_RAW_NONE UINT64_MAX

/* All strings live in the event's own allocation and are valid UTF-8 (not
 * yet sanitized for a terminal). Optional ones are NULL when absent. */
struct lh_event {
	const char *run_id;
	const char *agent_id;  /* "SYSTEM" when absent or null */
	const char *category;  /* as sent; "INFO" when absent */
	const char *message;   /* "" when absent */
	const char *metadata;  /* "INFO" when absent */
	const char *tool_name;
	const char *call_id;
	const char *args;      /* compact JSON text of "args" */
	/* args as key=value pairs (query="RARO docs", n=5), strings decoded,
	 * at most about LH_ARGS_TEXT_MAX bytes: what displays and search use,
	 * made once here. NULL when args is. */
	const char *args_text;
	const char *extra;     /* compact JSON object of the fields we do not know */
	/* ",key:value..." for every member but run_id, agent_id, timestamp,
	 * message, metadata and category, as they came (whitespace removed):
	 * what a bridge forwards in payload. NULL unless asked for. */
	const char *forward;
	size_t raw_len;        /* the payload's length */
	/* Where the payload as received was kept (lh_ingest_callbacks.keep);
	 * LH_EVENT_RAW_NONE when it was not. */
	uint64_t raw_at;
	/* The place of the entry it came in within a Redis Stream: the entry
	 * id as one number (lh_stream_pos), the same for every reader of the
	 * stream; 0 when it came some other way. */
	uint64_t pos;
	int64_t ts_us;         /* event time; the receive time when ts_guessed */
	int64_t recv_us;
	int64_t duration_ms;   /* -1 when absent */
	enum lh_category cat;
	bool ts_guessed;       /* timestamp missing or unreadable */
	bool agent_absent;
	bool is_error;         /* metadata IO_ERR */
};

/* Parses one payload. On success returns LH_REJECT_NONE and *out is a new
 * event the caller frees with lh_event_free. Otherwise returns the reason,
 * and *why (when given) points to a static text naming the offence. */
enum lh_reject lh_event_parse(const char *data, size_t len, size_t max_bytes,
			      int64_t recv_us, struct lh_event **out, const char **why);
/* The same, also collecting ev->forward when forward is true (the bridge
 * does; a store of many events does not need it). */
enum lh_reject lh_event_parse_keep(const char *data, size_t len, size_t max_bytes, int64_t recv_us,
				   bool forward, struct lh_event **out, const char **why);
/* The same, forward left out, with the event in arena: valid until the
 * arena is reset, and never given to lh_event_free. A batch parsed on one
 * thread and dropped on another then costs one reset, not a free each. */
struct lh_arena;
enum lh_reject lh_event_parse_in(struct lh_arena *arena, const char *data, size_t len, size_t max_bytes,
				 int64_t recv_us, struct lh_event **out, const char **why);
/* The same for the event a kernel's log_event frame carries (PROTOCOL.md
 * section 2), already scanned by the caller into its members (top): the
 * members of its payload as the agent published them, with the frame's
 * run_id, agent_id and timestamp over them; run_fallback (the run the
 * stream is about) when the frame names none. A call without tool_name
 * takes it from its message "tool(args...)", so pairing by tool works.
 * why must not be NULL. */
enum lh_reject lh_event_parse_log_frame(const char *data, size_t len, const struct lh_json_span *top,
					size_t ntop, size_t max_bytes, int64_t recv_us, bool forward,
					const char *run_fallback, struct lh_event **out, const char **why);
void lh_event_free(struct lh_event *ev);

const char *lh_reject_name(enum lh_reject r);
/* The category and metadata values nearly every event carries, numbered
 * from 1 (LH_EVENT_TAGS of them): a store keeps the number, not the text.
 * lh_event_tag_code returns 0 for any other text; lh_event_tag(0) is NULL. */
#define LH_EVENT_TAGS 9
unsigned lh_event_tag_code(const char *s);
const char *lh_event_tag(unsigned code);
const char *lh_category_name(enum lh_category c);

/* Appends args (compact JSON text) as key=value pairs, strings decoded
 * and quoted, other values as JSON; args that are not an object as they
 * are. Stops after about LH_ARGS_TEXT_MAX bytes. Not sanitized. */
void lh_event_args_text(struct lh_buf *out, const char *args, size_t len);

/* Appends the normalized event as one compact JSON object: every known field,
 * the unknown ones untouched, timestamp in RFC 3339 UTC. */
void lh_event_to_json(const struct lh_event *ev, struct lh_buf *out);


#endif
