/*
 * bench_scale.c - big clusters and long plans, and parsing.
 *
 * Selection: a regex selector resolved against a snapshot of a generated
 * topology (scripts/gen-topology.sh) of R resources, timed alone (the
 * snapshot is taken once), median and max of 25 runs.
 * Rehearsal: a 24-hour plan of I injections (20 faults staggered across
 * the day) on that topology, run by the engine in virtual time: wall time.
 * Parsing: `faultline validate` of a generated plan of about 1 MiB, as a
 * user runs it (process start included), median of 5.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/clock.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"
#include "faultline/select.h"
#include "faultline/sim.h"
#include "faultline/util.h"

extern char **environ;

#define NFAULTS 20

static int gen_topology(const struct bench *b, char *path, size_t len, struct fl_err *e)
{
	snprintf(path, len, "%s/big-topology.yaml", b->workdir);
	char *cmd = xasprintf("sh scripts/gen-topology.sh %u 16 > '%s'", b->size.scale_resources, path);
	int st = system(cmd); /* the bench, not the agent: a shell here is fine */
	free(cmd);
	if (st != 0)
		return err_set(e, "scripts/gen-topology.sh failed (status %d)", st);
	return 0;
}

static struct plan *load(const char *path, struct fl_err *e)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p == NULL) {
		diag_sort(&d);
		char *m = d.n ? diag_format(&d, 0) : xstrdup("did not load");
		err_set(e, "%s", m);
		free(m);
	}
	diag_fini(&d);
	return p;
}

/* 20 faults on 20 services in different groups, each every 24h/ (I/20), staggered. */
static char *day_plan(const struct bench *b)
{
	unsigned per = b->size.scale_injections / NFAULTS, groups = b->size.scale_resources / 10;
	uint64_t every_ms = 86400000ULL / (per ? per : 1), step_ms = every_ms / NFAULTS;
	char *y = xstrdup("version: 1\nname: bench-day\ncluster: { backend: sim, topology: big-topology.yaml }\n"
	                  "select:\n  svc: { name: '^r0[0-9]{3}[05]-3$', type: 'Generic Service' }\n");
	for (unsigned k = 0; k < NFAULTS; k++) {
		char *m = xasprintf("%s  t%u: { name: '^r%05u-3$' }\n", y, k, (k * 37) % (groups ? groups : 1));
		free(y);
		y = m;
	}
	char *m = xasprintf("%sfaults:\n", y);
	free(y);
	y = m;
	for (unsigned k = 0; k < NFAULTS; k++) {
		m = xasprintf("%s  - { name: f%u, action: fail, target: t%u, at: %llums,\n"
		              "      repeat: { count: %u, every: %llums }, recovery_timeout: 1m }\n",
		              y, k, k, (unsigned long long)(1000 + k * step_ms), per, (unsigned long long)every_ms);
		free(y);
		y = m;
	}
	m = xasprintf("%sprobes:\n  state: { cluster: t0 }\nrun: { settle: 1s, steady_state: 10s, deadline: 25h }\n",
	              y);
	free(y);
	return m;
}

static void selection(struct bench *b, const struct plan *p, const char *topo_path, struct fl_err *e)
{
	struct fl_diag d;
	diag_init(&d, topo_path);
	struct sim_topology *t = sim_topology_load(topo_path, &d);
	diag_fini(&d);
	struct fl_clock *clk = clock_new_virtual(0);
	struct sim *s = t ? sim_new(t, clk, 1, e) : NULL;
	if (s == NULL) {
		clock_free(clk);
		sim_topology_free(t);
		return;
	}
	struct cluster_snapshot snap;
	sim_snapshot(s, &snap);
	double v[25];
	size_t matched = 0;
	for (int i = 0; i < 25; i++) {
		struct selection sel;
		uint64_t t0 = bench_now();
		int rc = select_resolve(plan_selector(p, "svc"), NULL, &snap, 1, &sel, e);
		v[i] = (double)(bench_now() - t0) / 1e6;
		matched = rc == 0 ? sel.n : 0;
		if (rc == 0)
			selection_fini(&sel);
	}
	char note[96];
	snprintf(note, sizeof(note), "%zu resources, %zu matched", snap.nresources, matched);
	bench_row(b, "scale", "regex selection, median of 25", bench_pct(v, 25, 50), "ms", BENCH_LT, 5, note);
	bench_row(b, "scale", "regex selection, max of 25", bench_max(v, 25), "ms", BENCH_NONE, 0, NULL);
	cluster_snapshot_free(&snap);
	sim_free(s);
	clock_free(clk);
	sim_topology_free(t);
}

static void rehearsal(struct bench *b, const struct plan *p)
{
	struct run_opts o = {.virtual_time = true};
	struct run_record rec;
	memset(&rec, 0, sizeof(rec));
	uint64_t t0 = bench_now();
	int code = run_execute(p, &o, &rec);
	double wall = (double)(bench_now() - t0) / 1e9;
	char note[128];
	snprintf(note, sizeof(note), "%zu trials over %.1f h of plan, exit %d", rec.ntrials,
	         (double)rec.duration_ns / 3.6e12, code);
	bench_row(b, "scale", "24 h rehearsal in virtual time, wall", wall, "s", BENCH_LT, 2, note);
	record_fini(&rec);
}

int bench_scale(struct bench *b, struct fl_err *e)
{
	char topo[512], path[512];
	if (gen_topology(b, topo, sizeof(topo), e) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/day.yaml", b->workdir);
	char *y = day_plan(b);
	int rc = bench_write_file(path, y, strlen(y), e);
	free(y);
	struct plan *p = rc < 0 ? NULL : load(path, e);
	if (p == NULL)
		return -1;
	selection(b, p, topo, e);
	rehearsal(b, p);
	plan_free(p);
	return 0;
}
