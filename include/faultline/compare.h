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
 * clean release still fails the gate at most 5 % of the time. Rows that
 * hold the very same samples (the only fault, the only probe) are one test,
 * not several: they share the first such row's p.
 *
 * A trial that did not recover is slower than any that did: it ranks last
 * (ties with the other unrecovered ones) and shows as "not recovered".
 *
 * Small samples cannot reach significance at all (4 against 4 trials: the
 * smallest exact p is 1/70). Each row says the smallest multiplicative
 * shift of OLD's recovery times its sizes could detect, and when the whole
 * run could not detect a 2x slowdown the verdict is "inconclusive", with
 * the number of trials per side that would.
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

/* A recovery that never happened, in cmp_dist: slower than any other. */
#define COMPARE_NOT_RECOVERED UINT64_MAX

struct cmp_dist {
	size_t n;
	size_t not_recovered;
	uint64_t p50, p95, max; /* COMPARE_NOT_RECOVERED when that rank did not recover */
};

struct cmp_row {
	char *what; /* "all trials", "fault fail-sql", "probe sql-port" (owned) */
	struct cmp_dist old, new;
	bool tested; /* both sides have samples */
	struct mw_result mw;
	double p_adj;  /* Holm-adjusted p: significant when <= COMPARE_ALPHA */
	long same_as;  /* index of an earlier row with the very same samples, or -1 */
	double detect; /* smallest factor OLD x f these sizes detect; INFINITY: none */
	bool slower;   /* significant after Holm's correction */
	double *x, *y; /* the samples (private) */
	size_t nx, ny;
};

struct cmp_result {
	struct cmp_row *rows;
	size_t nrows;
	size_t ntested;    /* distinct sample sets tested: Holm's m */
	bool regression;   /* some row is significantly slower */
	bool inconclusive; /* no regression, and "all trials" could not detect a 2x shift */
	size_t need_n;     /* then: trials per side that would (0: more than COMPARE_NEED_MAX) */
};

#define COMPARE_NEED_MAX 1000

/*
 * Compare the recovery distributions of two runs: all trials, each fault
 * and each probe present in both (matched by name). Trials that were
 * never injected or were aborted carry no measurement and are left out;
 * unrecovered ones rank slowest. Fills *out; free with compare_fini.
 */
void compare_runs(const struct run_record *old, const struct run_record *new, struct cmp_result *out);
void compare_fini(struct cmp_result *c);

#endif
