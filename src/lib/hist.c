#include "config.h"
#include "hist.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define LH_HIST_EXACT 32
#define LH_HIST_SUB_BITS 4

struct lh_hist_bin {
	uint32_t bucket;
	uint32_t count;
};

static int lh_log2(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

static uint32_t lh_hist_bucket(int64_t v)
{
	if (v < LH_HIST_EXACT)
		return (uint32_t)(v < 0 ? 0 : v);
	int e = lh_log2((uint64_t)v);
	uint32_t sub = (uint32_t)((uint64_t)v >> (e - LH_HIST_SUB_BITS)) & ((1u << LH_HIST_SUB_BITS) - 1);
	return LH_HIST_EXACT + (uint32_t)(e - 5) * (1u << LH_HIST_SUB_BITS) + sub;
}

/* The middle of a bucket's range. */
static int64_t lh_hist_value(uint32_t bucket)
{
	if (bucket < LH_HIST_EXACT)
		return bucket;
	uint32_t k = bucket - LH_HIST_EXACT;
	int e = (int)(k >> LH_HIST_SUB_BITS) + 5;
	uint64_t sub = k & ((1u << LH_HIST_SUB_BITS) - 1);
	uint64_t width = 1ULL << (e - LH_HIST_SUB_BITS);
	uint64_t low = (1ULL << e) + sub * width;
	return (int64_t)(low + width / 2);
}

static void lh_hist_bump(struct lh_hist *h, uint32_t b, uint32_t count)
{
	uint32_t lo = 0, hi = h->nbins;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (h->bins[mid].bucket < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nbins && h->bins[lo].bucket == b) {
		h->bins[lo].count += count;
	} else {
		if (h->nbins == h->cap) {
			h->cap = h->cap ? h->cap * 2 : 4;
			h->bins = lh_xrealloc(h->bins, h->cap * sizeof *h->bins);
		}
		memmove(&h->bins[lo + 1], &h->bins[lo], (h->nbins - lo) * sizeof *h->bins);
		h->bins[lo] = (struct lh_hist_bin){ .bucket = b, .count = count };
		h->nbins++;
	}
}

void lh_hist_merge(struct lh_hist *dst, const struct lh_hist *src)
{
	if (!src->count)
		return;
	for (uint32_t i = 0; i < src->nbins; i++)
		lh_hist_bump(dst, src->bins[i].bucket, src->bins[i].count);
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

void lh_hist_add(struct lh_hist *h, int64_t v)
{
	if (v < 0)
		v = 0;
	lh_hist_bump(h, lh_hist_bucket(v), 1);
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

int64_t lh_hist_quantile(const struct lh_hist *h, double q)
{
	if (!h->count)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank >= h->count)
		return h->max;
	if (rank <= 1)
		return h->min;
	uint64_t seen = 0;
	for (uint32_t i = 0; i < h->nbins; i++) {
		seen += h->bins[i].count;
		if (seen >= rank) {
			int64_t v = lh_hist_value(h->bins[i].bucket);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}

void lh_hist_free(struct lh_hist *h)
{
	free(h->bins);
	memset(h, 0, sizeof *h);
}
