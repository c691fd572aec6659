/* source_demo: each agent is a small loop (reason, call one to three tools,
 * wait for them, go on) on a virtual clock; one timer wakes the demo for
 * the earliest next action of any agent. Tool durations follow the
 * shapes seen in real runs: file tools in milliseconds, web_search in
 * seconds, execute_python from a fraction of a second to tens of seconds. */
#include "config.h"
#include "demo.h"
#include "source_impl.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LH_DEMO_AGENTS 4
#define LH_DEMO_MAX_PARALLEL 3
#define LH_DEMO_STEPS 14

struct lh_demo_call {
	int tool;
	int64_t start_ms, due_ms; /* virtual times of the call and its result */
	char call_id[24];
	bool error;
};

struct lh_demo_agent {
	struct lh_demo_source *demo;
	const char *id;
	struct lh_demo_call calls[LH_DEMO_MAX_PARALLEL];
	int ncalls, steps;
	uint64_t rng;   /* each agent draws from its own generator */
	int64_t at_vms; /* virtual time of its next action; INT64_MAX when idle */
};

struct lh_demo_source {
	struct lh_source base;
	uint64_t *rng;     /* the generator of whoever is acting now */
	uint64_t run_rng;
	double speed;
	int64_t vnow_ms;   /* virtual clock */
	int64_t vstart_us; /* wall time of virtual zero */
	int run_no, active;
	uv_timer_t timer; /* set for the earliest next action of any agent */
	char run_id[32];
	struct lh_demo_agent agents[LH_DEMO_AGENTS];
};

enum { T_SEARCH, T_PYTHON, T_READ, T_WRITE, T_LIST, T_COUNT };
static const char *const lh_tool_names[T_COUNT] = {
	"web_search", "execute_python", "read_file", "write_file", "list_files",
};
static const char *const lh_agent_ids[LH_DEMO_AGENTS] = { "researcher", "coder", "analyst", "writer" };

static const char *const lh_queries[] = {
	"RARO architecture overview", "redis pub/sub delivery guarantees",
	"websocket backpressure best practices", "p99 latency tail causes",
	"agent tool call tracing", "LLM evaluation harness design",
	"ncurses wide character support", "libuv timer precision",
};
static const char *const lh_files[] = {
	"data/results.csv", "src/main.py", "notes/plan.md", "reports/summary.md",
	"config/settings.yaml", "data/metrics.json", "README.md",
};
static const char *const lh_code[] = {
	"import pandas as pd\\ndf = pd.read_csv('data/results.csv')\\nprint(df.describe())",
	"sum(x*x for x in range(10**6))",
	"import numpy as np\\nnp.percentile(latencies, [50, 95, 99])",
	"fit = model.train(epochs=3)\\nfit.loss",
};
static const char *const lh_thoughts[] = {
	"The search results disagree on delivery guarantees; I should check the primary docs.",
	"Computing the percentiles before writing the summary.",
	"The CSV has 3 malformed rows; they need to be skipped, not fixed.",
	"I have enough to draft the report section on latency.",
	"Two sources cite the same benchmark; treat them as one.",
};
static const char *const lh_errors[] = {
	"TimeoutError: search backend did not answer in 30s",
	"FileNotFoundError: [Errno 2] No such file or directory",
	"Traceback (most recent call last):\\n  File \\\"<stdin>\\\", line 3\\nZeroDivisionError: division by zero",
	"PermissionError: [Errno 13] Permission denied",
};

#define LH_PICK(arr, d) ((arr)[lh_rand(d) % (sizeof(arr) / sizeof((arr)[0]))])

static uint64_t lh_rand(struct lh_demo_source *d)
{
	/* xorshift64*: small, fast and the same on every machine for a seed */
	uint64_t *x = d->rng;
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

static int64_t lh_range(struct lh_demo_source *d, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(lh_rand(d) % (uint64_t)(hi - lo + 1));
}

static int64_t lh_tool_duration(struct lh_demo_source *d, int tool)
{
	switch (tool) {
	case T_SEARCH: return lh_range(d, 350, 4500);
	case T_PYTHON:
		return lh_rand(d) % 5 == 0 ? lh_range(d, 8000, 38000) : lh_range(d, 150, 3000);
	case T_READ: return lh_range(d, 3, 90);
	case T_WRITE: return lh_range(d, 8, 160);
	default: return lh_range(d, 2, 40);
	}
}

/* Python's naive isoformat(): local time with microseconds, no zone. */
static void lh_demo_timestamp(struct lh_demo_source *d, char *buf, size_t len)
{
	int64_t us = d->vstart_us + d->vnow_ms * 1000;
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	localtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000 + 1000000) % 1000000);
}

/* Publishes one event shaped as the agent service shapes it. raw_json
 * fields are appended as they are (args). */
static void lh_demo_publish(struct lh_demo_source *d, const char *agent, const char *category,
			    const char *metadata, const char *message, const char *tool,
			    const char *args_json, int64_t duration_ms, const char *call_id)
{
	struct lh_buf b = LH_BUF_INIT;
	char ts[64];
	lh_demo_timestamp(d, ts, sizeof ts);
	lh_buf_printf(&b, "{\"run_id\":\"%s\",\"agent_id\":\"%s\",\"category\":\"%s\",\"message\":",
		      d->run_id, agent, category);
	lh_json_put_string(&b, message);
	lh_buf_printf(&b, ",\"metadata\":\"%s\",\"timestamp\":\"%s\"", metadata, ts);
	if (tool)
		lh_buf_printf(&b, ",\"tool_name\":\"%s\"", tool);
	if (args_json)
		lh_buf_printf(&b, ",\"args\":%s", args_json);
	if (duration_ms >= 0)
		lh_buf_printf(&b, ",\"duration_ms\":%lld", (long long)duration_ms);
	if (call_id)
		lh_buf_printf(&b, ",\"call_id\":\"%s\"", call_id);
	lh_buf_putc(&b, '}');
	lh_source_emit(&d->base, b.data, b.len);
	lh_buf_free(&b);
}

static void lh_demo_args(struct lh_demo_source *d, int tool, struct lh_buf *args)
{
	switch (tool) {
	case T_SEARCH:
		lh_buf_printf(args, "{\"query\": \"%s\", \"max_results\": %d}", LH_PICK(lh_queries, d),
			      (int)lh_range(d, 5, 20));
		break;
	case T_PYTHON:
		lh_buf_printf(args, "{\"code\": \"%s\"}", LH_PICK(lh_code, d));
		break;
	case T_WRITE:
		lh_buf_printf(args, "{\"path\": \"%s\", \"content\": \"# Draft\\n...\"}", LH_PICK(lh_files, d));
		break;
	case T_LIST:
		lh_buf_puts(args, "{\"path\": \"data/\"}");
		break;
	default:
		lh_buf_printf(args, "{\"path\": \"%s\"}", LH_PICK(lh_files, d));
		break;
	}
}

static void lh_demo_call(struct lh_demo_agent *a, int tool, bool parallel)
{
	struct lh_demo_source *d = a->demo;
	struct lh_demo_call *c = &a->calls[a->ncalls++];
	struct lh_buf args = LH_BUF_INIT, msg = LH_BUF_INIT;
	c->tool = tool;
	c->start_ms = d->vnow_ms;
	c->due_ms = d->vnow_ms + lh_tool_duration(d, tool);
	c->error = lh_rand(d) % 12 == 0;
	c->call_id[0] = '\0';
	if (parallel)
		snprintf(c->call_id, sizeof c->call_id, "c-%llx", (unsigned long long)(lh_rand(d) & 0xffffff));
	lh_demo_args(d, tool, &args);
	/* The service puts tool(args-json cut to 50 chars...) in the message. */
	lh_buf_printf(&msg, "%s(%.50s...)", lh_tool_names[tool], args.data);
	lh_demo_publish(d, a->id, "TOOL_CALL", "IO_REQ", msg.data, lh_tool_names[tool], args.data, -1,
			c->call_id[0] ? c->call_id : NULL);
	lh_buf_free(&args);
	lh_buf_free(&msg);
}

static void lh_demo_result(struct lh_demo_agent *a, int i)
{
	struct lh_demo_source *d = a->demo;
	struct lh_demo_call c = a->calls[i];
	char msg[160];
	memmove(&a->calls[i], &a->calls[i + 1], (size_t)(a->ncalls - i - 1) * sizeof c);
	a->ncalls--;
	if (c.error) {
		snprintf(msg, sizeof msg, "%s", LH_PICK(lh_errors, d));
	} else {
		switch (c.tool) {
		case T_SEARCH: snprintf(msg, sizeof msg, "Found %d citations.", (int)lh_range(d, 3, 24)); break;
		case T_PYTHON: snprintf(msg, sizeof msg, "Output: count=%d mean=%.3f p95=%.1f", (int)lh_range(d, 100, 9000),
					(double)lh_range(d, 1000, 9999) / 1000, (double)lh_range(d, 100, 999) / 10); break;
		case T_READ: snprintf(msg, sizeof msg, "Read %d lines (%d bytes).", (int)lh_range(d, 10, 900), (int)lh_range(d, 500, 90000)); break;
		case T_WRITE: snprintf(msg, sizeof msg, "Wrote %d bytes.", (int)lh_range(d, 200, 12000)); break;
		default: snprintf(msg, sizeof msg, "5 files: results.csv metrics.json raw/ cache/ notes.txt"); break;
		}
	}
	lh_demo_publish(d, a->id, "TOOL_RESULT", c.error ? "IO_ERR" : "IO_OK", msg, lh_tool_names[c.tool],
			NULL, c.due_ms - c.start_ms, c.call_id[0] ? c.call_id : NULL);
}

static void lh_demo_schedule(struct lh_demo_agent *a, int64_t at_vms);
static void lh_demo_new_run(struct lh_demo_source *d);
static void lh_demo_tick(uv_timer_t *t);

static void lh_demo_begin_step(struct lh_demo_agent *a)
{
	struct lh_demo_source *d = a->demo;
	if (a->steps++ >= LH_DEMO_STEPS) {
		lh_demo_publish(d, a->id, "REASONING", "PLANNING", "Done: handing my results to the next agent.",
				NULL, NULL, -1, NULL);
		if (--d->active == 0)
			lh_demo_new_run(d);
		return;
	}
	if (lh_rand(d) % 3 == 0)
		lh_demo_publish(d, a->id, "THOUGHT", "INFO", LH_PICK(lh_thoughts, d), NULL, NULL, -1, NULL);
	else
		lh_demo_publish(d, a->id, "REASONING", "PLANNING", "Planning the next step from what I have so far.",
				NULL, NULL, -1, NULL);
	int n = lh_rand(d) % 6 == 0 ? (int)lh_range(d, 2, LH_DEMO_MAX_PARALLEL) : 1;
	int64_t earliest = INT64_MAX;
	for (int i = 0; i < n; i++) {
		int tool = (int)(lh_rand(d) % T_COUNT);
		lh_demo_call(a, tool, n > 1);
		if (a->calls[a->ncalls - 1].due_ms < earliest)
			earliest = a->calls[a->ncalls - 1].due_ms;
	}
	lh_demo_schedule(a, earliest);
}

/* One agent's action at its scheduled virtual time. */
static void lh_demo_act(struct lh_demo_agent *a)
{
	struct lh_demo_source *d = a->demo;
	d->vnow_ms = a->at_vms;
	a->at_vms = INT64_MAX;
	d->rng = &a->rng;
	if (a->ncalls == 0) {
		lh_demo_begin_step(a);
		return;
	}
	int first = 0;
	for (int i = 1; i < a->ncalls; i++)
		if (a->calls[i].due_ms < a->calls[first].due_ms)
			first = i;
	if (a->calls[first].due_ms > d->vnow_ms) {
		lh_demo_schedule(a, a->calls[first].due_ms);
		return;
	}
	lh_demo_result(a, first);
	if (a->ncalls)
		lh_demo_schedule(a, d->vnow_ms); /* the next action finds the next due result */
	else
		lh_demo_schedule(a, d->vnow_ms + lh_range(d, 200, 2500)); /* the model thinks */
}

static struct lh_demo_agent *lh_demo_next(struct lh_demo_source *d)
{
	struct lh_demo_agent *next = NULL;
	for (int i = 0; i < LH_DEMO_AGENTS; i++)
		if (!next || d->agents[i].at_vms < next->at_vms)
			next = &d->agents[i];
	return next;
}

static void lh_demo_arm(struct lh_demo_source *d)
{
	struct lh_demo_agent *next = lh_demo_next(d);
	if (next->at_vms == INT64_MAX)
		return;
	int64_t now_vms = (int64_t)((double)(lh_time_now_us() - d->vstart_us) / 1000.0 * d->speed);
	int64_t wait = next->at_vms > now_vms ? (int64_t)((double)(next->at_vms - now_vms) / d->speed) : 0;
	uv_timer_start(&d->timer, lh_demo_tick, (uint64_t)wait, 0);
}

/* Actions run in virtual-time order (ties by agent), whatever the real
 * timer jitter, so a seed always gives the same run. */
static void lh_demo_tick(uv_timer_t *t)
{
	struct lh_demo_source *d = t->data;
	int64_t due = lh_demo_next(d)->at_vms;
	struct lh_demo_agent *a;
	while ((a = lh_demo_next(d))->at_vms <= due && !d->base.closing)
		lh_demo_act(a);
	lh_demo_arm(d);
}

static void lh_demo_schedule(struct lh_demo_agent *a, int64_t at_vms)
{
	a->at_vms = at_vms;
}

static void lh_demo_new_run(struct lh_demo_source *d)
{
	uint64_t *acting = d->rng;
	d->rng = &d->run_rng;
	d->run_no++;
	snprintf(d->run_id, sizeof d->run_id, "demo-%04llx-%d",
		 (unsigned long long)(lh_rand(d) & 0xffff), d->run_no);
	d->active = LH_DEMO_AGENTS;
	for (int i = 0; i < LH_DEMO_AGENTS; i++) {
		struct lh_demo_agent *a = &d->agents[i];
		a->steps = 0;
		a->ncalls = 0;
		/* Agents start staggered, as a planner hands work out. */
		lh_demo_schedule(a, d->vnow_ms + i * lh_range(d, 300, 1500));
	}
	d->rng = acting;
}

static int lh_demo_start(struct lh_source *src)
{
	struct lh_demo_source *d = (struct lh_demo_source *)src;
	d->vstart_us = lh_time_now_us();
	lh_source_set_state(src, LH_SOURCE_LIVE);
	lh_demo_new_run(d);
	lh_demo_arm(d);
	return 0;
}

static void lh_demo_close(struct lh_source *src)
{
	struct lh_demo_source *d = (struct lh_demo_source *)src;
	uv_close((uv_handle_t *)&d->timer, NULL);
}

static void lh_demo_free(struct lh_source *src)
{
	free(src);
}

static const struct lh_source_ops lh_demo_ops = {
	.start = lh_demo_start,
	.close = lh_demo_close,
	.free = lh_demo_free,
};

struct lh_source *lh_source_demo_new(uv_loop_t *loop, uint64_t seed, double speed,
				     const struct lh_source_callbacks *cb)
{
	struct lh_demo_source *d = lh_xcalloc(1, sizeof *d);
	d->run_rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	d->rng = &d->run_rng;
	d->speed = speed > 0 ? speed : 1;
	for (int i = 0; i < LH_DEMO_AGENTS; i++) {
		struct lh_demo_agent *a = &d->agents[i];
		a->demo = d;
		a->id = lh_agent_ids[i];
		a->rng = (seed + (uint64_t)i + 1) * 0xbf58476d1ce4e5b9ULL;
		a->at_vms = INT64_MAX;
	}
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	lh_source_init(&d->base, &lh_demo_ops, loop, cb,
		       lh_xasprintf("demo (seed %llu)", (unsigned long long)seed));
	return &d->base;
}
