/*
 * test_run_id.c - `run --run-id ID` (what the agent passes): every progress
 * and log line names the run, so the agent's log tells concurrent runs
 * apart. Also: a report file that cannot be written turns a pass into an
 * environment error that the summary names.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faultline/util.h"

static int sh(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char *buf = xcalloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(run_id, every_progress_and_log_line_names_the_run)
{
	char *out;
	int code = sh("./faultline run --virtual-time --run-id quick-20261206T074800Z --json /nonexistent/r.json "
	              "tests/data/run/pass.yaml 2>&1 >/dev/null",
	              &out);
	cr_assert_eq(code, 4, "%s", out);
	size_t lines = 0;
	for (char *l = strtok(out, "\n"); l != NULL; l = strtok(NULL, "\n"), lines++)
		if (l[0] == '[')
			cr_assert_not_null(strstr(l, "s] run quick-20261206T074800Z: "),
			                   "progress line without the run: %s", l);
		else
			cr_assert_str_eq(
			    l, "faultline: warning: run quick-20261206T074800Z: cannot write /nonexistent/r.json: No "
			       "such file or directory");
	cr_assert_gt(lines, 5);
	free(out);
	code =
	    sh("./faultline run --virtual-time --quiet --json /nonexistent/r.json tests/data/run/pass.yaml 2>/dev/null "
	       "| tail -1",
	       &out);
	cr_assert_str_eq(out, "verdict: ERROR (exit 4: environment error: report /nonexistent/r.json could not be "
	                      "written)\n");
	free(out);
	/* the JSON written before the JUnit failed is written again: it does not say pass either */
	code = sh("./faultline run --virtual-time --quiet --json /tmp/faultline-run-id.json --junit /nonexistent/r.xml "
	          "tests/data/run/pass.yaml >/dev/null 2>&1; grep -E '\"(verdict|reason|exit_code)\"' "
	          "/tmp/faultline-run-id.json | head -3; rm -f /tmp/faultline-run-id.json",
	          &out);
	cr_assert_str_eq(out, "  \"verdict\": \"error\",\n  \"reason\": \"environment_error\",\n  \"exit_code\": 4,\n");
	free(out);
}
