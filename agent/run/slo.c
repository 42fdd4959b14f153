/*
 * slo.c - judge a run's SLOs from its record.
 *
 * recovery: each trial contributes the SLO probe's recovery time; a trial
 * that did not recover counts as infinitely slow (it can only fail the
 * SLO). Percentiles are nearest-rank; with `confidence` the percentile is
 * replaced by a distribution-free upper confidence bound (stats.h), and too
 * few trials for it is "inconclusive". availability: time up / time probed.
 * expect: every trial on the target shows the expected cluster outcome.
 * max_restarts: restarts in place across the target's trials.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/plan.h"
#include "faultline/regex.h"
#include "faultline/stats.h"
#include "faultline/util.h"
#include "run_int.h"

#define INF_NS UINT64_MAX

static const char *ms(uint64_t ns, char *buf, size_t len)
{
	if (ns == INF_NS)
		return snprintf(buf, len, "never"), buf;
	return duration_human(ns, buf, len);
}

static void set(struct rec_slo *s, enum slo_verdict v, double observed, double limit, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void set(struct rec_slo *s, enum slo_verdict v, double observed, double limit, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s->detail = xvasprintf(fmt, ap);
	va_end(ap);
	s->verdict = v;
	s->observed = observed;
	s->limit = limit;
}

/* Does the trial's fault target the selector? */
static bool trial_targets(const struct plan *p, const struct rec_trial *t, size_t selector)
{
	return t->fault < p->nfaults && p->faults[t->fault].target_idx == selector;
}

/* Did the trial run its course? Refused injections and aborted trials show nothing to judge. */
static bool trial_completed(const struct rec_trial *t)
{
	return t->outcome == TRIAL_RECOVERED || t->outcome == TRIAL_NOT_RECOVERED;
}

/* Does the SLO count trials of fault f? (All, unless it names its faults.) */
static bool counts_fault(const struct plan_slo *slo, size_t f)
{
	if (slo->nfaults == 0)
		return true;
	for (size_t k = 0; k < slo->nfaults; k++)
		if (slo->fault_idx != NULL && slo->fault_idx[k] == f)
			return true;
	return false;
}

static size_t recovery_samples(const struct plan_slo *slo, const struct run_record *rec, uint64_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < rec->ntrials; i++) {
		const struct rec_trial *t = &rec->trials[i];
		if (!counts_fault(slo, t->fault))
			continue;
		if (t->outcome == TRIAL_INJECT_FAILED || t->outcome == TRIAL_ABORTED || t->outcome == TRIAL_PENDING)
			continue;
		const struct rec_measure *m = slo->probe_idx < t->nmeasures ? &t->measures[slo->probe_idx] : NULL;
		v[n++] = m != NULL && m->recovered ? m->recovery_ns : INF_NS;
	}
	return n;
}

/* Append to detail at *off, keeping *off inside the buffer even when the text is cut short. */
static void append(char *detail, size_t len, size_t *off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void append(char *detail, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(detail + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
	if (*off >= len)
		*off = len - 1;
}

struct pct_limit {
	const char *name;
	double p;
	uint64_t limit;
};

static void judge_recovery(const struct plan_slo *slo, const struct run_record *rec, struct rec_slo *out)
{
	const struct plan_recovery *rc = &slo->recovery;
	uint64_t *v = xcalloc(rec->ntrials ? rec->ntrials : 1, sizeof(*v));
	size_t n = recovery_samples(slo, rec, v);
	out->samples = n;
	char a[32], b[32], c[32];
	if (n == 0) {
		set(out, SLO_INCONCLUSIVE, 0, 0, "no trial measured recovery on probe %s", slo->probe);
		free(v);
		return;
	}
	stats_sort(v, n);
	struct pct_limit lims[] = {{"p50", 0.5, rc->p50_ns},
	                           {"p90", 0.9, rc->p90_ns},
	                           {"p95", 0.95, rc->p95_ns},
	                           {"p99", 0.99, rc->p99_ns},
	                           {"max", 1.0, rc->max_ns}};
	char detail[1024] = "";
	size_t off = 0;
	enum slo_verdict verdict = SLO_PASS;
	double observed = 0, limit = 0;
	for (size_t i = 0; i < ARRAY_LEN(lims); i++) {
		if (lims[i].limit == 0)
			continue;
		uint64_t x;
		const char *how = "";
		char howbuf[512] = "";
		if (lims[i].p < 1.0 && rc->confidence > 0) {
			size_t k = stats_upper_bound_rank(n, lims[i].p, rc->confidence);
			if (k == 0) {
				append(detail, sizeof(detail), &off,
				       "%s%s: %zu trials cannot bound it at %.0f%% confidence (need %zu)",
				       off ? "; " : "", lims[i].name, n, rc->confidence * 100,
				       stats_min_samples(lims[i].p, rc->confidence));
				if (verdict == SLO_PASS)
					verdict = SLO_INCONCLUSIVE;
				continue;
			}
			x = v[k - 1];
			snprintf(howbuf, sizeof(howbuf), " (%.0f%% upper bound, rank %zu of %zu; estimate %s)",
			         rc->confidence * 100, k, n, ms(stats_percentile(v, n, lims[i].p), c, sizeof(c)));
			how = howbuf;
		} else {
			x = stats_percentile(v, n, lims[i].p);
		}
		bool ok = x <= lims[i].limit;
		if (!ok)
			verdict = SLO_FAIL;
		observed = x == INF_NS ? INFINITY : (double)x;
		limit = (double)lims[i].limit;
		append(detail, sizeof(detail), &off, "%s%s %s %s %s%s", off ? "; " : "", lims[i].name,
		       ms(x, a, sizeof(a)), ok ? "<=" : ">", ms(lims[i].limit, b, sizeof(b)), how);
	}
	set(out, verdict, observed, limit, "%s over %zu trial(s) on probe %s", detail, n, slo->probe);
	free(v);
}

static void judge_availability(const struct plan_slo *slo, const struct run_record *rec, struct rec_slo *out)
{
	if (slo->probe_idx >= rec->nprobes) { /* the run stopped before its probes started */
		set(out, SLO_INCONCLUSIVE, 0, slo->availability, "probe %s never ran", slo->probe);
		return;
	}
	const struct rec_probe *p = &rec->probes[slo->probe_idx];
	double probed = (double)(p->up_ns + p->down_ns);
	out->samples = (size_t)p->checks;
	if (probed <= 0) {
		set(out, SLO_INCONCLUSIVE, 0, slo->availability, "probe %s was never up or down", slo->probe);
		return;
	}
	double pct = 100.0 * (double)p->up_ns / probed;
	char a[32];
	enum slo_verdict v = pct + 1e-9 >= slo->availability ? SLO_PASS : SLO_FAIL;
	if (p->error_ns > 0 && v == SLO_PASS)
		v = SLO_INCONCLUSIVE;
	set(out, v, pct, slo->availability, "%s up %.3f%% of %s probed (%s %.3f%%)%s", slo->probe, pct,
	    duration_human((uint64_t)probed, a, sizeof(a)), v == SLO_FAIL ? "<" : ">=", slo->availability,
	    p->error_ns > 0 ? "; the probe also had errors, so the figure is not trusted" : "");
}

static bool outcome_matches(const struct plan_slo *slo, const struct rec_trial *t)
{
	switch (slo->expect) {
	case EXPECT_RESTART:
		return t->cluster == OUTCOME_RESTART;
	case EXPECT_FAILOVER:
		if (t->cluster != OUTCOME_FAILOVER)
			return false;
		return slo->to == NULL ||
		       (t->node_after != NULL && regex_match(slo->to, t->node_after, strlen(t->node_after)) == 1);
	case EXPECT_STAYS_FAILED:
		return t->cluster == OUTCOME_STAYS_FAILED;
	}
	return false;
}

static void judge_expect(const struct plan *p, const struct plan_slo *slo, const struct run_record *rec,
                         struct rec_slo *out)
{
	size_t n = 0, bad = 0;
	const struct rec_trial *first_bad = NULL;
	for (size_t i = 0; i < rec->ntrials; i++) {
		const struct rec_trial *t = &rec->trials[i];
		if (!trial_targets(p, t, slo->target_idx) || !trial_completed(t) || !counts_fault(slo, t->fault))
			continue;
		n++;
		if (!outcome_matches(slo, t)) {
			bad++;
			if (first_bad == NULL)
				first_bad = t;
		}
	}
	out->samples = n;
	const char *want = plan_expect_str(slo->expect);
	if (n == 0) {
		set(out, SLO_INCONCLUSIVE, 0, 0, "no trial on %s to check for %s", slo->target, want);
	} else if (bad == 0) {
		set(out, SLO_PASS, (double)n, (double)n, "all %zu trial(s) on %s: %s%s%s", n, slo->target, want,
		    slo->to ? " to a node matching " : "", slo->to ? regex_pattern(slo->to) : "");
	} else {
		set(out, SLO_FAIL, (double)(n - bad), (double)n,
		    "%zu of %zu trial(s) on %s were not %s; first: %s #%u \"%s\" ended %s on %s", bad, n, slo->target,
		    want, first_bad->fault_name, first_bad->index + 1, first_bad->resource,
		    cluster_outcome_str(first_bad->cluster), first_bad->node_after ? first_bad->node_after : "?");
	}
}

/*
 * Restarts of a trial that did not recover were still counting when it
 * closed: such a trial can fail the SLO but never let it pass.
 */
static void judge_restarts(const struct plan *p, const struct plan_slo *slo, const struct run_record *rec,
                           struct rec_slo *out)
{
	unsigned worst = 0;
	size_t n = 0, open = 0;
	for (size_t i = 0; i < rec->ntrials; i++) {
		const struct rec_trial *t = &rec->trials[i];
		if (!trial_targets(p, t, slo->target_idx) || !trial_completed(t) || !counts_fault(slo, t->fault))
			continue;
		n++;
		open += t->outcome != TRIAL_RECOVERED;
		if (t->restarts > worst)
			worst = t->restarts;
	}
	out->samples = n;
	enum slo_verdict v = n == 0 ? SLO_INCONCLUSIVE : worst > slo->max_restarts ? SLO_FAIL : SLO_PASS;
	if (v == SLO_PASS && open > 0)
		v = SLO_INCONCLUSIVE;
	char tail[96] = "";
	if (open > 0)
		snprintf(tail, sizeof(tail), "; %zu trial(s) did not recover, so their count is a lower bound", open);
	set(out, v, worst, slo->max_restarts,
	    "at most %u restart(s) in place per trial on %s (limit %u, %zu trial(s))%s", worst, slo->target,
	    slo->max_restarts, n, tail);
}

static const char *kind_str(enum plan_slo_kind k)
{
	static const char *const names[] = {"recovery", "availability", "expect", "max_restarts"};
	return names[k];
}

void slo_judge(const struct plan *p, struct run_record *rec)
{
	rec->slos = xcalloc(p->nslos ? p->nslos : 1, sizeof(*rec->slos));
	rec->nslos = p->nslos;
	for (size_t i = 0; i < p->nslos; i++) {
		const struct plan_slo *slo = &p->slos[i];
		struct rec_slo *out = &rec->slos[i];
		out->name = xstrdup(slo->name);
		out->kind = xstrdup(kind_str(slo->kind));
		switch (slo->kind) {
		case SLO_RECOVERY:
			judge_recovery(slo, rec, out);
			break;
		case SLO_AVAILABILITY:
			judge_availability(slo, rec, out);
			break;
		case SLO_EXPECT:
			judge_expect(p, slo, rec, out);
			break;
		case SLO_MAX_RESTARTS:
			judge_restarts(p, slo, rec, out);
			break;
		}
	}
}
