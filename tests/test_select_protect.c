/*
 * test_select_protect.c - guards.protect never acts silently: `select`
 * names what it protected, and `validate` warns when a cluster probe's
 * selector lost resources to it.
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

Test(select_protect, select_names_the_protected_resources)
{
	char *out;
	cr_assert_eq(faultline("select tests/data/select/protected.yaml", &out), 0, "%s", out);
	cr_assert_str_eq(out, "selector app: group~/^App$/\n"
	                      "  1 matched, 1 protected, 1 picked (seed 7):\n"
	                      "  protected by guards.protect: \"App Disk\"\n"
	                      "    App Server                               online       App on node-a\n");
	free(out);
}

Test(select_protect, validate_warns_about_a_cluster_probe_narrowed_by_protect)
{
	char *out;
	cr_assert_eq(faultline("validate tests/data/select/protected.yaml", &out), 0, "%s", out);
	cr_assert_str_eq(out,
	                 "tests/data/select/protected.yaml:13:3: warning: probe \"app-state\" watches selector "
	                 "\"app\", from which guards.protect removed 1 resource(s): the probe does not watch them\n"
	                 "tests/data/select/protected.yaml: valid\n");
	free(out);
}

Test(select_protect, run_says_when_a_cluster_probe_watches_less)
{
	char *out;
	cr_assert_eq(faultline("run --virtual-time tests/data/select/protected.yaml 2>&1 >/dev/null | head -1", &out),
	             0, "%s", out);
	cr_assert_str_eq(out,
	                 "[   0.000s] probe app-state: 1 resource(s) of selector app are protected by guards.protect "
	                 "and not watched\n");
	free(out);
}
