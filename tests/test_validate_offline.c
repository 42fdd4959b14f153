/*
 * test_validate_offline.c - `validate` does every check it can without a
 * real cluster: a selector matching nothing in the simulated topology the
 * plan names is an error (the run would stop with exit 2), a confidence
 * SLO that needs more trials than the plan runs is a warning.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faultline/util.h"

static int faultline(const char *args, char **out)
{
	char *cmd = xasprintf("./faultline %s 2>&1", args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	char *buf = xcalloc(1, 16384);
	size_t n = fread(buf, 1, 16383, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(validate_offline, selector_matching_nothing_in_the_topology)
{
	char *out;
	cr_assert_eq(faultline("validate tests/data/validate/no-match.yaml", &out), 2, "%s", out);
	cr_assert_str_eq(out, "tests/data/validate/no-match.yaml:8:3: selector \"typo\": no resource matches (5 "
	                      "resources; 0 match name) in topology \"../run/topo.yaml\"\n");
	free(out);
}

Test(validate_offline, confidence_slo_with_too_few_planned_trials)
{
	char *out;
	cr_assert_eq(faultline("validate plans/sql-gameday.yaml", &out), 0, "%s", out);
	cr_assert_str_eq(out, "plans/sql-gameday.yaml:40:5: warning: slo \"recovers-fast\": p95 at 90% confidence "
	                      "needs at least 45 trials, the plan runs 6: its verdict will be inconclusive\n"
	                      "plans/sql-gameday.yaml: valid\n");
	free(out);
	/* 60 trials bound p95 at 95 % (59 would): no warning */
	cr_assert_eq(faultline("validate plans/release-gate.yaml", &out), 0, "%s", out);
	cr_assert_str_eq(out, "plans/release-gate.yaml: valid\n");
	free(out);
}
