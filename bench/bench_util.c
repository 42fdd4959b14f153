/* bench_util.c - the results table, percentiles, clocks and small file helpers. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/util.h"

extern char **environ;

void bench_row(struct bench *b, const char *section, const char *metric, double value, const char *unit,
               enum bench_cmp cmp, double target, const char *note)
{
	xgrow((void **)&b->rows, &b->caprows, b->nrows + 1, sizeof(*b->rows));
	struct bench_row *r = &b->rows[b->nrows++];
	r->section = xstrdup(section);
	r->metric = xstrdup(metric);
	r->value = value;
	r->unit = xstrdup(unit);
	r->cmp = cmp;
	r->target = target;
	r->note = note ? xstrdup(note) : NULL;
	r->load1 = bench_load1();
}

bool bench_row_met(const struct bench_row *r)
{
	switch (r->cmp) {
	case BENCH_LE:
		return r->value <= r->target;
	case BENCH_LT:
		return r->value < r->target;
	case BENCH_GE:
		return r->value >= r->target;
	default:
		return false;
	}
}

void bench_fini(struct bench *b)
{
	for (size_t i = 0; i < b->nrows; i++) {
		free(b->rows[i].section);
		free(b->rows[i].metric);
		free(b->rows[i].unit);
		free(b->rows[i].note);
	}
	free(b->rows);
	b->rows = NULL;
	b->nrows = b->caprows = 0;
}

static const char *cmp_str(enum bench_cmp c)
{
	static const char *s[] = {"", "<=", "<", ">="};
	return s[c];
}

void bench_print(const struct bench *b, void *stream)
{
	FILE *f = stream;
	fprintf(f, "\n%-11s %-44s %14s %-6s %-14s %-6s %5s  %s\n", "section", "metric", "value", "unit", "target", "",
	        "load", "note");
	for (size_t i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];
		char target[32] = "";
		if (r->cmp != BENCH_NONE)
			snprintf(target, sizeof(target), "%s %g", cmp_str(r->cmp), r->target);
		const char *verdict = r->cmp == BENCH_NONE ? "" : bench_row_met(r) ? "met" : "MISSED";
		fprintf(f, "%-11s %-44s %14.3f %-6s %-14s %-6s %5.2f  %s\n", r->section, r->metric, r->value, r->unit,
		        target, verdict, r->load1, r->note ? r->note : "");
	}
}

static json_t *row_json(const struct bench_row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:f, s:s, s:f}", "section", r->section, "metric", r->metric, "value",
	                      r->value, "unit", r->unit, "load1", r->load1);
	if (r->cmp != BENCH_NONE) {
		json_object_set_new(o, "target", json_pack("{s:s, s:f}", "op", cmp_str(r->cmp), "value", r->target));
		json_object_set_new(o, "met", json_boolean(bench_row_met(r)));
	}
	if (r->note)
		json_object_set_new(o, "note", json_string(r->note));
	return o;
}

int bench_write_json(const struct bench *b, const char *path, struct fl_err *e)
{
	json_t *rows = json_array();
	for (size_t i = 0; i < b->nrows; i++)
		json_array_append_new(rows, row_json(&b->rows[i]));
	json_t *root =
	    json_pack("{s:s, s:I, s:o}", "size", b->size.name, "generated_unix", (json_int_t)time(NULL), "rows", rows);
	int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc < 0)
		return err_set(e, "%s: cannot write", path);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_pct(double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999999);
	if (rank < 1)
		rank = 1;
	return v[(rank > n ? n : rank) - 1];
}

double bench_max(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] > m)
			m = v[i];
	return m;
}

static uint64_t ts_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now(void)
{
	return ts_ns(CLOCK_MONOTONIC);
}

uint64_t bench_thread_cpu(void)
{
	return ts_ns(CLOCK_THREAD_CPUTIME_ID);
}

int bench_write_file(const char *path, const char *s, size_t len, struct fl_err *e)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return err_setsys(e, "%s", path);
	size_t w = fwrite(s, 1, len, f);
	if (fclose(f) != 0 || w != len)
		return err_set(e, "%s: write failed", path);
	return 0;
}

int bench_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

double bench_load1(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f != NULL) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

double bench_loglog_slope(const double *x, const double *y, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (x[i] <= 0 || y[i] <= 0)
			continue;
		double lx = log(x[i]), ly = log(y[i]);
		sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly, k++;
	}
	double d = (double)k * sxx - sx * sx;
	return k < 2 || d == 0 ? 0 : ((double)k * sxy - sx * sy) / d;
}

double bench_lin_slope(const double *x, const double *y, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++)
		sx += x[i], sy += y[i], sxx += x[i] * x[i], sxy += x[i] * y[i];
	double d = (double)n * sxx - sx * sx;
	return n < 2 || d == 0 ? 0 : ((double)n * sxy - sx * sy) / d;
}

long bench_proc_status_kb(int pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	size_t n = strlen(field);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	if (f != NULL)
		fclose(f);
	return kb;
}

uint64_t bench_proc_cpu_ns(int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	FILE *f = fopen(path, "r");
	unsigned long long ns = 0;
	if (f != NULL) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

double bench_ru_cpu(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/* build/faultline-rusage, next to this binary. */
static const char *rusage_path(void)
{
	static char path[4096];
	if (path[0] == '\0') {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
		if (n <= 0)
			n = 0;
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		snprintf(slash ? slash + 1 : path, 32, "faultline-rusage");
	}
	return path;
}

int bench_spawn_wait(char *const argv[], double *wall, struct rusage *ru, int *status, struct fl_err *e)
{
	int pfd[2];
	if (pipe(pfd) < 0)
		return err_setsys(e, "pipe");
	char fdstr[16];
	snprintf(fdstr, sizeof(fdstr), "%d", pfd[1]);
	size_t n = 0;
	while (argv[n] != NULL)
		n++;
	char **av = xcalloc(n + 3, sizeof(*av));
	av[0] = (char *)rusage_path();
	av[1] = fdstr;
	memcpy(av + 2, argv, n * sizeof(*av));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	pid_t pid;
	int rc = posix_spawn(&pid, av[0], &fa, NULL, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(av);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return err_set(e, "%s: cannot start: %s", rusage_path(), strerror(rc));
	}
	char line[160] = "";
	ssize_t got = 0, r;
	while ((r = read(pfd[0], line + got, sizeof(line) - 1 - (size_t)got)) > 0)
		got += r;
	close(pfd[0]);
	line[got > 0 ? got : 0] = '\0';
	waitpid(pid, NULL, 0);
	long long wall_ns, user_us, sys_us;
	long maxrss;
	if (sscanf(line, "%d %lld %lld %lld %ld", status, &wall_ns, &user_us, &sys_us, &maxrss) != 5)
		return err_set(e, "%s %s: no usage reported", rusage_path(), argv[0]);
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime.tv_sec = (time_t)(user_us / 1000000);
	ru->ru_utime.tv_usec = (suseconds_t)(user_us % 1000000);
	ru->ru_stime.tv_sec = (time_t)(sys_us / 1000000);
	ru->ru_stime.tv_usec = (suseconds_t)(sys_us % 1000000);
	ru->ru_maxrss = maxrss;
	*wall = (double)wall_ns / 1e9;
	return 0;
}
