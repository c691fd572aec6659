/* request: the head of an HTTP/1.x request as the bridge reads it off a
 * raw connection, bounded, with the few things the bridge asks of it. */
#ifndef LH_REQUEST_H
#define LH_REQUEST_H
#include <stdbool.h>
#include <stddef.h>

/* A head longer than this is refused with 431. */
#define LH_REQ_HEAD_MAX 8192

struct lh_req;

struct lh_req *lh_req_new(void);
void lh_req_free(struct lh_req *r);

/* Takes bytes of the head: 0 while more is needed, 1 once it is whole
 * (*used says how much of in it took; what follows is not its), or an
 * HTTP status (400, 431) with *why (static) when it cannot be a request:
 * at the first byte that rules one out (a control byte, a method that is
 * not a short token), or once the head is whole and malformed. */
int lh_req_feed(struct lh_req *r, const char *in, size_t len, size_t *used, const char **why);

/* Of a whole head: */
const char *lh_req_method(const struct lh_req *r);
/* The target's path, before any '?', as sent. */
const char *lh_req_path(const struct lh_req *r);
/* The query, after the '?' ("" when none), as sent. */
const char *lh_req_query(const struct lh_req *r);
bool lh_req_is_http11(const struct lh_req *r);
/* The value of header name (any case); NULL when absent. *count, when
 * asked, says how many times it came (the first is returned). */
const char *lh_req_header(const struct lh_req *r, const char *name, size_t *count);
/* Whether the comma-separated header name lists token (any case). */
bool lh_req_header_lists(const struct lh_req *r, const char *name, const char *token);
/* The query's argument name, %-decoded ('+' is a space), in buf; NULL when
 * absent, or when it does not fit in len. */
const char *lh_req_arg(const struct lh_req *r, const char *name, char *buf, size_t len);

#endif
