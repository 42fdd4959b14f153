/*
 * compare.c - recovery distributions of two runs, side by side, and the
 * one-sided Mann-Whitney test that gates a release (why: compare.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/compare.h"
#include "faultline/stats.h"
#include "faultline/util.h"

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/*
 * P(U >= u) for samples of m and n without ties: the count of rank
 * arrangements, f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u), over C(m+n, m).
 * Two layers of (n+1) x (mn+1) doubles: 2 MB at 50 x 50.
 */
static double exact_upper(size_t m, size_t n, double u)
{
	size_t umax = m * n, w = umax + 1;
	double *prev = xcalloc((n + 1) * w, sizeof(double)), *cur = xcalloc((n + 1) * w, sizeof(double));
	for (size_t j = 0; j <= n; j++)
		prev[j * w] = 1; /* m = 0: one arrangement, U = 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * w * sizeof(double));
		cur[0] = 1; /* n = 0 */
		for (size_t j = 1; j <= n; j++)
			for (size_t k = 0; k <= i * j; k++)
				cur[j * w + k] = (k >= j ? prev[j * w + k - j] : 0) + cur[(j - 1) * w + k];
		double *t = prev;
		prev = cur, cur = t;
	}
	double total = 0, tail = 0;
	for (size_t k = 0; k <= umax; k++) {
		total += prev[n * w + k];
		if ((double)k >= u - 1e-9)
			tail += prev[n * w + k];
	}
	free(prev);
	free(cur);
	return tail / total;
}

/* Normal approximation with tie correction (sum t^3 - t over tie groups) and continuity correction. */
static double normal_upper(const double *all, size_t m, size_t n, double u)
{
	size_t N = m + n;
	double ties = 0;
	for (size_t i = 0; i < N;) {
		size_t j = i;
		while (j < N && all[j] == all[i])
			j++;
		double t = (double)(j - i);
		ties += t * t * t - t;
		i = j;
	}
	double mu = (double)m * (double)n / 2;
	double var = (double)m * (double)n / 12 * ((double)(N + 1) - ties / ((double)N * (double)(N - 1)));
	if (var <= 0)
		return 1.0;
	double z = (u - mu - 0.5) / sqrt(var);
	return 0.5 * erfc(z / sqrt(2.0));
}

/* Median of the nx * ny differences y - x. */
static double hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny)
{
	double *d = xreallocarray(NULL, nx * ny, sizeof(double));
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			d[i * ny + j] = isinf(y[j]) && isinf(x[i]) ? 0 : y[j] - x[i]; /* both never: a tie */
	qsort(d, nx * ny, sizeof(double), dbl_cmp);
	size_t n = nx * ny;
	double hl = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	free(d);
	return hl;
}

/* U and the one-sided p (no Hodges-Lehmann: the searches below need only p). */
static void mw_p(const double *x, size_t nx, const double *y, size_t ny, struct mw_result *out)
{
	double u = 0;
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			u += y[j] > x[i] ? 1 : y[j] == x[i] ? 0.5 : 0;
	double *all = xreallocarray(NULL, nx + ny, sizeof(double));
	memcpy(all, x, nx * sizeof(double));
	memcpy(all + nx, y, ny * sizeof(double));
	qsort(all, nx + ny, sizeof(double), dbl_cmp);
	bool tied = false;
	for (size_t i = 1; i < nx + ny; i++)
		tied = tied || all[i] == all[i - 1];
	out->u = u;
	out->exact = !tied && nx <= COMPARE_EXACT_MAX && ny <= COMPARE_EXACT_MAX;
	out->p = out->exact ? exact_upper(ny, nx, u) : normal_upper(all, nx, ny, u);
	free(all);
}

void compare_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct mw_result *out)
{
	mw_p(x, nx, y, ny, out);
	out->hl_ns = hodges_lehmann(x, nx, y, ny);
}

/* A trial carries a measurement unless it never started or was cut short. */
static bool measured(const struct rec_trial *t)
{
	return t->outcome == TRIAL_RECOVERED || t->outcome == TRIAL_NOT_RECOVERED;
}

/* Recovery samples of r: every trial (fault NULL, probe NULL), one fault's, or one probe's measures. */
static double *samples(const struct run_record *r, const char *fault, const char *probe, size_t *n)
{
	double *v = xcalloc(r->ntrials + 1, sizeof(double));
	*n = 0;
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct rec_trial *t = &r->trials[i];
		if (!measured(t) || (fault != NULL && (t->fault_name == NULL || strcmp(t->fault_name, fault) != 0)))
			continue;
		if (probe == NULL) {
			v[(*n)++] = t->outcome == TRIAL_RECOVERED ? (double)t->recovery_ns : INFINITY;
			continue;
		}
		for (size_t k = 0; k < t->nmeasures; k++) {
			const struct rec_measure *m = &t->measures[k];
			if (m->probe < r->nprobes && r->probes[m->probe].name != NULL &&
			    strcmp(r->probes[m->probe].name, probe) == 0)
				v[(*n)++] = m->recovered ? (double)m->recovery_ns : INFINITY;
		}
	}
	return v;
}

static struct cmp_dist dist_of(const double *v, size_t n)
{
	struct cmp_dist d = {.n = n};
	if (n == 0)
		return d;
	uint64_t *s = xcalloc(n, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s[i] = isinf(v[i]) ? COMPARE_NOT_RECOVERED : (uint64_t)v[i];
		d.not_recovered += isinf(v[i]);
	}
	stats_sort(s, n);
	d.p50 = stats_percentile(s, n, 0.5), d.p95 = stats_percentile(s, n, 0.95), d.max = s[n - 1];
	free(s);
	return d;
}

static void add_row(struct cmp_result *c, const struct run_record *a, const struct run_record *b, const char *fault,
                    const char *probe)
{
	size_t na, nb;
	double *x = samples(a, fault, probe, &na), *y = samples(b, fault, probe, &nb);
	c->rows = xreallocarray(c->rows, c->nrows + 1, sizeof(*c->rows));
	struct cmp_row *row = &c->rows[c->nrows++];
	memset(row, 0, sizeof(*row));
	row->what = fault ? xasprintf("fault %s", fault) : probe ? xasprintf("probe %s", probe) : xstrdup("all trials");
	row->old = dist_of(x, na), row->new = dist_of(y, nb);
	row->tested = na > 0 && nb > 0;
	row->same_as = -1;
	row->detect = INFINITY;
	row->x = x, row->nx = na, row->y = y, row->ny = nb;
	qsort(x, na, sizeof(*x), dbl_cmp);
	qsort(y, nb, sizeof(*y), dbl_cmp);
	for (size_t i = 0; row->tested && i + 1 < c->nrows; i++) {
		const struct cmp_row *o = &c->rows[i];
		if (o->tested && o->same_as < 0 && o->nx == na && o->ny == nb &&
		    memcmp(o->x, x, na * sizeof(*x)) == 0 && memcmp(o->y, y, nb * sizeof(*y)) == 0) {
			row->same_as = (long)i;
			row->mw = o->mw;
			return;
		}
	}
	if (row->tested) {
		compare_mann_whitney(x, na, y, nb, &row->mw);
		c->ntested++;
	}
}

/* n values spread over the sorted sample x like its quantiles, each times f. */
static double *resample(const double *x, size_t nx, size_t n, double f)
{
	double *v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = x[(size_t)(((double)i + 0.5) * (double)nx / (double)n)] * f;
	return v;
}

/* p of OLD (resampled to nx) against OLD x f (resampled to ny). */
static double p_shifted(const double *x, size_t nx0, size_t nx, size_t ny, double f)
{
	double *a = resample(x, nx0, nx, 1), *b = resample(x, nx0, ny, f);
	struct mw_result r;
	mw_p(a, nx, b, ny, &r);
	free(a);
	free(b);
	return r.p;
}

/* The smallest f for which OLD x f would be significant at alpha with these sizes; INFINITY if none. */
static double detectable(const struct cmp_row *row, double alpha)
{
	double lo = 1, hi = 1e6;
	if (p_shifted(row->x, row->nx, row->nx, row->ny, hi) > alpha)
		return INFINITY;
	for (int i = 0; i < 40 && hi / lo > 1.001; i++) {
		double mid = sqrt(lo * hi);
		if (p_shifted(row->x, row->nx, row->nx, row->ny, mid) <= alpha)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Trials per side for OLD x 2 to be significant at alpha; 0 if more than COMPARE_NEED_MAX. */
static size_t needed_for_2x(const struct cmp_row *row, double alpha)
{
	size_t lo = 1, hi = COMPARE_NEED_MAX;
	if (p_shifted(row->x, row->nx, hi, hi, 2) > alpha)
		return 0;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p_shifted(row->x, row->nx, mid, mid, 2) <= alpha)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static bool has_fault(const struct run_record *r, const char *name, size_t before)
{
	for (size_t i = 0; i < before && i < r->ntrials; i++)
		if (r->trials[i].fault_name && strcmp(r->trials[i].fault_name, name) == 0)
			return true;
	return false;
}

static bool has_probe(const struct run_record *r, const char *name)
{
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].name && strcmp(r->probes[i].name, name) == 0)
			return true;
	return false;
}

static int p_cmp(const void *a, const void *b)
{
	const struct cmp_row *x = *(struct cmp_row *const *)a, *y = *(struct cmp_row *const *)b;
	return x->mw.p < y->mw.p ? -1 : x->mw.p > y->mw.p;
}

/*
 * Holm: the i-th smallest of m p-values is significant while p(i) <= alpha /
 * (m - i); as adjusted p-values, max over j <= i of min(1, (m - j) p(j)),
 * each significant when <= alpha. Rows with a twin take its result.
 */
static void holm(struct cmp_result *c)
{
	struct cmp_row **t = xcalloc(c->ntested + 1, sizeof(*t));
	size_t m = 0;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].tested && c->rows[i].same_as < 0)
			t[m++] = &c->rows[i];
	qsort(t, m, sizeof(*t), p_cmp);
	double run = 0;
	for (size_t i = 0; i < m; i++) {
		double adj = fmin(1, (double)(m - i) * t[i]->mw.p);
		run = fmax(run, adj);
		t[i]->p_adj = run;
		t[i]->slower = run <= COMPARE_ALPHA;
		c->regression = c->regression || t[i]->slower;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		struct cmp_row *r = &c->rows[i];
		if (r->same_as >= 0)
			r->p_adj = c->rows[r->same_as].p_adj, r->slower = c->rows[r->same_as].slower;
	}
	free(t);
}

/* What these sample sizes can see, at Holm's strictest step (alpha / m). */
static void power(struct cmp_result *c)
{
	double alpha = COMPARE_ALPHA / (double)(c->ntested ? c->ntested : 1);
	for (size_t i = 0; i < c->nrows; i++) {
		struct cmp_row *r = &c->rows[i];
		if (r->tested && r->same_as < 0)
			r->detect = detectable(r, alpha);
		else if (r->same_as >= 0)
			r->detect = c->rows[r->same_as].detect;
	}
	const struct cmp_row *all = &c->rows[0];
	if (!c->regression && all->tested && !(all->detect <= 2)) {
		c->inconclusive = true;
		c->need_n = needed_for_2x(all, alpha);
	}
}

void compare_runs(const struct run_record *old, const struct run_record *new, struct cmp_result *out)
{
	memset(out, 0, sizeof(*out));
	add_row(out, old, new, NULL, NULL);
	for (size_t i = 0; i < new->ntrials; i++) {
		const char *f = new->trials[i].fault_name;
		if (f != NULL && !has_fault(new, f, i) && has_fault(old, f, old->ntrials))
			add_row(out, old, new, f, NULL);
	}
	for (size_t i = 0; i < new->nprobes; i++)
		if (new->probes[i].name && has_probe(old, new->probes[i].name))
			add_row(out, old, new, NULL, new->probes[i].name);
	holm(out);
	power(out);
}

void compare_fini(struct cmp_result *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i].what);
		free(c->rows[i].x);
		free(c->rows[i].y);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}
