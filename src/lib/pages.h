/* pages: big regions of memory (LH_PAGES_SIZE, on a huge-page boundary)
 * mapped and touched ahead of need by a thread of their own. A program
 * that fills hundreds of megabytes in order otherwise takes every page
 * fault, and the kernel's zeroing of every page, on its own thread: a
 * third of the time to load a million events. Regions given back are kept
 * (already touched) for the next get, up to a few. */
#ifndef LH_PAGES_H
#define LH_PAGES_H

#include <stddef.h>

#define LH_PAGES_SIZE (2u << 20)

struct lh_pages;

struct lh_pages *lh_pages_new(void);
/* Waits for the thread to end and unmaps what is kept; lh_pages_free(NULL)
 * is a no-op. */
void lh_pages_free(struct lh_pages *p);

/* A region of LH_PAGES_SIZE bytes, not cleared: one made ready ahead (or
 * given back) when there is one, else mapped now; then asks the thread to
 * make the next. NULL when the system will not map more. */
void *lh_pages_get(struct lh_pages *p);
/* Gives a region back: kept for a get, or unmapped when enough are. */
void lh_pages_put(struct lh_pages *p, void *region);

/* Advises that the whole LH_PAGES_SIZE pieces inside [p, p + len) be huge
 * pages: an array of megabytes (a ring of a million pointers) is then
 * faulted in a few times, not once every 4 KB. Only advice. */
void lh_pages_advise(void *p, size_t len);

#endif
