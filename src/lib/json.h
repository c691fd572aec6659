/* json: small JSON helpers that cJSON does not offer: a validating scanner
 * that finds the raw text of each member of an object (so fields can be
 * forwarded as they came instead of re-printed), and writing JSON text that
 * is safe to show on a terminal. */
#ifndef LH_JSON_H
#define LH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct lh_json_span {
	const char *key;   /* raw key text, with its quotes; NULL in an array */
	size_t key_len;
	const char *value; /* raw value text */
	size_t value_len;
	/* The key, or the value when it is a string, holds an escape: without
	 * one its text is its bytes between the quotes. */
	bool key_escaped, value_escaped;
};

enum lh_json_kind { LH_JSON_INVALID, LH_JSON_OBJECT, LH_JSON_OTHER };

#define LH_JSON_MAX_DEPTH 512
/* 2^53: the largest integer every JSON reader (a browser's) holds exactly. */
#define LH_JSON_MAX_UINT 9007199254740992ULL

/* Checks in one pass, without allocating, that text is exactly one JSON
 * value (RFC 8259, nested at most LH_JSON_MAX_DEPTH deep; raw control
 * characters in strings are tolerated, as cJSON does). For an object, its
 * members go to spans (for an array, its elements, with no key): *n is
 * their count, max + 1 when there are more. */
enum lh_json_kind lh_json_scan(const char *text, size_t len, struct lh_json_span *spans, size_t max,
			       size_t *n);

/* The member named key (compared as written: a key with escapes never
 * matches), or NULL. */
const struct lh_json_span *lh_json_member(const struct lh_json_span *spans, size_t n, const char *key);
/* A non-negative integer written with digits only, at most LH_JSON_MAX_UINT;
 * false for anything else (a fraction, an exponent, a sign, NULL). */
bool lh_json_uint(const struct lh_json_span *sp, uint64_t *out);
bool lh_json_is_string(const struct lh_json_span *sp);
/* The decoded string sp holds, in tmp (valid until tmp changes); absent
 * when sp is NULL or not a string. */
const char *lh_json_string(struct lh_buf *tmp, const struct lh_json_span *sp, const char *absent);

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
