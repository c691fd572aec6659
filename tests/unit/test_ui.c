/* The HUD's pieces that need no terminal: theme files, column widths, and
 * how an item becomes lines. */
#include "config.h"
#include "../tap.h"
#include "cells.h"
#include "core/format.h"
#include "rowfmt.h"
#include "rows.h"
#include "core/store.h"
#include "theme.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static void test_theme(void)
{
	struct lh_theme t = { 0 };
	char *cause = NULL;
	ok(lh_theme_parse(&t, "# c\n\nheader = 231/white 24/blue bold\nerror = red default\n", "x", &cause) == 0,
	   "a good theme parses");
	is_int(t.style[LH_ST_HEADER].fg, 231, "256-color foreground");
	is_int(t.style[LH_ST_HEADER].fg8, 7, "its 8-color fallback");
	is_int(t.style[LH_ST_HEADER].bg8, 4, "background fallback");
	ok(t.style[LH_ST_HEADER].attrs & LH_ATTR_BOLD, "bold");
	is_int(t.style[LH_ST_ERROR].fg, 1, "named color");
	is_int(t.style[LH_ST_ERROR].bg, -1, "default background");

	ok(lh_theme_parse(&t, "header = white blue\n\nbogus = red blue\n", "my.theme", &cause) < 0, "unknown style fails");
	is_str(cause, "my.theme, line 3: unknown style 'bogus'", "and the error names the line and the style");
	free(cause);
	ok(lh_theme_parse(&t, "ok = grene default\n", "t", &cause) < 0, "a misspelt color fails");
	is_str(cause, "t, line 1: unknown color 'grene'", "naming it");
	free(cause);
	ok(lh_theme_parse(&t, "ok = green default blink\n", "t", &cause) < 0, "an unknown attribute fails");
	free(cause);
	ok(lh_theme_parse(&t, "ok = 300 default\n", "t", &cause) < 0, "color 300 fails");
	free(cause);
	ok(lh_theme_parse(&t, "ok green default\n", "t", &cause) < 0, "a line without = fails");
	free(cause);
	ok(lh_theme_parse(&t, "ok = green\n", "t", &cause) < 0, "a style without background fails");
	free(cause);

	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	const char *names[] = { "dark", "light", "mono" };
	for (int i = 0; i < 3; i++) {
		ok(lh_theme_load(&t, names[i], &cause) == 0, "built-in theme %s loads", names[i]);
		is_str(t.name, names[i], "and is named %s", names[i]);
	}
	ok(lh_theme_load(&t, "nope", &cause) < 0, "an unknown theme name fails");
	is_str(cause, "no theme named 'nope'", "saying so");
	free(cause);
	size_t n;
	char **list = lh_theme_names(&n);
	ok(n >= 3, "at least three themes to cycle through");
	lh_theme_names_free(list, n);
}

static void test_cells(void)
{
	is_int(lh_cells_width("abc", 3), 3, "ASCII is one cell each");
	is_int(lh_cells_width("\xe6\xbc\xa2\xe5\xad\x97", 6), 4, "two CJK characters are four cells");
	int used;
	size_t n = lh_cells_fit("a\xe6\xbc\xa2" "b", 5, 2, &used);
	is_int(n, 1, "a wide character that does not fit is not split");
	is_int(used, 1, "so only one cell is used");
}

static const struct lh_entry *add(struct lh_store *s, const char *json)
{
	struct lh_event *ev = NULL;
	if (lh_event_parse(json, strlen(json), 1 << 20, 1767868245000000LL, &ev, NULL) != LH_REJECT_NONE)
		abort();
	const struct lh_entry *e = lh_store_add(s, ev, false);
	lh_event_free(ev);
	return e;
}

static void test_rowfmt(void)
{
	setenv("TZ", "UTC", 1);
	struct lh_store *s = lh_store_new(100);
	const struct lh_entry *c = add(s, "{\"run_id\":\"r\",\"agent_id\":\"researcher\",\"category\":\"TOOL_CALL\","
					  "\"tool_name\":\"web_search\",\"args\":{\"query\":\"x\"},"
					  "\"timestamp\":\"2026-01-08T10:30:45Z\"}");
	struct lh_line l1 = { 0 }, l2 = { 0 };
	struct lh_rowfmt rf = { .now_us = 1767868247500000LL, .agent_cols = 11, .short_time = true };
	is_int(lh_rowfmt_entry(&rf, c, &l1, &l2), 1, "a pending call is one line");
	ok(strstr(l1.text.data, "10:30:45 RESEARCHER  web_search(query=\"x\")") != NULL, "time, agent, call");
	ok(strstr(l1.text.data, "2.50s") != NULL, "the elapsed time of a pending call");
	add(s, "{\"run_id\":\"r\",\"agent_id\":\"researcher\",\"category\":\"TOOL_RESULT\",\"tool_name\":\"web_search\","
	       "\"message\":\"Found 3\",\"duration_ms\":450,\"metadata\":\"IO_OK\"}");
	is_int(lh_rowfmt_entry(&rf, c, &l1, &l2), 2, "a completed call is two lines");
	ok(strstr(l1.text.data, "450ms \xe2\x9c\x93") != NULL, "duration and check mark");
	ok(l1.right < l1.n, "which sit at the right edge");
	ok(strstr(l2.text.data, "\xe2\x86\xb3 Found 3") != NULL, "the result under it");
	is_int(strspn(l2.text.data, " "), 21, "indented to where the call starts");
	rf.fmt = LH_FMT_ASCII;
	lh_rowfmt_entry(&rf, c, &l1, &l2);
	ok(strstr(l1.text.data, "450ms ok") != NULL && strstr(l2.text.data, "`- Found 3"), "ASCII marks");

	struct lh_rows *rows = lh_rows_new(s, 0);
	struct lh_filter f = { 0 };
	char err[128];
	lh_rows_set_filter(rows, &f, err, sizeof err);
	is_int(lh_rows_count(rows), 1, "a paired result is not an item of its own");
	f.errors = true;
	lh_rows_set_filter(rows, &f, err, sizeof err);
	is_int(lh_rows_count(rows), 0, "errors only: nothing");
	add(s, "{\"run_id\":\"r\",\"agent_id\":\"coder\",\"category\":\"TOOL_CALL\",\"tool_name\":\"t\"}");
	const struct lh_entry *e = add(s, "{\"run_id\":\"r\",\"agent_id\":\"coder\",\"category\":\"TOOL_RESULT\","
					  "\"tool_name\":\"t\",\"metadata\":\"IO_ERR\"}");
	lh_rows_add(rows, e);
	lh_rows_sync(rows);
	is_int(lh_rows_count(rows), 1, "a call that later failed appears under errors only");

	char found[] = "found 3", dur[] = "450ms", bad[] = "(";
	f.errors = false;
	f.grep = found;
	ok(lh_rows_set_filter(rows, &f, err, sizeof err) == 0, "a grep pattern compiles");
	is_int(lh_rows_count(rows), 1, "&pattern: the call whose result matches, case folded");
	f.grep = dur;
	lh_rows_set_filter(rows, &f, err, sizeof err);
	is_int(lh_rows_count(rows), 1, "a duration as shown matches");
	f.grep_invert = true;
	lh_rows_set_filter(rows, &f, err, sizeof err);
	is_int(lh_rows_count(rows), 1, "&!pattern: only the other call");
	f.grep = bad;
	ok(lh_rows_set_filter(rows, &f, err, sizeof err) == -1 && *err, "a bad pattern is refused with a reason");
	is_int(lh_rows_count(rows), 1, "and the filter stays as it was");
	f.grep = NULL;
	f.grep_invert = false;
	f.pending = true;
	const struct lh_entry *p = add(s, "{\"run_id\":\"r\",\"category\":\"TOOL_CALL\",\"tool_name\":\"slow\","
					  "\"call_id\":\"c9\"}");
	lh_rows_set_filter(rows, &f, err, sizeof err);
	ok(lh_rows_count(rows) == 1 && lh_rows_at(rows, 0) == p, "pending only: the call still waiting");
	lh_rows_add(rows, add(s, "{\"run_id\":\"r\",\"category\":\"TOOL_RESULT\",\"tool_name\":\"slow\","
				 "\"call_id\":\"c9\"}"));
	lh_rows_sync(rows);
	is_int(lh_rows_count(rows), 0, "and it leaves once answered");
	lh_rows_free(rows);
	lh_line_free(&l1);
	lh_line_free(&l2);
	lh_store_free(s);
}

/* The words a pattern needs may pass over an item only when its text
 * cannot match: checked against regexec over every pair of a corpus of
 * items (odd bytes, cut fields, upper case, durations) and patterns. */
static void test_must(void)
{
	static const char *const events[] = {
		"{\"run_id\":\"r1\",\"agent_id\":\"researcher\",\"category\":\"TOOL_CALL\",\"tool_name\":\"web_search\","
		"\"args\":{\"query\":\"agent tracing 124980\",\"n\":5},\"call_id\":\"c1\"}",
		"{\"run_id\":\"r1\",\"agent_id\":\"researcher\",\"category\":\"TOOL_RESULT\",\"tool_name\":\"web_search\","
		"\"call_id\":\"c1\",\"duration_ms\":1320,\"message\":\"Found 5 results for notes/1.md\"}",
		"{\"run_id\":\"r1\",\"agent_id\":\"coder\",\"category\":\"THOUGHT\",\"message\":\"KeyError: 'x'\\tthen\\u001b[31m\"}",
		"{\"run_id\":\"r1\",\"agent_id\":\"c\u00f6der\",\"category\":\"REASONING\",\"message\":\"caf\u00e9 \u202e mixed\"}",
		"{\"run_id\":\"r2\",\"agent_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaz\","
		"\"category\":\"TOOL_CALL\",\"tool_name\":\"read_file\",\"message\":\"read_file(path='x')\"}",
		"{\"run_id\":\"r2\",\"agent_id\":\"Writer\",\"category\":\"INFO\",\"message\":\"ab abbbc xyz defabc 450ms\"}",
	};
	static const char *const patterns[] = {
		"tracing 124980[^0-9]", "web_search\\(query", "ab+c", "a?bc", "(abc)?def", "x{0}yz", "foo|bar",
		"KeyError", "keyerror", "notes/1\\.md", "\\.md", "[[:alpha:]]+ing", "^r1", "mixed$", "1\\.32s",
		"RESEARCHER", "AAAAAAAAAAAAAZ", "aaaz", "\\^\\[", "U\\+202E", "[3", "caf", "then", "query=\"agent",
		"result", "450ms", "zzz nomatch", "tool\\(", "x'\\)", "e\\.\\.",
	};
	struct lh_store *s = lh_store_new(100);
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
		add(s, events[i]);
	struct lh_buf text = LH_BUF_INIT;
	int missed = 0, skipped = 0, pairs = 0, unmatched = 0;
	for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		regex_t re;
		if (lh_rows_regcomp(&re, patterns[p]) != 0)
			continue;
		struct lh_must *m = lh_must_new(patterns[p]);
		const struct lh_entry *e;
		for (size_t i = 0; (e = lh_store_entry_at(s, i)) != NULL; i++) {
			for (unsigned fmt = 0; fmt <= LH_FMT_ASCII; fmt += LH_FMT_ASCII) {
				lh_buf_reset(&text);
				lh_rows_entry_text(e, fmt, &text);
				bool matches = regexec(&re, lh_buf_str(&text), 0, NULL, 0) == 0;
				struct lh_buf scratch = LH_BUF_INIT;
				bool maybe = lh_rows_entry_may_match(e, fmt, m, &scratch);
				lh_buf_free(&scratch);
				missed += matches && !maybe;
				skipped += !maybe;
				unmatched += !matches;
				pairs++;
			}
		}
		lh_must_free(m);
		regfree(&re);
	}
	ok(pairs > 300 && missed == 0, "no item whose text matches is passed over (%d of %d pairs)", missed, pairs);
	ok(skipped * 3 > unmatched, "a third or more of those that cannot match are passed over (%d of %d)", skipped,
	   unmatched);
	ok(lh_must_new("foo|bar") == NULL && lh_must_new("[a-z]+") == NULL && lh_must_new("(abc)") == NULL,
	   "alternations, brackets and groups promise no word");
	lh_buf_free(&text);
	lh_store_free(s);
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8"); /* wcwidth needs a UTF-8 locale */
	test_theme();
	test_cells();
	test_rowfmt();
	test_must();
	return tap_done();
}
