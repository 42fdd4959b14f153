/*
 * stats.h - the statistics behind recovery SLOs.
 *
 * Percentiles use the nearest-rank definition (the value at rank
 * ceil(p * n) of the sorted sample): it is always an observed value, which
 * is what an SRE expects to read in a report. The confidence bound is
 * distribution-free: for the p-quantile q_p, the k-th order statistic
 * X(k) satisfies P(X(k) >= q_p) = P(Binomial(n, p) <= k - 1), so the
 * smallest k with that probability >= c gives an upper bound that holds
 * with confidence c whatever the distribution of recovery times. When even
 * k = n does not reach c there are too few trials: the answer is
 * "inconclusive", never a pass.
 */
#ifndef FAULTLINE_STATS_H
#define FAULTLINE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sort v ascending in place. */
void stats_sort(uint64_t *v, size_t n);
/* Nearest-rank percentile of sorted v (n > 0), p in (0, 1]. */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, double p);
/* P(Binomial(n, p) <= k), computed in log space (stable for large n). */
double stats_binom_cdf(unsigned k, unsigned n, double p);
/*
 * 1-based rank k of the order statistic that bounds the p-quantile from
 * above with confidence c, or 0 when n is too small for that confidence.
 */
size_t stats_upper_bound_rank(size_t n, double p, double c);
/* Fewest samples for which stats_upper_bound_rank(n, p, c) exists. */
size_t stats_min_samples(double p, double c);

#endif
