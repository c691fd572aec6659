/* rowfmt: a timeline item as one or two lines: the call (time, agent,
 * tool(args), and at the right its duration and mark, or a spinner and the
 * elapsed time while pending), then its result indented under a result
 * mark. Thoughts, reasoning and other events take one line. */
#ifndef LH_ROWFMT_H
#define LH_ROWFMT_H

#include <stdbool.h>
#include <stdint.h>

#include "line.h"
#include "core/store.h"

struct lh_rowfmt {
	int64_t now_us;    /* wall clock, for pending timers (lh_hud_now_us) */
	unsigned fmt;      /* LH_FMT_ASCII */
	int spinner;       /* frame number */
	int agent_cols;    /* width of the agent column; 0 puts the agent inline */
	bool show_run;     /* prefix the run id (when watching all runs) */
	bool short_time;   /* HH:MM:SS instead of HH:MM:SS.mmm */
	bool narrow;       /* results indented under the time, not the call */
	bool marked;       /* this item is marked (m): a mark after its time */
};

/* Fills l1 (and l2 with the result line of a completed call); returns how
 * many lines the item takes. */
int lh_rowfmt_entry(const struct lh_rowfmt *rf, const struct lh_entry *e, struct lh_line *l1,
		    struct lh_line *l2);

/* How long a pending call has waited at now_us (wall clock): by the
 * event's own time, or since it was received when that is missing or
 * ahead of now. One answer for every view. */
int64_t lh_rowfmt_pending_ms(const struct lh_entry *e, int64_t now_us);

/* The item's duration text for the right edge ("450ms", "12.3s"), the
 * spinner frame, and the marks, for other views. */
const char *lh_rowfmt_spinner(unsigned fmt, int frame);

#endif
