/* kframe: a kernel's (or a bridge's) frame that is not an event, read from
 * its scanned members into the typed struct lh_kframe the app acts on. */
#ifndef LH_KFRAME_H
#define LH_KFRAME_H

#include "core/kstate.h"
#include "lib/buf.h"
#include "lib/json.h"

/* Where a read frame's strings live; reused from frame to frame. */
struct lh_kframe_text {
	struct lh_buf strs;
	size_t *offs;
	const char **ptrs;
	size_t n, cap;
};

/* Reads the frame of the given type ("error" for an {"error":...} frame)
 * whose members are top. Returns 0, or -1 with *why (static) when a
 * number in it is not one (a gap's from and to must be integers from 0 to
 * 2^53). f's strings live in t until the next read. */
int lh_kframe_read(struct lh_kframe_text *t, const char *type, const struct lh_json_span *top, size_t n,
		   const char *run_id, struct lh_kframe *f, const char **why);
void lh_kframe_text_free(struct lh_kframe_text *t);

#endif
