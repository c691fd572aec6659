/* ring: a first-in first-out queue of fixed-size elements in one circular
 * array that grows by doubling: push at the back, shift from the front,
 * read any element by its index from the oldest. The one queue behind the
 * bridge's histories and client queues and the HUD's timeline rows. */
#ifndef LH_RING_H
#define LH_RING_H

#include <stddef.h>

struct lh_ring {
	unsigned char *data;
	size_t size;      /* bytes per element */
	size_t head, n;   /* the oldest element's slot, and how many */
	size_t mask;      /* capacity - 1; the capacity is a power of two */
};

#define LH_RING_INIT(elem_size) { NULL, (elem_size), 0, 0, 0 }

/* A slot at the back for the caller to fill, valid until the next push. */
void *lh_ring_push(struct lh_ring *r);
/* Removes the oldest element and returns it, valid until the next push;
 * NULL when empty. */
void *lh_ring_shift(struct lh_ring *r);
/* i from 0 (the oldest); NULL past the end. */
void *lh_ring_at(const struct lh_ring *r, size_t i);
/* Removes element i, keeping the order of the others: moves whichever side
 * of it is shorter, so removing near either end is cheap. */
void lh_ring_remove(struct lh_ring *r, size_t i);
/* Empties the ring, keeping its memory for what comes next. */
void lh_ring_clear(struct lh_ring *r);
/* Frees the memory; the ring is empty and usable again. */
void lh_ring_free(struct lh_ring *r);

#endif
