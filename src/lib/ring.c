#include "config.h"
#include "ring.h"
#include "pages.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define LH_RING_MIN_CAP 4 /* a run has a ring of agents and one of tools: most hold one or two */

/* Doubles the array, unrolling the elements to start at slot 0. */
static void lh_ring_grow(struct lh_ring *r)
{
	size_t cap = r->data ? (r->mask + 1) * 2 : LH_RING_MIN_CAP;
	unsigned char *data = lh_xmalloc(cap * r->size);
	lh_pages_advise(data, cap * r->size);
	if (r->n) {
		size_t first = r->mask + 1 - r->head; /* elements before the wrap */
		if (first > r->n)
			first = r->n;
		memcpy(data, r->data + r->head * r->size, first * r->size);
		memcpy(data + first * r->size, r->data, (r->n - first) * r->size);
	}
	free(r->data);
	r->data = data;
	r->head = 0;
	r->mask = cap - 1;
}

void *lh_ring_push(struct lh_ring *r)
{
	if (!r->data || r->n == r->mask + 1)
		lh_ring_grow(r);
	return r->data + ((r->head + r->n++) & r->mask) * r->size;
}

void *lh_ring_shift(struct lh_ring *r)
{
	if (!r->n)
		return NULL;
	void *e = r->data + r->head * r->size;
	r->head = (r->head + 1) & r->mask;
	r->n--;
	return e;
}

void *lh_ring_at(const struct lh_ring *r, size_t i)
{
	return i < r->n ? r->data + ((r->head + i) & r->mask) * r->size : NULL;
}

void lh_ring_remove(struct lh_ring *r, size_t i)
{
	if (i >= r->n)
		return;
	if (i < r->n / 2) { /* the front side is shorter: move it back a slot */
		for (size_t j = i; j > 0; j--)
			memcpy(lh_ring_at(r, j), lh_ring_at(r, j - 1), r->size);
		lh_ring_shift(r);
		return;
	}
	for (size_t j = i; j + 1 < r->n; j++)
		memcpy(lh_ring_at(r, j), lh_ring_at(r, j + 1), r->size);
	r->n--;
}

void lh_ring_clear(struct lh_ring *r)
{
	r->head = r->n = 0;
}

void lh_ring_free(struct lh_ring *r)
{
	free(r->data);
	r->data = NULL;
	r->head = r->n = r->mask = 0;
}
