#include "config.h"
#include "theme.h"
#include "theme_builtin.h"
#include "lib/buf.h"
#include "lib/readfile.h"
#include "lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LH_THEME_EXT ".theme"
#define LH_THEME_MAX_BYTES (64 * 1024)

static const char *const lh_style_names[LH_ST_COUNT] = {
	"normal", "header", "status", "footer", "key", "border", "title", "selected",
	"time", "agent", "tool", "args", "result", "duration", "ok", "error", "pending",
	"thought", "reasoning", "info", "orphan", "match", "warning", "dim",
};

static const char *const lh_color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} lh_attr_names[] = {
	{ "bold", LH_ATTR_BOLD }, { "dim", LH_ATTR_DIM }, { "underline", LH_ATTR_UNDERLINE },
	{ "reverse", LH_ATTR_REVERSE }, { "italic", LH_ATTR_ITALIC }, { "standout", LH_ATTR_STANDOUT },
};

const char *lh_style_name(enum lh_style s)
{
	return (unsigned)s < LH_ST_COUNT ? lh_style_names[s] : "?";
}

/* A named color: 0-7, or 8-15 for bright-NAME. */
static int lh_color_by_name(const char *s)
{
	int bright = strncmp(s, "bright-", 7) == 0;
	if (bright)
		s += 7;
	for (int i = 0; i < 8; i++)
		if (strcmp(s, lh_color_names[i]) == 0)
			return i + (bright ? 8 : 0);
	return -2;
}

/* "default", a name, "N" or "N/fallback". Returns 0 or -1. */
static int lh_parse_color(const char *s, short *c256, short *c8)
{
	if (strcmp(s, "default") == 0) {
		*c256 = *c8 = -1;
		return 0;
	}
	int named = lh_color_by_name(s);
	if (named >= 0) {
		*c256 = (short)named;
		*c8 = (short)(named & 7);
		return 0;
	}
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || v < 0 || v > 255)
		return -1;
	*c256 = (short)v;
	if (*end == '\0') {
		*c8 = v < 16 ? (short)(v & 7) : -1;
		return 0;
	}
	if (*end != '/')
		return -1;
	short dummy;
	return lh_parse_color(end + 1, c8, &dummy) == 0 && *c8 < 8 ? 0 : -1;
}

static int lh_style_by_name(const char *s)
{
	for (int i = 0; i < LH_ST_COUNT; i++)
		if (strcmp(s, lh_style_names[i]) == 0)
			return i;
	return -1;
}

static int lh_parse_attr(const char *s, unsigned *attrs)
{
	for (size_t i = 0; i < sizeof lh_attr_names / sizeof lh_attr_names[0]; i++) {
		if (strcmp(s, lh_attr_names[i].name) == 0) {
			*attrs |= lh_attr_names[i].bit;
			return 0;
		}
	}
	return -1;
}

/* One "name = fg bg attrs" line, already without comment; fills *why. */
static int lh_theme_line(struct lh_theme *t, char *line, const char **why, const char **word)
{
	char *eq = strchr(line, '=');
	if (!eq) {
		*why = "expected 'style = fg bg [attributes]'";
		return -1;
	}
	*eq = '\0';
	char *save, *name = strtok_r(line, " \t", &save);
	int st = name ? lh_style_by_name(name) : -1;
	if (st < 0) {
		*why = "unknown style";
		*word = name ? name : "";
		return -1;
	}
	struct lh_style_spec spec = { -1, -1, -1, -1, 0 };
	int n = 0;
	for (char *w = strtok_r(eq + 1, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++) {
		*word = w;
		int bad = n == 0   ? lh_parse_color(w, &spec.fg, &spec.fg8)
			  : n == 1 ? lh_parse_color(w, &spec.bg, &spec.bg8)
				   : lh_parse_attr(w, &spec.attrs);
		if (bad) {
			*why = n < 2 ? "unknown color" : "unknown attribute";
			return -1;
		}
	}
	if (n < 2) {
		*why = "a style needs a foreground and a background color";
		*word = "";
		return -1;
	}
	t->style[st] = spec;
	return 0;
}

int lh_theme_parse(struct lh_theme *t, const char *text, const char *origin, char **cause)
{
	char *copy = lh_xstrdup(text), *save = NULL;
	int lineno = 0, rc = 0;
	/* strtok_r would skip empty lines and lose the count: split by hand. */
	for (char *line = copy; line; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		const char *why = NULL, *word = "";
		if (lh_theme_line(t, line, &why, &word) < 0) {
			*cause = lh_xasprintf("%s, line %d: %s%s%s%s", origin, lineno, why,
					      *word ? " '" : "", word, *word ? "'" : "");
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

static void lh_theme_reset(struct lh_theme *t, const char *name)
{
	for (int i = 0; i < LH_ST_COUNT; i++)
		t->style[i] = (struct lh_style_spec){ -1, -1, -1, -1, 0 };
	snprintf(t->name, sizeof t->name, "%s", name);
}

static char *lh_user_theme_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		return lh_xasprintf("%s/livehud/themes", xdg);
	if (home && *home)
		return lh_xasprintf("%s/.config/livehud/themes", home);
	return NULL;
}

static int lh_theme_load_file(struct lh_theme *t, const char *path, const char *name, char **cause)
{
	char *text = lh_read_file(path, LH_THEME_MAX_BYTES, NULL);
	if (!text) {
		*cause = lh_xasprintf("cannot read theme %s: %s", path, strerror(errno));
		return -1;
	}
	lh_theme_reset(t, name);
	int rc = lh_theme_parse(t, text, path, cause);
	free(text);
	return rc;
}

int lh_theme_load(struct lh_theme *t, const char *name, char **cause)
{
	if (strchr(name, '/'))
		return lh_theme_load_file(t, name, name, cause);
	if (!*name || strchr(name, '.')) {
		*cause = lh_xasprintf("bad theme name '%s'", name);
		return -1;
	}
	char *dirs[2] = { lh_user_theme_dir(), lh_xstrdup(LH_THEMES_DIR) };
	int rc = 1;
	for (int i = 0; i < 2 && rc == 1; i++) {
		if (!dirs[i])
			continue;
		char *path = lh_xasprintf("%s/%s" LH_THEME_EXT, dirs[i], name);
		FILE *probe = fopen(path, "r");
		if (probe) {
			fclose(probe);
			rc = lh_theme_load_file(t, path, name, cause);
		}
		free(path);
	}
	free(dirs[0]);
	free(dirs[1]);
	if (rc != 1)
		return rc;
	for (size_t i = 0; i < lh_builtin_theme_count; i++) {
		if (strcmp(lh_builtin_themes[i].name, name) == 0) {
			lh_theme_reset(t, name);
			return lh_theme_parse(t, lh_builtin_themes[i].text, name, cause);
		}
	}
	*cause = lh_xasprintf("no theme named '%s'", name);
	return -1;
}

static void lh_names_add(char ***names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return;
	*names = lh_xrealloc(*names, (*n + 1) * sizeof **names);
	(*names)[(*n)++] = lh_xstrdup(name);
}

static void lh_names_scan(char ***names, size_t *n, const char *dir)
{
	DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return;
	struct dirent *de;
	size_t ext = strlen(LH_THEME_EXT);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len > ext && strcmp(de->d_name + len - ext, LH_THEME_EXT) == 0 && de->d_name[0] != '.') {
			char *name = lh_xstrndup(de->d_name, len - ext);
			lh_names_add(names, n, name);
			free(name);
		}
	}
	closedir(d);
}

static int lh_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **lh_theme_names(size_t *count)
{
	char **names = NULL;
	size_t n = 0;
	for (size_t i = 0; i < lh_builtin_theme_count; i++)
		lh_names_add(&names, &n, lh_builtin_themes[i].name);
	lh_names_scan(&names, &n, LH_THEMES_DIR);
	char *user = lh_user_theme_dir();
	lh_names_scan(&names, &n, user);
	free(user);
	qsort(names, n, sizeof *names, lh_cmp_str);
	*count = n;
	return names;
}

void lh_theme_names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}
