/* stats.c - nearest-rank percentiles and order-statistic confidence bounds. */
#include "faultline/stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void stats_sort(uint64_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, double p)
{
	double r = ceil(p * (double)n - 1e-9);
	size_t rank = r < 1 ? 1 : (size_t)r;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

double stats_binom_cdf(unsigned k, unsigned n, double p)
{
	if (k >= n)
		return 1.0;
	if (p <= 0)
		return 1.0;
	if (p >= 1)
		return 0.0;
	double lp = log(p), lq = log1p(-p), sum = 0;
	for (unsigned i = 0; i <= k; i++) {
		double lc = lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1);
		sum += exp(lc + i * lp + (n - i) * lq);
	}
	return sum > 1.0 ? 1.0 : sum;
}

size_t stats_upper_bound_rank(size_t n, double p, double c)
{
	/* P(X(k) >= q_p) = P(Bin(n, p) <= k - 1); it grows with k. */
	for (size_t k = 1; k <= n; k++)
		if (stats_binom_cdf((unsigned)(k - 1), (unsigned)n, p) >= c)
			return k;
	return 0;
}

size_t stats_min_samples(double p, double c)
{
	/* With k = n the bound holds with probability 1 - p^n. */
	if (p <= 0 || p >= 1 || c <= 0 || c >= 1)
		return 0;
	return (size_t)ceil(log(1 - c) / log(p) - 1e-9);
}
