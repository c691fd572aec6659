#include "config.h"
#include "must.h"
#include "lib/buf.h"
#include "lib/swar.h"
#include "lib/text.h"
#include "lib/xalloc.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define LH_MUST_WORDS 8

struct lh_must {
	size_t n;
	size_t lead;               /* the word that ruled out the last text */
	const char *within_chars;  /* lh_must_within's last set, and answer */
	bool within;
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

bool lh_must_as_is(const char *s, size_t max, size_t *len)
{
	size_t n = *len = strlen(s);
	return n <= max && lh_text_printable(s, n);
}

/* Whether w (lower case, printable ASCII) starts at s[i], case folded. */
static bool lh_must_at(const char *s, size_t i, const char *w, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[i + k], x = (unsigned char)w[k];
		if (c != x && !(x >= 'a' && x <= 'z' && (c | 0x20) == x))
			return false;
	}
	return true;
}

/* Case folded. The places where the word's first letter may be are found
 * eight bytes at a time, both cases at once (a letter's two cases differ
 * only in 0x20): most fields are short, and a search asks it of several
 * fields of every item. Every place flagged is checked, so the borrow's
 * false flags (above a true one) do no harm. */
static bool lh_must_in(const char *s, size_t n, const char *w, size_t len)
{
	if (n < len)
		return false;
	size_t last = n - len, i = 0; /* the word may start at 0..last */
	unsigned char c = (unsigned char)w[0];
	bool letter = c >= 'a' && c <= 'z';
#ifdef __SSE2__
	/* sixteen at a time where the machine has it (every x86-64 does) */
	__m128i want16 = _mm_set1_epi8((char)c), fold16 = _mm_set1_epi8(letter ? 0x20 : 0);
	for (; i + 16 <= last + 1; i += 16) {
		__m128i x = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), fold16);
		for (unsigned hit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, want16)); hit; hit &= hit - 1)
			if (lh_must_at(s, i + (size_t)__builtin_ctz(hit), w, len))
				return true;
	}
#endif
	uint64_t fold = letter ? LH_SWAR_ONES * 0x20 : 0;
	for (; i + 8 <= last + 1; i += 8)
		for (uint64_t hit = lh_swar_equal(lh_swar_load(s + i) | fold, c); hit; hit &= hit - 1)
			if (lh_must_at(s, i + lh_swar_byte(hit), w, len))
				return true;
	for (; i <= last; i++)
		if (lh_must_at(s, i, w, len))
			return true;
	return false;
}

bool lh_must_within(struct lh_must *m, const char *chars)
{
	if (!m)
		return false;
	if (m->within_chars == chars) /* asked for every item, of the same set */
		return m->within;
	m->within = false;
	for (size_t w = 0; w < m->n && !m->within; w++)
		m->within = strspn(m->word[w], chars) == m->len[w];
	m->within_chars = chars;
	return m->within;
}

/* The word that ruled out the last text is tried first: texts in a row
 * are alike, and that word (a rare one) rules out most of them at once. */
bool lh_must_maybe(struct lh_must *m, const char *const *fields, const size_t *lens, size_t n)
{
	if (!m)
		return true;
	for (size_t k = 0; k < m->n; k++) {
		size_t w = (m->lead + k) % m->n;
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = fields[i] && lh_must_in(fields[i], lens[i], m->word[w], m->len[w]);
		if (!found) {
			m->lead = w;
			return false;
		}
	}
	return true;
}
