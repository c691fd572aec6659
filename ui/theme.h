/* theme: the styles the HUD draws with, read from theme files.
 *
 * A theme file has one style per line, "name = fg bg [attr...]", where a
 * color is default, a name (black red green yellow blue magenta cyan white,
 * bright-red...), or 0-255 with an 8-color fallback after a slash
 * ("245/white"); attrs are bold dim underline reverse italic standout.
 * Blank lines and # comments are ignored. Themes are found by name in the
 * user's $XDG_CONFIG_HOME/livehud/themes, then the installed themes, then
 * copies built into the program; a name with a slash is a path. */
#ifndef LH_THEME_H
#define LH_THEME_H

#include <stddef.h>

enum lh_style {
	LH_ST_NORMAL, LH_ST_HEADER, LH_ST_STATUS, LH_ST_FOOTER, LH_ST_KEY, LH_ST_BORDER,
	LH_ST_TITLE, LH_ST_SELECTED, LH_ST_TIME, LH_ST_AGENT, LH_ST_TOOL, LH_ST_ARGS,
	LH_ST_RESULT, LH_ST_DURATION, LH_ST_OK, LH_ST_ERROR, LH_ST_PENDING, LH_ST_THOUGHT,
	LH_ST_REASONING, LH_ST_INFO, LH_ST_ORPHAN, LH_ST_MATCH, LH_ST_WARNING, LH_ST_DIM,
	LH_ST_COUNT
};

enum {
	LH_ATTR_BOLD = 1 << 0,
	LH_ATTR_DIM = 1 << 1,
	LH_ATTR_UNDERLINE = 1 << 2,
	LH_ATTR_REVERSE = 1 << 3,
	LH_ATTR_ITALIC = 1 << 4,
	LH_ATTR_STANDOUT = 1 << 5,
};

struct lh_style_spec {
	short fg, bg;   /* 256-color values; -1 is the terminal's default */
	short fg8, bg8; /* the same on an 8-color terminal */
	unsigned attrs;
};

struct lh_theme {
	char name[64];
	struct lh_style_spec style[LH_ST_COUNT];
};

/* Parses theme text. Returns 0, or -1 with *cause (a new string) naming the
 * line and what is wrong with it. Styles it does not set stay as they were. */
int lh_theme_parse(struct lh_theme *t, const char *text, const char *origin, char **cause);

/* Loads a theme by name or path (see above). Returns 0 or -1 with *cause. */
int lh_theme_load(struct lh_theme *t, const char *name, char **cause);

/* Names of the themes that can be found, sorted and unique; free with
 * lh_theme_names_free. */
char **lh_theme_names(size_t *count);
void lh_theme_names_free(char **names, size_t count);

const char *lh_style_name(enum lh_style s);

#endif
