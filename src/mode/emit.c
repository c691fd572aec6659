#include "config.h"
#include "emit.h"
#include "lib/buf.h"
#include "lib/redisurl.h"
#include "source/redis.h"
#include "lib/xalloc.h"

#include <cJSON.h>
#include <hiredis.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define LH_EMIT_TIMEOUT_S 3
#define LH_EMIT_MAX_LINE (64 * 1024 * 1024)

/* Python's json.dumps: ", " and ": " separators, ensure_ascii escapes. */
static void lh_py_string(struct lh_buf *b, const char *s)
{
	lh_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': lh_buf_puts(b, "\\\""); continue;
		case '\\': lh_buf_puts(b, "\\\\"); continue;
		case '\n': lh_buf_puts(b, "\\n"); continue;
		case '\r': lh_buf_puts(b, "\\r"); continue;
		case '\t': lh_buf_puts(b, "\\t"); continue;
		case '\b': lh_buf_puts(b, "\\b"); continue;
		case '\f': lh_buf_puts(b, "\\f"); continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			lh_buf_printf(b, "\\u%04x", *p);
			continue;
		}
		if (*p < 0x80) {
			lh_buf_putc(b, (char)*p);
			continue;
		}
		/* Decode UTF-8 and write \uXXXX (surrogate pairs above U+FFFF). */
		unsigned cp = 0, n = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
		cp = *p & (0x3f >> n);
		for (unsigned i = 0; i < n && p[1]; i++)
			cp = (cp << 6) | (*++p & 0x3f);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			lh_buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		} else {
			lh_buf_printf(b, "\\u%04x", cp);
		}
	}
	lh_buf_putc(b, '"');
}

static void lh_py_dump(struct lh_buf *b, const cJSON *v)
{
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		bool obj = cJSON_IsObject(v);
		lh_buf_putc(b, obj ? '{' : '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				lh_buf_puts(b, ", ");
			if (obj) {
				lh_py_string(b, c->string);
				lh_buf_puts(b, ": ");
			}
			lh_py_dump(b, c);
		}
		lh_buf_putc(b, obj ? '}' : ']');
	} else if (cJSON_IsString(v)) {
		lh_py_string(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 9e15)
			lh_buf_printf(b, "%lld", (long long)d);
		else
			lh_buf_printf(b, "%.17g", d);
	} else {
		lh_buf_puts(b, cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null");
	}
}

/* datetime.now().isoformat(): no zone; no fraction when it is zero. */
static char *lh_py_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	localtime_r(&tv.tv_sec, &tm);
	char frac[16] = "";
	if (tv.tv_usec)
		snprintf(frac, sizeof frac, ".%06ld", (long)tv.tv_usec);
	return lh_xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static const char *lh_default_meta(const char *category)
{
	if (strcmp(category, "TOOL_CALL") == 0)
		return "IO_REQ";
	if (strcmp(category, "TOOL_RESULT") == 0)
		return "IO_OK";
	if (strcmp(category, "REASONING") == 0)
		return "PLANNING";
	return "INFO";
}

static void lh_put_key(struct lh_buf *b, const char *key)
{
	lh_buf_puts(b, b->len > 1 ? ", " : "");
	lh_py_string(b, key);
	lh_buf_puts(b, ": ");
}

static void lh_put_str(struct lh_buf *b, const char *key, const char *value)
{
	lh_put_key(b, key);
	lh_py_string(b, value);
}

/* Builds the event from the flags, in the service's field order. */
static int lh_emit_build(const struct lh_emit_options *e, struct lh_buf *b)
{
	cJSON *args = NULL;
	if (e->args) {
		args = cJSON_Parse(e->args);
		if (!cJSON_IsObject(args)) {
			fprintf(stderr, "livehud: --args must be a JSON object: %s\n", e->args);
			cJSON_Delete(args);
			return 2;
		}
	}
	const char *category = e->category ? e->category : (e->tool ? "TOOL_CALL" : "INFO");
	struct lh_buf msg = LH_BUF_INIT;
	if (e->message) {
		lh_buf_puts(&msg, e->message);
	} else if (strcmp(category, "TOOL_CALL") == 0 && e->tool) {
		/* The service: f"{tool}({json.dumps(args)[:50]}...)" */
		struct lh_buf a = LH_BUF_INIT;
		if (args)
			lh_py_dump(&a, args);
		else
			lh_buf_puts(&a, "{}");
		lh_buf_printf(&msg, "%s(%.50s...)", e->tool, lh_buf_str(&a));
		lh_buf_free(&a);
	}
	char *ts = lh_py_now();
	lh_buf_putc(b, '{');
	lh_put_str(b, "run_id", e->run);
	lh_put_str(b, "agent_id", e->agent ? e->agent : "SYSTEM");
	lh_put_str(b, "category", category);
	lh_put_str(b, "message", lh_buf_str(&msg));
	lh_put_str(b, "metadata", e->meta ? e->meta : lh_default_meta(category));
	lh_put_str(b, "timestamp", ts);
	if (e->tool)
		lh_put_str(b, "tool_name", e->tool);
	if (args) {
		lh_put_key(b, "args");
		lh_py_dump(b, args);
	}
	if (e->duration_ms >= 0) {
		lh_put_key(b, "duration_ms");
		lh_buf_printf(b, "%lld", e->duration_ms);
	}
	if (e->call_id)
		lh_put_str(b, "call_id", e->call_id);
	lh_buf_putc(b, '}');
	free(ts);
	lh_buf_free(&msg);
	cJSON_Delete(args);
	return 0;
}

/* A JSONL line from stdin: any JSON object; a missing timestamp is filled. */
static int lh_emit_line(const char *line, struct lh_buf *b)
{
	cJSON *obj = cJSON_Parse(line);
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return -1;
	}
	if (!cJSON_GetObjectItemCaseSensitive(obj, "timestamp")) {
		char *ts = lh_py_now();
		cJSON_AddStringToObject(obj, "timestamp", ts);
		free(ts);
	}
	lh_py_dump(b, obj);
	cJSON_Delete(obj);
	return 0;
}

/* redis+sentinel://: the first sentinel that knows the master says where
 * it is; u's host and port become the master's. */
static int lh_emit_ask_sentinels(struct lh_redis_url *u, struct timeval tv)
{
	for (size_t i = 0; i < u->nsentinels; i++) {
		const struct lh_redis_hostport *sp = &u->sentinels[i];
		redisContext *c = redisConnectWithTimeout(sp->host, sp->port, tv);
		redisReply *r = NULL;
		if (c && !c->err && redisSetTimeout(c, tv) == REDIS_OK)
			r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", u->master);
		bool found = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
			     r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING;
		if (found) {
			free(u->host);
			u->host = lh_xstrdup(r->element[0]->str);
			u->port = atoi(r->element[1]->str);
		} else {
			fprintf(stderr, "livehud: sentinel %s:%d: %s\n", sp->host, sp->port,
				!c || c->err ? (c ? c->errstr : "out of memory")
				: r && r->type == REDIS_REPLY_ERROR ? r->str : "does not know the master");
		}
		freeReplyObject(r);
		redisFree(c);
		if (found)
			return 0;
	}
	fprintf(stderr, "livehud: no sentinel knows where master %s is\n", u->master);
	return -1;
}

static redisContext *lh_emit_connect(const char *url)
{
	struct lh_redis_url u;
	const char *cause;
	if (lh_redis_url_parse(url, &u, &cause) < 0) {
		fprintf(stderr, "livehud: bad Redis URL '%s': %s\n", url, cause);
		return NULL;
	}
	struct timeval tv = { LH_EMIT_TIMEOUT_S, 0 };
	char *shown = lh_redis_url_display(&u);
	redisContext *c = NULL;
	if (u.master && lh_emit_ask_sentinels(&u, tv) < 0)
		goto fail;
	c = u.path ? redisConnectUnixWithTimeout(u.path, tv) : redisConnectWithTimeout(u.host, u.port, tv);
	if (!c || c->err) {
		fprintf(stderr, "livehud: cannot connect to %s: %s\n", shown,
			c ? c->errstr : "out of memory");
		goto fail;
	}
	redisSetTimeout(c, tv);
	if (u.password) {
		redisReply *r = u.user ? redisCommand(c, "AUTH %s %s", u.user, u.password)
				       : redisCommand(c, "AUTH %s", u.password);
		bool ok = r && r->type != REDIS_REPLY_ERROR;
		if (!ok)
			fprintf(stderr, "livehud: AUTH failed on %s: %s\n", shown,
				r ? r->str : c->errstr);
		freeReplyObject(r);
		if (!ok)
			goto fail;
	}
	if (u.db) {
		redisReply *r = redisCommand(c, "SELECT %d", u.db);
		bool ok = r && r->type != REDIS_REPLY_ERROR;
		if (!ok)
			fprintf(stderr, "livehud: SELECT %d failed on %s: %s\n", u.db, shown, r ? r->str : c->errstr);
		freeReplyObject(r);
		if (!ok)
			goto fail;
	}
	free(shown);
	lh_redis_url_clear(&u);
	return c;
fail:
	free(shown);
	lh_redis_url_clear(&u);
	redisFree(c);
	return NULL;
}

/* Where each event goes: a channel, a stream, or both at once. */
struct lh_emit_target {
	const char *channel; /* NULL: the stream only */
	const char *stream;  /* NULL: the channel only */
	char maxlen[24];
};

static void lh_emit_failed(redisContext *c, const redisReply *r, const char *what)
{
	fprintf(stderr, "livehud: %s failed: %s\n", what,
		r && r->type == REDIS_REPLY_ERROR ? r->str : c->err ? c->errstr : "unexpected reply");
}

static void lh_emit_append(redisContext *c, const struct lh_emit_target *t, const char *data, size_t len)
{
	if (t->stream) {
		const char *argv[8] = { "XADD", t->stream, "MAXLEN", "~", t->maxlen, "*", "data", data };
		size_t lens[8];
		for (int i = 0; i < 7; i++)
			lens[i] = strlen(argv[i]);
		lens[7] = len;
		redisAppendCommandArgv(c, 8, argv, lens);
	}
	if (t->channel) {
		const char *argv[3] = { "PUBLISH", t->channel, data };
		size_t lens[3] = { 7, strlen(t->channel), len };
		redisAppendCommandArgv(c, 3, argv, lens);
	}
}

/* The last reply of one event: subscribers reached (0 for the stream
 * alone), or -1. */
static long long lh_emit_result(redisContext *c, const struct lh_emit_target *t, const redisReply *r)
{
	const redisReply *last = r;
	if (t->stream && t->channel) /* EXEC: [entry id, subscribers] */
		last = r->type == REDIS_REPLY_ARRAY && r->elements == 2 ? r->element[1] : NULL;
	if (last && t->channel && last->type == REDIS_REPLY_INTEGER)
		return last->integer;
	if (last && !t->channel && last->type == REDIS_REPLY_STRING)
		return 0;
	lh_emit_failed(c, last ? last : r, t->stream ? "XADD" : "PUBLISH");
	return -1;
}

/* Sends one event; returns the number of subscribers that received it (0
 * for the stream alone), or -1 when Redis failed. Stream and channel
 * together go in one MULTI/EXEC, so a reader of either sees every event. */
static long long lh_emit_send(redisContext *c, const struct lh_emit_target *t, const char *data, size_t len)
{
	bool both = t->stream && t->channel;
	if (both)
		redisAppendCommand(c, "MULTI");
	lh_emit_append(c, t, data, len);
	if (both)
		redisAppendCommand(c, "EXEC");
	int replies = both ? 4 : 1;
	long long n = -1;
	for (int i = 0; i < replies; i++) {
		redisReply *r = NULL;
		if (redisGetReply(c, (void **)&r) != REDIS_OK) {
			lh_emit_failed(c, NULL, t->stream ? "XADD" : "PUBLISH");
			return -1;
		}
		if (i == replies - 1) /* an error queued before makes EXEC fail too */
			n = lh_emit_result(c, t, r);
		freeReplyObject(r);
	}
	return n;
}

static void lh_emit_report(const struct lh_emit_target *t, long long events, long long deliveries)
{
	if (t->stream)
		printf("appended %lld event%s to stream %s", events, events == 1 ? "" : "s", t->stream);
	if (t->stream && t->channel)
		fputs(", ", stdout);
	if (t->channel)
		printf("published %lld event%s, %lld deliver%s", events, events == 1 ? "" : "s", deliveries,
		       deliveries == 1 ? "y" : "ies");
	putchar('\n');
}

static int lh_emit_stdin(redisContext *c, const struct lh_emit_target *t, bool raw)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long long events = 0, deliveries = 0, lineno = 0;
	int status = 0;
	struct lh_buf b = LH_BUF_INIT;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		lh_buf_reset(&b);
		if (!raw && lh_emit_line(line, &b) < 0) {
			fprintf(stderr, "livehud: line %lld is not a JSON object; skipped\n", lineno);
			status = 1;
			continue;
		}
		long long got = raw ? lh_emit_send(c, t, line, (size_t)n) : lh_emit_send(c, t, b.data, b.len);
		if (got < 0) {
			status = 1;
			break;
		}
		events++;
		deliveries += got;
	}
	lh_emit_report(t, events, deliveries);
	free(line);
	lh_buf_free(&b);
	return status;
}

int lh_emit_main(const struct lh_options *o)
{
	const struct lh_emit_options *e = &o->emit;
	bool single = e->run || e->category || e->message || e->tool || e->args;
	if (single && !e->run) {
		fputs("livehud: --run is required\nTry 'livehud --help'.\n", stderr);
		return 2;
	}
	struct lh_buf b = LH_BUF_INIT;
	if (single) {
		int rc = lh_emit_build(e, &b);
		if (rc) {
			lh_buf_free(&b);
			return rc;
		}
	}
	struct lh_emit_target t = { o->nchannels ? o->channels[0] : LH_REDIS_DEFAULT_CHANNEL, o->stream, "" };
	if (o->stream && !o->nchannels)
		t.channel = NULL;
	snprintf(t.maxlen, sizeof t.maxlen, "%zu", o->maxlen);
	redisContext *c = lh_emit_connect(o->redis_url);
	if (!c) {
		lh_buf_free(&b);
		return 1;
	}
	int status;
	if (single) {
		long long got = lh_emit_send(c, &t, b.data, b.len);
		if (got >= 0 && t.stream)
			printf("appended to stream %s%s", t.stream, t.channel ? ", " : "\n");
		if (got >= 0 && t.channel)
			printf("published to %lld subscriber%s\n", got, got == 1 ? "" : "s");
		status = got >= 0 ? 0 : 1;
	} else {
		status = lh_emit_stdin(c, &t, e->raw);
	}
	redisFree(c);
	lh_buf_free(&b);
	return status;
}
