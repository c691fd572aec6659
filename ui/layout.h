/* layout: where each part of the main screen goes for a terminal size:
 * under 60 columns one column with agents inline, from 100 columns the
 * detail beside the timeline. Used to draw and to place mouse clicks. */
#ifndef LH_LAYOUT_H
#define LH_LAYOUT_H

#include <stdbool.h>

struct lh_rect {
	int y, x, h, w;
};

struct lh_layout {
	struct lh_rect header, status, agents, timeline, detail, footer;
	bool narrow;     /* under 60 columns: one column, agents inline */
	bool side_detail;
};

void lh_layout_compute(int lines, int cols, struct lh_layout *out);

#endif
