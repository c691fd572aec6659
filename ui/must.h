/* must: words that any text a search pattern matches has to contain, read
 * conservatively out of the pattern (an extended regex, as the HUD
 * compiles it), so that a search or an & filter over a million items
 * passes over most of them without building their text or running the
 * regex. A pattern it cannot read (alternation, nothing literal) gives no
 * words, and then every item is a candidate. */
#ifndef LH_MUST_H
#define LH_MUST_H

#include <stdbool.h>
#include <stddef.h>

struct lh_must;

/* NULL when the pattern promises no word. */
struct lh_must *lh_must_new(const char *pattern);
/* lh_must_free(NULL) is a no-op. */
void lh_must_free(struct lh_must *m);

/* Whether text shows as its bytes: printable ASCII, at most max bytes
 * (no cut, nothing made visible or replaced); *len is its length. Text
 * that does not must be given to lh_must_maybe as shown. */
bool lh_must_as_is(const char *s, size_t max, size_t *len);

/* Whether a text made of these fields (lens[i] bytes each), as shown,
 * might match: false only when some word is in none of them. NULL fields
 * are skipped; case is ignored. m remembers which word to try first. */
bool lh_must_maybe(struct lh_must *m, const char *const *fields, const size_t *lens, size_t n);
/* Whether some word is made only of these characters (case folded), so
 * that a field of only them could hold it. */
bool lh_must_within(struct lh_must *m, const char *chars);

#endif
