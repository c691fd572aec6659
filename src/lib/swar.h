/* swar: eight bytes at a time in a uint64_t, for the scans made of every
 * event (a JSON string's end, printable text, a search's first letter). */
#ifndef LH_SWAR_H
#define LH_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LH_SWAR_ONES 0x0101010101010101ULL
#define LH_SWAR_HIGHS 0x8080808080808080ULL

static inline uint64_t lh_swar_load(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

/* The high bit of each byte of x that is zero, and maybe of bytes above a
 * zero one (the borrow): the lowest flag is always a true one; check any
 * other before trusting it. */
static inline uint64_t lh_swar_zeros(uint64_t x)
{
	return (x - LH_SWAR_ONES) & ~x & LH_SWAR_HIGHS;
}

/* The same for the bytes of x equal to c. */
static inline uint64_t lh_swar_equal(uint64_t x, unsigned char c)
{
	return lh_swar_zeros(x ^ (LH_SWAR_ONES * c));
}

/* Where in memory the byte of the lowest flag is, 0 to 7. */
static inline size_t lh_swar_byte(uint64_t flags)
{
	size_t bit_byte = (size_t)__builtin_ctzll(flags) / 8;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return 7 - bit_byte;
#else
	return bit_byte;
#endif
}

#endif
