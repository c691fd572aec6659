/* event: payload -> struct lh_event. cJSON checks and types the known fields;
 * json.c finds the raw text of args and unknown fields so they are kept
 * byte for byte. Each event is one allocation holding all its strings. */
#include "config.h"
#include "event.h"
#include "json.h"
#include "text.h"
#include "timeutil.h"
#include "xalloc.h"

#include <cJSON.h>
#include <math.h>
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
	static const enum lh_category cats[] = { LH_CAT_TOOL_CALL, LH_CAT_TOOL_RESULT,
						 LH_CAT_THOUGHT, LH_CAT_REASONING };
	for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
		if (strcmp(s, lh_category_name(cats[i])) == 0)
			return cats[i];
	return LH_CAT_INFO;
}

/* The known string fields, in the order their pointers sit in lh_event. */
enum { F_RUN, F_AGENT, F_CATEGORY, F_MESSAGE, F_METADATA, F_TOOL, F_CALL_ID,
       F_ARGS, F_EXTRA, F_TIMESTAMP, F_DURATION, F_COUNT };
static const char *const lh_field_names[F_COUNT] = {
	"run_id", "agent_id", "category", "message", "metadata", "tool_name",
	"call_id", "args", NULL, "timestamp", "duration_ms",
};

static int lh_field_of(const char *key)
{
	for (int i = 0; i < F_COUNT; i++)
		if (lh_field_names[i] && strcmp(key, lh_field_names[i]) == 0)
			return i;
	return -1;
}

struct lh_parse {
	const char *text[F_COUNT]; /* borrowed from cJSON or the payload */
	size_t len[F_COUNT];
	struct lh_buf args, extra;
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

static enum lh_reject lh_take_string(struct lh_parse *ps, int f, const cJSON *item)
{
	if (cJSON_IsNull(item))
		return LH_REJECT_NONE;
	if (f == F_CALL_ID && cJSON_IsNumber(item))
		return LH_REJECT_NONE; /* kept from the raw text by the caller */
	if (!cJSON_IsString(item)) {
		ps->why = lh_field_names[f];
		return LH_REJECT_WRONG_TYPE;
	}
	ps->text[f] = item->valuestring;
	ps->len[f] = strlen(item->valuestring);
	return LH_REJECT_NONE;
}

static enum lh_reject lh_take_member(struct lh_parse *ps, const cJSON *item,
				     const struct lh_json_span *span)
{
	int f = lh_field_of(item->string);
	switch (f) {
	case F_ARGS:
		lh_json_append_safe(&ps->args, span->value, span->value_len);
		return LH_REJECT_NONE;
	case F_TIMESTAMP:
		ps->timestamp = cJSON_IsString(item) ? item->valuestring : NULL;
		return LH_REJECT_NONE;
	case F_DURATION:
		if (cJSON_IsNull(item))
			return LH_REJECT_NONE;
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < 0 ||
		    item->valuedouble > 1e15) {
			ps->why = "duration_ms";
			return LH_REJECT_WRONG_TYPE;
		}
		ps->duration_ms = llround(item->valuedouble);
		return LH_REJECT_NONE;
	case -1:
		lh_buf_putc(&ps->extra, ps->extra.len ? ',' : '{');
		lh_json_append_safe(&ps->extra, span->key, span->key_len);
		lh_buf_putc(&ps->extra, ':');
		lh_json_append_safe(&ps->extra, span->value, span->value_len);
		return LH_REJECT_NONE;
	default: {
		enum lh_reject r = lh_take_string(ps, f, item);
		if (r == LH_REJECT_NONE && f == F_CALL_ID && cJSON_IsNumber(item)) {
			ps->text[f] = span->value;
			ps->len[f] = span->value_len;
		}
		return r;
	}
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

static enum lh_reject lh_parse_members(struct lh_parse *ps, const char *data, size_t len,
				       const cJSON *root)
{
	struct lh_json_span spans[LH_MAX_MEMBERS];
	size_t n = lh_json_members(data, len, spans, LH_MAX_MEMBERS), i = 0;
	for (const cJSON *item = root->child; item; item = item->next, i++) {
		if (i >= n) {
			ps->why = "too many fields";
			return LH_REJECT_WRONG_TYPE;
		}
		enum lh_reject r = lh_take_member(ps, item, &spans[i]);
		if (r != LH_REJECT_NONE)
			return r;
	}
	if (ps->extra.len)
		lh_buf_putc(&ps->extra, '}');
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

/* Packs the borrowed strings and the raw payload into one allocation. */
static struct lh_event *lh_event_pack(struct lh_parse *ps, const char *data, size_t len, bool keep_raw)
{
	size_t raw_len = len;
	if (!keep_raw)
		len = 0;
	ps->text[F_ARGS] = ps->args.len ? ps->args.data : NULL;
	ps->len[F_ARGS] = ps->args.len;
	ps->text[F_EXTRA] = ps->extra.len ? ps->extra.data : NULL;
	ps->len[F_EXTRA] = ps->extra.len;

	size_t total = sizeof(struct lh_event) + len + 1;
	for (int f = 0; f <= F_EXTRA; f++)
		if (ps->text[f])
			total += ps->len[f] + 1;
	struct lh_event *ev = lh_xcalloc(1, total);
	char *p = (char *)(ev + 1);
	const char **slots[] = { &ev->run_id, &ev->agent_id, &ev->category, &ev->message,
				 &ev->metadata, &ev->tool_name, &ev->call_id, &ev->args, &ev->extra };
	for (int f = 0; f <= F_EXTRA; f++) {
		if (!ps->text[f] || (f == F_AGENT && !ps->len[f])) {
			*slots[f] = lh_default(f);
			continue;
		}
		memcpy(p, ps->text[f], ps->len[f]);
		p[ps->len[f]] = '\0';
		*slots[f] = p;
		p += ps->len[f] + 1;
	}
	if (keep_raw) {
		memcpy(p, data, len);
		p[len] = '\0';
		ev->raw = p;
	}
	ev->raw_len = raw_len;
	ev->agent_absent = !ps->text[F_AGENT] || !ps->len[F_AGENT];
	return ev;
}

enum lh_reject lh_event_parse(const char *data, size_t len, size_t max_bytes,
			      int64_t recv_us, struct lh_event **out, const char **why)
{
	return lh_event_parse_keep(data, len, max_bytes, recv_us, true, out, why);
}

enum lh_reject lh_event_parse_keep(const char *data, size_t len, size_t max_bytes, int64_t recv_us,
				   bool keep_raw, struct lh_event **out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*out = NULL;
	enum lh_reject r = lh_check_bytes(data, len, max_bytes, why);
	if (r != LH_REJECT_NONE)
		return r;

	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!root) {
		*why = "payload is not JSON";
		return LH_REJECT_INVALID_JSON;
	}
	while (end && end < data + len && strchr(" \t\r\n", *end))
		end++;
	if (end != data + len) {
		cJSON_Delete(root);
		*why = "trailing bytes after the JSON value";
		return LH_REJECT_INVALID_JSON;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		*why = "payload is not a JSON object";
		return LH_REJECT_NOT_OBJECT;
	}

	struct lh_parse ps = { .duration_ms = -1 };
	r = lh_parse_members(&ps, data, len, root);
	if (r == LH_REJECT_NONE) {
		struct lh_event *ev = lh_event_pack(&ps, data, len, keep_raw);
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
	lh_buf_free(&ps.args);
	lh_buf_free(&ps.extra);
	cJSON_Delete(root);
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
