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

#include "core/store.h"

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
	enum lh_cat_filter cat;
	bool errors;
};

struct lh_rows;

struct lh_rows *lh_rows_new(const struct lh_store *store);
void lh_rows_free(struct lh_rows *r);

/* Takes a copy of the filter and rebuilds. */
void lh_rows_set_filter(struct lh_rows *r, const struct lh_filter *f);
const struct lh_filter *lh_rows_filter(const struct lh_rows *r);
bool lh_rows_matches(const struct lh_rows *r, const struct lh_entry *e);

/* A new entry entered the store. */
void lh_rows_add(struct lh_rows *r, const struct lh_entry *e);
/* Drops items whose entries were evicted; call before reading. */
void lh_rows_sync(struct lh_rows *r);

size_t lh_rows_count(const struct lh_rows *r);
const struct lh_entry *lh_rows_at(const struct lh_rows *r, size_t i);
/* Index of the item with this seq, or of the first after it. */
size_t lh_rows_find(const struct lh_rows *r, uint64_t seq);

const char *lh_cat_filter_name(enum lh_cat_filter c);
void lh_filter_clear(struct lh_filter *f);

#endif
