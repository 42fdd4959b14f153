/*
 * dist.c - fixed, uniform and lognormal durations: read from the positioned
 * YAML tree, drawn with the seeded generator (see dist.h).
 */
#include "faultline/dist.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/rng.h"
#include "faultline/util.h"
#include "faultline/yamldoc.h"

/* The 95th percentile of the standard normal distribution. */
#define Z95 1.6448536269514722
/* No draw exceeds this (about 31 years): keeps exp() and the cast in range. */
#define DIST_CAP_NS 1e18

static const char *const dist_keys[] = {"min", "max", "median", "p95", NULL};

struct dist dist_fixed(uint64_t ns)
{
	return (struct dist){.kind = DIST_FIXED, .min_ns = ns, .max_ns = ns};
}

struct dist dist_uniform(uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return dist_fixed(lo);
	return (struct dist){.kind = DIST_UNIFORM, .min_ns = lo, .max_ns = hi};
}

int dist_lognormal(struct dist *out, uint64_t median, uint64_t p95, uint64_t max, struct fl_err *e)
{
	char a[32], b[32];
	if (median == 0)
		return err_set(e, "median must be greater than 0");
	if (p95 < median)
		return err_set(e, "p95 %s is less than median %s", duration_format(p95, a, sizeof(a)),
		               duration_format(median, b, sizeof(b)));
	if (max < median)
		return err_set(e, "max %s is less than median %s", duration_format(max, a, sizeof(a)),
		               duration_format(median, b, sizeof(b)));
	*out = (struct dist){.kind = DIST_LOGNORMAL,
	                     .min_ns = 0,
	                     .max_ns = max,
	                     .median_ns = median,
	                     .p95_ns = p95,
	                     .mu = log((double)median),
	                     .sigma = log((double)p95 / (double)median) / Z95};
	return 0;
}

static int want_dur(const struct ydoc_node *n, const char *key, const char *sub, uint64_t *out, struct fl_diag *d)
{
	const char *sep = sub ? ": " : "";
	if (n->kind != YDOC_SCALAR)
		return diag_add(d, n->pos, "%s%s%s: expected a duration, got a %s", key, sep, sub ? sub : "",
		                ydoc_kind_str(n));
	if (duration_parse(n->str, out) == 0)
		return 0;
	return diag_add(d, n->pos, "%s%s%s: invalid duration \"%s\" (write e.g. 500ms, 15m, 1h30m)", key, sep,
	                sub ? sub : "", n->str);
}

/* Unknown keys, with the nearest known one as a suggestion. Returns -1 if any. */
static int check_keys(const struct ydoc_node *map, const char *key, struct fl_diag *d)
{
	int rc = 0;
	for (size_t i = 0; i < map->npairs; i++) {
		const char *k = map->pairs[i].key->str;
		const char *best = NULL;
		size_t bestd = 3;
		bool known = false;
		for (size_t j = 0; dist_keys[j] && !known; j++) {
			known = strcmp(k, dist_keys[j]) == 0;
			size_t dd = str_distance(k, dist_keys[j], 2);
			if (dd < bestd)
				bestd = dd, best = dist_keys[j];
		}
		if (known)
			continue;
		if (best)
			rc = diag_add(d, map->pairs[i].key->pos, "%s: unknown key \"%s\" (did you mean \"%s\"?)", key,
			              k, best);
		else
			rc = diag_add(d, map->pairs[i].key->pos,
			              "%s: unknown key \"%s\" (a distribution is {min, max} or {median, p95[, max]})",
			              key, k);
	}
	return rc;
}

static int parse_uniform(const struct ydoc_node *n, const char *key, struct dist *out, struct fl_diag *d)
{
	const struct ydoc_node *lo = ydoc_get(n, "min"), *hi = ydoc_get(n, "max");
	if (lo == NULL || hi == NULL)
		return diag_add(d, n->pos,
		                "%s: missing required key \"%s\" (a distribution is {min, max} or {median, p95})", key,
		                lo == NULL ? "min" : "max");
	uint64_t a = 0, b = 0;
	int rc = want_dur(lo, key, "min", &a, d);
	if (want_dur(hi, key, "max", &b, d) < 0 || rc < 0)
		return -1;
	if (a > b)
		return diag_add(d, hi->pos, "%s: max %s is less than min %s", key, hi->str, lo->str);
	*out = dist_uniform(a, b);
	return 0;
}

static int parse_lognormal(const struct ydoc_node *n, const char *key, struct dist *out, struct fl_diag *d)
{
	const struct ydoc_node *med = ydoc_get(n, "median"), *p95 = ydoc_get(n, "p95"), *max = ydoc_get(n, "max");
	const struct ydoc_node *min = ydoc_get(n, "min");
	if (min != NULL)
		return diag_add(d, min->pos,
		                "%s: min belongs to a uniform {min, max}; a lognormal takes median, p95 and max", key);
	if (med == NULL || p95 == NULL)
		return diag_add(d, n->pos, "%s: missing required key \"%s\" (a lognormal is {median, p95[, max]})", key,
		                med == NULL ? "median" : "p95");
	uint64_t m = 0, p = 0, x = DIST_UNBOUNDED;
	int rc = want_dur(med, key, "median", &m, d);
	rc |= want_dur(p95, key, "p95", &p, d);
	if (max != NULL)
		rc |= want_dur(max, key, "max", &x, d);
	if (rc != 0)
		return -1;
	struct fl_err e;
	if (dist_lognormal(out, m, p, x, &e) == 0)
		return 0;
	const struct ydoc_node *at = m == 0 ? med : p < m ? p95 : max;
	return diag_add(d, at->pos, "%s: %s", key, e.msg);
}

int dist_parse(const struct ydoc_node *n, const char *key, struct dist *out, struct fl_diag *d)
{
	if (n->kind == YDOC_SCALAR) {
		uint64_t ns;
		if (want_dur(n, key, NULL, &ns, d) < 0)
			return -1;
		*out = dist_fixed(ns);
		return 0;
	}
	if (n->kind != YDOC_MAP)
		return diag_add(d, n->pos, "%s: expected a duration, {min, max} or {median, p95}, got a %s", key,
		                ydoc_kind_str(n));
	if (check_keys(n, key, d) < 0)
		return -1;
	if (ydoc_get(n, "median") != NULL || ydoc_get(n, "p95") != NULL)
		return parse_lognormal(n, key, out, d);
	return parse_uniform(n, key, out, d);
}

/* Uniform in (0, 1]: 53 random bits, never 0 so log() is finite. */
static double unit_open(struct rng *r)
{
	return (double)((rng_next(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/* Standard normal by Box-Muller (one of the pair; two draws each time keeps streams simple). */
static double std_normal(struct rng *r)
{
	double u1 = unit_open(r), u2 = unit_open(r);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t dist_sample(const struct dist *dd, struct rng *r)
{
	switch (dd->kind) {
	case DIST_FIXED:
		return dd->min_ns;
	case DIST_UNIFORM:
		return rng_range(r, dd->min_ns, dd->max_ns);
	case DIST_LOGNORMAL:
		break;
	}
	double v = exp(dd->mu + dd->sigma * std_normal(r));
	double cap = dd->max_ns == DIST_UNBOUNDED ? DIST_CAP_NS : (double)dd->max_ns;
	if (!(v < cap)) /* also catches NaN */
		return dd->max_ns == DIST_UNBOUNDED ? (uint64_t)DIST_CAP_NS : dd->max_ns;
	return (uint64_t)llround(v);
}

uint64_t dist_max(const struct dist *dd)
{
	return dd->max_ns;
}

const char *dist_format(const struct dist *dd, char *buf, size_t len)
{
	char a[32], b[32], c[32];
	switch (dd->kind) {
	case DIST_FIXED:
		return duration_format(dd->min_ns, buf, len);
	case DIST_UNIFORM:
		snprintf(buf, len, "uniform %s..%s", duration_format(dd->min_ns, a, sizeof(a)),
		         duration_format(dd->max_ns, b, sizeof(b)));
		return buf;
	case DIST_LOGNORMAL:
		break;
	}
	duration_format(dd->median_ns, a, sizeof(a));
	duration_format(dd->p95_ns, b, sizeof(b));
	if (dd->max_ns == DIST_UNBOUNDED)
		snprintf(buf, len, "lognormal median %s p95 %s", a, b);
	else
		snprintf(buf, len, "lognormal median %s p95 %s max %s", a, b,
		         duration_format(dd->max_ns, c, sizeof(c)));
	return buf;
}
