/* The bridge's wire, as a stranger writes it: a request head (request.c)
 * and then WebSocket frames (wsproto.c), fed in pieces whose sizes the
 * input picks. Nothing read past what was given; a head is whole only
 * within its bound; a failure closes with one of the codes a server may
 * send, a close with one a client may. */
#include "config.h"
#include "bridge/request.h"
#include "bridge/wsproto.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_head(const struct lh_req *r)
{
	static const char *const names[] = { "Origin", "Upgrade", "Connection", "Sec-WebSocket-Key", "x" };
	char buf[32];
	size_t n;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = lh_req_header(r, names[i], &n);
		if ((v == NULL) != (n == 0) || (v && strchr(v, '\n')))
			abort();
		lh_req_header_lists(r, names[i], "upgrade");
		const char *a = lh_req_arg(r, names[i], buf, sizeof buf);
		if (a && (a != buf || strlen(a) >= sizeof buf))
			abort();
	}
	if (lh_req_path(r)[0] != '/' || strchr(lh_req_path(r), '?'))
		abort();
}

static void fuzz_frames(const uint8_t *data, size_t size, size_t step, uint64_t max)
{
	struct lh_wsp_rx rx;
	lh_wsp_rx_init(&rx, max);
	for (size_t at = 0; at < size;) {
		size_t n = size - at < step ? size - at : step, used;
		enum lh_wsp_got got = lh_wsp_rx_feed(&rx, data + at, n, &used);
		if (used > n || (got == LH_WSP_GOT_MORE && used != n) || rx.control_len > LH_WSP_CONTROL_MAX)
			abort();
		at += used;
		if (got == LH_WSP_GOT_FAIL && rx.code != LH_WSP_PROTOCOL_ERROR && rx.code != LH_WSP_INVALID_DATA &&
		    rx.code != LH_WSP_TOO_BIG)
			abort();
		if (got == LH_WSP_GOT_CLOSE && rx.code && (rx.code < 1000 || rx.code > 4999 || rx.code == 1005))
			abort();
		if (got == LH_WSP_GOT_FAIL || got == LH_WSP_GOT_CLOSE)
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t step = 1 + data[0] % 97;
	uint64_t max = 1 + (uint64_t)data[1] * 17;
	data += 2;
	size -= 2;
	struct lh_req *r = lh_req_new();
	size_t at = 0;
	int got = 0;
	const char *why = NULL;
	while (at < size && got == 0) {
		size_t n = size - at < step ? size - at : step, used;
		got = lh_req_feed(r, (const char *)data + at, n, &used, &why);
		if (used > n || (got == 0 && used != n) || (got > 1 && !why))
			abort();
		at += used;
	}
	if (got == 1) {
		if (at > LH_REQ_HEAD_MAX)
			abort();
		fuzz_head(r);
		fuzz_frames(data + at, size - at, step, max);
	} else if (got == 0) {
		fuzz_frames(data, size, step, max); /* the frame reader alone, on all of it */
	}
	lh_req_free(r);
	return 0;
}
