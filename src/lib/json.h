/* json: small JSON helpers that cJSON does not offer: a validating scanner
 * that finds the raw text of each member of an object (so fields can be
 * forwarded as they came instead of re-printed), and writing JSON text that
 * is safe to show on a terminal. */
#ifndef LH_JSON_H
#define LH_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct lh_json_span {
	const char *key;   /* raw key text, with its quotes */
	size_t key_len;
	const char *value; /* raw value text */
	size_t value_len;
};

enum lh_json_kind { LH_JSON_INVALID, LH_JSON_OBJECT, LH_JSON_OTHER };

#define LH_JSON_MAX_DEPTH 512

/* Checks in one pass, without allocating, that text is exactly one JSON
 * value (RFC 8259, nested at most LH_JSON_MAX_DEPTH deep; raw control
 * characters in strings are tolerated, as cJSON does). For an object, its
 * members go to spans: *n is their count, max + 1 when there are more. */
enum lh_json_kind lh_json_scan(const char *text, size_t len, struct lh_json_span *spans, size_t max,
			       size_t *n);

/* Appends the decoded text of the string literal s (quotes included):
 * escapes resolved, \u surrogate pairs joined, a lone surrogate as U+FFFD. */
void lh_json_unescape(struct lh_buf *out, const char *s, size_t len);

/* Appends JSON text with whitespace outside strings removed, and control,
 * DEL, C1, bidi and line-separator characters inside strings written as
 * \uXXXX, so one value stays on one line and cannot drive a terminal. */
void lh_json_append_safe(struct lh_buf *out, const char *text, size_t len);

/* Appends compact JSON text (as lh_json_append_safe writes it) indented:
 * one member or element a line, two spaces a level. */
void lh_json_pretty(struct lh_buf *out, const char *text, size_t len);

/* Appends s as a JSON string literal with the same escaping. */
void lh_json_put_string(struct lh_buf *out, const char *s);

#endif
