/* rows: the timeline's items, the store's entries that the current filter
 * shows, in arrival order. A paired result is not an item of its own: it
 * is drawn under its call. Kept up to date as entries arrive; rebuilt only
 * when the filter changes or a result changes whether an older call
 * matches (errors only). */
#ifndef LH_ROWS_H
#define LH_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <regex.h>

#include "lib/buf.h"

#include "core/store.h"
#include "must.h"

enum lh_cat_filter {
	LH_CATF_ALL,
	LH_CATF_TOOLS,    /* calls and results */
	LH_CATF_THOUGHTS, /* THOUGHT and REASONING */
	LH_CATF_INFO,     /* everything else */
	LH_CATF_COUNT
};

struct lh_filter {
	char *run;    /* NULL: every run */
	char *agent;  /* NULL: every agent */
	char *grep;   /* an extended regex the item's text must match (less's
		       * &PATTERN), or must not with grep_invert; NULL: none */
	enum lh_cat_filter cat;
	bool errors;
	bool pending; /* calls still waiting for their result */
	bool grep_invert;
};

struct lh_rows;

/* fmt (LH_FMT_ASCII) is how the text patterns match is made. */
struct lh_rows *lh_rows_new(const struct lh_store *store, unsigned fmt);
void lh_rows_free(struct lh_rows *r);

/* Takes a copy of the filter and rebuilds; -1 with the reason in err when
 * its grep pattern does not compile (the filter is then left as it was). */
int lh_rows_set_filter(struct lh_rows *r, const struct lh_filter *f, char *err, size_t errlen);
const struct lh_filter *lh_rows_filter(const struct lh_rows *r);
bool lh_rows_matches(struct lh_rows *r, const struct lh_entry *e);

/* A new entry entered the store. */
void lh_rows_add(struct lh_rows *r, const struct lh_entry *e);
/* Drops items whose entries were evicted; call before reading. */
void lh_rows_sync(struct lh_rows *r);

size_t lh_rows_count(const struct lh_rows *r);
const struct lh_entry *lh_rows_at(const struct lh_rows *r, size_t i);
/* Asks for the memory of the items a walk from i will read next. */
void lh_rows_prefetch(const struct lh_rows *r, size_t i);
/* Index of the item with this seq, or of the first after it. */
size_t lh_rows_find(const struct lh_rows *r, uint64_t seq);

/* The text of an item that search and grep patterns match: run, agent,
 * tool(args), message, the result under a call, and its duration as
 * shown. */
void lh_rows_entry_text(const struct lh_entry *e, unsigned fmt, struct lh_buf *out);
/* False when that text cannot hold the words a pattern needs (m; NULL:
 * any text may match), found without building it (scratch is for the
 * few fields that do not show as their bytes). */
bool lh_rows_entry_may_match(const struct lh_entry *e, unsigned fmt, struct lh_must *m,
			     struct lh_buf *scratch);
/* A pattern as the HUD compiles it: extended, and case-insensitive unless
 * it has an upper-case letter (smartcase); 0 or regcomp's error. */
int lh_rows_regcomp(regex_t *re, const char *pattern);

const char *lh_cat_filter_name(enum lh_cat_filter c);
void lh_filter_clear(struct lh_filter *f);

#endif
