/* hud: the ncurses dashboard, livehud's face on a terminal. */
#ifndef LH_HUD_H
#define LH_HUD_H

#include <stdbool.h>
#include <stdio.h>

#include "app/options.h"

/* Whether the terminal can show the HUD (TERM set, known, and able to move
 * the cursor); when not, says why on err and that plain output follows. */
bool lh_hud_usable(FILE *err);
/* Runs until the user quits; returns the exit status. */
int lh_hud_main(const struct lh_options *o);

#endif
