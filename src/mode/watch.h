/* watch: the plain and JSON Lines modes: the events of the chosen source,
 * one line each, on stdout; states and rejections on stderr. */
#ifndef LH_WATCH_H
#define LH_WATCH_H

#include "app/options.h"

/* Returns the exit status. */
int lh_watch_main(const struct lh_options *o);

#endif
