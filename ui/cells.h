/* cells: terminal columns of UTF-8 text. Wide characters (CJK, emoji) take
 * two cells and combining marks none, so columns stay aligned. Text here is
 * already sanitized: no control characters. */
#ifndef LH_CELLS_H
#define LH_CELLS_H

#include <stddef.h>

/* Columns s (len bytes) takes. */
int lh_cells_width(const char *s, size_t len);

/* How many bytes of s fit in max columns; *used (may be NULL) gets their
 * width. Never splits a character. */
size_t lh_cells_fit(const char *s, size_t len, int max, int *used);

#endif
