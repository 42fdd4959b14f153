/* test_report_text.c - the terminal summary: content, alignment, colors, sanitising. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "faultline/report.h"
#include "report_fixture.h"

static char *text_of(const struct run_record *r, bool color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text_write(r, f, color);
	fclose(f);
	return buf;
}

Test(report_text, full_record_exact)
{
	struct run_record r;
	fixture_full(&r);
	char *got = text_of(&r, false);
	cr_assert_str_eq(
	    got, "plan sql-failover  seed 42  backend sim (virtual time)\n"
	         "started 2025-03-01T12:00:00.123Z  duration 61 s\n"
	         "\n"
	         "Trials (recovery: the slowest probe's; SLOs name their own probe)\n"
	         "fault        #  resource            node             outcome        recovery                "
	         "       by probe\n"
	         "fail-sql     1  SQL Server (INST1)  node-a → node-b  recovered      6.512 s ±20 ms          "
	         "       sql-tcp\n"
	         "fail-sql     2  SQL Server (INST1)  node-b → node-b  recovered      ≤ 20 ms (outage not "
	         "observed)  sql-tcp\n"
	         "offline-sql  1  SQL Server (INST1)  node-b → ?       not recovered  > 30 s "
	         "(recovery_timeout)      sql-tcp\n"
	         "\n"
	         "SLOs\n"
	         "slo                 kind          verdict       detail\n"
	         "availability        availability  pass          99.2 % available >= 99 %\n"
	         "recovery-p95        recovery      fail          p95 recovery 30 s > 15 s\n"
	         "recovery-p99-bound  recovery      inconclusive  3 trials are too few for a 95 % bound on "
	         "p99 (need 299)\n"
	         "\n"
	         "Restore\n"
	         "  ok      SQL Server (INST1): online (online on node-b)\n"
	         "  FAILED  SQL Group: move back to node-a (move refused: code 5023)\n"
	         "\n"
	         "verdict: FAIL (exit 1: SLO failed: recovery-p95: p95 recovery 30 s > 15 s; restore NOT verified for "
	         "1 resource(s): the cluster needs an operator)\n");
	cr_assert_null(strchr(got, '\033'), "no color unless asked");
	free(got);
	record_fini(&r);
}

Test(report_text, colors_only_when_asked)
{
	struct run_record r;
	fixture_full(&r);
	char *got = text_of(&r, true);
	cr_assert_not_null(strstr(got, "\033[32mrecovered\033[0m      6.512 s"), "%s", got);
	cr_assert_not_null(strstr(got, "\033[31mnot recovered\033[0m  > 30 s"));
	cr_assert_not_null(strstr(got, "\033[31mfail\033[0m          p95"));
	cr_assert_not_null(strstr(got, "\033[33minconclusive\033[0m  3 trials"));
	cr_assert_not_null(strstr(got, "verdict: \033[31mFAIL\033[0m (exit 1"));
	free(got);
	record_fini(&r);
}

Test(report_text, columns_align_by_display_width)
{
	struct run_record r;
	fixture_small(&r);
	free(r.trials[0].resource);
	r.trials[0].resource = xstrdup("数据库"); /* 3 wide characters: 6 columns */
	struct rec_trial *t = record_add_trial(&r);
	t->fault_name = xstrdup("f");
	t->index = 1;
	t->resource = xstrdup("Cafe\xCC\x81 SQL"); /* e + combining acute: 8 columns */
	t->outcome = TRIAL_INJECT_FAILED;
	t->code = 5;
	t->error = xstrdup("access denied\x1b]0;pwned\x07");
	char *got = text_of(&r, false);
	cr_assert_not_null(strstr(got,
	                          "fault  #  resource  node   outcome        recovery       by probe\n"
	                          "f      1  数据库    a → b  recovered      500 ms ±20 ms  tcp\n"
	                          "f      2  Cafe\xCC\x81 SQL  ? → ?  inject failed  -              -\n"
	                          "  f #2: injection failed (code 5): access denied\xEF\xBF\xBD]0;pwned\xEF\xBF\xBD\n"),
	                   "%s", got);
	cr_assert_null(strchr(got, '\033'), "no escape from a name reaches the terminal");
	free(got);
	record_fini(&r);
}

Test(report_text, aborted_run_says_why)
{
	struct run_record r;
	fixture_small(&r);
	r.abort_reason = xstrdup("not steady before the first fault");
	verdict_judge(&r, REASON_NOT_STEADY, false);
	char *got = text_of(&r, false);
	cr_assert_not_null(
	    strstr(got, "\nverdict: ABORTED (exit 3: aborted, not steady: not steady before the first fault)\n"), "%s",
	    got);
	free(got);
	record_fini(&r);
}

Test(report_text, durations_read_naturally)
{
	char buf[32];
	cr_assert_str_eq(report_fmt_duration(MS(41200), buf, sizeof(buf)), "41.2 s");
	cr_assert_str_eq(report_fmt_duration(MS(6512), buf, sizeof(buf)), "6.512 s");
	cr_assert_str_eq(report_fmt_duration(SEC(30), buf, sizeof(buf)), "30 s");
	cr_assert_str_eq(report_fmt_duration(MS(20), buf, sizeof(buf)), "20 ms");
	cr_assert_str_eq(report_fmt_duration(1500000, buf, sizeof(buf)), "1.5 ms");
	cr_assert_str_eq(report_fmt_duration(250000, buf, sizeof(buf)), "250 µs");
	cr_assert_str_eq(report_fmt_duration(999999999, buf, sizeof(buf)), "1 s");
	cr_assert_str_eq(report_fmt_duration(0, buf, sizeof(buf)), "0 s");
}
