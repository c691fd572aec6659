/* arena: memory for many small pieces that all die together, taken back at
 * once. A batch of events parsed on a pool thread and dropped by the loop
 * then costs no malloc and no free each, and no contention between the two
 * threads' allocators (a free from another thread takes the allocating
 * arena's lock). */
#ifndef LH_ARENA_H
#define LH_ARENA_H

#include <stddef.h>

/* The size of a block; a piece bigger than that gets a block of its own. */
#define LH_ARENA_BLOCK (256 * 1024)

struct lh_arena;

struct lh_arena *lh_arena_new(void);
/* lh_arena_free(NULL) is a no-op. */
void lh_arena_free(struct lh_arena *a);

/* n bytes aligned for any type, valid until the next reset; never NULL
 * (running out of memory is fatal, as with lh_xmalloc). */
void *lh_arena_alloc(struct lh_arena *a, size_t n);
/* Takes every piece back at once. The blocks of LH_ARENA_BLOCK are kept
 * for the next pieces: a batch's need is bounded by its input, so is
 * what is kept. Bigger blocks are let go. */
void lh_arena_reset(struct lh_arena *a);

#endif
