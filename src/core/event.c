/* event: payload -> struct lh_event. One validating pass (json.c) finds
 * every member's raw text without allocating; known fields are typed and
 * decoded from it, args and unknown fields kept as they came. Each event
 * is one allocation holding all its strings. */
#include "config.h"
#include "event.h"
#include "lib/json.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/arena.h"
#include "lib/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LH_MAX_MEMBERS 256

static const char *const lh_reject_names[LH_REJECT_COUNT] = {
	[LH_REJECT_NONE] = "none",
	[LH_REJECT_OVERSIZE] = "oversize",
	[LH_REJECT_NUL_BYTE] = "nul_byte",
	[LH_REJECT_INVALID_UTF8] = "invalid_utf8",
	[LH_REJECT_INVALID_JSON] = "invalid_json",
	[LH_REJECT_NOT_OBJECT] = "not_object",
	[LH_REJECT_MISSING_RUN_ID] = "missing_run_id",
	[LH_REJECT_WRONG_TYPE] = "wrong_type",
};

const char *lh_reject_name(enum lh_reject r)
{
	return (unsigned)r < LH_REJECT_COUNT ? lh_reject_names[r] : "unknown";
}

const char *lh_category_name(enum lh_category c)
{
	switch (c) {
	case LH_CAT_TOOL_CALL: return "TOOL_CALL";
	case LH_CAT_TOOL_RESULT: return "TOOL_RESULT";
	case LH_CAT_THOUGHT: return "THOUGHT";
	case LH_CAT_REASONING: return "REASONING";
	case LH_CAT_INFO: break;
	}
	return "INFO";
}

static enum lh_category lh_category_of(const char *s)
{
	/* lh_tags starts with the categories, in this order */
	static const enum lh_category by_code[] = { LH_CAT_INFO, LH_CAT_TOOL_CALL, LH_CAT_TOOL_RESULT,
						    LH_CAT_REASONING, LH_CAT_THOUGHT };
	unsigned code = lh_event_tag_code(s);
	return code < sizeof by_code / sizeof by_code[0] ? by_code[code] : LH_CAT_INFO;
}

/* The known string fields, in the order their pointers sit in lh_event. */
enum { F_RUN, F_AGENT, F_CATEGORY, F_MESSAGE, F_METADATA, F_TOOL, F_CALL_ID,
       F_ARGS, F_ARGS_TEXT, F_EXTRA, F_FORWARD, F_TIMESTAMP, F_DURATION, F_COUNT };
/* Their names as keys, with lengths so that matching a key needs no strlen;
 * the ones made here, not sent, have none. */
#define LH_KEY(name) { name, sizeof(name) - 1 }
static const struct {
	const char *name;
	size_t len;
} lh_fields[F_COUNT] = {
	LH_KEY("run_id"), LH_KEY("agent_id"), LH_KEY("category"), LH_KEY("message"), LH_KEY("metadata"),
	LH_KEY("tool_name"), LH_KEY("call_id"), LH_KEY("args"), { NULL, SIZE_MAX }, { NULL, SIZE_MAX },
	{ NULL, SIZE_MAX }, LH_KEY("timestamp"), LH_KEY("duration_ms"),
};

struct lh_parse {
	const char *text[F_COUNT]; /* raw spans, then (strings) decoded text */
	size_t len[F_COUNT];
	size_t str_off[F_COUNT];   /* decoded strings' offsets in strs, +1 (0: none) */
	struct lh_buf args, args_text, extra, forward, strs;
	bool want_forward;
	struct lh_arena *arena;    /* where the event goes; NULL: its own allocation */
	const char *timestamp;
	int64_t duration_ms;
	const char *why;
};

/* A "\u0000" escape would decode to a NUL that silently cuts the string. */
static bool lh_has_escaped_nul(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 6 && memcmp(p, "\\u0000", 6) == 0)
			return true;
		p += 2; /* skip the escaped character, even a backslash */
		if (p >= end)
			break;
	}
	return false;
}

/* The known field a member's key names, or -1. Keys are compared as they
 * are written; a key with escapes is decoded first. */
static int lh_field_of_span(const struct lh_json_span *sp, struct lh_buf *tmp)
{
	const char *k = sp->key + 1;
	size_t n = sp->key_len - 2;
	if (sp->key_escaped) {
		lh_buf_reset(tmp);
		lh_json_unescape(tmp, sp->key, sp->key_len);
		k = lh_buf_str(tmp);
		n = tmp->len;
	}
	for (int i = 0; i < F_COUNT; i++)
		if (lh_fields[i].len == n && memcmp(k, lh_fields[i].name, n) == 0)
			return i;
	return -1;
}

static void lh_take_decoded(struct lh_parse *ps, int f, const struct lh_json_span *sp)
{
	ps->str_off[f] = ps->strs.len + 1;
	if (sp->value_escaped)
		lh_json_unescape(&ps->strs, sp->value, sp->value_len);
	else
		lh_buf_append(&ps->strs, sp->value + 1, sp->value_len - 2);
	ps->len[f] = ps->strs.len - (ps->str_off[f] - 1);
	lh_buf_putc(&ps->strs, '\0');
}

static enum lh_reject lh_take_string(struct lh_parse *ps, int f, const struct lh_json_span *sp)
{
	char c = sp->value[0];
	if (c == 'n') /* null: as if absent */
		return LH_REJECT_NONE;
	if (f == F_CALL_ID && (c == '-' || (c >= '0' && c <= '9'))) {
		ps->text[f] = sp->value; /* a numeric call_id, kept as its text */
		ps->len[f] = sp->value_len;
		return LH_REJECT_NONE;
	}
	if (c != '"') {
		ps->why = lh_fields[f].name;
		return LH_REJECT_WRONG_TYPE;
	}
	lh_take_decoded(ps, f, sp);
	return LH_REJECT_NONE;
}

static enum lh_reject lh_take_duration(struct lh_parse *ps, const struct lh_json_span *sp)
{
	char c = sp->value[0], num[64];
	if (c == 'n')
		return LH_REJECT_NONE;
	if (c != '-' && (c < '0' || c > '9')) {
		ps->why = "duration_ms";
		return LH_REJECT_WRONG_TYPE;
	}
	size_t n = sp->value_len < sizeof num - 1 ? sp->value_len : sizeof num - 1;
	memcpy(num, sp->value, n);
	num[n] = '\0';
	double v = strtod(num, NULL);
	if (!isfinite(v) || v < 0 || v > 1e15) {
		ps->why = "duration_ms";
		return LH_REJECT_WRONG_TYPE;
	}
	ps->duration_ms = llround(v);
	return LH_REJECT_NONE;
}

/* Fields the bridge's envelope carries itself, or puts first in payload. */
static bool lh_enveloped(int f)
{
	return f == F_RUN || f == F_AGENT || f == F_TIMESTAMP || f == F_MESSAGE || f == F_METADATA ||
	       f == F_CATEGORY;
}

static enum lh_reject lh_take_member(struct lh_parse *ps, const struct lh_json_span *sp, struct lh_buf *tmp)
{
	int f = lh_field_of_span(sp, tmp);
	if (ps->want_forward && !lh_enveloped(f)) {
		lh_buf_putc(&ps->forward, ',');
		lh_json_append_safe(&ps->forward, sp->key, sp->key_len);
		lh_buf_putc(&ps->forward, ':');
		lh_json_append_safe(&ps->forward, sp->value, sp->value_len);
	}
	switch (f) {
	case F_ARGS:
		lh_buf_reset(&ps->args);
		lh_json_append_safe(&ps->args, sp->value, sp->value_len);
		return LH_REJECT_NONE;
	case F_TIMESTAMP:
		ps->str_off[F_TIMESTAMP] = 0;
		if (sp->value[0] == '"')
			lh_take_decoded(ps, F_TIMESTAMP, sp);
		return LH_REJECT_NONE;
	case F_DURATION:
		return lh_take_duration(ps, sp);
	case -1:
		lh_buf_putc(&ps->extra, ps->extra.len ? ',' : '{');
		lh_json_append_safe(&ps->extra, sp->key, sp->key_len);
		lh_buf_putc(&ps->extra, ':');
		lh_json_append_safe(&ps->extra, sp->value, sp->value_len);
		return LH_REJECT_NONE;
	default:
		ps->text[f] = NULL;
		ps->str_off[f] = 0;
		return lh_take_string(ps, f, sp);
	}
}

static enum lh_reject lh_check_bytes(const char *data, size_t len, size_t max_bytes,
				     const char **why)
{
	if (len > max_bytes) {
		*why = "payload larger than the limit";
		return LH_REJECT_OVERSIZE;
	}
	if (memchr(data, '\0', len) || lh_has_escaped_nul(data, len)) {
		*why = "payload contains a NUL byte";
		return LH_REJECT_NUL_BYTE;
	}
	if (!lh_utf8_valid(data, len, NULL)) {
		*why = "payload is not valid UTF-8";
		return LH_REJECT_INVALID_UTF8;
	}
	return LH_REJECT_NONE;
}

static enum lh_reject lh_parse_members(struct lh_parse *ps, const struct lh_json_span *spans, size_t n)
{
	struct lh_buf tmp = LH_BUF_INIT;
	enum lh_reject r = LH_REJECT_NONE;
	for (size_t i = 0; i < n && r == LH_REJECT_NONE; i++)
		r = lh_take_member(ps, &spans[i], &tmp);
	lh_buf_free(&tmp);
	if (r != LH_REJECT_NONE)
		return r;
	if (ps->extra.len)
		lh_buf_putc(&ps->extra, '}');
	/* Decoded strings are final now: point at them. */
	for (int f = 0; f < F_COUNT; f++)
		if (ps->str_off[f])
			ps->text[f] = ps->strs.data + ps->str_off[f] - 1;
	ps->timestamp = ps->str_off[F_TIMESTAMP] ? ps->text[F_TIMESTAMP] : NULL;
	if (!ps->text[F_RUN] || !ps->len[F_RUN]) {
		ps->why = "run_id";
		return LH_REJECT_MISSING_RUN_ID;
	}
	return LH_REJECT_NONE;
}

static const char *lh_default(int f)
{
	switch (f) {
	case F_AGENT: return "SYSTEM";
	case F_CATEGORY: case F_METADATA: return "INFO";
	case F_MESSAGE: return "";
	default: return NULL;
	}
}

void lh_event_args_text(struct lh_buf *out, const char *args, size_t len)
{
	struct lh_json_span spans[LH_MAX_MEMBERS];
	size_t n, start = out->len;
	if (lh_json_scan(args, len, spans, LH_MAX_MEMBERS, &n) != LH_JSON_OBJECT) {
		lh_buf_append(out, args, len);
		return;
	}
	for (size_t i = 0; i < n && i < LH_MAX_MEMBERS && out->len - start < LH_ARGS_TEXT_MAX; i++) {
		const struct lh_json_span *sp = &spans[i];
		if (i)
			lh_buf_puts(out, ", ");
		lh_json_unescape(out, sp->key, sp->key_len);
		lh_buf_putc(out, '=');
		if (sp->value[0] == '"') {
			lh_buf_putc(out, '"');
			lh_json_unescape(out, sp->value, sp->value_len);
			lh_buf_putc(out, '"');
		} else {
			lh_json_append_safe(out, sp->value, sp->value_len);
		}
	}
}

/* The categories and metadata tags nearly every event carries, kept once
 * here instead of in each event. lh_category_of counts on the order of
 * the first four. */
static const struct {
	const char *name;
	size_t len;
} lh_tags[LH_EVENT_TAGS] = {
	LH_KEY("TOOL_CALL"), LH_KEY("TOOL_RESULT"), LH_KEY("REASONING"), LH_KEY("THOUGHT"), LH_KEY("INFO"),
	LH_KEY("IO_REQ"), LH_KEY("IO_OK"), LH_KEY("IO_ERR"), LH_KEY("PLANNING"),
};

unsigned lh_event_tag_code(const char *s)
{
	for (unsigned i = 0; i < LH_EVENT_TAGS; i++) /* a parsed event's own */
		if (s == lh_tags[i].name)
			return i + 1;
	for (unsigned i = 0; i < LH_EVENT_TAGS; i++)
		if (strcmp(s, lh_tags[i].name) == 0)
			return i + 1;
	return 0;
}

const char *lh_event_tag(unsigned code)
{
	return code >= 1 && code <= LH_EVENT_TAGS ? lh_tags[code - 1].name : NULL;
}

/* The category or metadata text as one of lh_tags (every event that
 * carries it then shares it), else NULL. */
static const char *lh_common(int f, const char *text, size_t len)
{
	if (f != F_CATEGORY && f != F_METADATA)
		return NULL;
	for (size_t i = 0; i < LH_EVENT_TAGS; i++)
		if (lh_tags[i].len == len && memcmp(lh_tags[i].name, text, len) == 0)
			return lh_tags[i].name;
	return NULL;
}

/* Packs the borrowed strings into one allocation. */
static struct lh_event *lh_event_pack(struct lh_parse *ps, size_t raw_len)
{
	ps->text[F_ARGS] = ps->args.len ? ps->args.data : NULL;
	ps->len[F_ARGS] = ps->args.len;
	if (ps->args.len)
		lh_event_args_text(&ps->args_text, ps->args.data, ps->args.len);
	ps->text[F_ARGS_TEXT] = ps->args.len ? lh_buf_str(&ps->args_text) : NULL;
	ps->len[F_ARGS_TEXT] = ps->args_text.len;
	ps->text[F_EXTRA] = ps->extra.len ? ps->extra.data : NULL;
	ps->len[F_EXTRA] = ps->extra.len;
	ps->text[F_FORWARD] = ps->want_forward ? lh_buf_str(&ps->forward) : NULL;
	ps->len[F_FORWARD] = ps->forward.len;

	const char *common[F_FORWARD + 1];
	size_t total = sizeof(struct lh_event);
	for (int f = 0; f <= F_FORWARD; f++) {
		common[f] = ps->text[f] ? lh_common(f, ps->text[f], ps->len[f]) : NULL;
		if (ps->text[f] && !common[f])
			total += ps->len[f] + 1;
	}
	/* its strings are all written below */
	struct lh_event *ev = ps->arena ? lh_arena_alloc(ps->arena, total) : lh_xmalloc(total);
	memset(ev, 0, sizeof *ev);
	char *p = (char *)(ev + 1);
	const char **slots[] = { &ev->run_id, &ev->agent_id, &ev->category, &ev->message,
				 &ev->metadata, &ev->tool_name, &ev->call_id, &ev->args, &ev->args_text,
				 &ev->extra, &ev->forward };
	for (int f = 0; f <= F_FORWARD; f++) {
		if (!ps->text[f] || (f == F_AGENT && !ps->len[f])) {
			*slots[f] = lh_default(f);
			continue;
		}
		if (common[f]) {
			*slots[f] = common[f];
			continue;
		}
		memcpy(p, ps->text[f], ps->len[f]);
		p[ps->len[f]] = '\0';
		*slots[f] = p;
		p += ps->len[f] + 1;
	}
	ev->raw_len = raw_len;
	ev->raw_at = LH_EVENT_RAW_NONE;
	ev->agent_absent = !ps->text[F_AGENT] || !ps->len[F_AGENT];
	return ev;
}

/* A parse's work buffers are kept for the next: a million events would
 * otherwise grow and free five buffers each. One grown past
 * LH_SCRATCH_KEEP by a big payload is let go after it. */
#define LH_SCRATCH_KEEP (64 * 1024)
#define LH_SCRATCH_BUFS 5

/* Each thread's kept buffers (the loop's, and those of the pool threads
 * that parse a file's chunks), freed when the thread ends. */
struct lh_scratch {
	struct lh_buf buf[LH_SCRATCH_BUFS];
};
static _Thread_local struct lh_scratch *lh_scratch;
static pthread_key_t lh_scratch_key;
static bool lh_scratch_keyed;
static pthread_once_t lh_scratch_once = PTHREAD_ONCE_INIT;

static void lh_scratch_free(void *p)
{
	struct lh_scratch *sc = p;
	for (size_t i = 0; i < LH_SCRATCH_BUFS; i++)
		lh_buf_free(&sc->buf[i]);
	free(sc);
}

static void lh_scratch_key_new(void)
{
	lh_scratch_keyed = pthread_key_create(&lh_scratch_key, lh_scratch_free) == 0;
}

static struct lh_scratch *lh_scratch_get(void)
{
	if (!lh_scratch) {
		pthread_once(&lh_scratch_once, lh_scratch_key_new);
		lh_scratch = lh_xcalloc(1, sizeof *lh_scratch);
		if (lh_scratch_keyed)
			pthread_setspecific(lh_scratch_key, lh_scratch);
	}
	return lh_scratch;
}

/* Lends the kept buffers to a parse (begin), or takes them back. */
static void lh_parse_scratch(struct lh_parse *ps, bool begin)
{
	struct lh_buf *b[LH_SCRATCH_BUFS] = { &ps->args, &ps->args_text, &ps->extra, &ps->forward, &ps->strs };
	struct lh_buf *kept = lh_scratch_get()->buf;
	for (size_t i = 0; i < LH_SCRATCH_BUFS; i++) {
		if (begin) {
			*b[i] = kept[i];
			lh_buf_reset(b[i]);
			continue;
		}
		if (b[i]->cap > LH_SCRATCH_KEEP)
			lh_buf_free(b[i]);
		kept[i] = *b[i];
	}
}

/* Members to an event; len is the payload's whole length. */
static enum lh_reject lh_event_from_members(const struct lh_json_span *spans, size_t n, size_t len,
					    int64_t recv_us, bool forward, struct lh_arena *arena,
					    struct lh_event **out, const char **why)
{
	struct lh_parse ps = { .duration_ms = -1, .want_forward = forward, .arena = arena };
	lh_parse_scratch(&ps, true);
	enum lh_reject r = lh_parse_members(&ps, spans, n);
	if (r == LH_REJECT_NONE) {
		struct lh_event *ev = lh_event_pack(&ps, len);
		ev->recv_us = recv_us;
		ev->duration_ms = ps.duration_ms;
		ev->ts_guessed = !ps.timestamp || !lh_time_parse_iso8601(ps.timestamp, &ev->ts_us);
		if (ev->ts_guessed)
			ev->ts_us = recv_us;
		ev->cat = lh_category_of(ev->category);
		ev->is_error = strcmp(ev->metadata, "IO_ERR") == 0;
		*out = ev;
	} else {
		*why = ps.why;
	}
	lh_parse_scratch(&ps, false);
	return r;
}

enum lh_reject lh_event_parse(const char *data, size_t len, size_t max_bytes,
			      int64_t recv_us, struct lh_event **out, const char **why)
{
	return lh_event_parse_keep(data, len, max_bytes, recv_us, true, out, why);
}

static enum lh_reject lh_event_parse_with(const char *data, size_t len, size_t max_bytes, int64_t recv_us,
					  bool forward, struct lh_arena *arena, struct lh_event **out,
					  const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*out = NULL;
	enum lh_reject r = lh_check_bytes(data, len, max_bytes, why);
	if (r != LH_REJECT_NONE)
		return r;

	struct lh_json_span spans[LH_MAX_MEMBERS];
	size_t n;
	switch (lh_json_scan(data, len, spans, LH_MAX_MEMBERS, &n)) {
	case LH_JSON_INVALID:
		*why = "payload is not JSON";
		return LH_REJECT_INVALID_JSON;
	case LH_JSON_OTHER:
		*why = "payload is not a JSON object";
		return LH_REJECT_NOT_OBJECT;
	case LH_JSON_OBJECT:
		break;
	}

	if (n > LH_MAX_MEMBERS) {
		*why = "too many fields";
		return LH_REJECT_WRONG_TYPE;
	}
	return lh_event_from_members(spans, n, len, recv_us, forward, arena, out, why);
}

enum lh_reject lh_event_parse_keep(const char *data, size_t len, size_t max_bytes, int64_t recv_us,
				   bool forward, struct lh_event **out, const char **why)
{
	return lh_event_parse_with(data, len, max_bytes, recv_us, forward, NULL, out, why);
}

enum lh_reject lh_event_parse_in(struct lh_arena *arena, const char *data, size_t len, size_t max_bytes,
				 int64_t recv_us, struct lh_event **out, const char **why)
{
	return lh_event_parse_with(data, len, max_bytes, recv_us, false, arena, out, why);
}

/* The name of the tool a kernel's call is about, from its message
 * "tool(args...)" as written (raw JSON text, quotes included); 0 when the
 * message does not start that way. */
static size_t lh_tool_in_message(const struct lh_json_span *msg)
{
	if (!lh_json_is_string(msg))
		return 0;
	size_t n = strspn(msg->value + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	return n && n <= 64 && n + 1 < msg->value_len && msg->value[n + 1] == '(' ? n : 0;
}

enum lh_reject lh_event_parse_log_frame(const char *data, size_t len, const struct lh_json_span *top,
					size_t ntop, size_t max_bytes, int64_t recv_us, bool forward,
					const char *run_fallback, struct lh_event **out, const char **why)
{
	*out = NULL;
	enum lh_reject r = lh_check_bytes(data, len, max_bytes, why);
	if (r != LH_REJECT_NONE)
		return r;
	/* Later members win: the fallback run first, then what the payload
	 * says, then the envelope's run, agent and time. */
	struct lh_json_span spans[LH_MAX_MEMBERS + 5];
	struct lh_buf run = LH_BUF_INIT, tool = LH_BUF_INIT;
	size_t n = 0, np = 0;
	lh_json_put_string(&run, run_fallback ? run_fallback : "unknown");
	/* escaped: true is always right (the text is decoded) */
	spans[n++] = (struct lh_json_span){ "\"run_id\"", 8, run.data, run.len, false, true };
	const struct lh_json_span *payload = lh_json_member(top, ntop, "payload");
	if (payload && payload->value[0] == '{')
		lh_json_scan(payload->value, payload->value_len, spans + n, LH_MAX_MEMBERS, &np);
	if ((payload && payload->value[0] != '{' && payload->value[0] != 'n') || np > LH_MAX_MEMBERS) {
		lh_buf_free(&run);
		*why = np ? "too many fields" : "payload";
		return LH_REJECT_WRONG_TYPE;
	}
	const struct lh_json_span *cat = lh_json_member(spans + n, np, "category");
	const struct lh_json_span *msg = lh_json_member(spans + n, np, "message");
	size_t tlen = lh_tool_in_message(msg);
	if (tlen && cat && cat->value_len == 11 && memcmp(cat->value, "\"TOOL_CALL\"", 11) == 0 &&
	    !lh_json_member(spans + n, np, "tool_name")) {
		lh_buf_append(&tool, msg->value, tlen + 1);
		lh_buf_putc(&tool, '"');
		spans[n + np++] = (struct lh_json_span){ "\"tool_name\"", 11, tool.data, tool.len, false, true };
	}
	n += np;
	static const char *const envelope[] = { "run_id", "agent_id", "timestamp" };
	for (size_t i = 0; i < sizeof envelope / sizeof envelope[0]; i++) {
		const struct lh_json_span *sp = lh_json_member(top, ntop, envelope[i]);
		if (sp)
			spans[n++] = *sp;
	}
	r = lh_event_from_members(spans, n, len, recv_us, forward, NULL, out, why);
	lh_buf_free(&run);
	lh_buf_free(&tool);
	return r;
}

void lh_event_free(struct lh_event *ev)
{
	free(ev);
}

static void lh_put_field(struct lh_buf *out, const char *name, const char *value)
{
	lh_buf_printf(out, ",\"%s\":", name);
	if (value)
		lh_json_put_string(out, value);
	else
		lh_buf_puts(out, "null");
}

void lh_event_to_json(const struct lh_event *ev, struct lh_buf *out)
{
	char ts[40];
	lh_time_format_rfc3339(ev->ts_us, ts, sizeof ts);
	lh_buf_puts(out, "{\"run_id\":");
	lh_json_put_string(out, ev->run_id);
	lh_put_field(out, "agent_id", ev->agent_absent ? NULL : ev->agent_id);
	lh_put_field(out, "category", ev->category);
	lh_put_field(out, "message", ev->message);
	lh_put_field(out, "metadata", ev->metadata);
	lh_put_field(out, "timestamp", ts);
	if (ev->ts_guessed)
		lh_buf_puts(out, ",\"timestamp_guessed\":true");
	if (ev->tool_name)
		lh_put_field(out, "tool_name", ev->tool_name);
	if (ev->args)
		lh_buf_printf(out, ",\"args\":%s", ev->args);
	if (ev->duration_ms >= 0)
		lh_buf_printf(out, ",\"duration_ms\":%lld", (long long)ev->duration_ms);
	if (ev->call_id)
		lh_put_field(out, "call_id", ev->call_id);
	if (ev->extra && ev->extra[1] != '}')
		lh_buf_printf(out, ",%s", ev->extra + 1); /* members without the '{' */
	else
		lh_buf_putc(out, '}');
}
