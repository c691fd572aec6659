#include "config.h"
#include "cells.h"
#include "lib/text.h"

#include <stdint.h>
#include <wchar.h>

static int lh_cp_width(uint32_t cp)
{
	if (cp < 0x7f)
		return cp >= 0x20 ? 1 : 0;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w; /* unknown to the C library: assume one cell */
}

size_t lh_cells_fit(const char *s, size_t len, int max, int *used)
{
	size_t i = 0;
	int cols = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = lh_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			n = 1;
			cp = '?';
		}
		int w = lh_cp_width(cp);
		if (cols + w > max)
			break;
		cols += w;
		i += n;
	}
	if (used)
		*used = cols;
	return i;
}

int lh_cells_width(const char *s, size_t len)
{
	int w;
	lh_cells_fit(s, len, 1 << 30, &w);
	return w;
}
