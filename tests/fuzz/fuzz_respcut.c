/* The RESP cutter, fed the input in pieces whose sizes the input also
 * picks: what it passes on is never more than it was given, and a bulk
 * longer than the limit is never passed on whole. */
#include "config.h"
#include "lib/buf.h"
#include "lib/respcut.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t limit = 16 + data[0], step = 1 + data[1] % 64;
	struct lh_respcut *c = lh_respcut_new(limit);
	struct lh_buf out = LH_BUF_INIT;
	size_t in = 0;
	for (size_t i = 2; i < size; i += step) {
		size_t n = size - i < step ? size - i : step;
		lh_respcut_feed(c, (const char *)data + i, n, &out);
		in += n;
	}
	if (out.len > in)
		abort();
	lh_buf_free(&out);
	lh_respcut_free(c);
	return 0;
}
