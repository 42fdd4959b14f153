/*
 * bench_parse.c - `faultline validate` of a generated plan of about the
 * configured size (1 MiB in full): many faults, probes and SLOs on the
 * demo topology, every one checked. Timed as a user runs it, process start
 * included: median and max of 5; the plan must validate (exit 0).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/plan.h"
#include "faultline/util.h"

extern char **environ;

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

static int validate(const struct bench *b, const char *path, double *secs, struct fl_err *e)
{
	char *argv[] = {(char *)b->faultline, "validate", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	uint64_t t0 = bench_now();
	pid_t pid;
	int rc = posix_spawn(&pid, b->faultline, &fa, NULL, argv, environ), st = 0;
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return err_set(e, "%s: cannot start: %s", b->faultline, strerror(rc));
	waitpid(pid, &st, 0);
	*secs = (double)(bench_now() - t0) / 1e9;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, "faultline validate %s: exit status %d", path, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

/* The loader alone, in this process: what validate costs without process start. */
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

int bench_parse(struct bench *b, struct fl_err *e)
{
	char path[512];
	size_t len;
	snprintf(path, sizeof(path), "%s/big-plan.yaml", b->workdir);
	char *y = big_plan(b->size.parse_bytes, &len);
	int rc = bench_write_file(path, y, len, e);
	free(y);
	double v[5];
	for (int i = 0; rc == 0 && i < 5; i++) {
		rc = validate(b, path, &v[i], e);
		v[i] *= 1e3;
	}
	if (rc < 0)
		return -1;
	double in[5];
	for (int i = 0; i < 5; i++)
		in[i] = load_ms(path);
	char note[64];
	snprintf(note, sizeof(note), "%.2f MiB plan", (double)len / (1 << 20));
	bench_row(b, "parse", "validate, median of 5", bench_pct(v, 5, 50), "ms", BENCH_LT, 50, note);
	bench_row(b, "parse", "validate, max of 5", bench_max(v, 5), "ms", BENCH_NONE, 0, NULL);
	bench_row(b, "parse", "plan_load in process, median of 5", bench_pct(in, 5, 50), "ms", BENCH_NONE, 0,
	          "the same plan without process start");
	return 0;
}
