/* test_help.c - `faultline help SUBCOMMAND` and the manual pages it names. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/util.h"

static int faultline(const char *args, char **out)
{
	const char *bin = getenv("FAULTLINE_BIN") ? getenv("FAULTLINE_BIN") : "./faultline";
	char *cmd = xasprintf("%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	char *buf = xcalloc(1, 16384);
	size_t n = fread(buf, 1, 16383, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(help, subcommand_usage_and_manual)
{
	char *out;
	cr_assert_eq(faultline("help compare", &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "usage: faultline compare OLD.json NEW.json\n"), "%s", out);
	cr_assert_not_null(
	    strstr(out, "\nThe full manual: man faultline (faultline(1)); in a source tree: man ./man/faultline.1\n"),
	    "%s", out);
	free(out);
	cr_assert_eq(faultline("help agent", &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "The full manual: man faultline-agent (faultline-agent(8))"), "%s", out);
	free(out);
	cr_assert_eq(faultline("help plan", &out), 0, "%s", out);
	cr_assert_not_null(
	    strstr(out, "man faultline-plan (faultline-plan(5)); in a source tree: man ./man/faultline-plan.5\n"), "%s",
	    out);
	free(out);
}

Test(help, unknown_topic_exit_2)
{
	char *out;
	cr_assert_eq(faultline("help nope", &out), 2);
	cr_assert_str_eq(out, "faultline help: no subcommand or topic \"nope\" (see faultline --help)\n");
	free(out);
}

Test(help, every_manual_page_exists)
{
	cr_assert_eq(access("man/faultline.1", R_OK), 0);
	cr_assert_eq(access("man/faultline-plan.5", R_OK), 0);
	cr_assert_eq(access("man/faultline-agent.8", R_OK), 0);
}
