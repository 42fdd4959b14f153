/* test_stats.c - percentiles and the order-statistic confidence bound. */
#include <criterion/criterion.h>
#include <math.h>

#include "faultline/stats.h"

Test(stats, nearest_rank_percentiles)
{
	uint64_t v[] = {50, 10, 40, 20, 30};
	stats_sort(v, 5);
	cr_assert_eq(v[0], 10);
	cr_assert_eq(v[4], 50);
	cr_assert_eq(stats_percentile(v, 5, 0.5), 30);  /* rank ceil(2.5) = 3 */
	cr_assert_eq(stats_percentile(v, 5, 0.95), 50); /* rank ceil(4.75) = 5 */
	cr_assert_eq(stats_percentile(v, 5, 0.2), 10);  /* rank 1 */
	cr_assert_eq(stats_percentile(v, 5, 0.21), 20); /* rank ceil(1.05) = 2 */
	cr_assert_eq(stats_percentile(v, 5, 1.0), 50);
	uint64_t one[] = {7};
	cr_assert_eq(stats_percentile(one, 1, 0.99), 7);
}

Test(stats, binomial_cdf_known_values)
{
	/* Bin(10, 0.5): P(X <= 5) = 638/1024 */
	cr_assert_float_eq(stats_binom_cdf(5, 10, 0.5), 638.0 / 1024.0, 1e-12);
	/* P(X <= 0) = (1-p)^n */
	cr_assert_float_eq(stats_binom_cdf(0, 20, 0.1), pow(0.9, 20), 1e-12);
	cr_assert_float_eq(stats_binom_cdf(20, 20, 0.1), 1.0, 0);
}

Test(stats, min_samples_for_p95_at_90_percent)
{
	/* 1 - 0.95^n >= 0.9  <=>  n >= 44.89 */
	cr_assert_eq(stats_min_samples(0.95, 0.9), 45);
	cr_assert_eq(stats_upper_bound_rank(44, 0.95, 0.9), 0, "44 trials cannot bound p95 at 90%%");
	cr_assert_eq(stats_upper_bound_rank(45, 0.95, 0.9), 45);
	/* p50 at 90 %: 1 - 0.5^n >= 0.9 -> n >= 4 */
	cr_assert_eq(stats_min_samples(0.5, 0.9), 4);
}

Test(stats, upper_bound_rank_is_smallest_sufficient)
{
	for (size_t n = 1; n <= 300; n += 7) {
		size_t k = stats_upper_bound_rank(n, 0.9, 0.95);
		if (k == 0) {
			cr_assert_lt(stats_binom_cdf((unsigned)n - 1, (unsigned)n, 0.9), 0.95);
			continue;
		}
		cr_assert_geq(stats_binom_cdf((unsigned)(k - 1), (unsigned)n, 0.9), 0.95);
		if (k > 1)
			cr_assert_lt(stats_binom_cdf((unsigned)(k - 2), (unsigned)n, 0.9), 0.95);
	}
	/* n = 100, p = 0.5, c = 0.95: rank 59 (P(Bin <= 58) = 0.9557, P(Bin <= 57) = 0.9334) */
	cr_assert_eq(stats_upper_bound_rank(100, 0.5, 0.95), 59);
}
