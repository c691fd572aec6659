/* What reaches a terminal: controls, escapes, bidi tricks and broken UTF-8
 * all come out visible and harmless; plain lines stay one line. */
#include "config.h"
#include "../tap.h"
#include "lib/text.h"
#include "core/format.h"
#include "lib/json.h"
#include "lib/redact.h"

#include <stdlib.h>
#include <string.h>

static const char *san(const char *s, size_t len, unsigned flags)
{
	static struct lh_buf b;
	lh_buf_reset(&b);
	lh_text_sanitize(&b, s, len, flags);
	return lh_buf_str(&b);
}

#define SAN(s, f) san((s), sizeof(s) - 1, (f))

static int has_raw_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

static void test_sanitize(void)
{
	is_str(SAN("plain text", 0), "plain text", "plain text passes");
	is_str(SAN("red \x1b[31mX\x1b[0m", 0), "red ^[[31mX^[[0m", "ESC is shown as ^[");
	is_str(SAN("title \x1b]0;pwned\x07", 0), "title ^[]0;pwned^G", "OSC title set is neutralized");
	is_str(SAN("a\rb", LH_TEXT_ONELINE | LH_TEXT_ASCII), "a\\nb", "CR cannot rewind the line");
	is_str(SAN("a\nb", LH_TEXT_ONELINE), "a\xe2\x8f\x8e" "b", "newline is a visible mark on one line");
	is_str(SAN("a\tb", 0), "a b", "tab is a space");
	is_str(SAN("del\x7f", 0), "del^?", "DEL is ^?");
	is_str(SAN("c1 \xc2\x9b" "31m", 0), "c1 \\x9B31m", "C1 CSI (U+009B) is shown as \\x9B");
	is_str(SAN("rtl \xe2\x80\xae" "evil", 0), "rtl <U+202E>evil", "bidi override is shown, not obeyed");
	is_str(SAN("bad \xff\xfe", 0), "bad \xef\xbf\xbd\xef\xbf\xbd", "invalid bytes become U+FFFD");
	is_str(SAN("caf\xc3\xa9 \xe4\xb8\xad", 0), "caf\xc3\xa9 \xe4\xb8\xad", "valid UTF-8 passes");
	is_str(SAN("caf\xc3\xa9", LH_TEXT_ASCII), "caf?", "ASCII mode replaces non-ASCII");
	const char all[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x1b\x1f\x7f";
	ok(!has_raw_control(SAN(all, LH_TEXT_ONELINE)), "no raw control byte survives");
}

static void test_utf8(void)
{
	size_t bad;
	ok(lh_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11, NULL), "valid with emoji");
	ok(!lh_utf8_valid("ab\xe2\x82", 4, &bad) && bad == 2, "truncated sequence found at 2");
	ok(!lh_utf8_valid("\xf4\x90\x80\x80", 4, NULL), "above U+10FFFF refused");
	ok(!lh_utf8_valid("\xe0\x80\xaf", 3, NULL), "overlong 3-byte refused");
	/* the eight-byte ASCII stride, at every alignment of the first non-ASCII byte */
	char buf[40];
	for (size_t at = 0; at + 2 <= sizeof buf; at++) {
		memset(buf, 'a', sizeof buf);
		memcpy(buf + at, "\xc3\xa9", 2);
		bool valid = lh_utf8_valid(buf, sizeof buf, NULL);
		buf[at + 1] = 'x'; /* a lead byte without its continuation */
		ok(valid && !lh_utf8_valid(buf, sizeof buf, &bad) && bad == at, "non-ASCII at %zu", at);
	}
}

static void test_format(void)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_format_args(&b, "{\"query\":\"RARO docs\",\"n\":5,\"deep\":{\"a\":[1,2]}}", 80, 0);
	is_str(b.data, "query=\"RARO docs\", n=5, deep={\"a\":[1,2]}", "args as key=value");
	lh_buf_reset(&b);
	lh_format_args(&b, "{\"code\":\"print(1)\\nprint(2)\"}", 14, LH_FMT_ASCII);
	is_str(b.data, "code=\"print...", "args cut with an ellipsis at 14 chars (ASCII)");
	lh_buf_reset(&b);
	lh_format_text(&b, "\xe4\xb8\xad\xe6\x96\x87\xe6\x96\x87\xe6\x96\x87", 3, 0);
	is_str(b.data, "\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xa6", "cut counts characters, not bytes");
	lh_buf_reset(&b);
	lh_format_agent(&b, "researcher", 40, 0);
	is_str(b.data, "RESEARCHER", "agent upper-cased");
	lh_buf_free(&b);
}

static void test_json_safe(void)
{
	struct lh_buf b = LH_BUF_INIT;
	const char in[] = "{ \"a\" : \"x\x1b[2J\xc2\x9b\" ,\n \"b\": [1, 2] }";
	lh_json_append_safe(&b, in, sizeof in - 1);
	is_str(b.data, "{\"a\":\"x\\u001b[2J\\u009b\",\"b\":[1,2]}", "JSON made one line and terminal-safe");
	lh_buf_reset(&b);
	const char lone[] = "{\"a\":\"\\ud03d\\ude00 \\ud83d\\ude00 \\ud83dx\"}";
	lh_json_append_safe(&b, lone, sizeof lone - 1);
	is_str(b.data, "{\"a\":\"\\ud03d\\ufffd \\ud83d\\ude00 \\ufffdx\"}",
	       "a lone surrogate escape becomes \\ufffd, a pair stays");
	lh_buf_reset(&b);
	lh_json_put_string(&b, "q\"\\\n\xe2\x80\xae");
	is_str(b.data, "\"q\\\"\\\\\\n\\u202e\"", "string literal escaping");
	lh_buf_free(&b);
}

static int scan(const char *s)
{
	struct lh_json_span sp[8];
	size_t n;
	return lh_json_scan(s, strlen(s), sp, 8, &n);
}

static void test_json_scan(void)
{
	const char *good[] = { "{}", " { \"a\" : [1, -2.5e3, 0, true, false, null, {\"b\": \"\\u00e9\\n\"}] } ",
			       "[]", "\"s\"", "0", "-0.1", "1E+5", "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
			       "{\"raw\":\"tab\there\"}", "\"a\\\"b\"", "\"a\\\\\"", "[\"\\\\\",\"x\"]",
			       "\"\\\"\\\"\\\"\"", "[\"\\n\\n\\\"\",\"\\\"\"]" };
	const char *bad[] = { "", "{", "{\"a\"}", "{\"a\":}", "{a:1}", "[1,]", "{\"a\":1,}", "01", "1.",
			      "-", "1e", "tru", "nul", "\"\\x\"", "\"\\u12G4\"", "\"open", "{} {}", "[1 2]",
			      "{\"a\":1 \"b\":2}", "'s'", "\"a\\\"", "\"a\\", "\"\\\\\\\"", "[\"a\\\",\"b]" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ok(scan(good[i]) != LH_JSON_INVALID, "valid JSON: %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		is_int(scan(bad[i]), LH_JSON_INVALID, "invalid JSON: '%s'", bad[i]);
	is_int(scan("[1]"), LH_JSON_OTHER, "an array is not an object");
	char deep[1200];
	size_t dn;
	memset(deep, '[', 600);
	memset(deep + 600, ']', 600);
	is_int(lh_json_scan(deep, 1200, NULL, 0, &dn), LH_JSON_INVALID, "600 balanced levels are refused");
	is_int(lh_json_scan(deep + 100, 1000, NULL, 0, &dn), LH_JSON_OTHER, "500 levels are fine");

	struct lh_json_span sp[2];
	size_t n;
	const char *obj = "{\"a\":1,\"b\":\"x\",\"c\":[2]}";
	is_int(lh_json_scan(obj, strlen(obj), sp, 2, &n), LH_JSON_OBJECT, "an object");
	is_int(n, 3, "more members than room: count is max + 1");
	ok(sp[1].key_len == 3 && memcmp(sp[1].value, "\"x\"", 3) == 0, "spans point at the raw key and value");

	/* Strings are scanned eight bytes at a time for their first 64 bytes,
	 * then by memchr: quotes and escapes on either side of that line, and
	 * whether each key and string value held an escape. */
	struct lh_buf long_text = LH_BUF_INIT;
	for (size_t at = 0; at < 80; at++) {
		lh_buf_reset(&long_text);
		lh_buf_puts(&long_text, "{\"k\":\"");
		for (size_t i = 0; i < at; i++)
			lh_buf_putc(&long_text, 'x');
		lh_buf_puts(&long_text, "\\\"");
		for (size_t i = 0; i < 70; i++)
			lh_buf_putc(&long_text, 'y');
		lh_buf_puts(&long_text, "\",\"k\\u0032\":\"");
		for (size_t i = 0; i < at; i++)
			lh_buf_putc(&long_text, 'z');
		lh_buf_puts(&long_text, "\"}");
		struct lh_json_span two[2];
		size_t m;
		bool right = lh_json_scan(long_text.data, long_text.len, two, 2, &m) == LH_JSON_OBJECT && m == 2 &&
			     two[0].value_len == at + 74 && two[0].value_escaped && !two[0].key_escaped &&
			     two[1].key_escaped && !two[1].value_escaped && two[1].value_len == at + 2;
		if (!right) {
			ok(false, "an escaped quote after %zu bytes", at);
			break;
		}
	}
	ok(true, "escaped quotes before, at and past 64 bytes end no string early; escapes are flagged");
	lh_buf_free(&long_text);

	struct lh_buf b = LH_BUF_INIT;
	const char *esc = "\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\\ud800x\"";
	lh_json_unescape(&b, esc, strlen(esc));
	is_str(b.data, "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx",
	       "unescape: quotes, backslash, solidus, newline, BMP, surrogate pair, lone surrogate");
	lh_buf_free(&b);
}

static void test_redact(void)
{
	static const char *const cases[][2] = {
		{ "redis://:s3cret@host:6379/2", "redis://:***@host:6379/2" },
		{ "redis://user:pw@host", "redis://user:***@host" },
		{ "redis://host:6379", "redis://host:6379" },
		{ "/ws/runs?token=abc&since=4", "/ws/runs?token=***&since=4" },
		{ "/ws/runtime/x?since=1&token=abc", "/ws/runtime/x?since=1&token=***" },
		{ "ws://h/p?key=k", "ws://h/p?key=***" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *r = lh_redact_url(cases[i][0]);
		is_str(r, cases[i][1], "redacted: %s", cases[i][0]);
		free(r);
	}
}

int main(void)
{
	test_redact();
	test_sanitize();
	test_utf8();
	test_format();
	test_json_safe();
	test_json_scan();
	return tap_done();
}
