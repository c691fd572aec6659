/* screen: the terminal while the HUD owns it: curses set up and torn down
 * (also on a crash signal, so the shell is never left in raw mode), theme
 * styles turned into curses attributes, and styled text put on screen. */
#ifndef LH_SCREEN_H
#define LH_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "line.h"
#include "theme.h"

/* Starts curses on the terminal (input from /dev/tty when stdin is not
 * one). Returns the input fd, or -1 with *cause (a new string). */
int lh_screen_open(bool mouse, char **cause);
/* NULL when curses can drive this terminal; else why not (a new string):
 * TERM unset, unknown, or without cursor addressing (TERM=dumb). */
char *lh_screen_usable(void);
/* Restores the terminal. Safe to call twice. */
void lh_screen_close(void);
/* Re-reads the terminal size after SIGWINCH. */
void lh_screen_resize(void);

/* Marks drawn by the screen itself (the ellipsis of cut text) in ASCII. */
void lh_screen_set_ascii(bool ascii);
/* color false: attributes only (NO_COLOR, --no-color, mono terminals). */
void lh_screen_set_theme(const struct lh_theme *t, bool color);

/* Drawing at (y, x), never past x + width, on one line: controls and
 * invisible characters in text are drawn as visible marks, and text cut
 * at the edge ends in an ellipsis. Each returns the columns it used. */
int lh_screen_text(int y, int x, int width, const char *s, enum lh_style st);
void lh_screen_fill(int y, int x, int width, enum lh_style st);
/* A line: left segments cut with an ellipsis to leave room for the right
 * ones; base is the background style (the selection, say); hl_off/hl_len
 * byte ranges of l->text (n of them) are drawn in the match style. */
void lh_screen_line(int y, int x, int width, const struct lh_line *l, enum lh_style base,
		    const size_t *hl, int nhl, const char *ellipsis);
/* Bytes for the terminal itself, not the screen (an OSC 52 request), sent
 * after what curses has drawn. -1 with errno when they cannot be. */
int lh_screen_send(const char *data, size_t len);
/* A box outline with a title, in the border style. */
void lh_screen_box(int y, int x, int h, int w, const char *title, bool ascii);

#endif
