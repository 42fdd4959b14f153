/*
 * metrics.h - the agent's Prometheus metrics: a small registry rendered in
 * the text exposition format (metrics.c), served over HTTP by
 * libmicrohttpd driven from our own loop (metrics_http.c).
 *
 * Families are fixed (metrics.c lists them with HELP and TYPE); series are
 * created on first use. Label values are escaped here.
 */
#ifndef FAULTLINE_METRICS_H
#define FAULTLINE_METRICS_H

#include <stdio.h>

#include "faultline/err.h"

struct loop;
struct metrics;
struct metrics_http;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m); /* NULL is a no-op */

/*
 * Labels are given as NULL-terminated name, value pairs, e.g.
 * metrics_add(m, "faultline_runs_total", 1, "plan", "nightly", "outcome", "pass", NULL).
 * An unknown family is a programming error (fatalx).
 */
void metrics_add(struct metrics *m, const char *family, double v, ...) __attribute__((sentinel));
void metrics_set(struct metrics *m, const char *family, double v, ...) __attribute__((sentinel));
/* Histograms: count v into its buckets, _sum and _count. */
void metrics_observe(struct metrics *m, const char *family, double v, ...) __attribute__((sentinel));
/* Drop every series of family whose label `name` has value `value` (a plan that left the set). */
void metrics_forget(struct metrics *m, const char *family, const char *name, const char *value);

/*
 * Record a run's final event line (`{"event":"verdict",...}`, run.h) for
 * plan: faultline_last_run_verdict{plan,verdict,reason} 1,
 * faultline_last_run_exit_code{plan} and faultline_slo_verdict per SLO.
 * An unreadable line records verdict "?".
 */
void metrics_note_verdict(struct metrics *m, const char *plan, const char *line);

/* Write every family (HELP, TYPE, samples) in the text format 0.0.4. */
void metrics_render(const struct metrics *m, FILE *f);

/*
 * Serve m at GET /metrics on addr ("127.0.0.1:9464", "[::1]:9464"; port 0
 * = any) from loop l: no thread of its own. NULL with e set on failure.
 */
struct metrics_http *metrics_http_start(struct loop *l, struct metrics *m, const char *addr, struct fl_err *e);
void metrics_http_stop(struct metrics_http *h); /* NULL is a no-op */
/* The port actually bound. */
unsigned metrics_http_port(const struct metrics_http *h);

#endif
