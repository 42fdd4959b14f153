/*
 * test_run_node_cmd.c - a node fault's node_down_command runs beside the
 * run's loop (agent/run/run_node_cmd.c), in real time against a simulated
 * cluster served by `faultline sim-adapter` (node_cmd_fixture.h): the
 * probes keep sampling while the command runs, so an outage that happens
 * and ends during it is measured at its real times; the command's
 * timeout still kills its whole process group; and the quorum guard
 * counts the nodes the run took down before the cluster shows them.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"
#include "faultline/util.h"
#include "node_cmd_fixture.h"

#define MS 1000000ULL

TestSuite(run_node_cmd, .timeout = 60);

/*
 * slow_down crashes n1 (App fails over to n2 in ~100 ms in fast-cluster)
 * and then takes 1 s more to exit. Blocking, the run took no probe sample
 * in that second: the probe saw App down and up only after the command,
 * the first check after it. Beside the loop, both transitions fall inside
 * the command's run, at the 10 ms fast cadence.
 */
Test(run_node_cmd, the_probes_keep_sampling_while_the_node_command_runs)
{
	struct served sv;
	serve(&sv, "slow", "slow_down, '{node}'");
	struct plan *p = plan_load_ok(sv.plan);
	struct run_record rec = {0};
	struct run_opts opts = {0};
	int code = run_execute(p, &opts, &rec);
	cr_assert_eq(code, FL_EXIT_OK, "%d %s", code, rec.abort_reason ? rec.abort_reason : "");
	cr_assert_eq(rec.ntrials, 1);
	const struct rec_trial *t = &rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_RECOVERED, "%s", t->error ? t->error : "");
	cr_assert_str_eq(t->node_after, "n2");
	cr_assert_eq(t->code, 0);
	const struct rec_probe *pr = &rec.probes[0];
	uint64_t down = 0, up = 0;
	for (size_t i = 0; i < pr->nchanges; i++) {
		if (pr->changes[i].at < t->injected_at)
			continue;
		if (pr->changes[i].status == PROBE_DOWN && down == 0)
			down = pr->changes[i].at;
		if (pr->changes[i].status == PROBE_UP && down != 0 && up == 0)
			up = pr->changes[i].at;
	}
	cr_assert_neq(down, 0, "the probe saw App go down");
	cr_assert_neq(up, 0, "and come back");
	/* the command ends 1 s after the crash at the earliest: blocking, the probe saw nothing before */
	cr_assert_lt(up, t->injected_at + 1000 * MS,
	             "App down at %.3f s and up at %.3f s: seen while the command ran, "
	             "which began at %.3f s",
	             (double)down / 1e9, (double)up / 1e9, (double)t->injected_at / 1e9);
	cr_assert_lt(up - down, 500 * MS,
	             "the outage is measured as it was (fail over in ~100 ms), not as the command");
	cr_assert_eq(rec.nexecs, 1, "the node command is in the record's execs");
	const struct rec_exec *x = &rec.execs[0];
	cr_assert_str_eq(x->name, "fault crash-n1 #1");
	cr_assert_str_eq(x->target, "n1");
	cr_assert_eq(x->exit_status, 0);
	cr_assert_geq(x->duration_ns, 1000 * MS, "slow_down takes 1 s after the crash");
	cr_assert_leq(t->injected_at, x->started_at, "injected_at: when the injection began, before the command");
	cr_assert_lt(up, x->started_at + x->duration_ns);
	char *calls = slurp(sv.log);
	cr_assert_str_eq(calls, "slow_down n1\nnode_up n1\n", "the restore brought n1 up with node_up_command");
	free(calls);
	record_fini(&rec);
	plan_free(p);
	unserve(&sv);
}

/* Processes of group pgid that are not zombies (a killed child of a killed shell waits for init to reap it). */
static int live_members(long pgid)
{
	int n = 0;
	DIR *d = opendir("/proc");
	cr_assert_not_null(d);
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		char state;
		long ppid, pgrp;
		const char *rp = strrchr(buf, ')'); /* after the command name, which may hold spaces */
		if (rp != NULL && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
		    state != 'Z')
			n++;
	}
	closedir(d);
	return n;
}

/* A node command that outlives node_command_timeout: the trial fails to inject, its process group is killed. */
Test(run_node_cmd, the_timeout_kills_the_commands_process_group)
{
	struct served sv;
	serve(&sv, "hang", "hang, '{node}'");
	char *text = slurp(sv.plan), *fast = replace(text, "node_command_timeout: 10s", "node_command_timeout: 300ms");
	FILE *f = fopen(sv.plan, "w");
	fputs(fast, f);
	fclose(f);
	free(text);
	free(fast);
	struct plan *p = plan_load_ok(sv.plan);
	struct run_record rec = {0};
	struct run_opts opts = {0};
	run_execute(p, &opts, &rec);
	cr_assert_eq(rec.ntrials, 1);
	const struct rec_trial *t = &rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_INJECT_FAILED);
	cr_assert_str_eq(t->error, "node_down \"n1\": node_down_command sh did not finish within 300ms: killed");
	cr_assert_eq(t->code, -1);
	cr_assert(rec.execs[0].timed_out);
	char *path = xasprintf("%s.pgid", sv.log), *pgid = slurp(path);
	long g = strtol(pgid, NULL, 10);
	cr_assert_gt(g, 1, "the command wrote its process group: \"%s\"", pgid);
	cr_assert_eq(live_members(g), 0, "process group %ld still has live members", g);
	free(path);
	free(pgid);
	record_fini(&rec);
	plan_free(p);
	unserve(&sv);
}

/*
 * A node the run took down is down for the quorum guard even while the
 * cluster still shows it up (a real cluster notices a crash seconds
 * later). Here the node commands do nothing at all, so the cluster never
 * notices: after n1 and n2 "went down", taking n3 too would leave no node
 * to run App, and the guard refuses it.
 */
Test(run_node_cmd, the_guard_counts_the_runs_own_node_downs_before_the_cluster_shows_them)
{
	const char *path = "build/test-run-node-cmd-guard.yaml";
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("version: 1\nname: guard-own-downs\nseed: 5\n"
	      "cluster:\n  backend: exec\n  command: [./faultline, sim-adapter, --no-endpoints, " TOPO "]\n"
	      "  timeout: 5s\n  node_down_command: [sh, -c, 'exit 0']\n  node_up_command: [sh, -c, 'exit 0']\n"
	      "select:\n  n1: { node: '^n1$' }\n  n2: { node: '^n2$' }\n  n3: { node: '^n3$' }\n"
	      "  app: { name: '^app$' }\n"
	      "faults:\n  - { name: down-n1, action: node_down, target: n1, recovery_timeout: 200ms }\n"
	      "  - { name: down-n2, action: node_down, target: n2, after: down-n1, recovery_timeout: 200ms }\n"
	      "  - { name: down-n3, action: node_down, target: n3, after: down-n2, recovery_timeout: 200ms }\n"
	      "probes:\n  app: { cluster: app, interval: 100ms, fast_interval: 10ms, timeout: 50ms }\n"
	      "run: { settle: 0s, steady_state: 3s, deadline: 20s }\n",
	      f);
	fclose(f);
	struct plan *p = plan_load_ok(path);
	struct run_record rec = {0};
	struct run_opts opts = {0};
	run_execute(p, &opts, &rec);
	cr_assert_eq(rec.ntrials, 3);
	cr_assert_null(rec.trials[1].error, "n2 may go: n3 is left");
	const struct rec_trial *t = &rec.trials[2];
	cr_assert_str_eq(t->fault_name, "down-n3");
	cr_assert_eq(t->outcome, TRIAL_INJECT_FAILED);
	cr_assert_str_eq(t->error,
	                 "quorum guard: node \"n3\" is the last node up and not paused: its groups would have "
	                 "no owner left (guards.allow_quorum_loss: true allows it)");
	cr_assert_eq(rec.nexecs, 2, "only n1's and n2's commands ran");
	record_fini(&rec);
	plan_free(p);
}
