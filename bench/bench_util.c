/* bench_util.c - the results table, percentiles, clocks and small file helpers. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/util.h"

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
	fprintf(f, "\n%-11s %-44s %14s %-6s %-14s %s\n", "section", "metric", "value", "unit", "target", "");
	for (size_t i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];
		char target[32] = "";
		if (r->cmp != BENCH_NONE)
			snprintf(target, sizeof(target), "%s %g", cmp_str(r->cmp), r->target);
		const char *verdict = r->cmp == BENCH_NONE ? "" : bench_row_met(r) ? "met" : "MISSED";
		fprintf(f, "%-11s %-44s %14.3f %-6s %-14s %s%s%s\n", r->section, r->metric, r->value, r->unit, target,
		        verdict, r->note ? "  " : "", r->note ? r->note : "");
	}
}

static json_t *row_json(const struct bench_row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:f, s:s}", "section", r->section, "metric", r->metric, "value", r->value,
	                      "unit", r->unit);
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
