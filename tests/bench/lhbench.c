/* lhbench: the load tool behind `make bench`.
 *
 * Publishes paced events to Redis (each carrying a sequence number and its
 * monotonic send time) and receives them through raw WebSocket clients (one
 * epoll loop, any number of connections) or as a plain Redis subscriber.
 * Prints one line of key=value results: delivered, lost, reordered,
 * throughput, latency percentiles, and the server's CPU seconds and peak
 * RSS when given its pid (with --direct, the subscriber thread's own CPU).
 *
 *   lhbench --redis-port P --channel CH [--ws-port W | --direct]
 *           [--clients N] [--runs R] [--rate EPS] [--count N | --seconds S]
 *           [--size BYTES] [--prefix RUNPREFIX] [--pid SERVER_PID] [--stream KEY]
 *   lhbench --jsonl --count N [--runs R] [--prefix RUNPREFIX] > FILE
 *
 * The second form writes the same traffic as a JSONL file, with what an
 * agent would say as messages and timestamps 7 ms apart: the HUD's bench
 * file, read also by lnav and jq.
 */
#include "config.h"
#include "lib/hist.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int redis_port, ws_port, clients, runs, size, pid;
	bool direct;
	double rate;
	long count;
	double seconds;
	const char *channel, *prefix;
	const char *stream; /* XADD to this stream instead of PUBLISH; XREAD it with --direct */
	bool jsonl;         /* write --count events to stdout as a JSONL file, and exit */
};

static int epfd; /* the clients' epoll */

struct client {
	int fd;
	int run;
	bool upgraded;
	unsigned char *buf;
	size_t len, cap;
	long received, reordered;
	long last_n;
};

static struct opts O = { .clients = 1, .runs = 1, .size = 300, .count = 0, .prefix = "bench" };
static struct lh_hist lat;
static long total_received, total_reordered;
static volatile int publishing_done;
static long published;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- publishing ---- */

/* Traffic as an agent service makes it: per run, a cycle of eight events
 * of six agents (reasoning, a thought, three calls with args and call_id,
 * two of them overlapping, their results, one in five cycles an error).
 * Every message starts with the event's number and send time. */
static const char *const agents[] = { "researcher", "coder", "critic", "planner", "writer", "verifier" };

/* As the Python service writes it: local time, no zone. Live traffic
 * says now; a file, a run that started 2026-01-08 10:00 with an event
 * every 7 ms. */
static void lh_bench_timestamp(char *out, size_t cap, long n)
{
	struct timespec ts;
	struct tm tm;
	if (O.jsonl)
		ts = (struct timespec){ .tv_sec = 1767866400 + n * 7 / 1000, .tv_nsec = n * 7 % 1000 * 1000000 };
	else
		clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	size_t len = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + len, cap - len, ".%06ld", ts.tv_nsec / 1000);
}

/* What the event at place slot of a cycle says, in a file: what an agent
 * would say (live traffic carries its number and send time instead). */
static const char *said(int slot, long cycle, bool failed)
{
	static char text[200];
	/* each text around the cycle's number */
	static const char *const text_of[8][2] = {
		{ "Cycle ", ": the two sources disagree on tail latency; compare their methods before summarizing." },
		{ "web_search(query='agent tracing ", "', max_results=5)" },
		{ "execute_python(code='df = load(", "); print(len(df))')" },
		{ "The newer result (", ") reports p99, the older one the mean; keep them apart." },
		{ "Found 5 results for 'agent tracing ", "': 3 papers, 2 blog posts." },
		{ "read_file(path='notes/", ".md')" },
		{ "Ran in 1.2 s, printed 4182 (run ", ")." },
		{ "Read 2431 bytes from notes/", ".md." },
	};
	if (failed)
		snprintf(text, sizeof text, "KeyError: 'latency_ms' (cycle %ld): column missing after the merge.", cycle);
	else
		snprintf(text, sizeof text, "%s%ld%s", text_of[slot][0], cycle, text_of[slot][1]);
	return text;
}

static int make_payload(char *buf, size_t cap, long n)
{
	int run = (int)(n % O.runs);
	long k = n / O.runs, cycle = k / 8;
	const char *x = agents[cycle % 6], *y = agents[(cycle + 1) % 6];
	static const char *const category[8] = { "REASONING", "TOOL_CALL", "TOOL_CALL", "THOUGHT",
						 "TOOL_RESULT", "TOOL_CALL", "TOOL_RESULT", "TOOL_RESULT" };
	static const char *const metadata[8] = { "PLANNING", "IO_REQ", "IO_REQ", "INFO",
						 "IO_OK", "IO_REQ", "IO_OK", "IO_OK" };
	const char *who = k % 8 == 2 || k % 8 == 3 || k % 8 == 6 ? y : x;
	/* calls at 1, 2 and 5; their results at 4, 6 and 7 */
	static const char *const tool[8] = { NULL, "web_search", "execute_python", NULL,
					     "web_search", "read_file", "execute_python", "read_file" };
	static const int call_back[8] = { 0, 0, 0, 0, 3, 0, 4, 2 };
	char args[128], extra[256] = "";
	long duration = k % 8 == 4 ? 300 + cycle % 900 : k % 8 == 6 ? 1200 + cycle % 3000 : 5 + cycle % 40;
	if (k % 8 == 1)
		snprintf(args, sizeof args, "{\"query\":\"agent tracing %ld\",\"max_results\":5}", cycle);
	else if (k % 8 == 2)
		snprintf(args, sizeof args, "{\"code\":\"import pandas as pd\\nprint(len(df))\"}");
	else
		snprintf(args, sizeof args, "{\"path\":\"notes/%ld.md\"}", cycle);
	if (tool[k % 8] && !call_back[k % 8])
		snprintf(extra, sizeof extra, ",\"tool_name\":\"%s\",\"args\":%s,\"call_id\":\"c%ld\"", tool[k % 8],
			 args, k);
	else if (tool[k % 8])
		snprintf(extra, sizeof extra, ",\"tool_name\":\"%s\",\"duration_ms\":%ld,\"call_id\":\"c%ld\"",
			 tool[k % 8], duration, k - call_back[k % 8]);
	char when[40];
	lh_bench_timestamp(when, sizeof when, n);
	bool failed = k % 8 == 6 && cycle % 5 == 0;
	int len = snprintf(buf, cap,
			   "{\"run_id\":\"%s-%d\",\"agent_id\":\"%s\",\"category\":\"%s\",\"metadata\":\"%s\"%s,"
			   "\"timestamp\":\"%s\",\"message\":\"",
			   O.prefix, run, who, category[k % 8], failed ? "IO_ERR" : metadata[k % 8], extra, when);
	if (O.jsonl)
		return len + snprintf(buf + len, cap - (size_t)len, "%s\"}", said(k % 8, cycle, failed));
	len += snprintf(buf + len, cap - (size_t)len, "n=%ld t=%lld ", n, (long long)now_ns());
	while (len < O.size - 2 && (size_t)len < cap - 3)
		buf[len++] = 'x';
	buf[len++] = '"';
	buf[len++] = '}';
	buf[len] = '\0';
	return len;
}

static int write_jsonl(void)
{
	char buf[1024];
	for (long n = 0; n < O.count; n++) {
		int len = make_payload(buf, sizeof buf - 1, n);
		buf[len++] = '\n';
		if (fwrite(buf, 1, (size_t)len, stdout) != (size_t)len)
			return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

static void *publisher(void *arg)
{
	(void)arg;
	redisContext *c = redisConnect("127.0.0.1", O.redis_port);
	if (!c || c->err) {
		fprintf(stderr, "lhbench: cannot connect to redis\n");
		exit(1);
	}
	char *buf = malloc((size_t)O.size + 512);
	long total = O.count ? O.count : (long)(O.rate * O.seconds);
	int64_t start = now_ns();
	long n = 0;
	while (n < total) {
		long due = total;
		if (O.rate > 0) {
			double el = (double)(now_ns() - start) / 1e9;
			due = (long)(el * O.rate) + 1;
			if (due > total)
				due = total;
			if (due <= n) {
				struct timespec ts = { 0, 200000 }; /* a bench pacing tick, not a wait */
				nanosleep(&ts, NULL);
				continue;
			}
		}
		long batch = due - n > 512 ? 512 : due - n;
		for (long i = 0; i < batch; i++) {
			int len = make_payload(buf, (size_t)O.size + 512, n + i);
			if (O.stream)
				redisAppendCommand(c, "XADD %s MAXLEN ~ 100000 * data %b", O.stream, buf, (size_t)len);
			else
				redisAppendCommand(c, "PUBLISH %s %b", O.channel, buf, (size_t)len);
		}
		for (long i = 0; i < batch; i++) {
			redisReply *r;
			if (redisGetReply(c, (void **)&r) != REDIS_OK) {
				fprintf(stderr, "lhbench: publish failed\n");
				exit(1);
			}
			freeReplyObject(r);
		}
		n += batch;
	}
	published = n;
	free(buf);
	redisFree(c);
	publishing_done = 1;
	return NULL;
}

/* ---- receiving ---- */

static void account(struct client *cl, const char *text, size_t len)
{
	const char *p = memmem(text, len, "n=", 2);
	const char *t = p ? memmem(p, len - (size_t)(p - text), " t=", 3) : NULL;
	if (!p || !t)
		return;
	long n = strtol(p + 2, NULL, 10);
	long long sent = strtoll(t + 3, NULL, 10);
	lh_hist_add(&lat, (now_ns() - sent) / 1000); /* microseconds */
	if (n < cl->last_n)
		cl->reordered++;
	cl->last_n = n;
	cl->received++;
}

/* Answers a ping, masked as a client must (with a zero key, so the
 * payload goes as it is): the bridge hangs up on a client that does not. */
static void pong(struct client *cl, const unsigned char *payload, size_t len)
{
	unsigned char frame[6 + 125] = { 0x8a, (unsigned char)(0x80 | len) };
	memcpy(frame + 6, payload, len);
	if (write(cl->fd, frame, 6 + len) < 0)
		fprintf(stderr, "lhbench: pong: %s\n", strerror(errno));
}

/* Consumes whole WebSocket frames from the client's buffer. */
static void ws_frames(struct client *cl)
{
	size_t off = 0;
	while (cl->len - off >= 2) {
		unsigned char *f = cl->buf + off;
		size_t hdr = 2;
		uint64_t plen = f[1] & 0x7f;
		if (plen == 126) {
			if (cl->len - off < 4)
				break;
			plen = (uint64_t)f[2] << 8 | f[3];
			hdr = 4;
		} else if (plen == 127) {
			if (cl->len - off < 10)
				break;
			plen = 0;
			for (int i = 0; i < 8; i++)
				plen = plen << 8 | f[2 + i];
			hdr = 10;
		}
		if (cl->len - off < hdr + plen)
			break;
		if ((f[0] & 0x0f) == 1)
			account(cl, (const char *)f + hdr, (size_t)plen);
		else if ((f[0] & 0x0f) == 9 && plen <= 125)
			pong(cl, f + hdr, (size_t)plen);
		off += hdr + plen;
	}
	memmove(cl->buf, cl->buf + off, cl->len - off);
	cl->len -= off;
}

static void on_readable(struct client *cl)
{
	for (;;) {
		if (cl->cap - cl->len < 65536) {
			cl->cap = cl->cap * 2 + 65536;
			cl->buf = realloc(cl->buf, cl->cap);
		}
		ssize_t n = read(cl->fd, cl->buf + cl->len, cl->cap - cl->len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) { /* closed: stop watching it, or epoll reports it forever */
			epoll_ctl(epfd, EPOLL_CTL_DEL, cl->fd, NULL);
			close(cl->fd);
			cl->fd = -1;
			return;
		}
		cl->len += (size_t)n;
		if (!cl->upgraded) {
			unsigned char *end = memmem(cl->buf, cl->len, "\r\n\r\n", 4);
			if (!end)
				continue;
			if (memcmp(cl->buf, "HTTP/1.1 101", 12) != 0) {
				fprintf(stderr, "lhbench: upgrade refused: %.40s\n", cl->buf);
				exit(1);
			}
			size_t skip = (size_t)(end + 4 - cl->buf);
			memmove(cl->buf, cl->buf + skip, cl->len - skip);
			cl->len -= skip;
			cl->upgraded = true;
		}
		ws_frames(cl);
	}
}

static int ws_connect(struct client *cl)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)O.ws_port),
				 .sin_addr.s_addr = htonl(0x7f000001) };
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	char req[512];
	int n = snprintf(req, sizeof req,
			 "GET /ws/runtime/%s-%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			 "Sec-WebSocket-Version: 13\r\n\r\n", O.prefix, cl->run, O.ws_port);
	if (write(fd, req, (size_t)n) != n)
		return -1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	cl->fd = fd;
	return 0;
}

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A direct Redis subscriber, the floor every bridge is measured against,
 * in CPU as in latency: its thread's CPU seconds are what merely receiving
 * the events costs on this machine. */
static double direct_cpu_s;
/* --direct --stream: XREAD BLOCK after what the stream held before, as a
 * reader does. */
static void receive_stream(redisContext *c, struct client *cl, long expected)
{
	char last[64] = "0-0";
	redisReply *r = redisCommand(c, "XREVRANGE %s + - COUNT 1", O.stream);
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements)
		snprintf(last, sizeof last, "%s", r->element[0]->element[0]->str);
	freeReplyObject(r);
	pthread_t t;
	pthread_create(&t, NULL, publisher, NULL);
	while (cl->received < expected) {
		r = redisCommand(c, "XREAD COUNT 1000 BLOCK 2000 STREAMS %s %s", O.stream, last);
		if (!r || r->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(r);
			break; /* 2 s of silence: the rest is lost */
		}
		redisReply *entries = r->element[0]->element[1];
		for (size_t i = 0; i < entries->elements; i++) {
			redisReply *e = entries->element[i];
			snprintf(last, sizeof last, "%s", e->element[0]->str);
			account(cl, e->element[1]->element[1]->str, e->element[1]->element[1]->len);
		}
		freeReplyObject(r);
	}
	pthread_join(t, NULL);
}

/* --direct: SUBSCRIBE, as a reader does. */
static void receive_channel(redisContext *c, struct client *cl, long expected)
{
	freeReplyObject(redisCommand(c, "SUBSCRIBE %s", O.channel));
	pthread_t t;
	pthread_create(&t, NULL, publisher, NULL);
	redisReply *r;
	while (cl->received < expected) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			break; /* 3 s of silence: the rest is lost */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 3)
			account(cl, r->element[2]->str, r->element[2]->len);
		freeReplyObject(r);
	}
	pthread_join(t, NULL);
}

static void receive_direct(long expected)
{
	double cpu0 = thread_cpu();
	struct client cl = { .last_n = -1 };
	redisContext *c = redisConnect("127.0.0.1", O.redis_port);
	struct timeval tv = { 3, 0 };
	redisSetTimeout(c, tv);
	if (O.stream)
		receive_stream(c, &cl, expected);
	else
		receive_channel(c, &cl, expected);
	direct_cpu_s = thread_cpu() - cpu0;
	total_received = cl.received;
	total_reordered = cl.reordered;
	redisFree(c);
}

static void receive_ws(long per_run_expected[], long expected_total)
{
	int ep = epfd = epoll_create1(0);
	struct client *cls = calloc((size_t)O.clients, sizeof *cls);
	for (int i = 0; i < O.clients; i++) {
		cls[i].run = i % O.runs;
		cls[i].last_n = -1;
		if (ws_connect(&cls[i]) < 0) {
			fprintf(stderr, "lhbench: cannot connect client %d: %s\n", i, strerror(errno));
			exit(1);
		}
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = &cls[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cls[i].fd, &e);
	}
	/* Every client upgraded before the first event is published. */
	int up = 0;
	struct epoll_event evs[256];
	while (up < O.clients) {
		int n = epoll_wait(ep, evs, 256, 5000);
		if (n <= 0) {
			fprintf(stderr, "lhbench: clients did not connect\n");
			exit(1);
		}
		for (int i = 0; i < n; i++) {
			struct client *cl = evs[i].data.ptr;
			bool was = cl->upgraded;
			on_readable(cl);
			up += !was && cl->upgraded;
		}
	}
	pthread_t t;
	pthread_create(&t, NULL, publisher, NULL);
	long got = 0;
	int64_t quiet_since = now_ns();
	while (got < expected_total) {
		int n = epoll_wait(ep, evs, 256, 100);
		if (n > 0)
			quiet_since = now_ns();
		else if (publishing_done && now_ns() - quiet_since > 2000000000LL)
			break; /* 2 s of silence after the last publish: the rest is lost */
		for (int i = 0; i < n; i++) {
			struct client *cl = evs[i].data.ptr;
			long before = cl->received;
			on_readable(cl);
			got += cl->received - before;
		}
	}
	pthread_join(t, NULL);
	(void)per_run_expected;
	for (int i = 0; i < O.clients; i++) {
		total_received += cls[i].received;
		total_reordered += cls[i].reordered;
		close(cls[i].fd);
		free(cls[i].buf);
	}
	free(cls);
	close(ep);
}

/* ---- the server's cost ---- */

static double proc_cpu(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_peak_kb(int pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	long kb = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void reset_peak(int pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/clear_refs", pid);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("5", f); /* resets VmHWM to the current RSS */
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "redis-port", 1, 0, 'r' }, { "ws-port", 1, 0, 'w' }, { "direct", 0, 0, 'd' },
		{ "clients", 1, 0, 'c' }, { "runs", 1, 0, 'n' }, { "rate", 1, 0, 'R' },
		{ "count", 1, 0, 'N' }, { "seconds", 1, 0, 's' }, { "size", 1, 0, 'S' },
		{ "channel", 1, 0, 'C' }, { "prefix", 1, 0, 'p' }, { "pid", 1, 0, 'P' }, { "stream", 1, 0, 'X' },
		{ "jsonl", 0, 0, 'J' }, { 0, 0, 0, 0 },
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': O.redis_port = atoi(optarg); break;
		case 'w': O.ws_port = atoi(optarg); break;
		case 'd': O.direct = true; break;
		case 'c': O.clients = atoi(optarg); break;
		case 'n': O.runs = atoi(optarg); break;
		case 'R': O.rate = atof(optarg); break;
		case 'N': O.count = atol(optarg); break;
		case 's': O.seconds = atof(optarg); break;
		case 'S': O.size = atoi(optarg); break;
		case 'C': O.channel = optarg; break;
		case 'p': O.prefix = optarg; break;
		case 'P': O.pid = atoi(optarg); break;
		case 'X': O.stream = optarg; break;
		case 'J': O.jsonl = true; break;
		default: return 2;
		}
	}
	if (O.jsonl)
		return write_jsonl();
	if (!O.channel || !O.redis_port || (!O.direct && !O.ws_port) || O.clients < 1 || O.runs < 1 ||
	    (!O.count && !(O.rate > 0 && O.seconds > 0))) {
		fprintf(stderr, "usage: see the top of lhbench.c\n");
		return 2;
	}
	if (O.direct)
		O.clients = O.runs = 1;
	long total = O.count ? O.count : (long)(O.rate * O.seconds);
	/* Each client sees the events of its run. */
	long expected = 0;
	for (int i = 0; i < O.clients; i++)
		expected += total / O.runs + ((i % O.runs) < total % O.runs);
	double cpu0 = O.pid ? proc_cpu(O.pid) : 0;
	if (O.pid)
		reset_peak(O.pid);
	int64_t t0 = now_ns();
	if (O.direct)
		receive_direct(expected);
	else
		receive_ws(NULL, expected);
	double secs = (double)(now_ns() - t0) / 1e9;
	printf("published=%ld expected=%ld delivered=%ld lost=%ld reordered=%ld seconds=%.3f "
	       "throughput=%.0f p50_us=%lld p90_us=%lld p99_us=%lld p999_us=%lld max_us=%lld",
	       published, expected, total_received, expected - total_received, total_reordered, secs,
	       (double)total_received / secs, (long long)lh_hist_quantile(&lat, 0.5),
	       (long long)lh_hist_quantile(&lat, 0.9), (long long)lh_hist_quantile(&lat, 0.99),
	       (long long)lh_hist_quantile(&lat, 0.999), (long long)lat.max);
	if (O.pid)
		printf(" cpu_s=%.2f peak_rss_kb=%ld", proc_cpu(O.pid) - cpu0, proc_peak_kb(O.pid));
	else if (O.direct)
		printf(" cpu_s=%.2f", direct_cpu_s);
	printf("\n");
	return total_received == expected ? 0 : 1;
}
