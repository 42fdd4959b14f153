/*
 * test_plan_set.c - `run --seed N` and `--set PATH=VALUE`: overrides go
 * into the YAML before the plan is read, through the same checks.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faultline/plan.h"
#include "faultline/util.h"

static char *diags(const char *path, const char *const *sets, size_t n, struct plan **out)
{
	struct fl_diag d;
	diag_init(&d, path);
	*out = plan_load_with(path, sets, n, &d);
	diag_sort(&d);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diag_print(&d, f);
	fclose(f);
	diag_fini(&d);
	return buf;
}

Test(plan_set, overrides_replace_and_add_values)
{
	const char *sets[] = {"seed=99", "run.deadline=1m30s", "faults.fail-app.repeat.count=2",
	                      "faults.0.repeat.every=2m", "probes.app-port.failures=3"};
	struct plan *p;
	char *err = diags("tests/data/run/pass.yaml", sets, 5, &p);
	cr_assert_not_null(p, "%s", err);
	cr_assert_str_empty(err);
	cr_assert_eq(p->seed, 99);
	cr_assert_eq(p->run.deadline_ns, 90 * 1000000000ULL);
	cr_assert_eq(p->faults[0].repeat.count, 2);
	cr_assert_eq(p->faults[0].repeat.every_ns, 120 * 1000000000ULL);
	cr_assert_eq(p->probes[0].failures, 3, "a key the file did not have is added");
	plan_free(p);
	free(err);
}

Test(plan_set, bad_paths_and_values_are_positioned_errors)
{
	const char *sets[] = {"run.nope.x=1", "faults.zzz.at=1s", "run=3", "nokey"};
	struct plan *p;
	char *err = diags("tests/data/run/pass.yaml", sets, 4, &p);
	cr_assert_null(p);
	cr_assert_str_eq(err, "tests/data/run/pass.yaml: --set nokey: expected PATH=VALUE, like run.deadline=2h\n"
	                      "tests/data/run/pass.yaml:8:3: --set faults.zzz.at=1s: faults has no item named \"zzz\" "
	                      "(nor that index)\n"
	                      "tests/data/run/pass.yaml:15:6: --set run.nope.x=1: run has no key \"nope\"\n"
	                      "tests/data/run/pass.yaml:15:6: --set run=3: \"run\" is a mapping; set its keys one by "
	                      "one\n");
	free(err);
	const char *bad[] = {"run.deadline=forever"};
	err = diags("tests/data/run/pass.yaml", bad, 1, &p);
	cr_assert_null(p);
	cr_assert_str_eq(err, "tests/data/run/pass.yaml:15:49: expected a duration like 250ms, 90s, 2m, 1h30m, got "
	                      "\"forever\"\n");
	free(err);
}

Test(plan_set, run_seed_is_the_records_seed)
{
	FILE *f = popen("./faultline run --virtual-time --quiet --seed 12345 --set faults.fail-app.repeat.count=2 "
	                "tests/data/run/pass.yaml 2>&1",
	                "r");
	char *out = xcalloc(1, 8192);
	size_t n = fread(out, 1, 8191, f);
	out[n] = '\0';
	int st = pclose(f);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	cr_assert_eq(strncmp(out, "plan run-pass  seed 12345  backend sim (virtual time)\n", 54), 0, "%s", out);
	cr_assert_not_null(strstr(out, "(exit 0: passed: 2 trial(s) recovered, 2 SLO(s) passed)"), "%s", out);
	free(out);
}
