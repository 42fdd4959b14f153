/*
 * test_html_overview.c - the HTML report's recovery overview (per trial
 * and sorted, SLO limits drawn, unrecovered trials as full red bars), the
 * plan's description, and wall-clock times next to T+ offsets in a
 * real-time run.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "faultline/report.h"
#include "report_fixture.h"

static char *html_of(const struct run_record *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e = {0};
	cr_assert_eq(report_html_write(r, f, &e), 0, "%s", e.msg);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(html_overview, recovery_charts_with_slo_limits)
{
	struct run_record r;
	fixture_full(&r);
	char *h = html_of(&r);
	cr_assert_not_null(strstr(h, "<h2>Recovery across trials</h2>\n<div class=\"sub\">3 measured trial(s), 1 not "
	                             "recovered (full red bars); lines: the recovery SLOs' limits</div>"),
	                   "%s", h);
	cr_assert_eq(count(h, "<svg class=\"chart\""), 2, "per trial and sorted");
	cr_assert_eq(count(h, "<rect class=\"never\""), 2, "the unrecovered trial in each chart");
	cr_assert_eq(count(h, "<rect class=\"rec\""), 4);
	cr_assert_eq(count(h, "recovery-p95 ≤ 15 s</text>"), 2, "%s", h);
	cr_assert_eq(count(h, "recovery-p99-bound ≤ 20 s</text>"), 2);
	cr_assert_not_null(strstr(h, "<title>offline-sql #1: not recovered</title>"));
	/* sorted: the unrecovered trial comes last */
	const char *sorted = strstr(h, "sorted: the distribution");
	cr_assert_not_null(sorted);
	cr_assert(strstr(sorted, "fail-sql #2: 20 ms") < strstr(sorted, "fail-sql #1: 6.512 s"));
	cr_assert(strstr(sorted, "fail-sql #1: 6.512 s") < strstr(sorted, "offline-sql #1: not recovered"));
	free(h);
	record_fini(&r);
}

Test(html_overview, description_and_wall_clock_in_real_time)
{
	struct run_record r;
	fixture_full(&r);
	r.plan_description = xstrdup("Fail <SQL> twice & check");
	char *h = html_of(&r);
	cr_assert_not_null(strstr(h, "<p class=\"description\">Fail &lt;SQL&gt; twice &amp; check</p>"));
	cr_assert_null(strstr(h, "class=\"wall\""), "a virtual run's wall clock says nothing");
	free(h);
	r.virtual_time = false;
	h = html_of(&r);
	cr_assert_not_null(strstr(h,
	                          "<td class=\"num\">T+0:05.000<br><span class=\"wall\">2025-03-01T12:00:05.000Z</span>"
	                          "</td>"),
	                   "%s", h);
	free(h);
	record_fini(&r);
}

Test(html_overview, dry_run_lists_planned_trials_and_draws_no_timeline)
{
	struct run_record r;
	fixture_small(&r);
	r.dry_run = true;
	r.trials[0].outcome = TRIAL_PENDING;
	verdict_judge(&r, REASON_PASSED, false);
	char *h = html_of(&r);
	cr_assert_not_null(strstr(h, "<span class=\"verdict v-pass\">pass</span>"));
	cr_assert_not_null(strstr(h, "exit 0: dry run: nothing was injected (1 trial(s) planned)"), "%s", h);
	cr_assert_not_null(strstr(h, "<td class=\"num\">planned T+0:02.000"), "%s", h);
	cr_assert_not_null(strstr(h, "<td class=\"inconclusive\">not run (dry run)</td>"), "%s", h);
	cr_assert_null(strstr(h, "<svg class=\"timeline\""), "nothing happened to draw");
	free(h);
	record_fini(&r);
}
