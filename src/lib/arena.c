#include "config.h"
#include "arena.h"
#include "xalloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

struct lh_arena_block {
	struct lh_arena_block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct lh_arena {
	struct lh_arena_block *first, *cur; /* cur: the one being filled */
};

struct lh_arena *lh_arena_new(void)
{
	return lh_xcalloc(1, sizeof(struct lh_arena));
}

void lh_arena_free(struct lh_arena *a)
{
	if (!a)
		return;
	while (a->first) {
		struct lh_arena_block *b = a->first;
		a->first = b->next;
		free(b);
	}
	free(a);
}

static struct lh_arena_block *lh_arena_block_new(size_t size)
{
	/* a size that cannot be had is asked for as such: lh_xmalloc says so */
	size_t total = size <= SIZE_MAX - sizeof(struct lh_arena_block) ? sizeof(struct lh_arena_block) + size
									 : SIZE_MAX;
	struct lh_arena_block *b = lh_xmalloc(total);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

void *lh_arena_alloc(struct lh_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	if (n > SIZE_MAX - align)
		n = SIZE_MAX - align; /* cannot be had: lh_arena_block_new says so */
	n = (n + align - 1) & ~(align - 1);
	struct lh_arena_block *b = a->cur;
	/* the blocks after cur are unused since the last reset: one kept
	 * there is used before a new one is made */
	while (b && b->size - b->used < n && b->next && b->next->size >= n)
		b = b->next;
	if (!b || b->size - b->used < n) {
		struct lh_arena_block *nb = lh_arena_block_new(n > LH_ARENA_BLOCK ? n : LH_ARENA_BLOCK);
		if (b) {
			nb->next = b->next;
			b->next = nb;
		} else {
			a->first = nb;
		}
		b = nb;
	}
	a->cur = b;
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void lh_arena_reset(struct lh_arena *a)
{
	struct lh_arena_block **link = &a->first;
	while (*link) {
		struct lh_arena_block *b = *link;
		if (b->size > LH_ARENA_BLOCK) {
			*link = b->next;
			free(b);
			continue;
		}
		b->used = 0;
		link = &b->next;
	}
	a->cur = a->first;
}
