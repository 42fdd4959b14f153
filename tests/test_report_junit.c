/* test_report_junit.c - the JUnit rendering: exact XML, failure messages, escaping. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "faultline/report.h"
#include "report_fixture.h"

static char *junit_of(const struct run_record *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e = {0};
	cr_assert_eq(report_junit_write(r, f, &e), 0, "%s", e.msg);
	fclose(f);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	char *buf = xcalloc(1, 1 << 16);
	cr_assert(fread(buf, 1, (1 << 16) - 1, f) > 0 && feof(f));
	fclose(f);
	return buf;
}

/* If xmllint is installed, the document must be well-formed; skip quietly otherwise. */
static void assert_well_formed(const char *xml)
{
	if (access("/usr/bin/xmllint", X_OK) != 0)
		return;
	char *path = fx_tempfile(xml, strlen(xml));
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	int status = pclose(p);
	unlink(path);
	free(path);
	cr_assert_eq(status, 0, "xmllint rejects:\n%s", xml);
}

Test(report_junit, small_record_exact)
{
	struct run_record r;
	fixture_small(&r);
	char *got = junit_of(&r);
	cr_assert_str_eq(got, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                      "<testsuite name=\"tiny\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\" "
	                      "time=\"7.500\" timestamp=\"2025-03-01T12:00:00.123Z\">\n"
	                      "  <properties>\n"
	                      "    <property name=\"seed\" value=\"42\"/>\n"
	                      "    <property name=\"backend\" value=\"sim\"/>\n"
	                      "    <property name=\"plan_sha256\" "
	                      "value=\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"/>\n"
	                      "    <property name=\"exit_code\" value=\"0\"/>\n"
	                      "    <property name=\"verdict\" value=\"pass\"/>\n"
	                      "    <property name=\"reason\" value=\"passed\"/>\n"
	                      "  </properties>\n"
	                      "  <testcase classname=\"run\" name=\"verdict\" time=\"7.500\"/>\n"
	                      "  <testcase classname=\"slo\" name=\"rec\" time=\"0.000\"/>\n"
	                      "  <testcase classname=\"trial.f\" name=\"f #1: SQL Server (INST1)\" time=\"0.500\"/>\n"
	                      "</testsuite>\n");
	assert_well_formed(got);
	free(got);
	record_fini(&r);
}

Test(report_junit, full_record_counts_failures_never_skips)
{
	struct run_record r;
	fixture_full(&r);
	char *got = junit_of(&r);
	char *want = slurp("tests/data/report/full.xml");
	cr_assert_str_eq(got, want);
	/* the run, the failed and the inconclusive SLO, the unrecovered trial: CI must not show green */
	cr_assert_not_null(strstr(got, "tests=\"7\" failures=\"4\" errors=\"0\" skipped=\"0\" time=\"61.000\""));
	assert_well_formed(got);
	free(got);
	free(want);
	record_fini(&r);
}

Test(report_junit, late_recovery_inject_failure_and_abort)
{
	struct run_record r;
	fixture_full(&r);
	r.trials[2].recovery_ns = MS(41200);
	r.trials[1].outcome = TRIAL_INJECT_FAILED;
	r.trials[1].code = 5023;
	r.trials[1].error = xstrdup("resource is not online");
	r.trials[0].outcome = TRIAL_ABORTED;
	r.abort_reason = xstrdup("guard \"quorum\" tripped");
	verdict_judge(&r, REASON_GUARD, false);
	char *got = junit_of(&r);
	cr_assert_not_null(strstr(got,
	                          "<failure message=\"recovered in 41.2 s (resolution 20 ms) &gt; recovery_timeout "
	                          "30 s\" type=\"not_recovered\">"),
	                   "%s", got);
	cr_assert_not_null(strstr(got, "<error message=\"injection failed (code 5023): resource is not online\" "
	                               "type=\"inject_failed\">"));
	cr_assert_not_null(
	    strstr(got, "<error message=\"run aborted: guard &quot;quorum&quot; tripped\" type=\"aborted\">"), "%s",
	    got);
	cr_assert_not_null(strstr(got,
	                          "<error message=\"aborted (exit 3): aborted by a guard: guard &quot;quorum&quot; "
	                          "tripped\" type=\"guard\"/>"),
	                   "%s", got);
	/* failures: p95 and p99 SLOs, the late trial; errors: the run, the refused and the aborted trial */
	cr_assert_not_null(strstr(got, "tests=\"7\" failures=\"3\" errors=\"3\" skipped=\"0\""), "%s", got);
	cr_assert_not_null(strstr(got, "<property name=\"abort_reason\" value=\"guard &quot;quorum&quot; tripped\"/>"));
	assert_well_formed(got);
	free(got);
	record_fini(&r);
}

Test(report_junit, hostile_strings_are_escaped_and_control_characters_replaced)
{
	struct run_record r;
	fixture_small(&r);
	free(r.plan_name);
	r.plan_name = xstrdup("<plan> & \"co\" 'x'");
	free(r.trials[0].fault_name);
	r.trials[0].fault_name = xstrdup("f\x01\x1b[31m");
	free(r.trials[0].resource);
	r.trials[0].resource = xstrdup("a\tb\nc\xff]]>");
	r.slos[0].verdict = SLO_FAIL;
	free(r.slos[0].detail);
	r.slos[0].detail = xstrdup("p99 </failure><x>");
	char *got = junit_of(&r);
	cr_assert_not_null(strstr(got, "<testsuite name=\"&lt;plan&gt; &amp; &quot;co&quot; &apos;x&apos;\""));
	cr_assert_not_null(strstr(got,
	                          "classname=\"trial.f\xEF\xBF\xBD\xEF\xBF\xBD[31m\" name=\"f\xEF\xBF\xBD\xEF\xBF\xBD"
	                          "[31m #1: a&#9;b&#10;c\xEF\xBF\xBD]]&gt;\""),
	                   "%s", got);
	cr_assert_not_null(strstr(got, "<failure message=\"p99 &lt;/failure&gt;&lt;x&gt;\" type=\"recovery\"/>"));
	for (const char *p = got; *p != '\0'; p++)
		cr_assert(*p == '\n' || (unsigned char)*p >= 0x20, "raw control byte 0x%02x at %td", *p, p - got);
	assert_well_formed(got);
	free(got);
	record_fini(&r);
}
