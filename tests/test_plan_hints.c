/*
 * test_plan_hints.c - plan errors a person can act on: a hint after
 * libyaml's words for the common mistakes, one error for one typo, the
 * position of the value that is wrong, and what @every wants.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/plan.h"
#include "faultline/util.h"

static char *errors_of(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	cr_assert_null(p, "%s should not load", path);
	diag_sort(&d);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diag_print(&d, f);
	fclose(f);
	diag_fini(&d);
	return buf;
}

static void expect(const char *name, const char *want)
{
	char *path = xasprintf("tests/data/hints/%s.yaml", name);
	char *got = errors_of(path);
	char *full = xasprintf("%s:%s\n", path, want);
	cr_assert_str_eq(got, full);
	free(full), free(got), free(path);
}

Test(plan_hints, backslash_in_double_quotes)
{
	expect("regex-double-quoted", "5:28: YAML syntax error: found unknown escape character (while parsing a quoted "
	                              "scalar at 5:16); hint: in double quotes a backslash starts an escape: write a "
	                              "regex in single quotes ('^SQL\\d+$')");
}

Test(plan_hints, list_item_out_of_line)
{
	expect("list-indent",
	       "8:2: YAML syntax error: did not find expected key (while parsing a block mapping at 1:1); "
	       "hint: the keys of one mapping start in one column: check this line's indentation");
}

Test(plan_hints, one_typo_one_error)
{
	expect("typo-down-for", "11:36: unknown key \"downfor\" in abort_when; did you mean \"down_for\"?");
}

Test(plan_hints, bad_destination_at_the_destination)
{
	expect("bad-destination", "10:18: fault \"drain-app\": destination \"node-z\" is not a node of topology "
	                          "\"../run/topo.yaml\"");
}

Test(plan_hints, every_with_a_space)
{
	expect("every-with-space", "8:20: invalid cron expression \"@every 30 s\": @every needs one duration written "
	                           "without spaces, like @every 30s or @every 1h30m");
}
