/*
 * test_timeline.c - the dry-run timeline a person reads: durations to the
 * millisecond ("1m10.837s", not "1m10s837ms344us562ns"), and an offline's
 * flags, destination and online_after on its line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faultline/duration.h"
#include "faultline/util.h"

Test(timeline, duration_clock_is_compact_to_the_millisecond)
{
	static const struct {
		uint64_t ns;
		const char *want;
	} cases[] = {
	    {0, "0s"},
	    {12000000000ULL, "12s"},
	    {70837344562ULL, "1m10.837s"},
	    {60000000000ULL, "1m"},
	    {24040670172ULL, "24.041s"},
	    {3860525927135ULL, "1h4m20.526s"},
	    {3600000000000ULL, "1h"},
	    {3601000000000ULL, "1h1s"},
	    {499999ULL, "0s"},
	    {500000ULL, "0.001s"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char b[32];
		cr_assert_str_eq(duration_clock(cases[i].ns, b, sizeof(b)), cases[i].want, "%llu ns",
		                 (unsigned long long)cases[i].ns);
	}
}

Test(timeline, dry_run_of_the_game_day_plan)
{
	FILE *p = popen("./faultline run --dry-run plans/sql-gameday.yaml 2>&1", "r");
	cr_assert_not_null(p);
	char *out = xcalloc(1, 8192);
	size_t n = fread(out, 1, 8191, p);
	out[n] = '\0';
	int st = pclose(p);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	const char *want =
	    "timeline (from the end of the settle period; later if the cluster is not settled):\n"
	    "  0s             fail-sql #1: fail \"SQL Server (MSSQLSERVER)\" (SQL Server (MSSQLSERVER) on node-a)\n"
	    "  1m55.376s      fail-sql #2: fail \"SQL Server (MSSQLSERVER)\" (SQL Server (MSSQLSERVER) on node-a)\n"
	    "  4m4.011s       fail-sql #3: fail \"SQL Server (MSSQLSERVER)\" (SQL Server (MSSQLSERVER) on node-a)\n"
	    "  6m24.631s      fail-sql #4: fail \"SQL Server (MSSQLSERVER)\" (SQL Server (MSSQLSERVER) on node-a)\n"
	    "  8m23.915s      fail-sql #5: fail \"SQL Server (MSSQLSERVER)\" (SQL Server (MSSQLSERVER) on node-a)\n"
	    "  after 1m       drain #1: offline [ignore_resource_status, return_to_source_node_on_error] to node-b, "
	    "online after 30s (counted from the end of fail-sql) \"SQL Server (MSSQLSERVER)\" (SQL Server "
	    "(MSSQLSERVER) on node-a)\n";
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(out);
}

/* JUnit skips only what was deliberately not run: a dry run's planned trials. */
Test(timeline, dry_run_junit_skips_the_planned_trials)
{
	FILE *p = popen("./faultline run --dry-run --junit /dev/stdout plans/sql-gameday.yaml 2>&1 | "
	                "grep -E 'testsuite name|skipped message|property name=\"reason\"'",
	                "r");
	char *out = xcalloc(1, 8192);
	size_t n = fread(out, 1, 8191, p);
	out[n] = '\0';
	pclose(p);
	cr_assert_not_null(strstr(out, "tests=\"7\" failures=\"0\" errors=\"0\" skipped=\"6\""), "%s", out);
	cr_assert_not_null(strstr(out, "<property name=\"reason\" value=\"dry_run\"/>"), "%s", out);
	size_t skips = 0;
	for (const char *s = strstr(out, "<skipped message=\"dry run: not injected\"/>"); s != NULL;
	     s = strstr(s + 1, "<skipped message=\"dry run: not injected\"/>"))
		skips++;
	cr_assert_eq(skips, 6, "%s", out);
	free(out);
}
