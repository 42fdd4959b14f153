/*
 * test_run.c - end-to-end runs against the simulator in virtual time
 * (exact, deterministic) and one in real time over loopback TCP.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/run.h"
#include "faultline/util.h"
#include "port_fixture.h"

#define MS 1000000ULL

struct outcome {
	struct plan *plan;
	struct run_record rec;
	int code;
};

static void run_plan(struct outcome *o, const char *path, struct run_opts opts)
{
	struct fl_diag d;
	diag_init(&d, path);
	o->plan = plan_load(path, &d);
	if (o->plan == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(o->plan, "%s should load", path);
	memset(&o->rec, 0, sizeof(o->rec));
	o->code = run_execute(o->plan, &opts, &o->rec);
}

static void virtual_run(struct outcome *o, const char *path)
{
	struct run_opts opts = {.virtual_time = true};
	run_plan(o, path, opts);
}

static void done(struct outcome *o)
{
	record_fini(&o->rec);
	plan_free(o->plan);
}

static const struct rec_slo *slo(const struct outcome *o, const char *name)
{
	for (size_t i = 0; i < o->rec.nslos; i++)
		if (strcmp(o->rec.slos[i].name, name) == 0)
			return &o->rec.slos[i];
	cr_assert_fail("no SLO %s", name);
	return NULL;
}

static void assert_all_restored(const struct outcome *o)
{
	cr_assert_gt(o->rec.nrestores, 0);
	for (size_t i = 0; i < o->rec.nrestores; i++)
		cr_assert(o->rec.restores[i].ok, "%s: %s", o->rec.restores[i].resource, o->rec.restores[i].detail);
}

TestSuite(run, .timeout = 30);

Test(run, passing_run_measures_each_trial_exactly)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/pass.yaml");
	cr_assert_eq(o.code, FL_EXIT_OK);
	cr_assert_eq(o.rec.verdict, VERDICT_PASS);
	cr_assert_eq(o.rec.ntrials, 3);
	/* RestartDelay 500 ms + online 400 ms; the second failure within RestartPeriod
	 * fails the group over: offline 100 + 50 ms, then disk 100 + server 400 ms. */
	static const uint64_t want[] = {900 * MS, 550 * MS, 900 * MS};
	static const char *const nodes[] = {"node-a", "node-b", "node-b"};
	static const enum cluster_outcome outcomes[] = {OUTCOME_RESTART, OUTCOME_FAILOVER, OUTCOME_RESTART};
	for (size_t i = 0; i < 3; i++) {
		const struct rec_trial *t = &o.rec.trials[i];
		cr_assert_eq(t->outcome, TRIAL_RECOVERED);
		cr_assert_str_eq(t->node_after, nodes[i]);
		cr_assert_eq(t->cluster, outcomes[i], "trial %zu: %s", i, cluster_outcome_str(t->cluster));
		/* Probe 1 is the event-driven cluster probe: exact. */
		cr_assert_eq(t->measures[1].recovery_ns, want[i], "trial %zu: %llu", i,
		             (unsigned long long)t->measures[1].recovery_ns);
		/* Probe 0 polls every 20 ms: never early, at most one cadence late. */
		cr_assert_geq(t->measures[0].recovery_ns, want[i]);
		cr_assert_leq(t->measures[0].recovery_ns, want[i] + t->measures[0].resolution_ns);
		cr_assert_eq(t->measures[0].resolution_ns, 20 * MS);
		cr_assert(t->measures[0].outage_observed);
	}
	cr_assert_eq(o.rec.trials[0].injected_at, 6000 * MS); /* settle 1 s + at 5 s */
	cr_assert_eq(o.rec.trials[1].injected_at, 66000 * MS);
	cr_assert_eq(slo(&o, "fast")->verdict, SLO_PASS);
	cr_assert_eq(slo(&o, "available")->verdict, SLO_PASS);
	assert_all_restored(&o);
	cr_assert_str_eq(o.rec.restores[0].action, "move group \"App\" back to node-a");
	done(&o);
}

/*
 * The cluster says Online at 900 ms, the service answers 301 ms later: the
 * engine hunts from the Online (checks every 1.5 ms), so the TCP probe finds
 * it at the first check at or after 1201 ms, 1201.5 ms, instead of on its
 * 20 ms cadence (1220 ms).
 */
Test(run, hunts_for_a_service_that_lags_online)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/lag.yaml");
	cr_assert_eq(o.code, FL_EXIT_OK);
	cr_assert_eq(o.rec.ntrials, 1);
	const struct rec_trial *t = &o.rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_RECOVERED);
	cr_assert_eq(t->measures[1].recovery_ns, 900 * MS, "the cluster probe: Online");
	cr_assert_eq(t->measures[0].recovery_ns, 1201500000ULL, "%llu", (unsigned long long)t->measures[0].recovery_ns);
	cr_assert_eq(t->measures[0].resolution_ns, 1500000ULL);
	cr_assert_eq(t->recovery_ns, 1201500000ULL, "the trial's recovery is the service's");
	done(&o);
}

Test(run, slo_violated_exits_1)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/slo-violated.yaml");
	cr_assert_eq(o.code, FL_EXIT_SLO);
	cr_assert_eq(o.rec.verdict, VERDICT_FAIL);
	cr_assert_str_eq(slo(&o, "fast")->detail, "max 900 ms > 100 ms over 3 trial(s) on probe app-port");
	cr_assert_eq(slo(&o, "available")->verdict, SLO_PASS);
	assert_all_restored(&o);
	done(&o);
}

Test(run, never_recovered_trial_fails_and_is_restored)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/never-recovers.yaml");
	cr_assert_eq(o.code, FL_EXIT_SLO);
	cr_assert_eq(o.rec.ntrials, 1);
	cr_assert_eq(o.rec.trials[0].outcome, TRIAL_NOT_RECOVERED);
	cr_assert_eq(o.rec.trials[0].cluster, OUTCOME_STAYS_FAILED);
	cr_assert_eq(o.rec.trials[0].closed_at - o.rec.trials[0].injected_at, 10000 * MS);
	cr_assert_eq(o.rec.nrestores, 1);
	cr_assert_str_eq(o.rec.restores[0].action, "online (was failed)");
	assert_all_restored(&o);
	done(&o);
}

Test(run, not_steady_aborts_before_injecting)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/not-steady.yaml");
	cr_assert_eq(o.code, FL_EXIT_ABORTED);
	cr_assert_eq(o.rec.ntrials, 0);
	cr_assert_str_eq(o.rec.abort_reason, "not steady: probe dormant-state is down after 5s (\"Dormant Service\" is "
	                                     "offline); nothing was injected");
	cr_assert_eq(o.rec.nrestores, 0);
	done(&o);
}

Test(run, abort_when_guard_aborts_and_restores)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/abort-when.yaml");
	cr_assert_eq(o.code, FL_EXIT_ABORTED);
	cr_assert_str_eq(o.rec.abort_reason, "guard abort_when: probe app-port down for 3s");
	cr_assert_eq(o.rec.ntrials, 1);
	cr_assert_eq(o.rec.trials[0].outcome, TRIAL_ABORTED);
	assert_all_restored(&o);
	done(&o);
}

Test(run, sigterm_mid_run_restores_everything)
{
	struct outcome o;
	struct run_opts opts = {.virtual_time = true, .signal_after_injections = 2, .signal_to_raise = SIGTERM};
	run_plan(&o, "tests/data/run/pass.yaml", opts);
	cr_assert_eq(o.code, FL_EXIT_ABORTED);
	cr_assert_str_eq(o.rec.abort_reason, "received Terminated");
	cr_assert_eq(o.rec.ntrials, 2);
	cr_assert_eq(o.rec.trials[0].outcome, TRIAL_RECOVERED);
	cr_assert_eq(o.rec.trials[1].outcome, TRIAL_ABORTED);
	/* The second trial was cut short mid-failover: the group must be back on node-a. */
	assert_all_restored(&o);
	done(&o);
}

Test(run, dry_run_injects_nothing)
{
	struct outcome o;
	struct run_opts opts = {.virtual_time = true, .dry_run = true};
	char *out = NULL;
	size_t len = 0;
	FILE *saved = stdout;
	stdout = open_memstream(&out, &len);
	run_plan(&o, "tests/data/run/pass.yaml", opts);
	fclose(stdout);
	stdout = saved;
	cr_assert_eq(o.code, FL_EXIT_OK);
	/* the planned trials are recorded, none of them injected */
	cr_assert_eq(o.rec.ntrials, 3);
	for (size_t i = 0; i < o.rec.ntrials; i++)
		cr_assert_eq(o.rec.trials[i].outcome, TRIAL_PENDING);
	cr_assert_eq(o.rec.nevents, 0);
	cr_assert_eq(o.rec.nrestores, 0);
	cr_assert(strstr(out, "selector app: 1 matched, 1 picked: \"App Server\" (App on node-a)") != NULL, "%s", out);
	cr_assert(strstr(out, "  5s             fail-app #1: fail \"App Server\"") != NULL, "%s", out);
	cr_assert(strstr(out, "  1m5s           fail-app #2: fail") != NULL, "%s", out);
	free(out);
	done(&o);
}

Test(run, expect_and_max_restarts_from_cluster_events)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/failover.yaml");
	cr_assert_eq(o.code, FL_EXIT_SLO);
	cr_assert_eq(slo(&o, "fails-over")->verdict, SLO_FAIL);
	cr_assert_str_eq(slo(&o, "fails-over")->detail, "1 of 2 trial(s) on app were not failover; first: fail-app #1 "
	                                                "\"App Server\" ended restart on node-a");
	cr_assert_eq(slo(&o, "restarts")->verdict, SLO_PASS);
	cr_assert_eq(o.rec.trials[1].failovers, 1);
	assert_all_restored(&o);
	done(&o);
}

static char *json_without_wall_clock(const struct run_record *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e;
	cr_assert_eq(report_json_write_opts(rec, f, false, &e), 0);
	fclose(f);
	return buf;
}

Test(run, same_seed_gives_identical_json)
{
	struct outcome a, b;
	virtual_run(&a, "tests/data/run/pass.yaml");
	virtual_run(&b, "tests/data/run/pass.yaml");
	char *ja = json_without_wall_clock(&a.rec), *jb = json_without_wall_clock(&b.rec);
	cr_assert_str_eq(ja, jb);
	cr_assert(strstr(ja, "\"recovery_ms\": 900") != NULL || strstr(ja, "\"recovery_ms\":900") != NULL);
	free(ja);
	free(jb);
	done(&a);
	done(&b);
}

static uint64_t ground_truth_online(const struct run_record *rec, const char *resource, uint64_t after)
{
	for (size_t i = 0; i < rec->nevents; i++)
		if (strcmp(rec->events[i].resource, resource) == 0 && rec->events[i].state == RES_ONLINE &&
		    rec->events[i].at > after)
			return rec->events[i].at;
	cr_assert_fail("no Online event for %s", resource);
	return 0;
}

Test(run, real_time_tcp_probe_agrees_with_ground_truth)
{
	struct outcome o;
	struct run_opts opts = {0};
	char dir[] = "/tmp/faultline-rt-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	unsigned port = free_port();
	copy_with_port("tests/data/run/topo.yaml", dir, "topo.yaml", 24330, port);
	copy_with_port("tests/data/run/realtime.yaml", dir, "realtime.yaml", 24330, port);
	char *plan = xasprintf("%s/realtime.yaml", dir);
	run_plan(&o, plan, opts);
	char *t1 = xasprintf("%s/topo.yaml", dir);
	unlink(t1);
	unlink(plan);
	rmdir(dir);
	free(t1);
	free(plan);
	cr_assert_eq(o.code, FL_EXIT_OK, "abort: %s", o.rec.abort_reason ? o.rec.abort_reason : "-");
	cr_assert_eq(o.rec.ntrials, 1);
	const struct rec_trial *t = &o.rec.trials[0];
	const struct rec_measure *m = &t->measures[0];
	cr_assert(m->outage_observed, "the TCP probe saw the real listener close");
	uint64_t truth = ground_truth_online(&o.rec, "App Server", t->injected_at);
	/* Never before the listener was back; late by at most one fast cadence (plus a little connect latency). */
	cr_assert_geq(m->up_at + 1 * MS, truth, "up_at %llu truth %llu", (unsigned long long)m->up_at,
	              (unsigned long long)truth);
	cr_assert_leq(m->up_at, truth + m->resolution_ns + 2 * MS, "up_at %llu truth %llu",
	              (unsigned long long)m->up_at, (unsigned long long)truth);
	assert_all_restored(&o);
	done(&o);
}

Test(run, offline_with_destination_move_and_online_actions)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/actions.yaml");
	cr_assert_eq(o.code, FL_EXIT_OK, "abort: %s", o.rec.abort_reason ? o.rec.abort_reason : "-");
	cr_assert_eq(o.rec.ntrials, 3);
	static const char *const after[] = {"node-b", "node-c", "node-a"};
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(o.rec.trials[i].outcome, TRIAL_RECOVERED, "trial %zu", i);
		cr_assert_str_eq(o.rec.trials[i].node_after, after[i]);
	}
	/* Offline App Server (100 ms) then App Disk (50 ms), online on node-b: disk 100 + server 400 ms. */
	const struct rec_measure *m = &o.rec.trials[0].measures[0];
	cr_assert(m->outage_observed);
	cr_assert_geq(m->recovery_ns, 650 * MS);
	cr_assert_leq(m->recovery_ns, 650 * MS + m->resolution_ns);
	/* `after` chains: each starts 10 s after the previous one closed. */
	cr_assert_eq(o.rec.trials[1].injected_at, o.rec.trials[0].closed_at + 10000 * MS);
	cr_assert_eq(o.rec.trials[2].injected_at, o.rec.trials[1].closed_at + 10000 * MS);
	cr_assert_eq(o.rec.trials[0].code, 997); /* ERROR_IO_PENDING: accepted */
	assert_all_restored(&o);
	bool took_offline = false;
	for (size_t i = 0; i < o.rec.nrestores; i++)
		if (strcmp(o.rec.restores[i].resource, "Dormant Service") == 0)
			took_offline = strcmp(o.rec.restores[i].action, "offline (was offline before the run)") == 0;
	cr_assert(took_offline, "the run brought Dormant Service online; restore takes it offline again");
	/* `faults:` narrows a recovery SLO to the trials of the named faults. */
	cr_assert_eq(slo(&o, "fast")->samples, 3);
	cr_assert_eq(slo(&o, "drain-only")->samples, 1);
	cr_assert_eq(slo(&o, "drain-only")->verdict, SLO_PASS);
	done(&o);
}

Test(run, exec_probes_are_refused_in_virtual_time)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/exec-virtual.yaml");
	cr_assert_eq(o.code, FL_EXIT_INVALID);
	cr_assert_str_eq(o.rec.abort_reason, "probe \"script\": exec probes run real processes and cannot run in "
	                                     "virtual time; rehearse with cluster, tcp or http probes");
	cr_assert_eq(o.rec.ntrials, 0);
	done(&o);
}

/* Issue 14 case 7: a refused FailClusterResource (5084) is reported when it is due, not at the deadline. */
Test(run, fail_of_an_offline_resource_is_refused_at_once)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/fail-offline.yaml");
	cr_assert_eq(o.rec.ntrials, 1);
	const struct rec_trial *t = &o.rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_INJECT_FAILED);
	cr_assert_eq(t->code, WIN_ERROR_RESMON_INVALID_STATE);
	cr_assert_str_eq(t->error, "resource \"Dormant Service\": not online (offline) (5084)");
	cr_assert_eq(t->injected_at, 2000 * MS); /* settle 1 s + at 1 s */
	cr_assert_eq(t->closed_at, t->injected_at);
	cr_assert_lt(o.rec.duration_ns, 10000 * MS, "the run ends, it does not wait for the 10 min deadline");
	done(&o);
}

/* Issue 14 case 6: offline without online_after leaves the resource offline; nothing brings it back. */
Test(run, offline_without_online_after_stays_offline_until_restore)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/offline-stays.yaml");
	cr_assert_eq(o.rec.ntrials, 1);
	const struct rec_trial *t = &o.rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_NOT_RECOVERED);
	cr_assert_eq(t->cluster, OUTCOME_OFFLINE, "%s", cluster_outcome_str(t->cluster));
	cr_assert_eq(t->code, WIN_ERROR_IO_PENDING);
	cr_assert_eq(t->closed_at - t->injected_at, 10000 * MS);
	cr_assert_eq(t->restarts, 0, "no online was issued behind the plan's back");
	cr_assert_eq(o.rec.nrestores, 1);
	cr_assert_str_eq(o.rec.restores[0].resource, "Cluster Name");
	cr_assert_str_eq(o.rec.restores[0].action, "online (was offline)");
	assert_all_restored(&o);
	done(&o);
}

/* online_after 0 with an offline that takes 100 ms: the online waits for the offline to complete. */
Test(run, online_after_zero_follows_the_completed_offline)
{
	struct outcome o;
	virtual_run(&o, "tests/data/run/offline-online-0.yaml");
	cr_assert_eq(o.rec.ntrials, 1);
	const struct rec_trial *t = &o.rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_RECOVERED, "%s", trial_outcome_str(t->outcome));
	cr_assert_eq(t->cluster, OUTCOME_RESTART);
	/* Offline 100 ms, then online 400 ms: the event-driven cluster probe is exact. */
	cr_assert_eq(t->measures[0].recovery_ns, 500 * MS, "%llu", (unsigned long long)t->measures[0].recovery_ns);
	done(&o);
	/* A provider: App Server offline 100 ms, App Disk 50 ms, then App Disk online 100 ms. */
	virtual_run(&o, "tests/data/run/offline-provider-online-0.yaml");
	cr_assert_eq(o.rec.ntrials, 1);
	t = &o.rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_RECOVERED, "%s", trial_outcome_str(t->outcome));
	cr_assert_eq(t->measures[0].recovery_ns, 250 * MS, "%llu", (unsigned long long)t->measures[0].recovery_ns);
	done(&o);
}
