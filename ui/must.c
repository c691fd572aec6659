#include "config.h"
#include "must.h"
#include "lib/buf.h"
#include "lib/xalloc.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LH_MUST_WORDS 8

struct lh_must {
	size_t n;
	char *word[LH_MUST_WORDS]; /* lower case */
	size_t len[LH_MUST_WORDS];
};

/* Keeps the run's words: split where the HUD's text may put a space or
 * the parentheses of a call between two fields; words that are not plain
 * ASCII, or hold "..", could match what the HUD adds itself (an ellipsis)
 * and are left out. */
static void lh_must_take(struct lh_must *m, struct lh_buf *run)
{
	const char *p = lh_buf_str(run);
	while (*p) {
		size_t n = strcspn(p, " ()");
		bool plain = n > 0;
		for (size_t i = 0; i < n && plain; i++)
			plain = (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f;
		if (plain && m->n < LH_MUST_WORDS && !memmem(p, n, "..", 2)) {
			char *w = lh_xmalloc(n + 1);
			for (size_t i = 0; i < n; i++)
				w[i] = (char)tolower((unsigned char)p[i]);
			w[n] = '\0';
			m->word[m->n] = w;
			m->len[m->n++] = n;
		}
		p += n + (p[n] != '\0');
	}
	lh_buf_reset(run);
}

/* Past a bracket expression that starts at p ('['). */
static const char *lh_skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *end = strchr(p + 2, p[1]);
			while (end && end[1] != ']')
				end = strchr(end + 1, p[1]);
			if (!end)
				return p + strlen(p);
			p = end + 2;
			continue;
		}
		p++;
	}
	return *p ? p + 1 : p;
}

/* Reads the pattern's top level: each character that stands for itself
 * and is not made optional by a quantifier joins the current run; any
 * other construct ends it. Groups are skipped whole (a group can be made
 * optional), and a pattern with an alternation promises nothing. */
struct lh_must *lh_must_new(const char *pattern)
{
	if (strchr(pattern, '|'))
		return NULL;
	struct lh_must *m = lh_xcalloc(1, sizeof *m);
	struct lh_buf run = LH_BUF_INIT;
	int depth = 0;
	for (const char *p = pattern; *p;) {
		const char *next = p + 1;
		int lit = -1;
		if (*p == '\\') {
			if (p[1] && strchr(".[]()*+?{}|^$\\/", p[1]))
				lit = (unsigned char)p[1];
			next = p[1] ? p + 2 : p + 1;
		} else if (*p == '[') {
			next = lh_skip_bracket(p);
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth -= depth > 0;
		} else if (!strchr(".*+?{}^$", *p)) {
			lit = (unsigned char)*p;
		}
		bool optional = *next == '*' || *next == '?' || *next == '{';
		if (lit >= 0 && depth == 0 && !optional) {
			lh_buf_putc(&run, (char)lit);
			if (*next == '+')
				lh_must_take(m, &run);
		} else {
			lh_must_take(m, &run);
		}
		p = next;
	}
	lh_must_take(m, &run);
	lh_buf_free(&run);
	if (!m->n) {
		free(m);
		return NULL;
	}
	return m;
}

void lh_must_free(struct lh_must *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->word[i]);
	free(m);
}

/* Eight bytes at a time: a search asks it of every field of every item. */
bool lh_must_as_is(const char *s, size_t max, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = *len = strlen(s), i = 0;
	if (n > max)
		return false;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		/* a byte below 0x20, or with the top bit set, or 0x7f */
		uint64_t low = (x - 0x2020202020202020ULL) & ~x, del = (x ^ 0x7f7f7f7f7f7f7f7fULL);
		if ((low | x) & 0x8080808080808080ULL || ((del - 0x0101010101010101ULL) & ~del & 0x8080808080808080ULL))
			return false;
	}
	for (; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

/* Case folded: the first letter found by memchr in both cases. */
static bool lh_must_in(const char *s, size_t n, const char *w, size_t len)
{
	int up = toupper((unsigned char)w[0]);
	for (int c = w[0];; c = up) {
		const char *p = s, *end = s + n;
		while (end - p >= (ptrdiff_t)len && (p = memchr(p, c, (size_t)(end - p) - len + 1)) != NULL) {
			if (strncasecmp(p + 1, w + 1, len - 1) == 0)
				return true;
			p++;
		}
		if (c == up)
			return false;
	}
}

bool lh_must_within(const struct lh_must *m, const char *chars)
{
	for (size_t w = 0; m && w < m->n; w++)
		if (strspn(m->word[w], chars) == m->len[w])
			return true;
	return false;
}

bool lh_must_maybe(const struct lh_must *m, const char *const *fields, const size_t *lens, size_t n)
{
	if (!m)
		return true;
	for (size_t w = 0; w < m->n; w++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = fields[i] && lh_must_in(fields[i], lens[i], m->word[w], m->len[w]);
		if (!found)
			return false;
	}
	return true;
}
