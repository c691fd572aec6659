/* The bridge's wire: request heads (request.c) and WebSocket frames
 * (wsproto.c), fed the way a network gives them, in pieces. */
#include "config.h"
#include "bridge/request.h"
#include "bridge/wsproto.h"
#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- request heads ---- */

/* Feeds text step bytes at a time; returns the last answer and what the
 * last feed took. */
static int feed_req(struct lh_req *r, const char *text, size_t step, size_t *taken, const char **why)
{
	size_t len = strlen(text), at = 0, used = 0;
	int got = 0;
	while (at < len && got == 0) {
		size_t n = len - at < step ? len - at : step;
		got = lh_req_feed(r, text + at, n, &used, why);
		at += used;
	}
	*taken = at;
	return got;
}

static int req_status(const char *text)
{
	struct lh_req *r = lh_req_new();
	size_t taken;
	const char *why = NULL;
	int got = feed_req(r, text, 4096, &taken, &why);
	lh_req_free(r);
	return got;
}

static void test_request(void)
{
	static const char head[] = "GET /ws/runtime/r1?since=5&token=a%2Bb+c&flag HTTP/1.1\r\n"
				   "Host: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
				   "Origin:   https://a.example  \r\nOrigin: https://b.example\r\n\r\n";
	char text[sizeof head + 8];
	snprintf(text, sizeof text, "%s\x81\x85", head); /* a frame's first bytes come with it */
	for (size_t step = 1; step <= 64; step *= 4) {
		struct lh_req *r = lh_req_new();
		size_t taken;
		const char *why = NULL;
		int got = feed_req(r, text, step, &taken, &why);
		is_int(got, 1, "a head fed %zu bytes at a time is whole", step);
		is_int(taken, strlen(head), "and what follows it is not taken (%zu at a time)", step);
		lh_req_free(r);
	}
	struct lh_req *r = lh_req_new();
	size_t taken;
	const char *why = NULL;
	feed_req(r, head, 4096, &taken, &why);
	char buf[64];
	is_str(lh_req_method(r), "GET", "the method");
	is_str(lh_req_path(r), "/ws/runtime/r1", "the path, without the query");
	is_str(lh_req_query(r), "since=5&token=a%2Bb+c&flag", "the query as sent");
	ok(lh_req_is_http11(r), "HTTP/1.1");
	is_str(lh_req_arg(r, "since", buf, sizeof buf), "5", "an argument");
	is_str(lh_req_arg(r, "token", buf, sizeof buf), "a+b c", "%%-decoded, '+' a space");
	is_str(lh_req_arg(r, "flag", buf, sizeof buf), "", "an argument with no value is empty");
	ok(!lh_req_arg(r, "sinc", buf, sizeof buf), "a name is matched whole");
	ok(!lh_req_arg(r, "token", buf, 4), "a value that does not fit is none");
	size_t n;
	is_str(lh_req_header(r, "origin", &n), "https://a.example", "a header in any case, trimmed");
	is_int(n, 2, "and how many times it came");
	ok(!lh_req_header(r, "Cookie", &n) && n == 0, "an absent header");
	ok(lh_req_header_lists(r, "connection", "upgrade"), "a token in a list");
	ok(!lh_req_header_lists(r, "Connection", "keep"), "tokens are matched whole");
	lh_req_free(r);

	is_int(req_status("GET / HTTP/1.0\n\n"), 1, "bare LF line ends are read");
	is_int(req_status("GET / HTTP/2.0\r\n\r\n"), 400, "not HTTP/1.x: 400");
	is_int(req_status("GET nopath HTTP/1.1\r\n\r\n"), 400, "a target not starting with /: 400");
	is_int(req_status("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"), 400, "a folded field: 400");
	is_int(req_status("GET / HTTP/1.1\r\nX : a\r\n\r\n"), 400, "space before the colon: 400");
	is_int(req_status("GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n"), 400, "a control byte: 400");
	is_int(req_status("G(T / HTTP/1.1\r\n\r\n"), 400, "a method that is not a token: 400");
	/* refused at the first byte that cannot be a request's */
	struct lh_req *early = lh_req_new();
	size_t used = 99;
	is_int(lh_req_feed(early, "\x16\x03\x01\x02\x00", 5, &used, &why), 400, "a TLS hello: 400");
	ok(used == 0 && why && strstr(why, "control byte"), "at its first byte, a control byte");
	lh_req_free(early);
	early = lh_req_new();
	is_int(feed_req(early, "GE", 1, &taken, &why), 0, "a method's first letters wait for more");
	is_int(lh_req_feed(early, "T\x01", 2, &used, &why), 400, "a control byte in it: 400 at once");
	is_int(used, 1, "the byte before it taken, not it");
	lh_req_free(early);
	char word[LH_REQ_HEAD_MAX];
	memset(word, 'A', 40);
	strcpy(word + 40, " / HTTP/1.1\r\n\r\n");
	early = lh_req_new();
	is_int(feed_req(early, word, 4096, &taken, &why), 400, "a 40-letter method: 400");
	ok(taken == 32 && strstr(why, "request line"), "after 32 letters, not the head's 8 KiB");
	lh_req_free(early);
	is_int(req_status(" GET / HTTP/1.1\r\n\r\n"), 400, "a space before the method: 400");
	is_int(req_status("M-SEARCH / HTTP/1.1\r\n\r\n"), 1, "any token is a method (the bridge answers 405)");
	char *big = malloc(LH_REQ_HEAD_MAX + 64);
	snprintf(big, LH_REQ_HEAD_MAX + 64, "GET / HTTP/1.1\r\nX: %0*d\r\n\r\n", LH_REQ_HEAD_MAX, 0);
	is_int(req_status(big), 431, "a head past LH_REQ_HEAD_MAX: 431");
	free(big);
	struct lh_buf many = LH_BUF_INIT;
	lh_buf_puts(&many, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 100; i++)
		lh_buf_printf(&many, "X%d: y\r\n", i);
	lh_buf_puts(&many, "\r\n");
	is_int(req_status(lh_buf_str(&many)), 431, "too many fields: 431");
	lh_buf_free(&many);
}

/* ---- frames ---- */

/* Appends a client frame whose first byte is first, masked with key
 * unless key is NULL: the server's frame with a mask put in. */
static void client_frame(struct lh_buf *out, unsigned char first, const void *data, size_t len,
			 const unsigned char *key)
{
	struct lh_buf f = LH_BUF_INIT;
	lh_wsp_frame_append(&f, LH_WSP_TEXT, data, len);
	size_t hdr = f.len - len;
	f.data[0] = (char)first;
	if (key)
		f.data[1] = (char)(f.data[1] | 0x80);
	lh_buf_append(out, f.data, hdr);
	if (key)
		lh_buf_append(out, key, 4);
	for (size_t i = 0; i < len; i++) {
		char c = (char)(((const unsigned char *)data)[i] ^ (key ? key[i & 3] : 0));
		lh_buf_putc(out, c);
	}
	lh_buf_free(&f);
}

static const unsigned char key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Feeds bytes step at a time and returns the answers, one letter each:
 * i(ping) o(pong) c(close) f(fail); the last's rx stays in *rx. */
static void feed_ws(struct lh_wsp_rx *rx, const struct lh_buf *in, size_t step, char *got, size_t len)
{
	size_t at = 0, k = 0;
	lh_wsp_rx_init(rx, 1000);
	while (at < in->len && k + 1 < len) {
		size_t n = in->len - at < step ? in->len - at : step, used;
		enum lh_wsp_got g = lh_wsp_rx_feed(rx, (const unsigned char *)in->data + at, n, &used);
		at += used;
		if (g != LH_WSP_GOT_MORE)
			got[k++] = "-iocf"[g];
		if (g == LH_WSP_GOT_FAIL || g == LH_WSP_GOT_CLOSE)
			break;
	}
	got[k] = '\0';
}

static void expect_ws(const struct lh_buf *in, const char *want, unsigned code, const char *what)
{
	struct lh_wsp_rx rx;
	char got[32];
	bool same = true;
	for (size_t step = 1; step <= in->len + 1; step = step * 3 + 1) {
		feed_ws(&rx, in, step, got, sizeof got);
		same = same && strcmp(got, want) == 0 && (!code || rx.code == code);
	}
	feed_ws(&rx, in, in->len, got, sizeof got);
	ok(same && strcmp(got, want) == 0 && (!code || rx.code == code), "%s: %s %u", what, want, code);
	if (strcmp(got, want) != 0 || (code && rx.code != code))
		printf("#   got %s %u (%s)\n", got, rx.code, rx.why ? rx.why : "");
}

static void test_frames(void)
{
	struct lh_buf b = LH_BUF_INIT;
	unsigned char close_1000[] = { 0x03, 0xe8 };

	client_frame(&b, 0x89, "hello", 5, key);
	client_frame(&b, 0x81, "caf\xc3\xa9", 5, key);
	client_frame(&b, 0x8a, "", 0, key);
	client_frame(&b, 0x88, close_1000, 2, key);
	expect_ws(&b, "ioc", 1000, "a ping, text, a pong and a close, in any pieces");
	struct lh_wsp_rx rx;
	char got[32];
	lh_buf_reset(&b);
	client_frame(&b, 0x89, "hello", 5, key);
	feed_ws(&rx, &b, 1, got, sizeof got);
	ok(rx.control_len == 5 && memcmp(rx.control, "hello", 5) == 0, "a ping's payload is kept, unmasked");

	/* one frame each, and what it must get */
	static const struct {
		unsigned char first;
		const char *data;
		bool masked;
		const char *want;
		unsigned code;
		const char *what;
	} one[] = {
		{ 0x81, "hello", false, "f", LH_WSP_PROTOCOL_ERROR, "an unmasked frame" },
		{ 0xC1, "x", true, "f", LH_WSP_PROTOCOL_ERROR, "reserved bits" },
		{ 0x83, "x", true, "f", LH_WSP_PROTOCOL_ERROR, "an unknown opcode" },
		{ 0x80, "x", true, "f", LH_WSP_PROTOCOL_ERROR, "a continuation with nothing begun" },
		{ 0x09, "x", true, "f", LH_WSP_PROTOCOL_ERROR, "a fragmented ping" },
		{ 0x81, "\xed\xa0\x80", true, "f", LH_WSP_INVALID_DATA, "a surrogate in text" },
		{ 0x81, "\xc3", true, "f", LH_WSP_INVALID_DATA, "text ending inside a character" },
		{ 0x81, "\xf4\x90\x80\x80", true, "f", LH_WSP_INVALID_DATA, "past U+10FFFF" },
		{ 0x88, "\x03\xed", true, "f", LH_WSP_PROTOCOL_ERROR, "a close with 1005" },
		{ 0x88, "\x0b\xb8", true, "c", 3000, "a close with 3000" },
		{ 0x88, "\x03", true, "f", LH_WSP_PROTOCOL_ERROR, "a close of one byte" },
		{ 0x88, "\x03\xe8\xff", true, "f", LH_WSP_INVALID_DATA, "a close reason not UTF-8" },
	};
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
		lh_buf_reset(&b);
		client_frame(&b, one[i].first, one[i].data, strlen(one[i].data), one[i].masked ? key : NULL);
		expect_ws(&b, one[i].want, one[i].code, one[i].what);
	}
	lh_buf_reset(&b);
	client_frame(&b, 0x01, "a", 1, key);
	client_frame(&b, 0x81, "b", 1, key);
	expect_ws(&b, "f", LH_WSP_PROTOCOL_ERROR, "a new message inside one");
	lh_buf_reset(&b);
	char long_ping[126] = { 0 };
	client_frame(&b, 0x89, long_ping, sizeof long_ping, key);
	expect_ws(&b, "f", LH_WSP_PROTOCOL_ERROR, "a ping of 126 bytes");

	lh_buf_reset(&b);
	client_frame(&b, 0x01, "caf\xc3", 4, key);
	client_frame(&b, 0x89, "", 0, key); /* a control frame between fragments is allowed */
	client_frame(&b, 0x80, "\xa9", 1, key);
	client_frame(&b, 0x88, "", 0, key);
	expect_ws(&b, "ic", 0, "a character split across fragments, a ping between them");
	lh_buf_reset(&b);
	client_frame(&b, 0x82, "\xff\xfe", 2, key);
	client_frame(&b, 0x88, "", 0, key);
	expect_ws(&b, "c", 0, "binary is not checked as text");


	char *big = calloc(1, 70000);
	lh_buf_reset(&b);
	client_frame(&b, 0x02, big, 600, key);
	client_frame(&b, 0x80, big, 600, key);
	expect_ws(&b, "f", LH_WSP_TOO_BIG, "a message past the limit across fragments");
	lh_buf_reset(&b);
	client_frame(&b, 0x82, big, 70000, key);
	expect_ws(&b, "f", LH_WSP_TOO_BIG, "a 64-bit length past the limit");
	free(big);
	lh_buf_reset(&b);
	lh_buf_append(&b, "\x82\xff\x80\0\0\0\0\0\0\0\1\2\3\4", 14);
	expect_ws(&b, "f", LH_WSP_PROTOCOL_ERROR, "a length with its top bit set");
	lh_buf_free(&b);
}

static void test_server_frames(void)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_wsp_frame_append(&b, LH_WSP_TEXT, "hi", 2);
	ok(b.len == 4 && memcmp(b.data, "\x81\x02hi", 4) == 0, "a short text frame");
	lh_buf_reset(&b);
	char *s = calloc(1, 70000);
	lh_wsp_frame_append(&b, LH_WSP_TEXT, s, 300);
	ok(b.len == 304 && (unsigned char)b.data[1] == 126 && (unsigned char)b.data[2] == 1 &&
		   (unsigned char)b.data[3] == 44,
	   "a 16-bit length");
	lh_buf_reset(&b);
	lh_wsp_frame_append(&b, LH_WSP_TEXT, s, 70000);
	ok(b.len == 70010 && (unsigned char)b.data[1] == 127 && (unsigned char)b.data[7] == 1 &&
		   (unsigned char)b.data[8] == 0x11 && (unsigned char)b.data[9] == 0x70,
	   "a 64-bit length");
	free(s);
	lh_buf_reset(&b);
	lh_wsp_close_append(&b, LH_WSP_PROTOCOL_ERROR, "no");
	ok(b.len == 6 && memcmp(b.data, "\x88\x04\x03\xeano", 6) == 0, "a close with its code and reason");
	lh_buf_free(&b);
}

int main(void)
{
	test_request();
	test_frames();
	test_server_frames();
	return tap_done();
}
