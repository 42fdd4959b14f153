/* test_dist.c - durations drawn from distributions: parsing with exact positioned errors, and seeded draws. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/dist.h"
#include "faultline/rng.h"
#include "faultline/util.h"
#include "faultline/yamldoc.h"

#define MS 1000000ULL

static struct fl_diag diag;
static struct ydoc *doc;

static void setup(void)
{
	diag_init(&diag, "t.yaml");
	doc = NULL;
}

static void teardown(void)
{
	ydoc_free(doc);
	diag_fini(&diag);
}

TestSuite(dist, .init = setup, .fini = teardown, .timeout = 10);

/* Parse the value of key "lag" in text; returns dist_parse's result. */
static int parse(const char *text, struct dist *out)
{
	ydoc_free(doc);
	doc = ydoc_load_buf("t.yaml", text, strlen(text), NULL, &diag);
	cr_assert_not_null(doc, "YAML should load: %s", text);
	const struct ydoc_node *n = ydoc_get(doc->root, "lag");
	cr_assert_not_null(n);
	return dist_parse(n, "lag", out, &diag);
}

/* Every diagnostic, one per line. */
static char *errors(void)
{
	char *all = xstrdup("");
	for (size_t i = 0; i < diag.n; i++) {
		char *line = diag_format(&diag, i);
		char *next = xasprintf("%s%s\n", all, line);
		free(line);
		free(all);
		all = next;
	}
	return all;
}

static void expect_errors(const char *text, const char *want)
{
	struct dist d = dist_fixed(42);
	cr_assert_eq(parse(text, &d), -1, "%s should not parse", text);
	cr_assert_eq(d.min_ns, 42, "out must be left alone on error");
	char *got = errors();
	cr_expect_str_eq(got, want, "%s:\n--- got ---\n%s--- want ---\n%s", text, got, want);
	free(got);
}

Test(dist, scalar_is_fixed)
{
	struct dist d;
	cr_assert_eq(parse("lag: 250ms\n", &d), 0);
	cr_assert_eq(d.kind, DIST_FIXED);
	cr_assert_eq(d.min_ns, 250 * MS);
	cr_assert_eq(dist_sample(&d, NULL), 250 * MS);
	cr_assert_eq(dist_max(&d), 250 * MS);
}

Test(dist, min_max_is_uniform)
{
	struct dist d;
	cr_assert_eq(parse("lag: {min: 0ms, max: 2s}\n", &d), 0);
	cr_assert_eq(d.kind, DIST_UNIFORM);
	cr_assert_eq(d.min_ns, 0);
	cr_assert_eq(d.max_ns, 2000 * MS);
	char buf[64];
	cr_assert_str_eq(dist_format(&d, buf, sizeof(buf)), "uniform 0s..2s");
}

Test(dist, equal_bounds_are_fixed)
{
	struct dist d;
	cr_assert_eq(parse("lag: {min: 1s, max: 1s}\n", &d), 0);
	cr_assert_eq(d.kind, DIST_FIXED);
	cr_assert_eq(d.min_ns, 1000 * MS);
}

Test(dist, median_p95_is_lognormal)
{
	struct dist d;
	cr_assert_eq(parse("lag: {median: 200ms, p95: 1s, max: 5s}\n", &d), 0);
	cr_assert_eq(d.kind, DIST_LOGNORMAL);
	cr_assert_eq(d.median_ns, 200 * MS);
	cr_assert_eq(d.p95_ns, 1000 * MS);
	cr_assert_eq(d.max_ns, 5000 * MS);
	char buf[64];
	cr_assert_str_eq(dist_format(&d, buf, sizeof(buf)), "lognormal median 200ms p95 1s max 5s");
}

Test(dist, lognormal_without_max_is_unbounded)
{
	struct dist d;
	cr_assert_eq(parse("lag: {median: 50ms, p95: 50ms}\n", &d), 0);
	cr_assert_eq(d.kind, DIST_LOGNORMAL);
	cr_assert_eq(d.max_ns, DIST_UNBOUNDED);
	cr_assert_float_eq(d.sigma, 0.0, 1e-12);
	struct rng r;
	rng_init(&r, 1, 2);
	cr_assert_eq(dist_sample(&d, &r), 50 * MS, "sigma 0: every draw is the median");
	char buf[64];
	cr_assert_str_eq(dist_format(&d, buf, sizeof(buf)), "lognormal median 50ms p95 50ms");
}

Test(dist, errors_are_positioned)
{
	expect_errors("lag: soon\n", "t.yaml:1:6: lag: invalid duration \"soon\" (write e.g. 500ms, 15m, 1h30m)\n");
	diag_fini(&diag);
	diag_init(&diag, "t.yaml");
	expect_errors("lag: [1s, 2s]\n",
	              "t.yaml:1:6: lag: expected a duration, {min, max} or {median, p95}, got a sequence\n");
}

Test(dist, uniform_errors)
{
	expect_errors("x: 1\nlag:\n  min: 2s\n  max: 1s\n", "t.yaml:4:8: lag: max 1s is less than min 2s\n");
}

Test(dist, uniform_missing_max)
{
	expect_errors(
	    "lag: {min: 2s}\n",
	    "t.yaml:1:6: lag: missing required key \"max\" (a distribution is {min, max} or {median, p95})\n");
}

Test(dist, both_bad_values_reported)
{
	expect_errors("lag: {min: x, max: {a: 1}}\n",
	              "t.yaml:1:12: lag: min: invalid duration \"x\" (write e.g. 500ms, 15m, 1h30m)\n"
	              "t.yaml:1:20: lag: max: expected a duration, got a mapping\n");
}

Test(dist, unknown_key_suggests)
{
	expect_errors("lag: {min: 0s, max: 1s, p59: 2s}\n",
	              "t.yaml:1:25: lag: unknown key \"p59\" (did you mean \"p95\"?)\n");
}

Test(dist, unknown_key_explains)
{
	expect_errors(
	    "lag: {average: 1s}\n",
	    "t.yaml:1:7: lag: unknown key \"average\" (a distribution is {min, max} or {median, p95[, max]})\n");
}

Test(dist, lognormal_errors)
{
	expect_errors("lag: {median: 200ms, p95: 100ms}\n", "t.yaml:1:27: lag: p95 100ms is less than median 200ms\n");
}

Test(dist, lognormal_max_below_median)
{
	expect_errors("lag: {median: 200ms, p95: 1s, max: 100ms}\n",
	              "t.yaml:1:36: lag: max 100ms is less than median 200ms\n");
}

Test(dist, lognormal_zero_median)
{
	expect_errors("lag: {median: 0s, p95: 1s}\n", "t.yaml:1:15: lag: median must be greater than 0\n");
}

Test(dist, lognormal_rejects_min)
{
	expect_errors("lag: {min: 0s, median: 1s, p95: 2s}\n",
	              "t.yaml:1:12: lag: min belongs to a uniform {min, max}; a lognormal takes median, p95 and max\n");
}

Test(dist, lognormal_missing_p95)
{
	expect_errors("lag: {median: 1s}\n",
	              "t.yaml:1:6: lag: missing required key \"p95\" (a lognormal is {median, p95[, max]})\n");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The seeded draws reproduce, stay in bounds and have the asked-for median and p95. */
Test(dist, uniform_draws_in_bounds_and_reproducible)
{
	struct dist d = dist_uniform(10 * MS, 20 * MS);
	struct rng a, b;
	rng_init(&a, 7, rng_salt("x"));
	rng_init(&b, 7, rng_salt("x"));
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < 10000; i++) {
		uint64_t v = dist_sample(&d, &a);
		cr_assert_eq(v, dist_sample(&d, &b));
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	cr_assert_geq(lo, 10 * MS);
	cr_assert_leq(hi, 20 * MS);
	cr_assert_lt(lo, 10 * MS + 10000, "10,000 draws cover the low end");
	cr_assert_gt(hi, 20 * MS - 10000, "and the high end");
}

Test(dist, lognormal_quantiles_match)
{
	enum { N = 20000 };
	struct dist d;
	struct fl_err e;
	cr_assert_eq(dist_lognormal(&d, 200 * MS, 1000 * MS, DIST_UNBOUNDED, &e), 0);
	struct rng r;
	rng_init(&r, 7, rng_salt("lognormal"));
	uint64_t *v = malloc(N * sizeof(*v));
	for (int i = 0; i < N; i++)
		v[i] = dist_sample(&d, &r);
	qsort(v, N, sizeof(*v), cmp_u64);
	double med = (double)v[N / 2] / MS, p95 = (double)v[N * 95 / 100] / MS;
	free(v);
	/* Sampling error of 20,000 draws: a few percent. */
	cr_expect(med > 190 && med < 210, "median %.1f ms", med);
	cr_expect(p95 > 930 && p95 < 1070, "p95 %.1f ms", p95);
}

Test(dist, lognormal_clamped_to_max)
{
	struct dist d;
	struct fl_err e;
	cr_assert_eq(dist_lognormal(&d, 200 * MS, 2000 * MS, 300 * MS, &e), 0);
	struct rng r;
	rng_init(&r, 3, 4);
	int at_max = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t v = dist_sample(&d, &r);
		cr_assert_leq(v, 300 * MS);
		at_max += v == 300 * MS;
	}
	cr_assert_gt(at_max, 100, "a wide lognormal clamped near its median hits the clamp often (%d)", at_max);
}
