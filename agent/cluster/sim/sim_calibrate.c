/*
 * sim_calibrate.c - fit a topology's times to what real runs measured
 * (`faultline calibrate`). From each JSON run record's cluster events
 * (docs/report-format.md, events[]) it collects, per resource:
 *   start    online-pending -> online
 *   stop     offline-pending -> offline (or -> failed when a stop failed)
 *   reaction a `fail` injection -> the first stop or start of that resource
 *            (Pacemaker: the scheduler's reaction; WSFC: RestartDelay)
 *   online   Pacemaker: an offline's online due (online_at) -> its
 *            recovery, less the start (online_reaction_time)
 * and writes each as a lognormal duration with the measured median and
 * 95th percentile (fixed when they are equal). Only what was
 * measured changes; everything else is the base topology's. With
 * CALIB_ODD / CALIB_EVEN only every other trial of each fault counts, and
 * of the events only the state changes within those trials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/duration.h"
#include "faultline/record.h"
#include "faultline/sim.h"
#include "faultline/util.h"

struct samples {
	uint64_t *v;
	size_t n, cap;
};

struct calib_res {
	const char *name;
	struct samples start, stop, react;
	int prev_state, last_state;
	uint64_t last_at;
};

static void add(struct samples *s, uint64_t v)
{
	XGROW(s->v, s->cap, s->n + 1);
	s->v[s->n++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank quantile of sorted samples. */
static uint64_t quantile(const struct samples *s, double q)
{
	size_t i = (size_t)(q * (double)(s->n - 1) + 0.5);
	return s->v[i < s->n ? i : s->n - 1];
}

static uint64_t median(const struct samples *s)
{
	if (s->n % 2)
		return s->v[s->n / 2];
	return s->v[s->n / 2 - 1] / 2 + s->v[s->n / 2] / 2 + (s->v[s->n / 2 - 1] % 2 + s->v[s->n / 2] % 2) / 2;
}

/*
 * Lognormal with the measured median and 95th percentile (dist.h),
 * clamped at twice the largest sample: the simulated median is the real
 * one and the tail the real one's. Equal median and p95 give a fixed time.
 */
static bool fit(struct samples *s, struct dist *out)
{
	if (s->n == 0)
		return false;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	uint64_t m = median(s), p95 = quantile(s, 0.95), top = s->v[s->n - 1];
	struct fl_err e;
	if (m == 0 || p95 <= m || dist_lognormal(out, m, p95, top > UINT64_MAX / 2 ? top : 2 * top, &e) < 0)
		*out = dist_fixed(m);
	return true;
}

static struct calib_res *find(struct calib_res *cr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cr[i].name, name) == 0)
			return &cr[i];
	return NULL;
}

/* The trial is one of those calibrated from: every one, or every other repetition of its fault. */
static bool chosen(const struct rec_trial *tr, enum calib_trials which)
{
	return which == CALIB_ALL || (tr->index % 2 == 0) == (which == CALIB_ODD);
}

/* [from, to] lies within a trial calibrated from (always, for CALIB_ALL: events outside trials count too). */
static bool in_chosen_trial(const struct run_record *rec, enum calib_trials which, uint64_t from, uint64_t to)
{
	for (size_t t = 0; which != CALIB_ALL && t < rec->ntrials; t++) {
		const struct rec_trial *tr = &rec->trials[t];
		if (chosen(tr, which) && from >= tr->planned_at && to <= tr->closed_at)
			return true;
	}
	return which == CALIB_ALL;
}

/* [from, to] lies within a trial of a `fail` of that resource (not an offline brought back by online_after). */
static bool in_fail_trial(const struct run_record *rec, enum calib_trials which, const char *name, uint64_t from,
                          uint64_t to)
{
	for (size_t t = 0; t < rec->ntrials; t++) {
		const struct rec_trial *tr = &rec->trials[t];
		if (chosen(tr, which) && tr->action && strcmp(tr->action, "fail") == 0 && tr->resource &&
		    strcmp(tr->resource, name) == 0 && from >= tr->planned_at && to <= tr->closed_at)
			return true;
	}
	return false;
}

static void scan_events(struct calib_res *cr, size_t n, const struct run_record *rec, enum calib_trials which)
{
	for (size_t i = 0; i < n; i++)
		cr[i].prev_state = cr[i].last_state = RES_UNKNOWN;
	for (size_t k = 0; k < rec->nevents; k++) {
		const struct rec_event *ev = &rec->events[k];
		struct calib_res *c = find(cr, n, ev->resource);
		if (c == NULL)
			continue;
		/*
		 * A restart after a `fail` whose start was too quick to be seen
		 * pending (failed, offline, online) times the start too.
		 */
		bool in = in_chosen_trial(rec, which, c->last_at, ev->at);
		if (in && ev->state == RES_ONLINE &&
		    (c->last_state == RES_ONLINE_PENDING ||
		     (c->last_state == RES_OFFLINE && c->prev_state == RES_FAILED &&
		      in_fail_trial(rec, which, ev->resource, c->last_at, ev->at))))
			add(&c->start, ev->at - c->last_at);
		if (in && c->last_state == RES_OFFLINE_PENDING && ev->state == RES_OFFLINE)
			add(&c->stop, ev->at - c->last_at);
		c->prev_state = c->last_state;
		c->last_state = ev->state;
		c->last_at = ev->at;
	}
}

/*
 * Something must stop before `name` can: a resource that depends on it, or
 * (Pacemaker) a later member of its group. Then the first stop or start of
 * `name` after a failure is not the reaction alone.
 */
static bool has_dependents(const struct sim_topology *t, const char *name)
{
	const char *group = NULL;
	bool later = false;
	for (size_t i = 0; i < t->nresources; i++) {
		const struct sim_resource_def *r = &t->resources[i];
		for (size_t a = 0; a < r->ndeps; a++)
			for (size_t b = 0; b < r->deps[a].nany; b++)
				if (strcmp(r->deps[a].any[b], name) == 0)
					return true;
		if (group && r->group && strcmp(r->group, group) == 0)
			later = true;
		if (strcmp(r->name, name) == 0)
			group = r->group;
	}
	return t->policy == SIM_POLICY_PACEMAKER && later;
}

/*
 * The reaction: from a `fail` to the first stop or start of that resource,
 * on trials where nothing else had to happen first (a restart in place, or
 * with Pacemaker also a move, which begins by stopping the failed instance).
 */
static bool reaction_trial(const struct sim_topology *t, const struct rec_trial *tr)
{
	if (tr->action == NULL || strcmp(tr->action, "fail") != 0 || tr->outcome == TRIAL_INJECT_FAILED)
		return false;
	if (tr->cluster != OUTCOME_RESTART && !(t->policy == SIM_POLICY_PACEMAKER && tr->cluster == OUTCOME_FAILOVER))
		return false;
	return !has_dependents(t, tr->resource);
}

/* The median a duration gives: what was measured, else the base topology's. */
static uint64_t model_median(struct samples *s, const struct dist *base)
{
	if (s->n) {
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
		return median(s);
	}
	if (base->kind == DIST_LOGNORMAL)
		return base->median_ns;
	return base->min_ns / 2 + base->max_ns / 2;
}

static size_t group_size(const struct sim_topology *t, const char *group)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nresources; i++)
		n += group && t->resources[i].group && strcmp(t->resources[i].group, group) == 0;
	return n;
}

/*
 * Pacemaker: the reaction is what the measured recovery of a restart in
 * place (or a lone resource's failover) leaves after the stop of the
 * failed instance and the start, as the simulator will draw them. The
 * events cannot time it: the backend shows a failed instance Failed while
 * it stops (pacemaker_xml.c), so a slow stop looks like a slow reaction,
 * and the probes see every state late by the backend's read (the
 * resolution): that lag is part of every recovery the real cluster
 * measures, and so it goes into the reaction the simulator adds to each.
 */
static void pcmk_reaction(const struct sim_topology *tp, struct calib_res *cr, const struct rec_trial *tr)
{
	size_t i = 0;
	while (i < tp->nresources && strcmp(tp->resources[i].name, tr->resource) != 0)
		i++;
	if (i == tp->nresources || tr->outcome != TRIAL_RECOVERED ||
	    (tr->cluster == OUTCOME_FAILOVER && group_size(tp, tp->resources[i].group) != 1))
		return;
	uint64_t took = model_median(&cr[i].stop, &tp->resources[i].offline_time) +
	                model_median(&cr[i].start, &tp->resources[i].online_time);
	add(&cr[i].react, tr->recovery_ns > took ? tr->recovery_ns - took : 0);
}

/* A state change of another member of r's group within [from, to]. */
static bool group_moved(const struct sim_topology *tp, const struct run_record *rec, const char *name, uint64_t from,
                        uint64_t to)
{
	const char *group = NULL;
	for (size_t i = 0; i < tp->nresources && group == NULL; i++)
		if (strcmp(tp->resources[i].name, name) == 0)
			group = tp->resources[i].group;
	for (size_t k = 0; group && k < rec->nevents; k++) {
		const struct rec_event *ev = &rec->events[k];
		if (ev->at < from || ev->at > to || strcmp(ev->resource, name) == 0)
			continue;
		for (size_t i = 0; i < tp->nresources; i++)
			if (strcmp(tp->resources[i].name, ev->resource) == 0 && tp->resources[i].group &&
			    strcmp(tp->resources[i].group, group) == 0)
				return true;
	}
	return false;
}

/* r was seen down (Offline or Failed) within [from, to]. */
static bool seen_down(const struct run_record *rec, const char *name, uint64_t from, uint64_t to)
{
	for (size_t k = 0; k < rec->nevents; k++) {
		const struct rec_event *ev = &rec->events[k];
		if (ev->at >= from && ev->at <= to && strcmp(ev->resource, name) == 0 &&
		    (ev->state == RES_OFFLINE || ev->state == RES_FAILED))
			return true;
	}
	return false;
}

/*
 * Pacemaker's online reaction: from when faultline's online became due
 * (online_at: online_after passed, or the resource went down after it) to
 * the recovery, less the start of that resource as the simulator will
 * draw it: the backend's read of the down state, the online call, the
 * scheduler's reaction and the backend's read of the result. Only where
 * that start is all that happened: nothing depends on the resource, and
 * no other member of its group changed state meanwhile.
 */
static void pcmk_online(const struct sim_topology *tp, struct calib_res *cr, const struct run_record *rec,
                        const struct rec_trial *tr, struct samples *out)
{
	size_t i = 0;
	while (i < tp->nresources && strcmp(tp->resources[i].name, tr->resource) != 0)
		i++;
	if (i == tp->nresources || tr->outcome != TRIAL_RECOVERED || tr->online_at == 0 || tr->action == NULL ||
	    strcmp(tr->action, "offline") != 0 || has_dependents(tp, tr->resource))
		return;
	uint64_t end = tr->injected_at + tr->recovery_ns;
	if (end <= tr->online_at || !seen_down(rec, tr->resource, tr->injected_at, tr->online_at) ||
	    group_moved(tp, rec, tr->resource, tr->online_at, end))
		return;
	uint64_t start = model_median(&cr[i].start, &tp->resources[i].online_time), took = end - tr->online_at;
	add(out, took > start ? took - start : 0);
}

static void scan_trials(const struct sim_topology *tp, struct calib_res *cr, size_t n, const struct run_record *rec,
                        enum calib_trials which, struct samples *online)
{
	for (size_t t = 0; t < rec->ntrials; t++) {
		const struct rec_trial *tr = &rec->trials[t];
		if (!chosen(tr, which))
			continue;
		if (tp->policy == SIM_POLICY_PACEMAKER) {
			if (reaction_trial(tp, tr))
				pcmk_reaction(tp, cr, tr);
			pcmk_online(tp, cr, rec, tr, online);
			continue;
		}
		struct calib_res *c = reaction_trial(tp, tr) ? find(cr, n, tr->resource) : NULL;
		if (c == NULL)
			continue;
		for (size_t k = 0; k < rec->nevents; k++) {
			const struct rec_event *ev = &rec->events[k];
			if (ev->at < tr->injected_at || strcmp(ev->resource, tr->resource) != 0)
				continue;
			if (ev->state == RES_OFFLINE_PENDING || ev->state == RES_ONLINE_PENDING) {
				add(&c->react, ev->at - tr->injected_at);
				break;
			}
			if (ev->state == RES_ONLINE)
				break; /* back without a visible start: nothing to learn */
		}
	}
}

static void put_fit(FILE *log, const char *res, const char *what, const struct samples *s, const struct dist *d)
{
	char a[96];
	fprintf(log, "calibrate: resource \"%s\": %s from %zu sample(s): %s\n", res, what, s->n,
	        dist_format(d, a, sizeof(a)));
}

int sim_calibrate(struct sim_topology *t, const struct run_record *recs, size_t nrecs, enum calib_trials which,
                  FILE *log, struct fl_err *e)
{
	struct calib_res *cr = xcalloc(t->nresources ? t->nresources : 1, sizeof(*cr));
	for (size_t i = 0; i < t->nresources; i++)
		cr[i].name = t->resources[i].name;
	if (which != CALIB_ALL) {
		size_t used = 0, all = 0;
		for (size_t r = 0; r < nrecs; r++)
			for (size_t k = 0; k < recs[r].ntrials; k++, all++)
				used += chosen(&recs[r].trials[k], which);
		fprintf(log,
		        "calibrate: from the %s trials of each fault (%zu of %zu) and the state changes within them\n",
		        which == CALIB_ODD ? "odd" : "even", used, all);
	}
	for (size_t r = 0; r < nrecs; r++)
		scan_events(cr, t->nresources, &recs[r], which);
	struct samples react = {0}, online = {0};
	for (size_t r = 0; r < nrecs; r++) /* after every start and stop: the reaction needs their medians */
		scan_trials(t, cr, t->nresources, &recs[r], which, &online);
	size_t fitted = 0;
	for (size_t i = 0; i < t->nresources; i++) {
		struct sim_resource_def *d = &t->resources[i];
		if (fit(&cr[i].start, &d->online_time))
			put_fit(log, d->name, "online_time", &cr[i].start, &d->online_time), fitted++;
		if (fit(&cr[i].stop, &d->offline_time))
			put_fit(log, d->name, "offline_time", &cr[i].stop, &d->offline_time), fitted++;
		for (size_t k = 0; k < cr[i].react.n; k++)
			add(&react, cr[i].react.v[k]);
		struct dist rd;
		if (t->policy != SIM_POLICY_PACEMAKER && fit(&cr[i].react, &rd)) {
			d->restart_delay_ns = median(&cr[i].react); /* WSFC: RestartDelay is one value */
			put_fit(log, d->name, "restart_delay", &cr[i].react, &rd), fitted++;
		}
	}
	if (t->policy == SIM_POLICY_PACEMAKER && fit(&react, &t->pcmk_reaction))
		put_fit(log, "*", "pacemaker reaction_time", &react, &t->pcmk_reaction), fitted++;
	if (t->policy == SIM_POLICY_PACEMAKER && fit(&online, &t->pcmk_online_reaction))
		put_fit(log, "*", "pacemaker online_reaction_time", &online, &t->pcmk_online_reaction), fitted++;
	for (size_t i = 0; i < t->nresources; i++) {
		free(cr[i].start.v);
		free(cr[i].stop.v);
		free(cr[i].react.v);
	}
	free(react.v);
	free(online.v);
	free(cr);
	if (fitted == 0)
		return err_set(e,
		               "calibrate: no resource of topology \"%s\" has a start, stop or reaction in the "
		               "records' events",
		               t->name ? t->name : "?");
	return 0;
}
