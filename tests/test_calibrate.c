/*
 * test_calibrate.c - `faultline calibrate`: the times fitted from a run's
 * record are the times that produced it, the written topology loads, and a
 * plan run against it measures the same recoveries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/run.h"
#include "faultline/sim.h"
#include "faultline/util.h"
#include "plan_fixture.h"

#define MS 1000000ULL

static void run_virtual(const char *path, struct run_record *rec)
{
	struct plan *p = plan_load_ok(path);
	struct run_opts opts = {.virtual_time = true};
	memset(rec, 0, sizeof(*rec));
	run_execute(p, &opts, rec);
	plan_free(p);
}

static struct sim_topology *load_topo(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct sim_topology *t = sim_topology_load(path, &d);
	if (t == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(t, "%s should load", path);
	return t;
}

static const struct sim_resource_def *res(const struct sim_topology *t, const char *name)
{
	for (size_t i = 0; i < t->nresources; i++)
		if (strcmp(t->resources[i].name, name) == 0)
			return &t->resources[i];
	cr_assert_fail("no resource %s", name);
	return NULL;
}

Test(calibrate, recovers_the_times_that_produced_the_record)
{
	struct run_record rec;
	run_virtual("tests/data/run/pass.yaml",
	            &rec); /* App Disk 100/50 ms, App Server 400/100 ms, RestartDelay 500 ms */
	struct sim_topology *t = load_topo("tests/data/calibrate/base.yaml");
	struct fl_err e;
	char *log = NULL;
	size_t loglen = 0;
	FILE *lf = open_memstream(&log, &loglen);
	cr_assert_eq(sim_calibrate(t, &rec, 1, CALIB_ALL, lf, &e), 0, "%s", e.msg);
	fclose(lf);
	const struct sim_resource_def *srv = res(t, "App Server"), *disk = res(t, "App Disk");
	cr_assert_eq(srv->online_time.min_ns, 400 * MS);
	cr_assert_eq(srv->online_time.max_ns, 400 * MS);
	cr_assert_eq(srv->offline_time.min_ns, 100 * MS);
	cr_assert_eq(srv->restart_delay_ns, 500 * MS, "measured, replacing the base's 2 s");
	cr_assert_eq(disk->online_time.min_ns, 100 * MS, "from the failover's start on node-b");
	cr_assert_eq(disk->offline_time.min_ns, 50 * MS);
	cr_assert_eq(res(t, "Cluster Name")->online_time.max_ns, 0, "untouched: nothing measured");
	/* 3 trials and the restore's move back (its events are read while the probes confirm the steady state). */
	cr_assert(strstr(log, "calibrate: resource \"App Server\": online_time from 4 sample(s): 400ms\n"), "%s", log);
	free(log);
	sim_topology_free(t);
	record_fini(&rec);
}

Test(calibrate, cli_writes_a_topology_that_reproduces_the_recoveries)
{
	char dir[] = "/tmp/fl-calibrate-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char json[256], out[256], plan[256];
	snprintf(json, sizeof(json), "%s/pass.json", dir);
	snprintf(out, sizeof(out), "%s/calibrated.yaml", dir);
	snprintf(plan, sizeof(plan), "%s/plan.yaml", dir);
	struct run_record rec;
	run_virtual("tests/data/run/pass.yaml", &rec);
	struct fl_err e;
	FILE *jf = fopen(json, "w");
	cr_assert_eq(report_json_write(&rec, jf, &e), 0, "%s", e.msg);
	fclose(jf);
	char *argv[] = {"calibrate", "tests/data/calibrate/base.yaml", json, "-o", out, NULL};
	cr_assert_eq(cmd_calibrate(5, argv), FL_EXIT_OK);
	FILE *f = fopen(plan, "w");
	fprintf(f, "version: 1\nname: again\nseed: 7\ncluster: { backend: sim, topology: calibrated.yaml }\n"
	           "select:\n  app: { name: '^App Server$' }\n"
	           "faults:\n  - { name: fail-app, action: fail, target: app, at: 5s, repeat: { count: 3, every: 1m }, "
	           "recovery_timeout: 30s }\n"
	           "probes:\n  app-state: { cluster: app, interval: 1s, fast_interval: 20ms, timeout: 500ms }\n"
	           "run: { settle: 1s, steady_state: 10s, deadline: 10m }\n");
	fclose(f);
	struct run_record again;
	run_virtual(plan, &again);
	cr_assert_eq(again.ntrials, rec.ntrials);
	for (size_t i = 0; i < rec.ntrials; i++) {
		cr_assert_eq(again.trials[i].cluster, rec.trials[i].cluster, "trial %zu", i);
		/* rec's probe 1 is the same event-driven cluster probe as again's probe 0: exact. */
		cr_assert_eq(again.trials[i].measures[0].recovery_ns, rec.trials[i].measures[1].recovery_ns,
		             "trial %zu", i);
	}
	record_fini(&again);
	record_fini(&rec);
	unlink(json), unlink(out), unlink(plan), rmdir(dir);
}

Test(calibrate, refuses_records_without_anything_to_fit)
{
	struct run_record rec = {0};
	struct sim_topology *t = load_topo("tests/data/calibrate/base.yaml");
	struct fl_err e;
	cr_assert_eq(sim_calibrate(t, &rec, 1, CALIB_ALL, stderr, &e), -1);
	cr_assert_str_eq(e.msg, "calibrate: no resource of topology \"run-test\" has a start, stop or reaction in the "
	                        "records' events");
	sim_topology_free(t);
}

Test(calibrate, finds_the_pacemaker_reaction_and_times)
{
	struct run_record rec;
	run_virtual("tests/data/calibrate/pcmk-plan.yaml", &rec);
	cr_assert_eq(rec.ntrials, 4);
	cr_assert_eq(rec.trials[3].cluster, OUTCOME_FAILOVER);
	struct sim_topology *t = load_topo("tests/data/calibrate/pcmk-base.yaml");
	struct fl_err e;
	cr_assert_eq(sim_calibrate(t, &rec, 1, CALIB_ALL, stderr, &e), 0, "%s", e.msg);
	cr_assert_eq(t->pcmk_reaction.min_ns, 40 * MS);
	cr_assert_eq(t->pcmk_reaction.max_ns, 40 * MS);
	cr_assert_eq(res(t, "s1")->online_time.min_ns, 100 * MS);
	cr_assert_eq(res(t, "s1")->offline_time.min_ns, 50 * MS);
	cr_assert_eq(res(t, "fo")->online_time.min_ns, 120 * MS);
	cr_assert_eq(res(t, "fo")->offline_time.min_ns, 60 * MS);
	sim_topology_free(t);
	record_fini(&rec);
}

/* Spread samples give a lognormal with the measured median and p95, clamped at twice the largest; it loads back. */
Test(calibrate, spread_samples_give_a_lognormal_that_loads_back)
{
	static const uint64_t took[] = {300, 400, 500, 600, 1000};
	struct run_record rec = {0};
	rec.events = xcalloc(2 * 5, sizeof(*rec.events));
	for (size_t i = 0; i < 5; i++) {
		struct rec_event *a = &rec.events[rec.nevents++], *b = &rec.events[rec.nevents++];
		a->at = i * 10000 * MS;
		a->state = RES_ONLINE_PENDING;
		b->at = a->at + took[i] * MS;
		b->state = RES_ONLINE;
		a->resource = xstrdup("App Server");
		b->resource = xstrdup("App Server");
	}
	struct sim_topology *t = load_topo("tests/data/calibrate/base.yaml");
	struct fl_err e;
	cr_assert_eq(sim_calibrate(t, &rec, 1, CALIB_ALL, stderr, &e), 0, "%s", e.msg);
	const struct dist *d = &res(t, "App Server")->online_time;
	cr_assert_eq(d->kind, DIST_LOGNORMAL);
	cr_assert_eq(d->median_ns, 500 * MS);
	cr_assert_eq(d->p95_ns, 1000 * MS);
	cr_assert_eq(d->max_ns, 2000 * MS);
	char path[] = "/tmp/fl-calibrate-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	cr_assert_eq(sim_topology_write(f, t), 0);
	fclose(f);
	struct sim_topology *back = load_topo(path);
	const struct dist *b = &res(back, "App Server")->online_time;
	cr_assert_eq(b->kind, DIST_LOGNORMAL);
	cr_assert_eq(b->median_ns, 500 * MS);
	cr_assert_eq(b->p95_ns, 1000 * MS);
	cr_assert_eq(b->max_ns, 2000 * MS);
	cr_assert_eq(res(back, "App Server")->restart_delay_ns, 2 * 1000 * MS, "the base's, nothing measured");
	unlink(path);
	sim_topology_free(back);
	sim_topology_free(t);
	record_fini(&rec);
}

static void ev(struct run_record *rec, uint64_t at_ms, const char *res, enum res_state st)
{
	XGROW(rec->events, rec->capevents, rec->nevents + 1);
	struct rec_event *e = &rec->events[rec->nevents++];
	memset(e, 0, sizeof(*e));
	e->at = at_ms * MS;
	e->resource = xstrdup(res);
	e->state = st;
}

static void fail_trial(struct run_record *rec, uint64_t at_ms, uint64_t closed_ms, uint64_t recovery_ms)
{
	XGROW(rec->trials, rec->captrials, rec->ntrials + 1);
	struct rec_trial *t = &rec->trials[rec->ntrials++];
	memset(t, 0, sizeof(*t));
	t->action = xstrdup("fail");
	t->resource = xstrdup("s1");
	t->planned_at = t->injected_at = at_ms * MS;
	t->closed_at = closed_ms * MS;
	t->outcome = TRIAL_RECOVERED;
	t->cluster = OUTCOME_RESTART;
	t->recovery_ns = recovery_ms * MS;
}

/*
 * A real Pacemaker (the two-node fidelity check): the backend shows the
 * failed instance Failed while it stops, and Dummy's start is often too
 * quick to be seen pending. The reaction is what each restart's measured
 * recovery leaves after the stop and start as measured (here 50 ms, 100
 * ms): 200/210/220 ms give 50/60/70 ms. A start seen as failed, offline,
 * online in a fail trial is timed; an offline brought back by
 * online_after (outside any fail trial) is not a start.
 */
Test(calibrate, pacemaker_reaction_from_recoveries_when_the_stop_is_hidden)
{
	struct run_record rec = {0};
	ev(&rec, 0, "s1", RES_OFFLINE_PENDING); /* an offline: a stop timed */
	ev(&rec, 50, "s1", RES_OFFLINE);
	ev(&rec, 1050, "s1", RES_ONLINE); /* online_after 1 s: not a start */
	ev(&rec, 2000, "s1", RES_FAILED);
	ev(&rec, 2100, "s1", RES_OFFLINE);
	ev(&rec, 2200, "s1", RES_ONLINE); /* a restart's start: 100 ms */
	ev(&rec, 3000, "s1", RES_FAILED);
	ev(&rec, 3210, "s1", RES_ONLINE);
	ev(&rec, 4000, "s1", RES_FAILED);
	ev(&rec, 4220, "s1", RES_ONLINE);
	fail_trial(&rec, 2000, 2500, 200);
	fail_trial(&rec, 3000, 3500, 210);
	fail_trial(&rec, 4000, 4500, 220);
	struct sim_topology *t = load_topo("tests/data/calibrate/pcmk-base.yaml");
	struct fl_err e;
	cr_assert_eq(sim_calibrate(t, &rec, 1, CALIB_ALL, stderr, &e), 0, "%s", e.msg);
	cr_assert_eq(res(t, "s1")->offline_time.min_ns, 50 * MS);
	cr_assert_eq(res(t, "s1")->online_time.kind, DIST_FIXED, "one start: the restart's, not the online_after");
	cr_assert_eq(res(t, "s1")->online_time.min_ns, 100 * MS);
	cr_assert_eq(t->pcmk_reaction.kind, DIST_LOGNORMAL);
	cr_assert_eq(t->pcmk_reaction.median_ns, 60 * MS);
	cr_assert_eq(t->pcmk_reaction.p95_ns, 70 * MS);
	sim_topology_free(t);
	record_fini(&rec);
}

static void offline_trial(struct run_record *rec, uint64_t at_ms, uint64_t online_ms, uint64_t recovery_ms)
{
	fail_trial(rec, at_ms, at_ms + recovery_ms + 100, recovery_ms);
	struct rec_trial *t = &rec->trials[rec->ntrials - 1];
	free(t->action);
	t->action = xstrdup("offline");
	t->online_at = online_ms * MS;
}

/*
 * Pacemaker's online reaction: from each offline's online due (online_at)
 * to its recovery, less the start as calibrated (100 ms, from the fail
 * trial): 1180/1190/1170 ms recoveries with the online at 1 s give
 * 80/90/70 ms. A trial whose resource was not seen down by the time its
 * online was due (nothing in the record says what it waited for) is left
 * out.
 */
Test(calibrate, pacemaker_online_reaction_from_the_online_calls)
{
	struct run_record rec = {0};
	ev(&rec, 0, "s1", RES_OFFLINE_PENDING);
	ev(&rec, 50, "s1", RES_OFFLINE);
	ev(&rec, 1180, "s1", RES_ONLINE);
	offline_trial(&rec, 0, 1000, 1180);
	ev(&rec, 2000, "s1", RES_FAILED);
	ev(&rec, 2100, "s1", RES_OFFLINE);
	ev(&rec, 2200, "s1", RES_ONLINE);
	fail_trial(&rec, 2000, 2500, 200);
	ev(&rec, 5050, "s1", RES_OFFLINE);
	ev(&rec, 6190, "s1", RES_ONLINE);
	offline_trial(&rec, 5000, 6000, 1190);
	ev(&rec, 8050, "s1", RES_OFFLINE);
	ev(&rec, 9170, "s1", RES_ONLINE);
	offline_trial(&rec, 8000, 9000, 1170);
	ev(&rec, 12500, "s1", RES_OFFLINE); /* down only after its online call: left out */
	ev(&rec, 12600, "s1", RES_ONLINE);
	offline_trial(&rec, 11000, 12000, 1600);
	struct sim_topology *t = load_topo("tests/data/calibrate/pcmk-base.yaml");
	struct fl_err e;
	cr_assert_eq(sim_calibrate(t, &rec, 1, CALIB_ALL, stderr, &e), 0, "%s", e.msg);
	cr_assert_eq(res(t, "s1")->online_time.min_ns, 100 * MS);
	cr_assert_eq(t->pcmk_online_reaction.kind, DIST_LOGNORMAL);
	cr_assert_eq(t->pcmk_online_reaction.median_ns, 80 * MS);
	cr_assert_eq(t->pcmk_online_reaction.p95_ns, 90 * MS);
	sim_topology_free(t);
	record_fini(&rec);
}

/*
 * --trials odd / even: one run split in two halves interleaved in time
 * (the fidelity check). Each half learns from its own trials, indexed per
 * fault, and from the state changes within them only: the stop before the
 * trials (50 ms) is in neither half; the starts are 100 ms in the odd
 * trials, 150 ms in the even one. Then the reaction is each half's
 * recovery less its own start and the base topology's stop.
 */
static uint64_t base_median(const struct dist *d)
{
	return d->kind == DIST_LOGNORMAL ? d->median_ns : d->min_ns / 2 + d->max_ns / 2;
}

static void restart(struct run_record *rec, uint64_t at_ms, uint64_t start_ms, unsigned index)
{
	ev(rec, at_ms, "s1", RES_FAILED);
	ev(rec, at_ms + 100, "s1", RES_OFFLINE);
	ev(rec, at_ms + 100 + start_ms, "s1", RES_ONLINE);
	fail_trial(rec, at_ms, at_ms + 500, 100 + start_ms);
	rec->trials[rec->ntrials - 1].index = index;
}

Test(calibrate, odd_and_even_trials_are_two_halves)
{
	struct run_record rec = {0};
	ev(&rec, 0, "s1", RES_OFFLINE_PENDING); /* outside every trial */
	ev(&rec, 50, "s1", RES_OFFLINE);
	ev(&rec, 1000, "s1", RES_ONLINE);
	restart(&rec, 2000, 100, 0);
	restart(&rec, 3000, 150, 1);
	restart(&rec, 4000, 100, 2);
	struct sim_topology *base = load_topo("tests/data/calibrate/pcmk-base.yaml");
	uint64_t stop = base_median(&res(base, "s1")->offline_time);
	static const enum calib_trials which[] = {CALIB_ODD, CALIB_EVEN, CALIB_ALL};
	static const uint64_t start[] = {100, 150, 100};
	for (size_t w = 0; w < 3; w++) {
		struct sim_topology *t = load_topo("tests/data/calibrate/pcmk-base.yaml");
		struct fl_err e;
		cr_assert_eq(sim_calibrate(t, &rec, 1, which[w], stderr, &e), 0, "%s", e.msg);
		const struct sim_resource_def *s1 = res(t, "s1");
		cr_assert_eq(s1->online_time.kind, which[w] == CALIB_ALL ? DIST_LOGNORMAL : DIST_FIXED, "half %zu", w);
		cr_assert_eq(base_median(&s1->online_time), start[w] * MS, "half %zu", w);
		if (which[w] == CALIB_ALL) {
			cr_assert_eq(s1->offline_time.min_ns, 50 * MS, "every event counts");
			stop = 50 * MS;
		} else {
			cr_assert_eq(s1->offline_time.min_ns, res(base, "s1")->offline_time.min_ns, "not in the half");
			cr_assert_eq(s1->offline_time.max_ns, res(base, "s1")->offline_time.max_ns, "not in the half");
		}
		/* recovery 100 ms + start, less the start's median and the stop's */
		uint64_t want = which[w] == CALIB_EVEN ? 250 * MS - 150 * MS - stop : 200 * MS - 100 * MS - stop;
		cr_assert_eq(base_median(&t->pcmk_reaction), which[w] == CALIB_ALL ? 200 * MS - 100 * MS - stop : want,
		             "half %zu", w);
		sim_topology_free(t);
	}
	sim_topology_free(base);
	record_fini(&rec);
}

Test(calibrate, cli_takes_trials_odd_and_refuses_another_word)
{
	char dir[] = "/tmp/fl-calibrate-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char json[256], out[256];
	snprintf(json, sizeof(json), "%s/pass.json", dir);
	snprintf(out, sizeof(out), "%s/calibrated.yaml", dir);
	struct run_record rec;
	run_virtual("tests/data/run/pass.yaml", &rec);
	struct fl_err e;
	FILE *jf = fopen(json, "w");
	cr_assert_eq(report_json_write(&rec, jf, &e), 0, "%s", e.msg);
	fclose(jf);
	char *odd[] = {"calibrate", "tests/data/calibrate/base.yaml", json, "--trials", "odd", "-o", out, NULL};
	cr_assert_eq(cmd_calibrate(7, odd), FL_EXIT_OK);
	cr_assert_eq(access(out, R_OK), 0);
	char *bad[] = {"calibrate", "tests/data/calibrate/base.yaml", json, "--trials", "some", "-o", out, NULL};
	cr_assert_eq(cmd_calibrate(7, bad), FL_EXIT_INVALID);
	record_fini(&rec);
	unlink(json), unlink(out), rmdir(dir);
}
