/*
 * compare.h - is a new run's recovery significantly slower than an old one's?
 *
 * The test is a one-sided Mann-Whitney U test (H1: NEW's recovery times are
 * stochastically larger), at alpha 0.05. Why this test: recovery times are
 * skewed, bounded below and have long tails (a failover next to restarts),
 * so nothing justifies a t-test's normality; the rank test is
 * distribution-free, one slow outlier moves it by one rank only, and it is
 * exact for the small samples a game day produces (10-60 trials). The
 * p-value is exact (counted over all arrangements) when both samples have
 * at most COMPARE_EXACT_MAX values and there are no ties; otherwise it is
 * the normal approximation with tie correction and continuity correction.
 * The size of the change is the Hodges-Lehmann estimate: the median of all
 * pairwise differences NEW - OLD, robust for the same reasons.
 *
 * Several distributions are compared at once (all trials, each fault, each
 * probe), so the gate applies Holm's step-down correction across them: a
 * clean release still fails the gate at most 5 % of the time.
 */
#ifndef FAULTLINE_COMPARE_H
#define FAULTLINE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/record.h"

#define COMPARE_ALPHA     0.05
#define COMPARE_EXACT_MAX 50

struct mw_result {
	double u;     /* pairs with new > old, ties counted one half */
	double p;     /* one-sided: P(U >= u) under H0 */
	double hl_ns; /* Hodges-Lehmann shift NEW - OLD */
	bool exact;   /* p counted exactly (else normal approximation) */
};

/*
 * One-sided Mann-Whitney test of y (new) against x (old), both non-empty.
 * The arrays are not modified.
 */
void compare_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct mw_result *out);

struct cmp_dist {
	size_t n;
	uint64_t p50, p95, max;
};

struct cmp_row {
	char *what; /* "all trials", "fault fail-sql", "probe sql-port" (owned) */
	struct cmp_dist old, new;
	bool tested; /* both sides have samples */
	struct mw_result mw;
	bool slower; /* significant after Holm's correction */
};

struct cmp_result {
	struct cmp_row *rows;
	size_t nrows;
	size_t ntested;
	bool regression; /* some row is significantly slower */
};

/*
 * Compare the recovery distributions of two runs: all trials, each fault
 * and each probe present in both (matched by name). Trials that were
 * never injected or were aborted carry no measurement and are left out;
 * unrecovered ones count with their recovery (a lower bound: they rank
 * as slow, which is what they were). Fills *out; free with compare_fini.
 */
void compare_runs(const struct run_record *old, const struct run_record *new, struct cmp_result *out);
void compare_fini(struct cmp_result *c);

#endif
