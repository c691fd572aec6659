/* base64: standard base64 (RFC 4648, with padding), as OSC 52 carries a
 * clipboard's text. */
#ifndef LH_BASE64_H
#define LH_BASE64_H

#include <stddef.h>

#include "buf.h"

void lh_base64_put(struct lh_buf *out, const void *data, size_t len);

#endif
