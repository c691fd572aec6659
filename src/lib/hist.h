/* hist: a duration histogram for percentiles without keeping every sample.
 * Log-linear buckets (exact below 32 ms, then 16 per power of two, so within
 * about 3%), stored sparsely: memory grows with the number of distinct
 * buckets used, never with the number of samples. */
#ifndef LH_HIST_H
#define LH_HIST_H

#include <stdint.h>

struct lh_hist_bin;

struct lh_hist {
	struct lh_hist_bin *bins; /* owned, sorted by bucket */
	uint32_t nbins, cap;
	uint64_t count;
	int64_t min, max, sum;
};

#define LH_HIST_INIT { 0 }

void lh_hist_add(struct lh_hist *h, int64_t value);
/* Adds every sample of src to dst. */
void lh_hist_merge(struct lh_hist *dst, const struct lh_hist *src);
/* The value at quantile q (0..1); 0 when empty. */
int64_t lh_hist_quantile(const struct lh_hist *h, double q);
void lh_hist_free(struct lh_hist *h);

#endif
