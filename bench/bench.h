/*
 * bench.h - faultline's benchmarks: accuracy against the simulator's ground
 * truth and shell poll loops, scheduling lateness, probe overhead, scale
 * and parsing. Each section adds rows (one figure each, with its target)
 * to a shared table that bench_main prints and writes as JSON.
 *
 * Benchmarks are measurements, not tests: a missed target is reported,
 * never an error. An error (-1 with e) means the bench could not measure.
 */
#ifndef FAULTLINE_BENCH_H
#define FAULTLINE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

/* Sizes: the full run (make bench) or a tiny one (make bench-smoke). */
struct bench_size {
	const char *name;
	unsigned acc_trials, acc_lanes;
	unsigned sched_n;
	uint64_t sched_every_ns;
	unsigned ovh_probes[3], ovh_seconds;           /* the curve; [1] is the one with the targets */
	unsigned scale_resources[3], scale_injections; /* the curve; [1] has the targets */
	size_t parse_bytes[3];                         /* the curve; [1] has the target */
};

enum bench_cmp { BENCH_NONE, BENCH_LE, BENCH_LT, BENCH_GE };

/* One figure of the table. */
struct bench_row {
	char *section;
	char *metric;
	double value;
	char *unit;
	enum bench_cmp cmp;
	double target; /* same unit; unused with BENCH_NONE */
	char *note;    /* or NULL */
	double load1;  /* the 1-minute load average when the figure was taken */
};

struct bench {
	struct bench_size size;
	const char *faultline; /* path of the built binary */
	const char *workdir;   /* generated plans and topologies go here */
	struct bench_row *rows;
	size_t nrows, caprows;
};

/* Add a row; strings are copied. note may be NULL. */
void bench_row(struct bench *b, const char *section, const char *metric, double value, const char *unit,
               enum bench_cmp cmp, double target, const char *note);
/* True when the row has a target and meets it. */
bool bench_row_met(const struct bench_row *r);
void bench_fini(struct bench *b);
/* Print the table; write JSON to path. -1 with e if the file cannot be written. */
void bench_print(const struct bench *b, void *stream);
int bench_write_json(const struct bench *b, const char *path, struct fl_err *e);

/* Nearest-rank percentile (0 < p <= 100) of v (sorted in place); 0 for n == 0. */
double bench_pct(double *v, size_t n, double p);
double bench_max(const double *v, size_t n);
/* Monotonic and CPU clocks in ns. */
uint64_t bench_now(void);
uint64_t bench_thread_cpu(void);
/* The 1-minute load average now (/proc/loadavg), -1 if unknown. */
double bench_load1(void);
/* Least-squares slope of log y over log x (points with x or y <= 0 skipped): 1 = linear growth. */
double bench_loglog_slope(const double *x, const double *y, size_t n);
/* Least-squares slope of y over x. */
double bench_lin_slope(const double *x, const double *y, size_t n);
/* A "Field:  N kB" line of /proc/PID/status, in KiB; -1 if absent. */
long bench_proc_status_kb(int pid, const char *field);
/* CPU time the process's main thread has run, in ns (/proc/PID/schedstat); 0 if unknown. */
uint64_t bench_proc_cpu_ns(int pid);
struct rusage;
/* User + system seconds. */
double bench_ru_cpu(const struct rusage *ru);
/* Write s to path; -1 with e on failure. */
int bench_write_file(const char *path, const char *s, size_t len, struct fl_err *e);
/* A free loopback TCP port (bound, read, closed: racy but fine on a quiet host), or -1. */
int bench_free_port(void);

/*
 * Run argv (argv[0] is the path) with stdout to /dev/null under
 * build/faultline-rusage and wait: wall seconds, CPU and peak RSS (its own,
 * not the bench's: see bench/rusage/faultline-rusage.c), exit status.
 */
int bench_spawn_wait(char *const argv[], double *wall, struct rusage *ru, int *status, struct fl_err *e);

/* A one-resource cluster that restarts in place at once, as workdir/small-topology.yaml. */
int bench_write_small_topology(const struct bench *b, struct fl_err *e);

/* The sections. Each returns 0 when it measured (whatever the figures), -1 with e otherwise. */
int bench_accuracy(struct bench *b, struct fl_err *e);
int bench_sched(struct bench *b, struct fl_err *e);
int bench_overhead(struct bench *b, struct fl_err *e);
int bench_scale(struct bench *b, struct fl_err *e);
int bench_parse(struct bench *b, struct fl_err *e);

#endif
