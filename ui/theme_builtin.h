/* theme_builtin: copies of the themes/ files compiled into the program (the
 * build generates theme_builtin.c), so livehud has its themes even when it
 * runs uninstalled. */
#ifndef LH_THEME_BUILTIN_H
#define LH_THEME_BUILTIN_H

#include <stddef.h>

struct lh_builtin_theme {
	const char *name;
	const char *text;
};

extern const struct lh_builtin_theme lh_builtin_themes[];
extern const size_t lh_builtin_theme_count;

#endif
