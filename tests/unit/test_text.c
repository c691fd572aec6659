/* What reaches a terminal: controls, escapes, bidi tricks and broken UTF-8
 * all come out visible and harmless; plain lines stay one line. */
#include "config.h"
#include "../tap.h"
#include "text.h"
#include "format.h"
#include "json.h"

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
	lh_json_put_string(&b, "q\"\\\n\xe2\x80\xae");
	is_str(b.data, "\"q\\\"\\\\\\n\\u202e\"", "string literal escaping");
	lh_buf_free(&b);
}

int main(void)
{
	test_sanitize();
	test_utf8();
	test_format();
	test_json_safe();
	return tap_done();
}
