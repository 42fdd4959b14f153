/*
 * bench_parse.c - `faultline validate` of generated plans on a size curve
 * (100 KiB / 1 MiB / 10 MiB in full): many faults, probes and SLOs on the
 * demo topology, every one checked. Timed as a user runs it, process start
 * included: median of 5 of the wall time, of the CPU time (wait4: user +
 * system, which load inflates less) and the peak RSS; every run must
 * validate (exit 0). Then the fitted growth over size.
 *
 * Where the time goes, at the middle size, from the same run: process
 * start alone (`faultline version`: the dynamic loader and 57 libraries),
 * libyaml's event parse alone in this process, and plan_load in this
 * process (read, parse, tree, checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <yaml.h>

#include "bench.h"
#include "faultline/plan.h"
#include "faultline/util.h"

#define RUNS 5

static char *big_plan(size_t want, size_t *len)
{
	size_t cap = want + 4096, n = 0;
	char *y = xmalloc(cap);
	char topo[512];
	if (realpath("plans/clusters/sql-3node.yaml", topo) == NULL)
		snprintf(topo, sizeof(topo), "plans/clusters/sql-3node.yaml");
	n += (size_t)snprintf(y + n, cap - n,
	                      "version: 1\nname: bench-parse\ncluster: { backend: sim, topology: '%s' }\nselect:\n"
	                      "  sql: { name: '^SQL Server \\(MSSQLSERVER\\)$', type: 'SQL Server' }\nfaults:\n",
	                      topo);
	/* Thirds: faults, probes, SLOs. */
	unsigned k = 0;
	while (n < want / 3)
		n += (size_t)snprintf(y + n, cap - n,
		                      "  - name: fail-sql-%u\n    action: fail\n    target: sql\n    at: %us\n"
		                      "    recovery_timeout: 30s\n",
		                      k, 10 + k * 40),
		    k++;
	n += (size_t)snprintf(y + n, cap - n, "probes:\n");
	unsigned np = 0;
	while (n < 2 * want / 3)
		n += (size_t)snprintf(
		    y + n, cap - n,
		    "  port-%u: { tcp: '127.0.0.1:%u', interval: 1s, fast_interval: 20ms, timeout: 250ms }\n", np,
		    20000 + np % 40000),
		    np++;
	n += (size_t)snprintf(y + n, cap - n, "slo:\n");
	for (unsigned i = 0; n < want; i++)
		n += (size_t)snprintf(y + n, cap - n,
		                      "  - { name: fast-%u, probe: port-%u, recovery: { p95: 10s, max: 20s } }\n", i,
		                      i % np);
	*len = n;
	return y;
}

struct timing {
	double wall[RUNS], cpu[RUNS], rss[RUNS]; /* ms, ms, MiB */
};

/* `faultline ARGS...` RUNS times; must exit 0. */
static int spawn_runs(const struct bench *b, char *a1, char *a2, struct timing *t, struct fl_err *e)
{
	char *argv[] = {(char *)b->faultline, a1, a2, NULL};
	for (int i = 0; i < RUNS; i++) {
		struct rusage ru;
		int st = 0;
		if (bench_spawn_wait(argv, &t->wall[i], &ru, &st, e) < 0)
			return -1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return err_set(e, "faultline %s %s: exit status %d", a1, a2 ? a2 : "",
			               WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		t->wall[i] *= 1e3;
		t->cpu[i] = bench_ru_cpu(&ru) * 1e3;
		t->rss[i] = (double)ru.ru_maxrss / 1024;
	}
	return 0;
}

/* libyaml's events alone, nothing kept. */
static double yaml_only_ms(const char *buf, size_t len)
{
	uint64_t t0 = bench_now();
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_event_t ev;
	int done = 0;
	while (!done && yaml_parser_parse(&p, &ev)) {
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return (double)(bench_now() - t0) / 1e6;
}

static double load_ms(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	uint64_t t0 = bench_now();
	struct plan *p = plan_load(path, &d);
	double ms = (double)(bench_now() - t0) / 1e6;
	plan_free(p);
	diag_fini(&d);
	return ms;
}

/* The middle size: what process start, libyaml and the loader take of it. */
static int breakdown(struct bench *b, const char *path, const char *y, size_t len, struct fl_err *e)
{
	struct timing start;
	if (spawn_runs(b, "version", NULL, &start, e) < 0)
		return -1;
	double yl[RUNS], in[RUNS];
	for (int i = 0; i < RUNS; i++) {
		yl[i] = yaml_only_ms(y, len);
		in[i] = load_ms(path);
	}
	bench_row(b, "parse", "process start alone (faultline version), wall", bench_pct(start.wall, RUNS, 50), "ms",
	          BENCH_NONE, 0, "median of 5");
	bench_row(b, "parse", "process start alone, CPU", bench_pct(start.cpu, RUNS, 50), "ms", BENCH_NONE, 0, NULL);
	bench_row(b, "parse", "libyaml event parse alone, in process", bench_pct(yl, RUNS, 50), "ms", BENCH_NONE, 0,
	          "median of 5; the floor under any loader built on libyaml");
	bench_row(b, "parse", "plan_load in process (parse + tree + checks)", bench_pct(in, RUNS, 50), "ms", BENCH_NONE,
	          0, "median of 5");
	return 0;
}

int bench_parse(struct bench *b, struct fl_err *e)
{
	double x[3], wall[3], cpu[3], rss[3];
	for (int k = 0; k < 3; k++) {
		char path[512], m[96], note[96];
		size_t len;
		snprintf(path, sizeof(path), "%s/big-plan-%d.yaml", b->workdir, k);
		char *y = big_plan(b->size.parse_bytes[k], &len);
		struct timing t;
		int rc = bench_write_file(path, y, len, e);
		if (rc == 0)
			rc = spawn_runs(b, "validate", path, &t, e);
		if (rc == 0 && k == 1)
			rc = breakdown(b, path, y, len, e);
		free(y);
		if (rc < 0)
			return -1;
		double mib = (double)len / (1 << 20);
		x[k] = mib;
		wall[k] = bench_pct(t.wall, RUNS, 50);
		cpu[k] = bench_pct(t.cpu, RUNS, 50);
		rss[k] = bench_pct(t.rss, RUNS, 50);
		snprintf(note, sizeof(note), "%.2f MiB plan, process start included, median of 5 (max %.1f)", mib,
		         bench_max(t.wall, RUNS));
		snprintf(m, sizeof(m), "validate %.2f MiB: wall", mib);
		bench_row(b, "parse", m, wall[k], "ms", k == 1 ? BENCH_LT : BENCH_NONE, 50, note);
		snprintf(m, sizeof(m), "validate %.2f MiB: CPU (user + system)", mib);
		bench_row(b, "parse", m, cpu[k], "ms", BENCH_NONE, 0, NULL);
		snprintf(m, sizeof(m), "validate %.2f MiB: peak RSS", mib);
		bench_row(b, "parse", m, rss[k], "MiB", BENCH_NONE, 0, NULL);
	}
	bench_row(b, "parse", "growth: validate CPU over size, log-log slope", bench_loglog_slope(x, cpu, 3), "",
	          BENCH_LE, 1.1, "1 = linear");
	bench_row(b, "parse", "growth: peak RSS per MiB of plan (linear fit)", bench_lin_slope(x, rss, 3), "MiB",
	          BENCH_NONE, 0, NULL);
	return 0;
}
