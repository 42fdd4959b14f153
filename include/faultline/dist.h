/*
 * dist.h - durations drawn from a distribution, for the simulator's model
 * of time (how long a resource takes to come online, how long its service
 * lags behind the cluster's Online).
 *
 * One YAML shape for every such setting, read from the positioned tree so
 * each error names file:line:col:
 *
 *   ready_after: 250ms                       fixed
 *   ready_after: {min: 0ms, max: 2s}          uniform on [min, max]
 *   ready_after: {median: 200ms, p95: 1s}     lognormal (median and 95th
 *                                             percentile), optionally
 *   ready_after: {median: 200ms, p95: 1s, max: 5s}   clamped to max
 *
 * Samples come from the project's seeded generator (rng.h), so a seed
 * reproduces every draw. A struct dist is plain data: no allocation, no
 * fini.
 */
#ifndef FAULTLINE_DIST_H
#define FAULTLINE_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

struct rng;
struct ydoc_node;

enum dist_kind { DIST_FIXED, DIST_UNIFORM, DIST_LOGNORMAL };

struct dist {
	enum dist_kind kind;
	uint64_t min_ns; /* fixed: the value; uniform: low end; lognormal: 0 */
	uint64_t max_ns; /* fixed: the value; uniform: high end; lognormal: the clamp (DIST_UNBOUNDED if none) */
	uint64_t median_ns, p95_ns; /* lognormal only */
	double mu, sigma;           /* lognormal only: ln(median), ln(p95/median)/1.6449 */
};

#define DIST_UNBOUNDED UINT64_MAX

/* A fixed duration (ns): what a setting that is absent usually means. */
struct dist dist_fixed(uint64_t ns);
/* Uniform on [lo, hi]; lo > hi is treated as hi == lo. */
struct dist dist_uniform(uint64_t lo, uint64_t hi);
/*
 * Lognormal with the given median and 95th percentile (p95 >= median > 0),
 * clamped to max (DIST_UNBOUNDED for none). Returns -1 with e for bad
 * parameters ("p95 100ms is less than median 200ms").
 */
int dist_lognormal(struct dist *out, uint64_t median, uint64_t p95, uint64_t max, struct fl_err *e);

/*
 * Read node n (the value of `key`) as one of the shapes above. On success
 * fills out and returns 0; otherwise adds every problem to d, positioned at
 * the offending node and starting with "key: ", and returns -1 (out is left
 * as it was). Unknown keys are reported with a suggestion.
 */
int dist_parse(const struct ydoc_node *n, const char *key, struct dist *out, struct fl_diag *d);

/* One draw, in ns. Fixed draws consume nothing from r (r may be NULL then). */
uint64_t dist_sample(const struct dist *dd, struct rng *r);

/* The largest value a draw can take (DIST_UNBOUNDED for an unclamped lognormal). */
uint64_t dist_max(const struct dist *dd);

/* For people and reports: "250ms", "uniform 0..2s", "lognormal median 200ms p95 1s max 5s". */
const char *dist_format(const struct dist *dd, char *buf, size_t len);

#endif
