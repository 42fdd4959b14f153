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
			d[i * ny + j] = y[j] - x[i];
	qsort(d, nx * ny, sizeof(double), dbl_cmp);
	size_t n = nx * ny;
	double hl = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	free(d);
	return hl;
}

void compare_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct mw_result *out)
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
	out->hl_ns = hodges_lehmann(x, nx, y, ny);
	free(all);
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
			v[(*n)++] = (double)t->recovery_ns;
			continue;
		}
		for (size_t k = 0; k < t->nmeasures; k++) {
			size_t p = t->measures[k].probe;
			if (p < r->nprobes && r->probes[p].name != NULL && strcmp(r->probes[p].name, probe) == 0)
				v[(*n)++] = (double)t->measures[k].recovery_ns;
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
	for (size_t i = 0; i < n; i++)
		s[i] = (uint64_t)v[i];
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
	if (row->tested) {
		compare_mann_whitney(x, na, y, nb, &row->mw);
		c->ntested++;
	}
	free(x);
	free(y);
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

/* Holm: the i-th smallest of m p-values is significant while p(i) <= alpha / (m - i). */
static void holm(struct cmp_result *c)
{
	struct cmp_row **t = xcalloc(c->ntested + 1, sizeof(*t));
	size_t m = 0;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].tested)
			t[m++] = &c->rows[i];
	qsort(t, m, sizeof(*t), p_cmp);
	for (size_t i = 0; i < m && t[i]->mw.p <= COMPARE_ALPHA / (double)(m - i); i++)
		t[i]->slower = c->regression = true;
	free(t);
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
}

void compare_fini(struct cmp_result *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		free(c->rows[i].what);
	free(c->rows);
	memset(c, 0, sizeof(*c));
}
