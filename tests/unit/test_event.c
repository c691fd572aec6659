/* Parsing: every class of bad input is rejected with its reason; good
 * payloads keep every field, unknown ones byte for byte. */
#include "config.h"
#include "../tap.h"
#include "core/event.h"
#include "lib/arena.h"
#include "lib/timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum lh_reject parse(const char *s, size_t len, struct lh_event **ev)
{
	return lh_event_parse(s, len, LH_EVENT_DEFAULT_MAX_BYTES, 1700000000000000LL, ev, NULL);
}

static void reject(const char *payload, size_t len, enum lh_reject want, const char *what)
{
	struct lh_event *ev = NULL;
	enum lh_reject r = parse(payload, len, &ev);
	is_str(lh_reject_name(r), lh_reject_name(want), "rejects %s", what);
	ok(ev == NULL, "no event for %s", what);
}

#define REJECT(s, want, what) reject((s), sizeof(s) - 1, (want), (what))

static void test_rejects(void)
{
	REJECT("{\"run_id\":", LH_REJECT_INVALID_JSON, "truncated JSON");
	REJECT("not json at all", LH_REJECT_INVALID_JSON, "plain text");
	REJECT("{\"run_id\":\"r\"} trailing", LH_REJECT_INVALID_JSON, "trailing garbage");
	REJECT("", LH_REJECT_INVALID_JSON, "an empty payload");
	REJECT("[1,2,3]", LH_REJECT_NOT_OBJECT, "an array");
	REJECT("\"just a string\"", LH_REJECT_NOT_OBJECT, "a string");
	REJECT("42", LH_REJECT_NOT_OBJECT, "a number");
	REJECT("{\"agent_id\":\"a\",\"message\":\"m\"}", LH_REJECT_MISSING_RUN_ID, "missing run_id");
	REJECT("{\"run_id\":\"\"}", LH_REJECT_MISSING_RUN_ID, "empty run_id");
	REJECT("{\"run_id\":null}", LH_REJECT_MISSING_RUN_ID, "null run_id");
	REJECT("{\"run_id\":123}", LH_REJECT_WRONG_TYPE, "numeric run_id");
	REJECT("{\"run_id\":\"r\",\"message\":{\"a\":1}}", LH_REJECT_WRONG_TYPE, "object message");
	REJECT("{\"run_id\":\"r\",\"agent_id\":[]}", LH_REJECT_WRONG_TYPE, "array agent_id");
	REJECT("{\"run_id\":\"r\",\"duration_ms\":\"fast\"}", LH_REJECT_WRONG_TYPE, "string duration_ms");
	REJECT("{\"run_id\":\"r\",\"duration_ms\":-5}", LH_REJECT_WRONG_TYPE, "negative duration_ms");
	REJECT("{\"run_id\":\"r\",\"category\":true}", LH_REJECT_WRONG_TYPE, "boolean category");
	REJECT("{\"run_id\":\"r\",\"message\":\"bad \xff byte\"}", LH_REJECT_INVALID_UTF8, "invalid UTF-8");
	REJECT("{\"run_id\":\"r\",\"message\":\"\xc0\xaf\"}", LH_REJECT_INVALID_UTF8, "overlong UTF-8");
	REJECT("{\"run_id\":\"r\",\"message\":\"\xed\xa0\x80\"}", LH_REJECT_INVALID_UTF8, "a UTF-8 surrogate");
	REJECT("{\"run_id\":\"r\",\"message\":\"a\0b\"}", LH_REJECT_NUL_BYTE, "a raw NUL byte");
	REJECT("{\"run_id\":\"r\",\"message\":\"a\\u0000b\"}", LH_REJECT_NUL_BYTE, "an escaped NUL");

	/* An escaped backslash before u0000 is text, not a NUL. */
	struct lh_event *ev = NULL;
	const char *s = "{\"run_id\":\"r\",\"message\":\"a\\\\u0000b\"}";
	is_int(parse(s, strlen(s), &ev), LH_REJECT_NONE, "\\\\u0000 is accepted");
	is_str(ev ? ev->message : NULL, "a\\u0000b", "and kept as text");
	lh_event_free(ev);

	/* Over the size limit, however valid. */
	size_t big = 2 * 1024 * 1024;
	char *huge = malloc(big + 64);
	int n = sprintf(huge, "{\"run_id\":\"r\",\"message\":\"");
	memset(huge + n, 'x', big);
	strcpy(huge + n + big, "\"}");
	is_int(parse(huge, strlen(huge), &ev), LH_REJECT_OVERSIZE, "a 2 MiB payload is oversize");
	is_int(lh_event_parse(huge, strlen(huge), 4 * 1024 * 1024, 0, &ev, NULL), LH_REJECT_NONE,
	       "but accepted under a 4 MiB limit");
	lh_event_free(ev);
	free(huge);

	/* Deep nesting is refused by cJSON's limit, not by a crash. */
	char deep[5000];
	strcpy(deep, "{\"run_id\":\"r\",\"args\":");
	size_t l = strlen(deep);
	for (int i = 0; i < 2000; i++)
		deep[l++] = '[';
	deep[l] = '\0';
	is_int(parse(deep, l, &ev), LH_REJECT_INVALID_JSON, "2000 nested arrays are invalid_json");
}

static void test_fields(void)
{
	const char *s = "{\"run_id\":\"flow-123\",\"agent_id\":\"researcher\",\"category\":\"TOOL_CALL\","
			"\"message\":\"web_search({\\\"query\\\": \\\"RARO\\\"}...)\",\"metadata\":\"IO_REQ\","
			"\"timestamp\":\"2026-01-08T10:30:45.123000Z\",\"tool_name\":\"web_search\","
			"\"args\": {\"query\": \"RARO\", \"n\": 12345678901234567890},"
			"\"call_id\":\"c1\",\"trace\":{\"span\": 7},\"zz\":[1, 2]}";
	struct lh_event *ev = NULL;
	is_int(parse(s, strlen(s), &ev), LH_REJECT_NONE, "a full TOOL_CALL parses");
	if (!ev)
		return;
	is_str(ev->run_id, "flow-123", "run_id");
	is_str(ev->agent_id, "researcher", "agent_id");
	is_int(ev->cat, LH_CAT_TOOL_CALL, "category TOOL_CALL");
	is_str(ev->message, "web_search({\"query\": \"RARO\"}...)", "message unescaped");
	is_str(ev->metadata, "IO_REQ", "metadata");
	is_str(ev->tool_name, "web_search", "tool_name");
	is_str(ev->call_id, "c1", "call_id");
	is_str(ev->args, "{\"query\":\"RARO\",\"n\":12345678901234567890}", "args kept byte for byte (big number too)");
	is_str(ev->extra, "{\"trace\":{\"span\":7},\"zz\":[1,2]}", "unknown fields kept");
	ok(!ev->ts_guessed, "timestamp read");
	int64_t want;
	lh_time_parse_iso8601("2026-01-08T10:30:45.123Z", &want);
	is_int(ev->ts_us, want, "timestamp value");
	struct lh_buf b = LH_BUF_INIT;
	lh_event_to_json(ev, &b);
	ok(strstr(b.data, "\"trace\":{\"span\":7}") != NULL, "unknown fields in the JSON output");
	ok(strstr(b.data, "\"timestamp\":\"2026-01-08T10:30:45.123000Z\"") != NULL, "RFC 3339 UTC timestamp");
	lh_buf_free(&b);
	lh_event_free(ev);

	s = "{\"run_id\":\"r\",\"category\":\"CUSTOM_THING\",\"message\":\"hi\"}";
	is_int(parse(s, strlen(s), &ev), LH_REJECT_NONE, "minimal event parses");
	is_int(ev->cat, LH_CAT_INFO, "unknown category shows as INFO");
	is_str(ev->category, "CUSTOM_THING", "but keeps its own text");
	is_str(ev->agent_id, "SYSTEM", "missing agent_id is SYSTEM");
	ok(ev->agent_absent, "and flagged absent");
	is_str(ev->metadata, "INFO", "metadata defaults to INFO");
	ok(ev->ts_guessed, "missing timestamp is flagged");
	is_int(ev->ts_us, 1700000000000000LL, "and becomes the receive time");
	is_int(ev->duration_ms, -1, "no duration");
	lh_event_free(ev);

	s = "{\"run_id\":\"r\",\"category\":\"TOOL_RESULT\",\"metadata\":\"IO_ERR\",\"duration_ms\":333,"
	    "\"timestamp\":\"yesterday\",\"agent_id\":null,\"call_id\":17}";
	is_int(parse(s, strlen(s), &ev), LH_REJECT_NONE, "result parses");
	ok(ev->is_error, "IO_ERR is an error");
	is_int(ev->duration_ms, 333, "duration_ms");
	ok(ev->ts_guessed, "unreadable timestamp is flagged");
	is_str(ev->agent_id, "SYSTEM", "null agent_id is SYSTEM");
	is_str(ev->call_id, "17", "numeric call_id kept as text");
	lh_event_free(ev);
}

/* Events parsed into an arena (a file's batch) are the events parsed on
 * their own, but for forward; a rejected payload takes nothing. */
static void test_in_arena(void)
{
	const char *s = "{\"run_id\":\"r\",\"agent_id\":\"coder\",\"category\":\"TOOL_CALL\",\"tool_name\":\"read_file\","
			"\"args\":{\"path\":\"a.py\"},\"call_id\":\"c9\",\"message\":\"read_file(a.py)\",\"x\":1}";
	struct lh_arena *a = lh_arena_new();
	struct lh_event *own = NULL, *in[2] = { NULL, NULL };
	const char *why = NULL;
	lh_event_parse_keep(s, strlen(s), LH_EVENT_DEFAULT_MAX_BYTES, 1, true, &own, NULL);
	for (int i = 0; i < 2; i++)
		is_int(lh_event_parse_in(a, s, strlen(s), LH_EVENT_DEFAULT_MAX_BYTES, 1, &in[i], &why), LH_REJECT_NONE,
		       "a call parses into an arena (%d)", i + 1);
	if (!own || !in[0] || !in[1])
		return;
	struct lh_buf j1 = LH_BUF_INIT, j2 = LH_BUF_INIT;
	lh_event_to_json(own, &j1);
	lh_event_to_json(in[1], &j2);
	is_str(lh_buf_str(&j2), lh_buf_str(&j1), "the same event as one parsed on its own");
	ok(in[0] != in[1] && strcmp(in[0]->args_text, "path=\"a.py\"") == 0, "two events apart, args text made");
	ok(in[1]->forward == NULL, "no forward in an arena");
	is_int(lh_event_parse_in(a, "{\"run_id\":", 10, LH_EVENT_DEFAULT_MAX_BYTES, 1, &in[0], &why),
	       LH_REJECT_INVALID_JSON, "a bad payload is still rejected");
	ok(in[0] == NULL && why && *why, "with no event and a reason");
	lh_buf_free(&j1);
	lh_buf_free(&j2);
	lh_event_free(own);
	lh_arena_free(a);
}

/* Local times are read and written through a cache of the last minute:
 * it must agree with the C library across minutes, DST changes, and TZ. */
static void test_local_time_caches(void)
{
	static const char *const zones[] = { "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe" };
	/* around New York's 2026 changes, a minute before to two hours after */
	static const char *const days[] = { "2026-03-08T01:59", "2026-11-01T00:59", "2026-04-05T01:29" };
	int bad_parse = 0, bad_clock = 0;
	for (size_t z = 0; z < 3; z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (size_t d = 0; d < 3; d++) {
			int64_t first;
			char text[40];
			snprintf(text, sizeof text, "%s:30.250", days[d]);
			if (!lh_time_parse_iso8601(text, &first))
				bad_parse++;
			for (int64_t s = 0; s < 3 * 3600; s += 13) {
				int64_t us = first + s * 1000000;
				time_t t = (time_t)(us / 1000000);
				struct tm tm;
				char want[40], got[40], iso[40];
				localtime_r(&t, &tm);
				snprintf(want, sizeof want, "%02d:%02d:%02d.250", tm.tm_hour, tm.tm_min, tm.tm_sec);
				lh_time_format_clock(us, got, sizeof got);
				bad_clock += strcmp(want, got) != 0;
				/* the wall time read back as mktime reads it */
				strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S.250", &tm);
				struct tm wall = tm;
				wall.tm_isdst = -1;
				int64_t back, want_back = (int64_t)mktime(&wall) * 1000000 + 250000;
				if (!lh_time_parse_iso8601(iso, &back) || back != want_back)
					bad_parse++;
			}
		}
	}
	ok(bad_clock == 0, "clock times agree with localtime_r across DST changes (%d differ)", bad_clock);
	ok(bad_parse == 0, "local times read back across DST changes (%d differ)", bad_parse);
	setenv("TZ", "UTC", 1);
	tzset();
	char buf[40];
	lh_time_format_clock(1767868245123456, buf, sizeof buf);
	is_str(buf, "10:30:45.123", "clock after switching back to UTC");
	lh_time_format_clock(-1500, buf, sizeof buf);
	is_str(buf, "23:59:59.998", "clock before 1970");
}

static void test_timestamps(void)
{
	int64_t us, base;
	ok(lh_time_parse_iso8601("2026-01-08T10:30:45Z", &base), "plain Z");
	ok(lh_time_parse_iso8601("2026-01-08T10:30:45.5Z", &us) && us == base + 500000, "fraction");
	ok(lh_time_parse_iso8601("2026-01-08T12:30:45+02:00", &us) && us == base, "+02:00 offset");
	ok(lh_time_parse_iso8601("2026-01-08T05:30:45-0500", &us) && us == base, "-0500 offset");
	ok(lh_time_parse_iso8601("2026-01-08 10:30:45.123456789Z", &us) && us == base + 123456,
	   "space separator and nanoseconds");
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	ok(lh_time_parse_iso8601("2026-01-08T11:30:45.123456", &us) && us == base + 123456,
	   "naive time is local time (Paris, UTC+1 in winter)");
	setenv("TZ", "UTC", 1);
	tzset();
	ok(lh_time_parse_iso8601("2026-01-08T11:30:45.123456", &us) && us == base + 3600000000 + 123456,
	   "the same local minute read again after TZ changed to UTC");
	test_local_time_caches();
	ok(!lh_time_parse_iso8601("2026-13-08T10:30:45", &us), "month 13 is refused");
	ok(!lh_time_parse_iso8601("2026-01-08", &us), "a date alone is refused");
	ok(!lh_time_parse_iso8601("2026-01-08T10:30:45+25:00", &us), "offset +25 refused");
	ok(!lh_time_parse_iso8601("1767868245", &us), "epoch number refused");
	char buf[40];
	lh_time_format_rfc3339(base + 123456, buf, sizeof buf);
	is_str(buf, "2026-01-08T10:30:45.123456Z", "formats RFC 3339");
	lh_time_format_duration(333, buf, sizeof buf);
	is_str(buf, "333ms", "333ms");
	lh_time_format_duration(4500, buf, sizeof buf);
	is_str(buf, "4.50s", "4.50s");
	lh_time_format_duration(125000, buf, sizeof buf);
	is_str(buf, "2m05s", "2m05s");
	static const struct {
		int64_t ms;
		const char *text;
	} durations[] = {
		{ -5, "0ms" }, { 0, "0ms" }, { 999, "999ms" }, { 1000, "1.00s" }, { 9999, "9.99s" },
		{ 10000, "10.0s" }, { 59999, "59.9s" }, { 60000, "1m00s" }, { 3599999, "59m59s" },
		{ 3600000, "1h00m" }, { 90061000, "25h01m" }, { INT64_MAX, "2562047788015h12m" },
	};
	for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		lh_time_format_duration(durations[i].ms, buf, sizeof buf);
		is_str(buf, durations[i].text, "duration %lld ms reads %s", (long long)durations[i].ms, durations[i].text);
	}
	char small[4];
	lh_time_format_duration(125000, small, sizeof small);
	is_str(small, "2m0", "a short buffer gets what fits, ended");
}

/* Random damage to good payloads: every result must be an event or a
 * reason, never a crash (run under ASan/UBSan and valgrind too). */
static void test_mutations(void)
{
	const char *seeds[] = {
		"{\"run_id\":\"flow-1\",\"agent_id\":\"researcher\",\"category\":\"TOOL_CALL\",\"message\":\"web_search({\\\"q\\\": 1}...)\",\"metadata\":\"IO_REQ\",\"timestamp\":\"2026-01-08T10:30:45.123000\",\"tool_name\":\"web_search\",\"args\":{\"q\":[1,2.5e3,true,null,\"\\u00e9\\ud83d\\ude00\"]},\"x\":{}}",
		"{\"run_id\":\"r\",\"category\":\"TOOL_RESULT\",\"duration_ms\":450,\"call_id\":7,\"message\":\"a\\nb\"}",
	};
	static const char structure[] = "{}[]\",:\\-e.u0";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int accepted = 0, rejected = 0;
	for (int i = 0; i < 200000; i++) {
		char buf[512];
		const char *seed = seeds[i % 2];
		size_t len = strlen(seed);
		memcpy(buf, seed, len);
		for (int k = 0; k < 1 + i % 4 && len > 0; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			size_t at = x % len;
			switch ((x >> 32) % 4) {
			case 0: buf[at] = (char)(x >> 40); break;                 /* any byte */
			case 1: buf[at] = structure[(x >> 40) % (sizeof structure - 1)]; break;
			case 2: len = at; break;                                  /* truncate */
			default: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
			}
		}
		struct lh_event *ev = NULL;
		enum lh_reject r = lh_event_parse(buf, len, 4096, 0, &ev, NULL);
		if (r == LH_REJECT_NONE) {
			struct lh_buf b = LH_BUF_INIT;
			lh_event_to_json(ev, &b); /* and what comes out is safe to print */
			lh_buf_free(&b);
			lh_event_free(ev);
			accepted++;
		} else {
			rejected++;
		}
	}
	ok(accepted > 0 && rejected > 0, "200000 damaged payloads: %d accepted, %d rejected, no crash", accepted, rejected);
}

int main(void)
{
	test_mutations();
	test_rejects();
	test_fields();
	test_in_arena();
	test_timestamps();
	return tap_done();
}
