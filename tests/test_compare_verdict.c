/*
 * test_compare_verdict.c - what `compare` concludes, and that it says when
 * it cannot conclude: unrecovered trials rank slowest, rows with the same
 * samples are one test, adjusted p, detectable shift, SLO flips.
 * Expected p-values were computed independently in python3 (math.erfc,
 * the textbook tie-corrected normal approximation; exact p = 1 / C(m+n, n)
 * for complete separation).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <sys/wait.h>

#include "faultline/compare.h"
#include "faultline/plan.h"
#include "faultline/report.h"
#include "faultline/run.h"
#include "report_fixture.h"

/* Trials of fault "fail-sql" measured by probe "tcp"; INFINITY = not recovered. */
static void runs(struct run_record *r, const double *ms, size_t n)
{
	fixture_small(r);
	free(r->trials[0].fault_name);
	r->trials[0].fault_name = xstrdup("fail-sql");
	r->trials[0].recovery_ns = r->trials[0].measures[0].recovery_ns = (uint64_t)(ms[0] * 1e6);
	for (size_t i = 1; i < n; i++) {
		bool ok = !isinf(ms[i]);
		struct rec_trial *t =
		    fx_trial(r, "fail-sql", (unsigned)i, "a", "a", ok ? TRIAL_RECOVERED : TRIAL_NOT_RECOVERED);
		t->outage_observed = true;
		/* what the JSON writer records for a trial that did not recover: its time so far, or 0 */
		t->recovery_ns = ok ? (uint64_t)(ms[i] * 1e6) : 0;
		fx_measure(t, 0, true, ok, 0, 0, t->recovery_ns);
	}
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

static int run_cli(const char *a, const char *b, char **out)
{
	char *cmd = xasprintf("./faultline compare %s %s 2>&1", a, b);
	FILE *p = popen(cmd, "r");
	free(cmd);
	char *buf = xcalloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(compare_verdict, unrecovered_trials_rank_slowest)
{
	double old[10], new[10];
	for (int i = 0; i < 10; i++)
		old[i] = 1000 + 100 * i, new[i] = INFINITY;
	new[0] = 1450, new[1] = 1550, new[2] = 1650; /* 7 of 10 did not recover */
	struct run_record a, b;
	runs(&a, old, 10);
	runs(&b, new, 10);
	struct cmp_result c;
	compare_runs(&a, &b, &c);
	cr_assert_eq(c.rows[0].new.not_recovered, 7);
	cr_assert_eq(c.rows[0].new.p50, COMPARE_NOT_RECOVERED);
	cr_assert_float_eq(c.rows[0].mw.u, 88, 1e-9);
	cr_assert_float_eq(c.rows[0].mw.p, 0.0018875627844461267, 1e-12, "p = %.17g", c.rows[0].mw.p);
	cr_assert(c.regression);
	compare_fini(&c);
	record_fini(&a);
	record_fini(&b);
}

Test(compare_verdict, identical_rows_are_one_test_and_adjusted_p_is_shown)
{
	/* All trials, the only fault and the only probe hold the same samples: one test, m = 1. */
	static const double old[] = {1000, 2000, 3000, 4000, 5000}, new[] = {3500, 4500, 5500, 6500, 7500};
	struct run_record a, b;
	runs(&a, old, 5);
	runs(&b, new, 5);
	struct cmp_result c;
	compare_runs(&a, &b, &c);
	cr_assert_eq(c.nrows, 3);
	cr_assert_eq(c.ntested, 1);
	cr_assert_eq(c.rows[0].same_as, -1);
	cr_assert_eq(c.rows[1].same_as, 0);
	cr_assert_eq(c.rows[2].same_as, 0);
	cr_assert_float_eq(c.rows[0].p_adj, 0.027777777777777776, 1e-12);
	cr_assert(c.regression, "p 0.0278 <= 0.05 once the twins are not counted three times");
	compare_fini(&c);
	char *fa = write_json(&a), *fb = write_json(&b), *out;
	record_fini(&a);
	record_fini(&b);
	cr_assert_eq(run_cli(fa, fb, &out), 1, "%s", out);
	cr_assert_not_null(strstr(out, "+2.5 s     0.02778   0.02778   exact  ×2    SLOWER\n"), "%s", out);
	cr_assert_not_null(strstr(out, "SLOWER (same samples as all trials)\n"), "%s", out);
	cr_assert_not_null(strstr(out, "Holm-corrected over 1 distinct sample set(s)"), "%s", out);
	free(out);
	unlink(fa), unlink(fb);
	free(fa), free(fb);
}

Test(compare_verdict, too_few_trials_is_inconclusive_not_a_pass)
{
	/* 2 against 2: the smallest exact p is 1/C(4,2) = 0.1667 > 0.05, whatever the shift. */
	static const double old[] = {1000, 2000}, new[] = {7000, 8000};
	struct run_record a, b;
	runs(&a, old, 2);
	runs(&b, new, 2);
	struct cmp_result c;
	compare_runs(&a, &b, &c);
	cr_assert_float_eq(c.rows[0].mw.p, 1.0 / 6, 1e-12);
	cr_assert_not(c.regression);
	cr_assert(c.inconclusive);
	cr_assert(isinf(c.rows[0].detect), "no shift is detectable with 2 against 2");
	/* the N it names does detect a 2x shift of OLD's quantiles, and N - 1 does not */
	size_t n = c.need_n;
	cr_assert_gt(n, 2);
	for (size_t k = n - 1; k <= n; k++) {
		double *x = xcalloc(k, sizeof(double)), *y = xcalloc(k, sizeof(double));
		for (size_t i = 0; i < k; i++) {
			x[i] = 1e6 * old[(size_t)(((double)i + 0.5) * 2 / (double)k)];
			y[i] = 2 * x[i];
		}
		struct mw_result r;
		compare_mann_whitney(x, k, y, k, &r);
		cr_assert_eq(r.p <= COMPARE_ALPHA, k == n, "N = %zu: p %g at %zu per side", n, r.p, k);
		free(x), free(y);
	}
	char *fa = write_json(&a), *fb = write_json(&b), *out;
	cr_assert_eq(run_cli(fa, fb, &out), 0, "%s", out);
	char *want =
	    xasprintf("verdict: inconclusive: too few trials (need ≥ %zu per side for a 2× shift) (exit 0)\n", n);
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_null(strstr(out, "no significant regression"), "%s", out);
	free(want), free(out);
	unlink(fa), unlink(fb);
	free(fa), free(fb);
	compare_fini(&c);
	record_fini(&a);
	record_fini(&b);
}

Test(compare_verdict, flipped_slo_is_flagged)
{
	static const double ms[] = {1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900};
	struct run_record a, b;
	runs(&a, ms, 10);
	runs(&b, ms, 10);
	b.slos[0].verdict = SLO_FAIL;
	char *fa = write_json(&a), *fb = write_json(&b), *out;
	cr_assert_eq(run_cli(fa, fb, &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "  rec                          pass         → fail  FLIPPED (now failing)\n"),
	                   "%s", out);
	cr_assert_not_null(strstr(out, "verdict: no significant regression (exit 0)\n"), "%s", out);
	free(out);
	unlink(fa), unlink(fb);
	free(fa), free(fb);
	record_fini(&a);
	record_fini(&b);
}

static char *run_to_json(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	diag_fini(&d);
	cr_assert_not_null(p, "%s", path);
	struct run_record rec;
	memset(&rec, 0, sizeof(rec));
	struct run_opts o = {.virtual_time = true};
	run_execute(p, &o, &rec);
	char *name = write_json(&rec);
	record_fini(&rec);
	plan_free(p);
	return name;
}

/* Real runs: NEW's App Server restarts only after its recovery_timeout, so no trial recovers. */
Test(compare_verdict, new_whose_trials_did_not_recover_is_a_regression)
{
	char *fa = run_to_json("tests/data/compare/old.yaml"), *fb = run_to_json("tests/data/compare/new.yaml"), *out;
	cr_assert_eq(run_cli(fa, fb, &out), 1, "%s", out);
	cr_assert_not_null(strstr(out,
	                          "all trials                 8   8         900 ms not recovered         900 ms not "
	                          "recovered         900 ms not recovered  +never "),
	                   "%s", out);
	cr_assert_not_null(strstr(out, "verdict: REGRESSION: new is significantly slower (exit 1)\n"), "%s", out);
	free(out);
	unlink(fa), unlink(fb);
	free(fa), free(fb);
}
