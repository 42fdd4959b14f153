/*
 * bench_scale.c - big clusters and long plans, on a curve of cluster sizes
 * (1,000 / 10,000 / 100,000 resources in full; targets at 10,000).
 *
 * Selection: a regex selector resolved against a snapshot of a generated
 * topology (scripts/gen-topology.sh R 16), timed alone in this process
 * (the snapshot is taken once), median and max of 25 runs.
 * Rehearsal: a 24-hour plan of I injections (20 faults staggered across
 * the day) on that topology, run as a user runs it - `faultline run
 * --virtual-time` - so process start, topology load and the whole engine
 * are in: wall, CPU and peak RSS from wait4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/clock.h"
#include "faultline/plan.h"
#include "faultline/select.h"
#include "faultline/sim.h"
#include "faultline/util.h"

#define NFAULTS 20

static int gen_topology(const struct bench *b, unsigned nres, char *path, size_t len, struct fl_err *e)
{
	snprintf(path, len, "%s/big-topology-%u.yaml", b->workdir, nres);
	char *cmd = xasprintf("sh scripts/gen-topology.sh %u 16 > '%s'", nres, path);
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
static char *day_plan(const struct bench *b, unsigned nres)
{
	unsigned per = b->size.scale_injections / NFAULTS, groups = nres / 10;
	uint64_t every_ms = 86400000ULL / (per ? per : 1), step_ms = every_ms / NFAULTS;
	char *y = xasprintf("version: 1\nname: bench-day\ncluster: { backend: sim, topology: big-topology-%u.yaml }\n"
	                    "select:\n  svc: { name: '^r0[0-9]{3}[05]-3$', type: 'Generic Service' }\n",
	                    nres);
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

static double selection(struct bench *b, const struct plan *p, const char *topo_path, bool target, struct fl_err *e)
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
		return -1;
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
	char note[96], m[96];
	snprintf(note, sizeof(note), "%zu resources, %zu matched", snap.nresources, matched);
	snprintf(m, sizeof(m), "%zu resources: regex selection, median of 25", snap.nresources);
	double med = bench_pct(v, 25, 50);
	bench_row(b, "scale", m, med, "ms", target ? BENCH_LT : BENCH_NONE, 5, note);
	snprintf(m, sizeof(m), "%zu resources: regex selection, max of 25", snap.nresources);
	bench_row(b, "scale", m, bench_max(v, 25), "ms", BENCH_NONE, 0, NULL);
	cluster_snapshot_free(&snap);
	sim_free(s);
	clock_free(clk);
	sim_topology_free(t);
	return med;
}

/* `faultline run --virtual-time` of the day plan: wall s, CPU s, peak RSS MiB. */
static int rehearsal(struct bench *b, const char *path, unsigned nres, bool target, double out[3], struct fl_err *e)
{
	char *argv[] = {(char *)b->faultline, "run", "--virtual-time", "--quiet", (char *)path, NULL};
	struct rusage ru;
	int st = 0;
	if (bench_spawn_wait(argv, &out[0], &ru, &st, e) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) /* 1: an SLO failed - still a rehearsal */
		return err_set(e, "faultline run --virtual-time %s: exit status %d", path,
		               WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	out[1] = bench_ru_cpu(&ru);
	out[2] = (double)ru.ru_maxrss / 1024;
	char m[96], note[128];
	snprintf(note, sizeof(note), "%u injections over 24 h of plan, process start and topology load included",
	         b->size.scale_injections);
	snprintf(m, sizeof(m), "%u resources: 24 h rehearsal, wall", nres);
	bench_row(b, "scale", m, out[0], "s", target ? BENCH_LT : BENCH_NONE, 2, note);
	snprintf(m, sizeof(m), "%u resources: 24 h rehearsal, CPU", nres);
	bench_row(b, "scale", m, out[1], "s", BENCH_NONE, 0, NULL);
	snprintf(m, sizeof(m), "%u resources: 24 h rehearsal, peak RSS", nres);
	bench_row(b, "scale", m, out[2], "MiB", BENCH_NONE, 0, NULL);
	return 0;
}

static int one_size(struct bench *b, unsigned nres, bool target, double *sel_ms, double reh[3], struct fl_err *e)
{
	char topo[512], path[512];
	if (gen_topology(b, nres, topo, sizeof(topo), e) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/day-%u.yaml", b->workdir, nres);
	char *y = day_plan(b, nres);
	int rc = bench_write_file(path, y, strlen(y), e);
	free(y);
	struct plan *p = rc < 0 ? NULL : load(path, e);
	if (p == NULL)
		return -1;
	*sel_ms = selection(b, p, topo, target, e);
	plan_free(p);
	if (*sel_ms < 0)
		return -1;
	return rehearsal(b, path, nres, target, reh, e);
}

int bench_scale(struct bench *b, struct fl_err *e)
{
	double x[3], sel[3], wall[3], cpu[3], rss[3];
	for (int k = 0; k < 3; k++) {
		double reh[3];
		if (one_size(b, b->size.scale_resources[k], k == 1, &sel[k], reh, e) < 0)
			return -1;
		x[k] = b->size.scale_resources[k];
		wall[k] = reh[0];
		cpu[k] = reh[1];
		rss[k] = reh[2];
	}
	bench_row(b, "scale", "growth: selection time over resources, log-log slope", bench_loglog_slope(x, sel, 3), "",
	          BENCH_LE, 1.1, "1 = linear");
	bench_row(b, "scale", "growth: rehearsal CPU over resources, log-log slope", bench_loglog_slope(x, cpu, 3), "",
	          BENCH_LE, 1.1, "1 = linear");
	(void)wall;
	bench_row(b, "scale", "growth: rehearsal peak RSS per 1,000 resources (linear fit)",
	          bench_lin_slope(x, rss, 3) * 1000, "MiB", BENCH_NONE, 0, NULL);
	return 0;
}
