/*
 * test_compare.c - the Mann-Whitney gate. Expected p-values were computed
 * independently in a one-off python3 script (standard library only):
 * exact p by enumerating every split of the pooled sample
 * (itertools.combinations), the normal approximation from the textbook
 * formula with tie correction (statistics.NormalDist), HL as the median of
 * pairwise differences:
 *   A exact  U=22   p=0.027777777777777776  HL=2.5
 *   B exact  U=48   p=0.010256410256410256  HL=0.95
 *   C normal U=84.5 p=0.019491969886134886  HL=2.0  (ties)
 *   D normal U=1699 p=0.13308305610372329   HL=10.5 (n=55 > 50)
 *   E exact  U=19   p=0.4686147186147186    HL=0.035
 */
#include <criterion/criterion.h>
#include <sys/wait.h>

#include "faultline/compare.h"
#include "faultline/report.h"
#include "report_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check(const double *x, size_t nx, const double *y, size_t ny, double u, double p, double hl, bool exact)
{
	struct mw_result r;
	compare_mann_whitney(x, nx, y, ny, &r);
	cr_assert_float_eq(r.u, u, 1e-9);
	cr_assert_float_eq(r.p, p, 1e-12, "p = %.17g, expected %.17g", r.p, p);
	cr_assert_float_eq(r.hl_ns, hl, 1e-9);
	cr_assert_eq(r.exact, exact);
}

Test(compare, exact_small_samples)
{
	double a1[] = {1, 2, 3, 4, 5}, a2[] = {3.5, 4.5, 5.5, 6.5, 7.5};
	check(a1, 5, a2, 5, 22, 0.027777777777777776, 2.5, true);
	double b1[] = {2.1, 3.4, 1.9, 2.8, 3.0, 2.2, 2.6, 3.1}, b2[] = {2.9, 3.6, 4.1, 3.3, 2.7, 3.9, 4.4};
	check(b1, N(b1), b2, N(b2), 48, 0.010256410256410256, 0.95, true);
	double e1[] = {4.0, 4.2, 3.9, 4.1, 4.3, 3.8}, e2[] = {4.05, 4.15, 3.95, 4.25, 3.85, 4.12};
	check(e1, N(e1), e2, N(e2), 19, 0.4686147186147186, 0.035, true);
}

Test(compare, normal_approximation_with_ties)
{
	double c1[] = {3, 3, 4, 4, 4, 5, 5, 6, 7, 9}, c2[] = {4, 5, 5, 6, 6, 6, 7, 8, 8, 10, 12};
	check(c1, N(c1), c2, N(c2), 84.5, 0.019491969886134886, 2.0, false);
}

Test(compare, normal_approximation_large_n)
{
	double d1[55], d2[55];
	for (int i = 0; i < 55; i++)
		d1[i] = 100 + 3 * i, d2[i] = 110 + 3 * i + 0.5;
	check(d1, 55, d2, 55, 1699, 0.13308305610372329, 10.5, false);
}

Test(compare, faster_is_never_a_regression)
{
	double a1[] = {1, 2, 3, 4, 5}, a2[] = {3.5, 4.5, 5.5, 6.5, 7.5};
	struct mw_result r;
	compare_mann_whitney(a2, 5, a1, 5, &r);
	cr_assert_float_eq(r.u, 3, 1e-9);
	cr_assert_float_eq(r.p, 1 - 4.0 / 252,
	                   1e-12); /* P(U >= 3) = 1 - P(U <= 2); U = 0, 1, 2 in 1, 1, 2 of C(10, 5) = 252 ways */
}

/* A record whose trials of fault "fail-sql" recovered in the given ms, measured by probe "tcp". */
static void runs(struct run_record *r, const double *ms, size_t n)
{
	fixture_small(r);
	free(r->trials[0].fault_name);
	r->trials[0].fault_name = xstrdup("fail-sql");
	r->trials[0].recovery_ns = r->trials[0].measures[0].recovery_ns = (uint64_t)(ms[0] * 1e6);
	for (size_t i = 1; i < n; i++) {
		struct rec_trial *t = fx_trial(r, "fail-sql", (unsigned)i, "a", "a", TRIAL_RECOVERED);
		t->outage_observed = true;
		t->recovery_ns = (uint64_t)(ms[i] * 1e6);
		fx_measure(t, 0, true, true, 0, 0, t->recovery_ns);
	}
	struct rec_trial *t = fx_trial(r, "fail-sql", 99, "a", NULL, TRIAL_INJECT_FAILED); /* carries no sample */
	t->recovery_ns = SEC(999);
}

static char *write_json(const struct run_record *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e;
	cr_assert_eq(report_json_write(r, f, &e), 0);
	fclose(f);
	char *name = fx_tempfile(buf, len);
	free(buf);
	return name;
}

static const double old_ms[] = {1000, 2000, 3000, 4000, 5000}, new_ms[] = {3500, 4500, 5500, 6500, 7500};

Test(compare, runs_rows_and_holm)
{
	struct run_record a, b;
	runs(&a, old_ms, 5);
	runs(&b, new_ms, 5);
	struct cmp_result c;
	compare_runs(&a, &b, &c);
	cr_assert_eq(c.nrows, 3);
	cr_assert_str_eq(c.rows[0].what, "all trials");
	cr_assert_str_eq(c.rows[1].what, "fault fail-sql");
	cr_assert_str_eq(c.rows[2].what, "probe tcp");
	cr_assert_eq(c.rows[0].old.n, 5, "the refused injection carries no sample");
	cr_assert_eq(c.rows[0].old.p50, MS(3000));
	cr_assert_eq(c.rows[0].new.p95, MS(7500));
	cr_assert_eq(c.rows[0].new.max, MS(7500));
	cr_assert_float_eq(c.rows[2].mw.p, 0.027777777777777776, 1e-12);
	/* The three rows hold the same samples: one test (m = 1), so p = 0.0278 is significant. */
	cr_assert_eq(c.ntested, 1);
	cr_assert(c.regression);
	compare_fini(&c);
	record_fini(&a);
	record_fini(&b);
}

static int run_cli(const char *args, char **out)
{
	const char *bin = getenv("FAULTLINE_BIN") ? getenv("FAULTLINE_BIN") : "./faultline";
	char *cmd = xasprintf("%s compare %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	char *buf = xcalloc(1, 16384);
	size_t n = fread(buf, 1, 16383, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(compare, cli_exit_codes)
{
	static const double slow_ms[] = {4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800, 4900, 5000};
	static const double fast_ms[] = {3000, 3100, 3200, 3300, 3400, 3500, 3600, 3700, 3800, 3900};
	struct run_record a, b;
	runs(&a, fast_ms, 10);
	runs(&b, slow_ms, 10);
	char *fa = write_json(&a), *fb = write_json(&b), *out;
	char *args = xasprintf("%s %s", fa, fb);
	cr_assert_eq(run_cli(args, &out), 1, "%s", out);
	cr_assert_not_null(strstr(out, "verdict: REGRESSION: new is significantly slower (exit 1)"), "%s", out);
	/* Every new value exceeds every old one: exact p = 1 / C(20, 10). */
	cr_assert_not_null(strstr(out, "5.413e-06"), "%s", out);
	cr_assert_not_null(strstr(out, "+1.1 s "), "HL shift: %s", out);
	free(out);
	free(args);
	args = xasprintf("%s %s", fb, fa);
	cr_assert_eq(run_cli(args, &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "verdict: no significant regression (exit 0)"));
	free(out);
	free(args);
	args = xasprintf("%s tests/data/nonexistent.json", fa);
	cr_assert_eq(run_cli(args, &out), 2, "%s", out);
	cr_assert_not_null(strstr(out, "faultline compare: tests/data/nonexistent.json"), "%s", out);
	free(out);
	free(args);
	unlink(fa), unlink(fb);
	free(fa), free(fb);
	record_fini(&a);
	record_fini(&b);
}
