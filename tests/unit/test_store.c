/* The store: pairing results with calls in every way the protocol allows,
 * stats as events arrive, and eviction that is counted and leaves nothing
 * dangling. */
#include "config.h"
#include "../tap.h"
#include "core/store.h"
#include "lib/buf.h"

#include <stdlib.h>
#include <string.h>

static int64_t now_us = 1767868245000000LL;

/* Builds and adds one event; ts_ms is an offset from a fixed base. */
static const struct lh_entry *add(struct lh_store *s, const char *run, const char *agent,
				  const char *cat, const char *tool, int64_t ts_ms, int duration,
				  const char *call_id, const char *meta)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_buf_printf(&b, "{\"run_id\":\"%s\",\"agent_id\":\"%s\",\"category\":\"%s\",\"message\":\"m\"",
		      run, agent, cat);
	if (tool)
		lh_buf_printf(&b, ",\"tool_name\":\"%s\"", tool);
	if (duration >= 0)
		lh_buf_printf(&b, ",\"duration_ms\":%d", duration);
	if (call_id)
		lh_buf_printf(&b, ",\"call_id\":\"%s\"", call_id);
	if (meta)
		lh_buf_printf(&b, ",\"metadata\":\"%s\"", meta);
	int64_t ts = now_us + ts_ms * 1000;
	char iso[40];
	snprintf(iso, sizeof iso, "2026-01-08T10:30:%02d.%03dZ", (int)(45 + ts_ms / 1000), (int)(ts_ms % 1000));
	lh_buf_printf(&b, ",\"timestamp\":\"%s\"}", iso);
	struct lh_event *ev = NULL;
	if (lh_event_parse(b.data, b.len, 1 << 20, ts, &ev, NULL) != LH_REJECT_NONE)
		abort();
	lh_buf_free(&b);
	const struct lh_entry *e = lh_store_add(s, ev, false);
	lh_event_free(ev);
	return e;
}

#define CALL(s, agent, tool, ts) add(s, "r1", agent, "TOOL_CALL", tool, ts, -1, NULL, NULL)
#define RESULT(s, agent, tool, ts, d) add(s, "r1", agent, "TOOL_RESULT", tool, ts, d, NULL, NULL)

static void test_simple_pair(void)
{
	struct lh_store *s = lh_store_new(100);
	const struct lh_entry *c = CALL(s, "researcher", "web_search", 0);
	is_int(c->state, LH_CALL_PENDING, "a call starts pending");
	const struct lh_entry *r = RESULT(s, "researcher", "web_search", 333, 450);
	is_int(c->state, LH_CALL_DONE, "its result completes it");
	ok(c->peer == r && r->peer == c, "call and result point at each other");
	is_int(c->duration_ms, 450, "duration_ms wins over the timestamps");
	const struct lh_entry *c2 = CALL(s, "researcher", "read_file", 1000);
	RESULT(s, "researcher", "read_file", 1250, -1);
	is_int(c2->duration_ms, 250, "without duration_ms, the timestamp difference");
	lh_store_free(s);
}

static void test_interleaved_agents(void)
{
	struct lh_store *s = lh_store_new(100);
	const struct lh_entry *a = CALL(s, "researcher", "web_search", 0);
	const struct lh_entry *b = CALL(s, "coder", "web_search", 10);
	const struct lh_entry *rb = RESULT(s, "coder", "web_search", 20, 10);
	ok(rb->peer == b, "a result pairs with its own agent's call");
	is_int(a->state, LH_CALL_PENDING, "the other agent's call stays pending");
	const struct lh_entry *ra = RESULT(s, "researcher", "web_search", 30, 30);
	ok(ra->peer == a, "then the first agent's result finds its call");
	lh_store_free(s);
}

static void test_parallel_same_tool(void)
{
	struct lh_store *s = lh_store_new(100);
	const struct lh_entry *c1 = CALL(s, "researcher", "web_search", 0);
	const struct lh_entry *c2 = CALL(s, "researcher", "web_search", 5);
	const struct lh_entry *r1 = RESULT(s, "researcher", "web_search", 100, 100);
	const struct lh_entry *r2 = RESULT(s, "researcher", "web_search", 120, 115);
	ok(r1->peer == c1 && r2->peer == c2, "results pair oldest-first with calls of the same tool");

	const struct lh_entry *t = CALL(s, "researcher", "read_file", 200);
	const struct lh_entry *u = CALL(s, "researcher", "web_search", 201);
	const struct lh_entry *ru = RESULT(s, "researcher", "web_search", 300, 99);
	ok(ru->peer == u, "same tool beats older call of another tool");
	const struct lh_entry *rx = add(s, "r1", "researcher", "TOOL_RESULT", NULL, 310, 5, NULL, NULL);
	ok(rx->peer == t, "a result without tool_name takes the oldest pending call of its agent");
	lh_store_free(s);
}

static void test_call_id(void)
{
	struct lh_store *s = lh_store_new(100);
	const struct lh_entry *c1 = add(s, "r1", "coder", "TOOL_CALL", "execute_python", 0, -1, "a", NULL);
	const struct lh_entry *c2 = add(s, "r1", "coder", "TOOL_CALL", "execute_python", 1, -1, "b", NULL);
	const struct lh_entry *r2 = add(s, "r1", "coder", "TOOL_RESULT", "execute_python", 50, 49, "b", NULL);
	ok(r2->peer == c2, "call_id decides over order");
	is_int(c1->state, LH_CALL_PENDING, "the older call is still pending");
	const struct lh_entry *rz = add(s, "r1", "coder", "TOOL_RESULT", "execute_python", 60, 1, "zzz", NULL);
	is_int(rz->state, LH_CALL_ORPHAN, "an unknown call_id does not steal a call with another id");
	const struct lh_entry *r1 = add(s, "r1", "coder", "TOOL_RESULT", "execute_python", 70, 70, "a", NULL);
	ok(r1->peer == c1, "then call a pairs");
	lh_store_free(s);
}

static void test_orphans_and_order(void)
{
	struct lh_store *s = lh_store_new(100);
	const struct lh_entry *o = RESULT(s, "writer", "write_file", 0, 12);
	is_int(o->state, LH_CALL_ORPHAN, "a result with no call is an orphan");
	ok(o->peer == NULL, "with no peer");
	is_int(o->duration_ms, 12, "but keeps its duration");
	const struct lh_entry *c = CALL(s, "writer", "write_file", 500);
	RESULT(s, "writer", "write_file", 100, -1); /* earlier timestamp than its call */
	is_int(c->duration_ms, 0, "out-of-order timestamps never give a negative duration");
	add(s, "r1", "writer", "THOUGHT", NULL, 600, -1, NULL, NULL);
	struct lh_agent_stats st;
	lh_run_agent_stats(lh_store_find_run(s, "r1"), 0, &st);
	is_int(st.orphans, 1, "the agent counts its orphan");
	is_int(st.events, 4, "and all its events");
	lh_store_free(s);
}

static void test_stats(void)
{
	struct lh_store *s = lh_store_new(1000);
	for (int i = 0; i < 100; i++) {
		CALL(s, "researcher", "web_search", i * 10);
		add(s, "r1", "researcher", "TOOL_RESULT", "web_search", i * 10 + 5, (i + 1) * 10, NULL,
		    i % 10 == 0 ? "IO_ERR" : "IO_OK");
	}
	CALL(s, "researcher", "read_file", 5000);
	const struct lh_run *r = lh_store_find_run(s, "r1");
	struct lh_agent_stats a;
	lh_run_agent_stats(r, 0, &a);
	is_int(a.calls, 101, "agent calls");
	is_int(a.errors, 10, "agent errors (IO_ERR)");
	is_int(a.pending, 1, "agent pending");
	is_int(a.tool_ms, 50500, "agent tool time is the sum of durations");
	is_int(lh_run_tool_count(r), 2, "two tools");
	struct lh_tool_stats t;
	lh_run_tool_stats(r, 0, &t);
	is_str(t.name, "web_search", "first tool");
	is_int(t.calls, 100, "tool calls");
	is_int(t.errors, 10, "tool errors");
	is_int(t.max_ms, 1000, "tool max");
	ok(t.p50_ms >= 485 && t.p50_ms <= 515, "p50 about 500 (got %lld)", (long long)t.p50_ms);
	ok(t.p95_ms >= 920 && t.p95_ms <= 980, "p95 about 950 (got %lld)", (long long)t.p95_ms);
	lh_run_tool_stats(r, 1, &t);
	is_int(t.pending, 1, "read_file pending");
	is_int(t.completed, 0, "and not completed");
	lh_store_free(s);
}

static void test_eviction(void)
{
	struct lh_store *s = lh_store_new(3);
	const struct lh_entry *c = CALL(s, "a", "t", 0);
	RESULT(s, "a", "t", 10, 10);
	add(s, "r2", "b", "TOOL_CALL", "t", 20, -1, NULL, NULL);
	const struct lh_entry *r = lh_store_entry_at(s, 1);
	ok(r->peer == c, "before eviction the result has its call");
	add(s, "r2", "b", "THOUGHT", NULL, 30, -1, NULL, NULL);
	ok(r->peer == NULL, "evicting the call clears the result's link");
	struct lh_store_counts n;
	lh_store_get_counts(s, &n);
	is_int(n.evicted, 1, "one evicted");
	is_int(n.entries, 3, "three kept");
	add(s, "r2", "b", "THOUGHT", NULL, 40, -1, NULL, NULL);
	ok(lh_store_find_run(s, "r1") == NULL, "a run whose last event is evicted is gone");
	is_int(lh_store_run_count(s), 1, "one run left");
	add(s, "r2", "b", "THOUGHT", NULL, 50, -1, NULL, NULL);
	lh_store_get_counts(s, &n);
	is_int(n.evicted_pending, 1, "the pending call of r2 was evicted and counted");
	struct lh_agent_stats a;
	lh_run_agent_stats(lh_store_find_run(s, "r2"), 0, &a);
	is_int(a.pending, 0, "and is no longer pending");
	is_int(lh_store_entry_at(s, 0)->seq, 4, "oldest kept is seq 4");

	/* A flood of distinct ids stays bounded by max_events. */
	for (int i = 0; i < 10000; i++) {
		char run[32], agent[32], tool[32];
		snprintf(run, sizeof run, "run%d", i);
		snprintf(agent, sizeof agent, "agent%d", i);
		snprintf(tool, sizeof tool, "tool%d", i);
		add(s, run, agent, "TOOL_CALL", tool, i, -1, NULL, NULL);
	}
	is_int(lh_store_run_count(s), 3, "10000 distinct runs leave only 3 in memory");
	lh_store_free(s);
}

static void test_tool_cap(void)
{
	struct lh_store *s = lh_store_new(5000);
	for (int i = 0; i < LH_STORE_MAX_TOOLS + 50; i++) {
		char tool[32];
		snprintf(tool, sizeof tool, "tool%d", i);
		CALL(s, "a", tool, i);
	}
	const struct lh_run *r = lh_store_find_run(s, "r1");
	is_int(lh_run_tool_count(r), LH_STORE_MAX_TOOLS + 1, "tools are capped, the rest under (other)");
	struct lh_tool_stats t;
	lh_run_tool_stats(r, LH_STORE_MAX_TOOLS, &t);
	is_str(t.name, "(other)", "(other) collects them");
	is_int(t.calls, 50, "and counts them");
	lh_store_free(s);
}

static const struct lh_entry *add_json(struct lh_store *s, const char *json, int64_t recv_us, bool rest_in_raw)
{
	struct lh_event *ev = NULL;
	if (lh_event_parse(json, strlen(json), 1 << 20, recv_us, &ev, NULL) != LH_REJECT_NONE)
		abort();
	ev->pos = 77;
	const struct lh_entry *e = lh_store_add(s, ev, rest_in_raw);
	lh_event_free(ev);
	return e;
}

/* What the store keeps of an event reads back as the event it was given,
 * the uncommon fields too; with rest_in_raw, args and unknown fields are
 * left to the raw payload. */
static void test_packed_event(void)
{
	struct lh_store *s = lh_store_new(10);
	const char *odd = "{\"run_id\":\"r\",\"category\":\"custom\",\"metadata\":\"WEIRD\","
			  "\"message\":\"hello\",\"tool_name\":\"tz\",\"call_id\":\"c9\","
			  "\"args\":{\"q\":\"x\"},\"duration_ms\":12,\"colour\":\"red\","
			  "\"timestamp\":\"2099-01-01T00:00:00Z\"}";
	struct lh_event ev;
	lh_entry_event(add_json(s, odd, now_us, false), &ev);
	is_str(ev.run_id, "r", "run kept");
	is_str(ev.agent_id, "SYSTEM", "absent agent reads as SYSTEM");
	ok(ev.agent_absent && !ev.is_error, "and as absent");
	is_str(ev.category, "custom", "an uncommon category kept as sent");
	is_int(ev.cat, LH_CAT_INFO, "and read as INFO");
	is_str(ev.metadata, "WEIRD", "an uncommon metadata kept");
	is_str(ev.message, "hello", "message kept");
	is_str(ev.tool_name, "tz", "a tool name outside a call kept");
	is_str(ev.call_id, "c9", "call id kept");
	is_str(ev.args, "{\"q\":\"x\"}", "args kept");
	is_str(ev.args_text, "q=\"x\"", "args text kept");
	is_str(ev.extra, "{\"colour\":\"red\"}", "unknown fields kept");
	is_int(ev.duration_ms, 12, "sent duration kept");
	is_int(ev.recv_us, now_us, "receive time kept when the timestamp is another");
	ok(ev.ts_us > now_us && !ev.ts_guessed, "the future timestamp kept");
	is_int(ev.pos, 77, "stream position kept");

	lh_entry_event(add_json(s, odd, now_us, true), &ev);
	ok(!ev.args && !ev.extra, "rest_in_raw leaves out args and unknown fields");
	is_str(ev.args_text, "q=\"x\"", "but keeps what displays and search read");

	const char *plain = "{\"run_id\":\"r\",\"agent_id\":\"a\",\"category\":\"TOOL_CALL\","
			    "\"metadata\":\"IO_REQ\",\"tool_name\":\"web\"}";
	const struct lh_entry *e = add_json(s, plain, now_us, false);
	lh_entry_event(e, &ev);
	is_str(ev.category, "TOOL_CALL", "a common category read back");
	ok(!ev.agent_absent, "a sent agent is not absent");
	is_str(ev.metadata, "IO_REQ", "a common metadata read back");
	is_str(ev.tool_name, "web", "a call's tool read from its tool");
	is_str(ev.message, "", "an absent message reads empty");
	ok(!ev.call_id && !ev.args && !ev.args_text && !ev.extra, "absent fields read NULL");
	is_int(ev.duration_ms, -1, "no duration sent");
	is_int(ev.recv_us, ev.ts_us, "a guessed time is the receive time");
	ok(ev.ts_guessed, "and says so");
	lh_entry_event(add_json(s, "{\"run_id\":\"r\",\"timestamp\":\"2026-01-08T10:30:40Z\"}", now_us, false), &ev);
	is_int(ev.recv_us, ev.ts_us, "a receive time after the event's time reads as the event's");
	is_str(lh_entry_message(e), "", "lh_entry_message agrees");
	lh_store_free(s);
}

/* Records of every size come and go in arrival order through chunks: a
 * message bigger than a chunk, thousands of small ones, each read back
 * intact while kept (ASan checks that nothing freed is read). */
static void test_packed_eviction(void)
{
	struct lh_store *s = lh_store_new(50);
	struct lh_buf big = LH_BUF_INIT, json = LH_BUF_INIT;
	for (int i = 0; i < 300 * 1024; i++)
		lh_buf_putc(&big, (char)('a' + i % 26));
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		lh_buf_reset(&json);
		lh_buf_printf(&json, "{\"run_id\":\"r%d\",\"message\":\"%d %s\"}", i % 7, i,
			      i % 5000 == 17 ? lh_buf_str(&big) : "small");
		const struct lh_entry *e = add_json(s, json.data, now_us, false);
		const char *m = lh_entry_message(e);
		bad += atoi(m) != i;
		const struct lh_entry *old = lh_store_entry_at(s, 0);
		bad += atoi(lh_entry_message(old)) != (int)(old->seq - 1);
	}
	is_int(bad, 0, "every message reads back, newest and oldest, through 20000 adds");
	lh_buf_free(&big);
	lh_buf_free(&json);
	lh_store_free(s);
}

int main(void)
{
	test_simple_pair();
	test_interleaved_agents();
	test_parallel_same_tool();
	test_call_id();
	test_orphans_and_order();
	test_stats();
	test_eviction();
	test_tool_cap();
	test_packed_event();
	test_packed_eviction();
	return tap_done();
}
