/* test_agent.c - the agent's plan set: load a directory all or nothing; results retention. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultline/agent.h"
#include "faultline/agent_sched.h"
#include "faultline/util.h"

/* agent_int.h is private to agent/; the one function tested here. */
void agent_results_prune(const char *dir, unsigned keep_runs, unsigned keep_days, int64_t now);

Test(agent_plans, loads_scheduled_plans_and_ignores_the_rest)
{
	struct agent_planset s = {0};
	struct agent_errors e = {0};
	cr_assert_eq(agent_plans_load("tests/data/agent/plans", &s, &e), 0);
	cr_assert_eq(e.n, 0);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.items[0].plan->name, "quick");
	cr_assert_str_eq(s.items[0].cluster_key, "sim:tests/data/agent/plans/../topo.yaml");
	cr_assert_eq(s.items[0].plan->schedule.cron.every_ns, 2000000000ULL);
	cr_assert_eq(s.items[0].last_exit, -1);
	cr_assert_not_null(agent_planset_find(&s, "quick"));
	cr_assert_null(agent_planset_find(&s, "unscheduled"));
	agent_planset_fini(&s);
}

Test(agent_plans, any_error_keeps_the_old_set_and_reports_every_error)
{
	struct agent_planset s = {.items = NULL, .n = 42}; /* must stay untouched */
	struct agent_errors e = {0};
	cr_assert_eq(agent_plans_load("tests/data/agent/invalid", &s, &e), -1);
	cr_assert_eq(s.n, 42);
	cr_assert_eq(e.n, 3);
	cr_assert_str_eq(e.lines[0],
	                 "tests/data/agent/invalid/b-bad.yaml:10:12: invalid cron expression \"0 25 * * *\": "
	                 "hour out of range 0-23");
	cr_assert_str_eq(e.lines[1], "tests/data/agent/invalid/b-bad.yaml:11:13: unknown time zone \"Mars/Olympus\" "
	                             "(expected UTC or an IANA name like Europe/Paris)");
	cr_assert_str_eq(e.lines[2], "tests/data/agent/invalid/c-dup.yaml: plan name \"quick\" is already used by "
	                             "tests/data/agent/invalid/a-good.yaml");
	agent_errors_fini(&e);
}

Test(agent_plans, a_missing_directory_is_an_error)
{
	struct agent_planset s = {0};
	struct agent_errors e = {0};
	cr_assert_eq(agent_plans_load("tests/data/agent/nope", &s, &e), -1);
	cr_assert_eq(e.n, 1);
	cr_assert_str_eq(e.lines[0],
	                 "tests/data/agent/nope: cannot open the plan directory: No such file or directory");
	agent_errors_fini(&e);
}

static void touch(const char *dir, const char *name, time_t mtime)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	struct timespec ts[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	free(path);
}

static bool exists(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	bool ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

Test(agent_results, retention_by_count_and_age)
{
	char dir[] = "/tmp/faultline-results-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	time_t now = 1700000000;
	const char *stems[] = {"p-1", "p-2", "p-3", "p-4"};
	for (int i = 0; i < 4; i++) {
		char json[32], xml[32];
		snprintf(json, sizeof(json), "%s.json", stems[i]);
		snprintf(xml, sizeof(xml), "%s.xml", stems[i]);
		touch(dir, json, now - (4 - i) * 86400); /* p-1 is 4 days old, p-4 1 day */
		touch(dir, xml, now - (4 - i) * 86400);
	}
	agent_results_prune(dir, 3, 0, now);
	cr_assert(!exists(dir, "p-1.json") && !exists(dir, "p-1.xml"), "the oldest of 4 goes with keep 3");
	cr_assert(exists(dir, "p-2.json") && exists(dir, "p-4.xml"));
	agent_results_prune(dir, 0, 2, now); /* older than 2 days: p-2 (3 days) */
	cr_assert(!exists(dir, "p-2.json") && !exists(dir, "p-2.xml"));
	cr_assert(exists(dir, "p-3.json") && exists(dir, "p-4.json"));
	for (int i = 2; i < 4; i++) {
		char *a = xasprintf("%s/%s.json", dir, stems[i]), *b = xasprintf("%s/%s.xml", dir, stems[i]);
		unlink(a);
		unlink(b);
		free(a);
		free(b);
	}
	cr_assert_eq(rmdir(dir), 0);
}

/*
 * The cluster is the whole backend configuration: two exec adapters that
 * share their first word are two clusters (they used to be one, so their
 * plans never ran at once and one starved), as the journal already had it.
 */
Test(agent_plans, the_cluster_key_is_the_whole_command)
{
	struct agent_planset s = {0};
	struct agent_errors e = {0};
	cr_assert_eq(agent_plans_load("tests/data/agent/two-adapters", &s, &e), 0, "%s", e.n ? e.lines[0] : "");
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.items[0].cluster_key, "exec:/usr/bin/faultline-adapter --cluster one");
	cr_assert_str_eq(s.items[1].cluster_key, "exec:/usr/bin/faultline-adapter --cluster two");
	agent_planset_fini(&s);
}
