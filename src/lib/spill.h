/* spill: an append-only journal of byte strings in unlinked temporary
 * files, so that a program can keep every payload it received without
 * keeping it in memory. Each string gets an address; strings are dropped
 * oldest first, a whole segment file at a time, once the caller says none
 * before some address is wanted any more. */
#ifndef LH_SPILL_H
#define LH_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define LH_SPILL_NONE UINT64_MAX
/* A segment file is closed for appending past this many bytes. */
#define LH_SPILL_SEGMENT (64u << 20)

struct lh_spill;

/* Files go in dir (NULL: $TMPDIR, else /tmp), created only when the first
 * string is put. */
struct lh_spill *lh_spill_new(const char *dir);
/* lh_spill_free(NULL) is a no-op. */
void lh_spill_free(struct lh_spill *s);

/* Appends len bytes; returns their address, or LH_SPILL_NONE with errno
 * set (no space, no directory). */
uint64_t lh_spill_put(struct lh_spill *s, const void *data, size_t len);

/* Strings that lie in the file at path (a regular file the program reads
 * and does not write) need not be copied: lh_spill_put_at keeps where they
 * are in it instead. -1 with errno when it cannot be opened. Whoever reads
 * such a string back must check it is still what it was: the file may
 * have been rewritten since (lh_spill_is_ref). */
int lh_spill_refer(struct lh_spill *s, const char *path);
/* lh_spill_put for bytes that lie at file_at in that file (-1: they do not,
 * or are not known to): their address is that place. */
uint64_t lh_spill_put_at(struct lh_spill *s, const void *data, size_t len, int64_t file_at);
/* Whether an address is a place in the file given to lh_spill_refer. */
bool lh_spill_is_ref(uint64_t at);
/* Appends the len bytes at address at to out; -1 with errno set when they
 * are gone (released) or cannot be read. */
int lh_spill_get(struct lh_spill *s, uint64_t at, size_t len, struct lh_buf *out);
/* No string before address at will be asked for again: whole segments
 * before it are deleted. */
void lh_spill_release(struct lh_spill *s, uint64_t at);
/* Bytes on disk now. */
uint64_t lh_spill_bytes(const struct lh_spill *s);

#endif
