#include "config.h"
#include "options.h"
#include "core/event.h"
#include "lib/redact.h"
#include "lib/redisurl.h"
#include "source/recorder.h"
#include "source/redis.h"
#include "core/store.h"
#include "lib/buf.h"
#include "lib/readfile.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#define LH_CONFIG_MAX_BYTES (1024 * 1024)

static const char lh_usage[] =
"Usage: livehud [OPTIONS]              watch live agent logs\n"
"       livehud emit [OPTIONS]         publish an event (or JSONL from stdin)\n"
"       livehud bridge [OPTIONS]       serve the events over WebSocket\n"
"\n"
"Sources (one of; Redis is the default):\n"
"  -r, --redis URL        Redis to subscribe to: redis://[user:pass@]host[:port][/db]\n"
"                         or unix:///path (default $REDIS_URL, else " LH_REDIS_DEFAULT_URL "),\n"
"                         or through Sentinel, following failovers:\n"
"                         redis+sentinel://[user:pass@]host[:port][,host[:port]...]/MASTER[/db]\n"
"  -c, --channel NAME     channel to subscribe to; repeatable; a glob pattern\n"
"                         (*, ?, [..]) uses PSUBSCRIBE (default " LH_REDIS_DEFAULT_CHANNEL ")\n"
"      --redis-timeout S  after S seconds with nothing from Redis, PING it; no answer\n"
"                         in 2 s more marks it stalled and reconnects (default 5; 0: never)\n"
"      --stream KEY       read the Redis Stream KEY instead of Pub/Sub: nothing is lost\n"
"                         while away, it resumes where it left off (--channel is then\n"
"                         for emit only)\n"
"      --backlog N|all    with --stream, the last N entries first (default 1000; the\n"
"                         bridge: all)\n"
"  -w, --ws URL           the kernel's or a bridge's WebSocket: ws[s]://host:port, or\n"
"                         one run's ws[s]://host:port/ws/runtime/RUN_ID\n"
"      --run ID           with a bare --ws URL, watch this run (else every run)\n"
"      --token SECRET     send Authorization: Bearer SECRET to the WebSocket\n"
"      --ca FILE          trust these CA certificates for wss:// (default: the system's)\n"
"      --insecure         do not check the wss:// certificate (shown as a warning)\n"
"      --kernel URL       the kernel's HTTP API, for A (approve) and X (stop) in the\n"
"                         HUD: http[s]://host:port (default: from --ws, ws->http);\n"
"                         --token, --ca and --insecure apply to it too\n"
"  -f, --file PATH        read JSONL events from PATH ('-' for stdin)\n"
"  -F, --follow           with --file, keep reading as the file grows\n"
"      --demo             a simulated multi-agent run, generated in-process\n"
"      --seed N           make the demo repeatable\n"
"      --speed X          run the demo X times faster (default 1)\n"
"\n"
"Output (on a terminal, the HUD: press ? in it for every key):\n"
"  -p, --plain            one line per event (the default when stdout is not a terminal)\n"
"  -j, --json             normalized events as JSON Lines\n"
"                         (from --file both wait for a slow reader; from a live\n"
"                         source lines past 16 MiB behind are dropped, counted)\n"
"      --ascii            ASCII marks instead of UTF-8 (also in non-UTF-8 locales)\n"
"      --theme NAME|PATH  HUD colors: dark (default), light, mono, or a theme file\n"
"      --no-color         no colors, attributes only (also when NO_COLOR is set)\n"
"      --bell WHEN        ring the terminal's bell when a run starts waiting for\n"
"                         approval (approval, the default), also on errors (errors),\n"
"                         or never (none)\n"
"\n"
"Limits:\n"
"      --max-events N     events kept in memory; the oldest are evicted (default 100000)\n"
"      --max-bytes N      larger payloads are rejected (default 1048576)\n"
"\n"
"      --config PATH      read defaults from PATH (default\n"
"                         $XDG_CONFIG_HOME/livehud/config); lines are option = value\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"livehud emit: publish one event built from options, in the shape the agent\n"
"service publishes, or with no --message/--tool/--category, JSONL from stdin.\n"
"      --run ID           run_id (required for a single event)\n"
"      --agent ID         agent_id (default SYSTEM)\n"
"      --category CAT     TOOL_CALL, TOOL_RESULT, REASONING, THOUGHT, ...\n"
"      --message TEXT     message (for TOOL_CALL default: tool(args...))\n"
"      --meta TAG         metadata (default from the category: IO_REQ, IO_OK, PLANNING, INFO)\n"
"      --tool NAME        tool_name\n"
"      --args JSON        args, a JSON object\n"
"      --duration-ms N    duration_ms of a TOOL_RESULT\n"
"      --call-id ID       call_id, to pair a result with its call\n"
"      --raw              publish stdin lines exactly as they are, unchecked\n"
"      --stream KEY       append to the stream KEY (XADD, field data) instead; with\n"
"                         --channel, publish there too, atomically (MULTI/EXEC)\n"
"      --maxlen N         keep the stream at about N entries (default 100000)\n"
"      -r/--redis and -c/--channel as above (one channel)\n"
"\n"
"livehud bridge: subscribe to Redis and serve every run's events over WebSocket\n"
"(GET /ws/runtime/RUN_ID, /ws/runs), with /health and /metrics.\n"
"      --listen HOST:PORT     where to listen (default 127.0.0.1:3001)\n"
"      --history N            events kept per run for resuming (default 1000)\n"
"      --history-bytes N      bytes those events may take, all runs together; past it\n"
"                             the least recently active runs lose their oldest first\n"
"                             (default 67108864)\n"
"      --max-runs N           runs kept; the least recently active go (default 1000)\n"
"      --max-clients N        WebSocket connections at most (default 10000)\n"
"      --client-queue N       frames queued per client before its oldest drop (default 4096)\n"
"      --client-queue-bytes N bytes queued per client (default 8388608)\n"
"      --max-frame N          largest message a client may send (default 65536); a\n"
"                             larger one closes it (1009), a frame breaking RFC 6455\n"
"                             too (1002; text not UTF-8: 1007)\n"
"      --ping-interval S      seconds between pings on idle connections (default 30)\n"
"      --token SECRET         require Authorization: Bearer SECRET or ?token=SECRET\n"
"      --token-file PATH      the same, with the secret read from PATH\n"
"      --allow-origin ORIGIN  browser origins allowed (repeatable; default any)\n"
"      --tls-cert PATH        serve wss:// and https:// with this certificate...\n"
"      --tls-key PATH         ...and this key\n"
"      --log-json             log lines as JSON objects\n"
"      --verbose              also log what libwebsockets itself says\n"
"      --version              show the version\n"
"      --config PATH          read options from PATH, one 'option = value' a line\n"
"                             (only when given; the command line wins)\n"
"      -r/--redis, -c/--channel, --redis-timeout, --stream, --backlog and --max-bytes\n"
"                             as above; with --stream, seq and epoch come from the\n"
"                             stream, the same on every bridge serving it\n"
"\n"
"livehud record --stream KEY: subscribe to the channels (-c, default raro:live_logs)\n"
"and append every accepted payload to the stream KEY, for producers that only\n"
"PUBLISH. Run several: one writes at a time (a lease in Redis, KEY:recorder), the\n"
"others hold the recent payloads and take over within a second, appending first\n"
"what the stream lacks.\n"
"      --hold N           payloads a recorder holds for a takeover (default 10000)\n"
"      --log-json         log lines as JSON objects\n"
"      -r/--redis, -c/--channel, --redis-timeout, --maxlen and --max-bytes as above\n"
"\n"
"Environment: REDIS_URL (default Redis URL), NO_COLOR, LC_ALL/LC_CTYPE/LANG, TMPDIR (where\n"
"the HUD keeps payloads as received, for Y, S and the detail; those of a --file it\n"
"reads back from the file).\n"
"Exit status: 0 success, 1 failure (Redis unreachable, file unreadable), 2 bad usage.\n";

enum {
	OPT_DEMO = 256, OPT_SEED, OPT_SPEED, OPT_ASCII, OPT_MAX_EVENTS, OPT_MAX_BYTES,
	OPT_THEME, OPT_NO_COLOR, OPT_CONFIG,
	OPT_LISTEN, OPT_HISTORY, OPT_HISTORY_BYTES, OPT_MAX_RUNS, OPT_MAX_CLIENTS, OPT_QUEUE, OPT_QUEUE_BYTES,
	OPT_MAX_FRAME, OPT_PING, OPT_TOKEN, OPT_TOKEN_FILE, OPT_ORIGIN, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_LOG_JSON, OPT_WS_RUN, OPT_CA, OPT_INSECURE, OPT_REDIS_TIMEOUT, OPT_VERBOSE,
	OPT_RUN, OPT_AGENT, OPT_CATEGORY, OPT_MESSAGE, OPT_META, OPT_TOOL, OPT_ARGS,
	OPT_DURATION, OPT_CALL_ID, OPT_RAW, OPT_KERNEL, OPT_BELL, OPT_STREAM, OPT_BACKLOG, OPT_MAXLEN,
	OPT_HOLD,
};

static const struct option lh_long_opts[] = {
	{ "redis", required_argument, NULL, 'r' },
	{ "channel", required_argument, NULL, 'c' },
	{ "redis-timeout", required_argument, NULL, OPT_REDIS_TIMEOUT },
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "backlog", required_argument, NULL, OPT_BACKLOG },
	{ "file", required_argument, NULL, 'f' },
	{ "follow", no_argument, NULL, 'F' },
	{ "ws", required_argument, NULL, 'w' },
	{ "run", required_argument, NULL, OPT_WS_RUN },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "bell", required_argument, NULL, OPT_BELL },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "speed", required_argument, NULL, OPT_SPEED },
	{ "plain", no_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "max-events", required_argument, NULL, OPT_MAX_EVENTS },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const struct option lh_emit_opts[] = {
	{ "redis", required_argument, NULL, 'r' },
	{ "channel", required_argument, NULL, 'c' },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "agent", required_argument, NULL, OPT_AGENT },
	{ "category", required_argument, NULL, OPT_CATEGORY },
	{ "message", required_argument, NULL, OPT_MESSAGE },
	{ "meta", required_argument, NULL, OPT_META },
	{ "tool", required_argument, NULL, OPT_TOOL },
	{ "args", required_argument, NULL, OPT_ARGS },
	{ "duration-ms", required_argument, NULL, OPT_DURATION },
	{ "call-id", required_argument, NULL, OPT_CALL_ID },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "maxlen", required_argument, NULL, OPT_MAXLEN },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option lh_bridge_opts[] = {
	{ "redis", required_argument, NULL, 'r' },
	{ "channel", required_argument, NULL, 'c' },
	{ "redis-timeout", required_argument, NULL, OPT_REDIS_TIMEOUT },
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "backlog", required_argument, NULL, OPT_BACKLOG },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "history-bytes", required_argument, NULL, OPT_HISTORY_BYTES },
	{ "max-runs", required_argument, NULL, OPT_MAX_RUNS },
	{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
	{ "client-queue", required_argument, NULL, OPT_QUEUE },
	{ "client-queue-bytes", required_argument, NULL, OPT_QUEUE_BYTES },
	{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
	{ "ping-interval", required_argument, NULL, OPT_PING },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "allow-origin", required_argument, NULL, OPT_ORIGIN },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "log-json", no_argument, NULL, OPT_LOG_JSON },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const struct option lh_record_opts[] = {
	{ "redis", required_argument, NULL, 'r' },
	{ "channel", required_argument, NULL, 'c' },
	{ "redis-timeout", required_argument, NULL, OPT_REDIS_TIMEOUT },
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "maxlen", required_argument, NULL, OPT_MAXLEN },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "log-json", no_argument, NULL, OPT_LOG_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int lh_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void lh_options_defaults(struct lh_options *o)
{
	const char *env = getenv("REDIS_URL");
	*o = (struct lh_options){
		.mode = LH_MODE_AUTO,
		.redis_url = env && *env ? env : LH_REDIS_DEFAULT_URL,
		.speed = 1,
		.max_events = LH_STORE_DEFAULT_MAX_EVENTS,
		.max_bytes = LH_EVENT_DEFAULT_MAX_BYTES,
		.redis_timeout_s = LH_REDIS_DEFAULT_SILENCE_S,
		.backlog = LH_STREAM_DEFAULT_BACKLOG,
		.maxlen = LH_STREAM_DEFAULT_MAXLEN,
		.hold = LH_RECORDER_DEFAULT_HOLD,
		.emit = { .duration_ms = -1 },
		.bridge = { .listen = "127.0.0.1:3001", .history = 1000, .history_bytes = 64 << 20,
			    .max_runs = 1000, .max_clients = 10000, .queue_msgs = 4096, .queue_bytes = 8 << 20,
			    .max_frame = 65536, .ping_s = 30 },
	};
	const char *cs = nl_langinfo(CODESET);
	o->ascii = !cs || strcmp(cs, "UTF-8") != 0;
}

/* Who is speaking, for messages: "livehud", or "livehud bridge". */
static const char *lh_me = "livehud";

static enum lh_parse_status lh_bad(FILE *err, const char *opt, const char *arg, const char *want)
{
	fprintf(err, "%s: invalid %s '%s': %s\nTry 'livehud --help'.\n", lh_me, opt, arg, want);
	return LH_OPTS_EXIT_USAGE;
}

static enum lh_parse_status lh_add_channel(struct lh_options *o, const char *name, FILE *err)
{
	if (o->channels_from_config) { /* the command line's channels replace the file's */
		o->channels_from_config = false;
		o->nchannels = 0;
	}
	if (!*name)
		return lh_bad(err, "--channel", name, "a channel name cannot be empty");
	if (o->nchannels == LH_MAX_CHANNELS)
		return lh_bad(err, "--channel", name, "at most 32 channels");
	o->channels[o->nchannels++] = name;
	return LH_OPTS_RUN;
}

static enum lh_parse_status lh_check_redis(const char *url, FILE *err)
{
	struct lh_redis_url u;
	const char *cause;
	if (lh_redis_url_parse(url, &u, &cause) < 0) {
		char *shown = lh_redact_url(url);
		enum lh_parse_status st = lh_bad(err, "--redis", shown, cause);
		free(shown);
		return st;
	}
	lh_redis_url_clear(&u);
	return LH_OPTS_RUN;
}

static enum lh_parse_status lh_stream_opt(struct lh_options *o, int c, FILE *err)
{
	uint64_t v;
	switch (c) {
	case OPT_STREAM:
		if (!*optarg)
			return lh_bad(err, "--stream", optarg, "a stream key cannot be empty");
		o->stream = optarg;
		break;
	case OPT_BACKLOG:
		o->backlog_given = true;
		if (strcmp(optarg, "all") == 0)
			o->backlog = SIZE_MAX;
		else if (lh_parse_u64(optarg, 0, 10000000, &v) < 0)
			return lh_bad(err, "--backlog", optarg, "a number from 0 to 10000000, or all");
		else
			o->backlog = (size_t)v;
		break;
	case OPT_MAXLEN:
		if (lh_parse_u64(optarg, 1, 1000000000, &v) < 0)
			return lh_bad(err, "--maxlen", optarg, "a number from 1 to 1000000000");
		o->maxlen = (size_t)v;
		break;
	}
	return LH_OPTS_RUN;
}

static enum lh_parse_status lh_emit_opt(struct lh_options *o, int c, FILE *out, FILE *err)
{
	struct lh_emit_options *e = &o->emit;
	uint64_t v;
	switch (c) {
	case 'r': o->redis_url = optarg; return lh_check_redis(optarg, err);
	case 'c': return lh_add_channel(o, optarg, err);
	case OPT_RUN: e->run = optarg; break;
	case OPT_AGENT: e->agent = optarg; break;
	case OPT_CATEGORY: e->category = optarg; break;
	case OPT_MESSAGE: e->message = optarg; break;
	case OPT_META: e->meta = optarg; break;
	case OPT_TOOL: e->tool = optarg; break;
	case OPT_ARGS: e->args = optarg; break;
	case OPT_CALL_ID: e->call_id = optarg; break;
	case OPT_RAW: e->raw = true; break;
	case OPT_STREAM: case OPT_MAXLEN: return lh_stream_opt(o, c, err);
	case OPT_DURATION:
		if (lh_parse_u64(optarg, 0, 1000000000000ULL, &v) < 0)
			return lh_bad(err, "--duration-ms", optarg, "a whole number of milliseconds");
		e->duration_ms = (long long)v;
		break;
	case 'h': fputs(lh_usage, out); return LH_OPTS_EXIT_OK;
	default: fputs("Try 'livehud --help'.\n", err); return LH_OPTS_EXIT_USAGE;
	}
	return LH_OPTS_RUN;
}

/* A size option: N from min to max into *out. */
static enum lh_parse_status lh_size_opt(const char *name, uint64_t min, uint64_t max, size_t *out,
					FILE *err)
{
	uint64_t v;
	if (lh_parse_u64(optarg, min, max, &v) < 0) {
		char want[96];
		snprintf(want, sizeof want, "a number from %llu to %llu", (unsigned long long)min,
			 (unsigned long long)max);
		return lh_bad(err, name, optarg, want);
	}
	*out = (size_t)v;
	return LH_OPTS_RUN;
}

static enum lh_parse_status lh_bridge_opt(struct lh_options *o, int c, FILE *out, FILE *err)
{
	struct lh_bridge_options *b = &o->bridge;
	size_t v;
	enum lh_parse_status st = LH_OPTS_RUN;
	switch (c) {
	case 'r': o->redis_url = optarg; return lh_check_redis(optarg, err);
	case 'c': return lh_add_channel(o, optarg, err);
	case OPT_MAX_BYTES: return lh_size_opt("--max-bytes", 64, 512 << 20, &o->max_bytes, err);
	case OPT_REDIS_TIMEOUT: return lh_size_opt("--redis-timeout", 0, 3600, &o->redis_timeout_s, err);
	case OPT_STREAM: case OPT_BACKLOG: return lh_stream_opt(o, c, err);
	case OPT_LISTEN: b->listen = optarg; break;
	case OPT_HISTORY: return lh_size_opt("--history", 0, 1000000, &b->history, err);
	case OPT_HISTORY_BYTES:
		return lh_size_opt("--history-bytes", 0, 1ULL << 40, &b->history_bytes, err);
	case OPT_MAX_RUNS: return lh_size_opt("--max-runs", 1, 1000000, &b->max_runs, err);
	case OPT_MAX_CLIENTS: return lh_size_opt("--max-clients", 1, 1000000, &b->max_clients, err);
	case OPT_QUEUE: return lh_size_opt("--client-queue", 1, 1000000, &b->queue_msgs, err);
	case OPT_QUEUE_BYTES: return lh_size_opt("--client-queue-bytes", 1024, 1ULL << 32, &b->queue_bytes, err);
	case OPT_MAX_FRAME: return lh_size_opt("--max-frame", 16, 16 << 20, &b->max_frame, err);
	case OPT_PING:
		st = lh_size_opt("--ping-interval", 0, 3600, &v, err);
		b->ping_s = (unsigned)v;
		break;
	case OPT_TOKEN:
		if (!*optarg)
			return lh_bad(err, "--token", optarg, "an empty token would let anyone in");
		b->token = optarg;
		break;
	case OPT_TOKEN_FILE: b->token_file = optarg; break;
	case OPT_ORIGIN:
		if (b->norigins == LH_MAX_ORIGINS)
			return lh_bad(err, "--allow-origin", optarg, "at most 16 origins");
		b->origins[b->norigins++] = optarg;
		break;
	case OPT_TLS_CERT: b->tls_cert = optarg; break;
	case OPT_TLS_KEY: b->tls_key = optarg; break;
	case OPT_LOG_JSON: o->log_json = true; break;
	case OPT_VERBOSE: b->verbose = true; break;
	case OPT_CONFIG: break; /* read before everything else */
	case 'h': fputs(lh_usage, out); return LH_OPTS_EXIT_OK;
	case 'V': fprintf(out, "livehud %s\n", PACKAGE_VERSION); return LH_OPTS_EXIT_OK;
	default: fputs("Try 'livehud --help'.\n", err); return LH_OPTS_EXIT_USAGE;
	}
	return st;
}

static enum lh_parse_status lh_record_opt(struct lh_options *o, int c, FILE *out, FILE *err)
{
	switch (c) {
	case 'r': o->redis_url = optarg; return lh_check_redis(optarg, err);
	case 'c': return lh_add_channel(o, optarg, err);
	case OPT_MAX_BYTES: return lh_size_opt("--max-bytes", 64, 512 << 20, &o->max_bytes, err);
	case OPT_REDIS_TIMEOUT: return lh_size_opt("--redis-timeout", 0, 3600, &o->redis_timeout_s, err);
	case OPT_STREAM: case OPT_MAXLEN: return lh_stream_opt(o, c, err);
	case OPT_HOLD: return lh_size_opt("--hold", 1, 10000000, &o->hold, err);
	case OPT_LOG_JSON: o->log_json = true; break;
	case 'h': fputs(lh_usage, out); return LH_OPTS_EXIT_OK;
	case 'V': fprintf(out, "livehud %s\n", PACKAGE_VERSION); return LH_OPTS_EXIT_OK;
	default: fputs("Try 'livehud --help'.\n", err); return LH_OPTS_EXIT_USAGE;
	}
	return LH_OPTS_RUN;
}

static enum lh_parse_status lh_main_opt(struct lh_options *o, int c, FILE *out, FILE *err)
{
	uint64_t v;
	char *end;
	switch (c) {
	case 'r': o->redis_url = optarg; return lh_check_redis(optarg, err);
	case 'c': return lh_add_channel(o, optarg, err);
	case 'f': o->file = optarg; break;
	case 'F': o->follow = true; break;
	case 'w': o->ws_url = optarg; break;
	case OPT_WS_RUN: o->ws_run = optarg; break;
	case OPT_REDIS_TIMEOUT: return lh_size_opt("--redis-timeout", 0, 3600, &o->redis_timeout_s, err);
	case OPT_STREAM: case OPT_BACKLOG: return lh_stream_opt(o, c, err);
	case OPT_TOKEN:
		if (!*optarg)
			return lh_bad(err, "--token", optarg, "a token cannot be empty");
		o->ws_token = optarg;
		break;
	case OPT_CA: o->ws_ca = optarg; break;
	case OPT_INSECURE: o->ws_insecure = true; break;
	case OPT_KERNEL:
		if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0)
			return lh_bad(err, "--kernel", optarg, "an http:// or https:// URL");
		o->kernel_url = optarg;
		break;
	case OPT_BELL:
		if (strcmp(optarg, "approval") == 0)
			o->bell = LH_BELL_APPROVAL;
		else if (strcmp(optarg, "errors") == 0)
			o->bell = LH_BELL_ERRORS;
		else if (strcmp(optarg, "none") == 0)
			o->bell = LH_BELL_NONE;
		else
			return lh_bad(err, "--bell", optarg, "approval, errors or none");
		break;
	case 'p': o->mode = LH_MODE_PLAIN; break;
	case 'j': o->mode = LH_MODE_JSON; break;
	case OPT_DEMO: o->demo = true; break;
	case OPT_ASCII: o->ascii = true; break;
	case OPT_THEME: o->theme = optarg; break;
	case OPT_NO_COLOR: o->no_color = true; break;
	case OPT_SEED:
		if (lh_parse_u64(optarg, 0, UINT64_MAX, &o->seed) < 0)
			return lh_bad(err, "--seed", optarg, "a whole number");
		break;
	case OPT_SPEED:
		o->speed = strtod(optarg, &end);
		if (*end || !(o->speed >= 0.01 && o->speed <= 10000))
			return lh_bad(err, "--speed", optarg, "a number from 0.01 to 10000");
		break;
	case OPT_MAX_EVENTS:
		if (lh_parse_u64(optarg, 1, 100000000, &v) < 0)
			return lh_bad(err, "--max-events", optarg, "a number from 1 to 100000000");
		o->max_events = (size_t)v;
		break;
	case OPT_MAX_BYTES:
		if (lh_parse_u64(optarg, 64, 512 * 1024 * 1024, &v) < 0)
			return lh_bad(err, "--max-bytes", optarg, "a number from 64 to 536870912");
		o->max_bytes = (size_t)v;
		break;
	case OPT_CONFIG: break; /* read before everything else */
	case 'h': fputs(lh_usage, out); return LH_OPTS_EXIT_OK;
	case 'V': fprintf(out, "livehud %s\n", PACKAGE_VERSION); return LH_OPTS_EXIT_OK;
	default: fputs("Try 'livehud --help'.\n", err); return LH_OPTS_EXIT_USAGE;
	}
	return LH_OPTS_RUN;
}

/* The config file named on the command line, or (with fallback) the
 * default one. */
static char *lh_config_path(int argc, char **argv, bool fallback, bool *explicit)
{
	*explicit = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return lh_xstrdup(argv[i + 1]);
		if (strncmp(argv[i], "--config=", 9) == 0)
			return lh_xstrdup(argv[i] + 9);
	}
	*explicit = false;
	if (!fallback)
		return NULL;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		return lh_xasprintf("%s/livehud/config", xdg);
	return home && *home ? lh_xasprintf("%s/.config/livehud/config", home) : NULL;
}

static bool lh_truthy(const char *v, bool *value)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *value = true;
		if (strcmp(v, no[i]) == 0)
			return !(*value = false);
	}
	return false;
}

static char *lh_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && strchr(" \t\r", e[-1]))
		*--e = '\0';
	return s;
}

/* What differs between the modes' command lines. */
struct lh_mode_opts {
	const struct option *table;
	enum lh_parse_status (*apply)(struct lh_options *o, int c, FILE *out, FILE *err);
	bool default_config; /* the user's config file applies without --config */
};

static const struct option *lh_find_option(const struct option *table, const char *name)
{
	for (const struct option *opt = table; opt->name; opt++)
		if (strcmp(opt->name, name) == 0)
			return opt;
	return NULL;
}

/* One "key = value" line of the config file. */
static enum lh_parse_status lh_config_line(struct lh_options *o, const struct lh_mode_opts *m, char *line,
					   const char *path, int lineno, FILE *out, FILE *err)
{
	char *eq = strchr(line, '=');
	char *key = lh_trim(eq ? (*eq = '\0', line) : line), *value = eq ? lh_trim(eq + 1) : NULL;
	const struct option *opt = lh_find_option(m->table, key);
	static const char *const refused[] = { "config", "help", "version" };
	for (int i = 0; opt && i < 3; i++)
		if (strcmp(key, refused[i]) == 0)
			opt = NULL;
	if (!opt || !value) {
		fprintf(err, "%s: %s, line %d: %s '%s'\n", lh_me, path, lineno,
			opt ? "expected 'option = value' for" : "unknown option", key);
		return LH_OPTS_EXIT_USAGE;
	}
	bool on;
	if (opt->has_arg == no_argument) {
		if (!lh_truthy(value, &on)) {
			fprintf(err, "%s: %s, line %d: %s takes true or false, not '%s'\n", lh_me, path, lineno,
				key, value);
			return LH_OPTS_EXIT_USAGE;
		}
		if (!on)
			return LH_OPTS_RUN;
	}
	optarg = value;
	enum lh_parse_status st = m->apply(o, opt->val, out, err);
	if (st != LH_OPTS_RUN)
		fprintf(err, "%s: (in %s, line %d)\n", lh_me, path, lineno);
	return st;
}

static enum lh_parse_status lh_read_config(struct lh_options *o, const struct lh_mode_opts *m, int argc,
					   char **argv, FILE *out, FILE *err)
{
	bool explicit;
	char *path = lh_config_path(argc, argv, m->default_config, &explicit);
	if (!path)
		return LH_OPTS_RUN;
	o->config_text = lh_read_file(path, LH_CONFIG_MAX_BYTES, NULL);
	if (!o->config_text) {
		enum lh_parse_status st = LH_OPTS_RUN;
		if (explicit || errno != ENOENT) {
			fprintf(err, "%s: cannot read config %s: %s\n", lh_me, path,
				errno == EFBIG ? "larger than 1 MB" : strerror(errno));
			st = LH_OPTS_EXIT_USAGE;
		}
		free(path);
		return st;
	}
	enum lh_parse_status st = LH_OPTS_RUN;
	int lineno = 0;
	for (char *line = o->config_text, *next; line && st == LH_OPTS_RUN; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (*lh_trim(line))
			st = lh_config_line(o, m, line, path, lineno, out, err);
	}
	o->channels_from_config = o->nchannels > 0;
	free(path);
	return st;
}

const char *lh_options_prog(const struct lh_options *o)
{
	return o->mode == LH_MODE_BRIDGE ? "livehud bridge" : o->mode == LH_MODE_RECORD ? "livehud record" : "livehud";
}

void lh_options_free(struct lh_options *o)
{
	free(o->config_text);
	o->config_text = NULL;
}

enum lh_parse_status lh_options_parse(struct lh_options *o, int argc, char **argv, FILE *out,
				      FILE *err)
{
	static const struct lh_mode_opts modes[] = {
		{ lh_long_opts, lh_main_opt, true },
		{ lh_emit_opts, lh_emit_opt, false },
		{ lh_bridge_opts, lh_bridge_opt, false },
		{ lh_record_opts, lh_record_opt, false },
	};
	static const char *const names[] = { NULL, "emit", "bridge", "record" };
	size_t mode = 0;
	for (size_t i = 1; i < sizeof names / sizeof *names; i++)
		if (argc > 1 && strcmp(argv[1], names[i]) == 0)
			mode = i;
	lh_options_defaults(o);
	bool emit = mode == 1, bridge = mode == 2, record = mode == 3;
	const struct lh_mode_opts *m = &modes[mode];
	const char *shorts = mode ? "+r:c:h" : "+r:c:f:Fw:pjhV";
	if (mode) {
		o->mode = emit ? LH_MODE_EMIT : bridge ? LH_MODE_BRIDGE : LH_MODE_RECORD;
		argv++;
		argc--;
	}
	lh_me = lh_options_prog(o);
	argv[0] = (char *)lh_me; /* getopt's own messages start with it */
	enum lh_parse_status st = emit || record ? LH_OPTS_RUN : lh_read_config(o, m, argc, argv, out, err);
	if (st != LH_OPTS_RUN)
		return st;
	optind = 1;
	opterr = 1;
	int c;
	while ((c = getopt_long(argc, argv, shorts, m->table, NULL)) != -1) {
		st = m->apply(o, c, out, err);
		if (st != LH_OPTS_RUN)
			return st;
	}
	if (optind < argc) {
		fprintf(err, "%s: unexpected argument '%s'\nTry 'livehud --help'.\n", lh_me, argv[optind]);
		return LH_OPTS_EXIT_USAGE;
	}
	if (record && !o->stream) {
		fprintf(err, "%s: --stream KEY is required: the stream to append to\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (!emit && !bridge && (o->file != NULL) + o->demo + (o->ws_url != NULL) > 1) {
		fprintf(err, "%s: choose one source: --redis, --ws, --file or --demo\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (!bridge && (o->ws_run || o->ws_token || o->ws_ca || o->ws_insecure) && !o->ws_url && !o->kernel_url) {
		fprintf(err, "%s: --run, --token, --ca and --insecure go with --ws or --kernel\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (o->ws_run && !o->ws_url) {
		fprintf(err, "%s: --run goes with --ws\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (!emit && !record && o->stream && (o->file || o->demo || o->ws_url)) {
		fprintf(err, "%s: --stream is a Redis source: not with --ws, --file or --demo\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (!emit && !record && o->stream && o->nchannels && !o->channels_from_config) {
		fprintf(err, "%s: a reader reads --stream or --channel, not both (emit and the recorder take both)\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (o->backlog_given && !o->stream) {
		fprintf(err, "%s: --backlog goes with --stream\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (bridge && o->stream && !o->backlog_given)
		o->backlog = SIZE_MAX; /* its history is the stream's: bounded by --history-bytes */
	if (o->follow && !o->file) {
		fprintf(err, "%s: --follow goes with --file\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (bridge && o->bridge.token && o->bridge.token_file) {
		fprintf(err, "%s: give --token or --token-file, not both\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (bridge && !o->bridge.tls_cert != !o->bridge.tls_key) {
		fprintf(err, "%s: --tls-cert and --tls-key go together\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	if (emit && o->nchannels == 1 && strpbrk(o->channels[0], "*?[")) {
		fprintf(err, "%s: emit publishes to a channel, not a pattern: '%s'\n", lh_me, o->channels[0]);
		return LH_OPTS_EXIT_USAGE;
	}
	if (emit && o->nchannels > 1) {
		fprintf(err, "%s: emit publishes to one channel\n", lh_me);
		return LH_OPTS_EXIT_USAGE;
	}
	return LH_OPTS_RUN;
}
