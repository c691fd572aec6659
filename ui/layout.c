/* layout: where each part of the main screen goes for a terminal size. */
#include "config.h"
#include "layout.h"

#include <string.h>

#define LH_WIDE 100
#define LH_NARROW 60

static int lh_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void lh_layout_compute(int lines, int cols, struct lh_layout *L)
{
	memset(L, 0, sizeof *L);
	int body_y = 2, body_h = lines - 3;
	if (body_h < 1)
		body_h = 1;
	L->header = (struct lh_rect){ 0, 0, 1, cols };
	L->status = (struct lh_rect){ 1, 0, 1, cols };
	L->footer = (struct lh_rect){ lines - 1, 0, 1, cols };
	L->narrow = cols < LH_NARROW;
	L->side_detail = cols >= LH_WIDE;
	int agents_w = 0, detail_w = 0;
	if (cols >= LH_WIDE) {
		agents_w = lh_clamp(cols / 5, 20, 30);
		detail_w = lh_clamp(cols * 3 / 10, 30, 60);
	} else if (!L->narrow) {
		agents_w = lh_clamp(cols / 5, 16, 22);
	}
	if (agents_w)
		L->agents = (struct lh_rect){ body_y, 0, body_h, agents_w };
	int tx = agents_w ? agents_w + 1 : 0;
	int tw = cols - tx - (detail_w ? detail_w + 1 : 0);
	L->timeline = (struct lh_rect){ body_y, tx, body_h, tw };
	if (detail_w)
		L->detail = (struct lh_rect){ body_y, cols - detail_w, body_h, detail_w };
}

