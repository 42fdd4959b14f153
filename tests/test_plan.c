/*
 * test_plan.c - every invalid plan in tests/data/invalid/ fails with exactly
 * these errors, at exactly these positions, in file order.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "faultline/plan.h"
#include "faultline/util.h"

#define MAX_MSGS 8

struct invalid_case {
	/* Arrays, not pointers: Criterion copies parameters into each test's process. */
	char name[48];            /* tests/data/invalid/<name>.yaml */
	char msgs[MAX_MSGS][320]; /* "line:col: message"; "" ends the list */
};

static struct invalid_case cases[] = {
    {"after-cycle",
     {"8:50: fault \"b\": after chain loops back to this fault (a loop of 2 faults)",
      "9:50: fault \"c\": after refers to the fault itself", "10:50: fault \"d\": unknown fault \"zz\" in after"}},
    {"alias-bomb", {"7:14: alias *f expands the document beyond 4000000 nodes; refusing it (alias bomb?)"}},
    {"bad-action",
     {"7:24: unknown action \"fial\"; did you mean \"fail\"?",
      "8:24: unknown action \"explode\" (expected fail, offline, online, move, node_down, node_up, node_pause, "
      "node_resume or exec)"}},
    {"backend-keys-sim", {"3:85: command is only used by backends \"exec\" and \"wsfc\", not \"sim\""}},
    {"backend-keys-wsfc",
     {"3:10: missing required key \"command\" in cluster (backend \"wsfc\" needs one)",
      "3:37: topology is only used by backend \"sim\", not \"wsfc\""}},
    {"bad-backend", {"3:21: unknown backend \"pacemakr\"; did you mean \"pacemaker\"?"}},
    {"bad-cron-fields",
     {"9:10: invalid cron expression \"0 2 * *\": expected 5 fields (minute hour day-of-month month day-of-week)"}},
    {"bad-cron", {"9:12: invalid cron expression \"0 25 * * *\": hour out of range 0-23"}},
    {"bad-duration", {"7:47: expected a duration like 250ms, 90s, 2m, 1h30m, got \"10 sec\""}},
    {"bad-durations-many",
     {"9:38: expected a duration like 250ms, 90s, 2m, 1h30m, got \"-1s\"",
      "9:52: expected a duration like 250ms, 90s, 2m, 1h30m, got \"1.5s\"",
      "9:73: expected a duration like 250ms, 90s, 2m, 1h30m, got \"30m1h\""}},
    {"bad-flag",
     {"7:58: unknown offline flag \"ignore_resource_statu\"; did you mean \"ignore_resource_status\"?",
      "7:81: unknown offline flag \"frobnicate\" (expected ignore_resource_status, return_to_source_node_on_error, "
      "queue_enabled, returning_to_source_node_because_of_error, due_to_embedded_failure, ignore_network_connectivity "
      "or do_not_update_persistent_state)",
      "7:108: duplicate offline flag \"queue_enabled\""}},
    {"bad-hostport",
     {"9:13: invalid address \"127.0.0.1\": missing :port",
      "10:13: invalid address \"127.0.0.1:99999\": port must be a number from 1 to 65535",
      "11:13: invalid address \"bad host:80\": host must be a name or an IP address"}},
    {"bad-regex-double", {"6:24: selector \"sql\": invalid regex in name: numbers out of order in {} quantifier"}},
    {"bad-regex-plain", {"6:29: selector \"sql\": invalid regex in name: missing closing parenthesis"}},
    {"bad-regex-protect", {"9:38: guards: invalid regex in protect: missing closing parenthesis"}},
    {"bad-regex-single", {"6:21: selector \"sql\": invalid regex in name: missing terminating ] for character class"}},
    {"bad-timezone",
     {"10:13: unknown time zone \"Mars/Olympus_Mons\" (expected UTC or an IANA name like Europe/Paris)"}},
    {"bad-url",
     {"9:14: invalid URL \"ftp://127.0.0.1/\": only http:// and https:// URLs are supported",
      "10:14: invalid URL \"http://:80/\": host must be a name or an IP address"}},
    {"bad-version", {"1:10: unsupported plan version 2 (this faultline reads version 1)"}},
    {"bad-window",
     {"10:20: expected a time of day HH:MM from 00:00 to 23:59, got \"25:00\"",
      "11:11: unknown missed-run policy \"later\" (expected skip or run_once)"}},
    {"binary", {"2:1: binary data: NUL byte at offset 11; not a text file"}},
    {"deep-nesting", {"2:70: nesting deeper than 64 levels"}},
    {"duplicate-fault-name", {"8:13: duplicate fault name \"f\" (first defined at 7:13)"}},
    {"duplicate-key", {"10:3: duplicate key \"p\" (first at 9:3)"}},
    {"duplicate-slo-name", {"12:13: duplicate slo name \"s\" (first defined at 11:13)"}},
    {"flags-not-offline",
     {"7:50: flags only apply to action \"offline\"", "7:81: online_after only applies to action \"offline\"",
      "7:98: destination only applies to actions \"offline\" and \"move\""}},
    {"missing-action", {"7:5: missing required key \"action\" in fault \"fail-sql\""}},
    {"missing-name-fault", {"7:5: missing required key \"name\" in fault #1"}},
    {"missing-top",
     {"1:1: missing required key \"cluster\" in plan", "1:1: missing required key \"select\" in plan",
      "1:1: missing required key \"faults\" in plan"}},
    {"missing-topology",
     {"3:36: cannot read topology \"no-such-topology.yaml\" (looked for tests/data/invalid/no-such-topology.yaml: No "
      "such file or directory)"}},
    {"multi-error",
     {"6:21: selector \"sql\": invalid regex in name: missing closing parenthesis",
      "10:13: fault \"fail-sql\": unknown selector \"sqll\" in target; did you mean \"sql\"?",
      "11:9: expected a duration like 250ms, 90s, 2m, 1h30m, got \"10 sec\"",
      "13:39: unknown key \"interavl\" in probe \"sql-port\"; did you mean \"interval\"?"}},
    {"not-a-map", {"1:1: a plan must be a mapping of keys (version, name, cluster, ...), got a sequence"}},
    {"out-of-range",
     {"9:57: fast_interval must not be longer than interval", "9:70: timeout must not be longer than interval",
      "9:84: expected an integer from 1 to 1000, got \"0\"",
      "11:40: expected a percentage in (0, 100] like 99.9%, got \"150%\"",
      "12:53: p95 (30s) must not be less than p50 (40s)",
      "12:70: expected a number between 0 and 1 (exclusive) like 0.9, got \"1.5\""}},
    {"probe-kinds",
     {"9:6: probe \"a\" needs one of cluster, tcp, http or exec",
      "10:34: probe \"b\" has both tcp and http; a probe checks one thing",
      "11:17: probe \"c\": unknown selector \"sqq\" in cluster; did you mean \"sql\"?",
      "12:14: expected at least the program to run, got an empty list"}},
    {"repeat-jitter",
     {"7:60: expected an integer from 1 to 100000, got \"0\"", "8:82: jitter must be less than every",
      "9:51: missing required key \"every\" in repeat of fault \"h\" (count is 3)"}},
    {"selector-empty",
     {"5:8: selector \"all\" has no filter: give at least one of name, group, type or node",
      "5:17: unknown resource state \"onlin\" (expected online, offline, failed, pending, online_pending, "
      "offline_pending, initializing or inherited)",
      "6:36: expected a percentage in (0, 100] like 99.9%, got \"0\"",
      "7:26: expected all, {count: N} or {percent: P}, got \"some\""}},
    {"slo-kinds",
     {"11:5: slo \"a\" needs one of recovery, availability, expect or max_restarts",
      "12:58: slo \"b\": invalid regex in to: missing closing parenthesis",
      "13:5: missing required key \"target\" in slo \"c\" (expect watches a selector)",
      "13:23: probe does not apply to expect; use target",
      "14:37: unknown expectation \"reboot\" (expected restart, failover or stays_failed)"}},
    {"undefined-probe",
     {"11:23: slo \"s\": unknown probe \"sql-prot\" in probe; did you mean \"sql-port\"?",
      "13:26: abort_when: unknown probe \"nothing\" in probe"}},
    {"slo-faults",
     {"11:75: slo \"a\": unknown fault \"fial-sql\" in faults; did you mean \"fail-sql\"?",
      "12:60: faults applies to recovery, expect and max_restarts, not to availability (it counts probe time, "
      "not trials)",
      "13:64: faults needs at least one fault name (leave it out to count every fault)"}},
    {"undefined-selector", {"7:45: fault \"fail-sql\": unknown selector \"sqll\" in target; did you mean \"sql\"?"}},
    {"unknown-key-cluster",
     {"3:10: missing required key \"topology\" in cluster (backend \"sim\" needs one)",
      "3:26: unknown key \"topolgy\" in cluster; did you mean \"topology\"?"}},
    {"unknown-key-expect", {"9:50: unknown key \"stauts\" in expect of probe \"h\"; did you mean \"status\"?"}},
    {"unknown-key-fault", {"7:43: unknown key \"att\" in fault \"f\"; did you mean \"at\"?"}},
    {"unknown-key-guards", {"9:3: unknown key \"protcet\" in guards; did you mean \"protect\"?"}},
    {"unknown-key-pick", {"5:27: unknown key \"cuont\" in pick of selector \"sql\"; did you mean \"count\"?"}},
    {"unknown-key-probe-nosuggest", {"9:39: unknown key \"banana\" in probe \"sql-port\""}},
    {"unknown-key-probe", {"9:39: unknown key \"interavl\" in probe \"sql-port\"; did you mean \"interval\"?"}},
    {"unknown-key-recovery",
     {"11:36: recovery of slo \"s\" needs at least one of p50, p90, p95, p99 or max",
      "11:38: unknown key \"p59\" in recovery of slo \"s\"; did you mean \"p50\"?"}},
    {"unknown-key-repeat", {"7:74: unknown key \"jiter\" in repeat of fault \"f\"; did you mean \"jitter\"?"}},
    {"unknown-key-run", {"9:3: unknown key \"settel\" in run; did you mean \"settle\"?"}},
    {"schedule-never-fires",
     {"11:13: schedule never fires: its window and blackouts leave no minute of the day that its cron expression "
      "names"}},
    {"schedule-window-misses-cron",
     {"10:11: schedule never fires: its window and blackouts leave no minute of the day that its cron expression "
      "names"}},
    {"unknown-key-schedule", {"10:3: unknown key \"timezon\" in schedule; did you mean \"timezone\"?"}},
    {"unknown-key-selector", {"5:31: unknown key \"grop\" in selector \"sql\"; did you mean \"group\"?"}},
    {"unknown-key-slo",
     {"11:5: slo \"s\" needs one of recovery, availability, expect or max_restarts",
      "11:26: unknown key \"availabilty\" in slo \"s\"; did you mean \"availability\"?"}},
    {"unknown-key-top-nosuggest", {"8:1: unknown key \"colour\" in plan"}},
    {"unknown-key-top", {"8:1: unknown key \"probs\" in plan; did you mean \"probes\"?"}},
    {"wrong-type-count", {"7:60: expected an integer from 1 to 100000, got \"many\""}},
    {"wrong-type-faults", {"6:9: expected a sequence, got a mapping"}},
    {"wrong-type-select",
     {"4:9: expected a mapping, got a sequence", "6:38: fault \"f\": unknown selector \"sql\" in target"}},
};

ParameterizedTestParameters(plan_invalid, reports_exact_errors)
{
	return cr_make_param_array(struct invalid_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct invalid_case *c, plan_invalid, reports_exact_errors)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/data/invalid/%s.yaml", c->name);
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	cr_assert_null(p, "%s should not load", path);
	diag_sort(&d);
	size_t want = 0;
	while (want < MAX_MSGS && c->msgs[want][0] != '\0')
		want++;
	for (size_t i = 0; i < d.n && i < want; i++) {
		char *got = diag_format(&d, i);
		char exp[1024];
		snprintf(exp, sizeof(exp), "%s:%s", path, c->msgs[i]);
		cr_expect_str_eq(got, exp);
		free(got);
	}
	cr_assert_eq(d.n, want, "%s: %zu errors, expected %zu", path, d.n, want);
	diag_fini(&d);
}

/* A topology that is a symlink loop: the error says so (issue 18: the errno was missing). */
Test(plan_invalid, topology_symlink_loop_names_the_errno)
{
	char dir[] = "/tmp/fl-topoloop-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *a = xasprintf("%s/a.yaml", dir), *b = xasprintf("%s/b.yaml", dir), *plan = xasprintf("%s/p.yaml", dir);
	cr_assert_eq(symlink(a, b), 0);
	cr_assert_eq(symlink(b, a), 0);
	FILE *f = fopen(plan, "w");
	fputs("version: 1\nname: t\ncluster: { backend: sim, topology: a.yaml }\nselect: { s: { name: x } }\n"
	      "faults: [ { name: f, action: fail, target: s } ]\n",
	      f);
	fclose(f);
	struct fl_diag d;
	diag_init(&d, plan);
	cr_assert_null(plan_load(plan, &d));
	char *got = diag_format(&d, 0),
	     *want = xasprintf("%s:3:36: cannot read topology \"a.yaml\" (looked for %s: Too "
	                       "many levels of symbolic links)",
	                       plan, a);
	cr_assert_str_eq(got, want);
	diag_fini(&d);
	unlink(a), unlink(b), unlink(plan), rmdir(dir);
	free(a), free(b), free(plan), free(got), free(want);
}

static bool has_case(const char *file)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].name);
		if (strncmp(file, cases[i].name, n) == 0 && strcmp(file + n, ".yaml") == 0)
			return true;
	}
	return false;
}

/* A fixture without a case would never be loaded: its errors could drift unnoticed. */
Test(plan_invalid, every_fixture_has_a_case)
{
	DIR *dir = opendir("tests/data/invalid");
	cr_assert_not_null(dir);
	size_t files = 0;
	for (struct dirent *de; (de = readdir(dir)) != NULL;) {
		if (de->d_name[0] == '.')
			continue;
		files++;
		cr_expect(has_case(de->d_name), "tests/data/invalid/%s has no case in test_plan.c", de->d_name);
	}
	closedir(dir);
	cr_assert_eq(files, sizeof(cases) / sizeof(cases[0]), "one case per fixture file, no case without its file");
}
