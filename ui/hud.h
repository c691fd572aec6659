/* hud: the ncurses dashboard, livehud's face on a terminal. */
#ifndef LH_HUD_H
#define LH_HUD_H

#include "app/options.h"

/* Runs until the user quits; returns the exit status. */
int lh_hud_main(const struct lh_options *o);

#endif
