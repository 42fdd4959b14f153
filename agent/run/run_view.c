/*
 * run_view.c - the engine's state as a struct run_view, for the live
 * terminal view (live.c draws it). Called from a 100 ms timer on the run's
 * own clock, so it never races the engine; it only reads, except for the
 * SLOs judged so far, which go into a scratch copy of the record.
 */
#include <stdlib.h>

#include "faultline/live.h"
#include "faultline/util.h"
#include "run_int.h"

#define LIVE_PERIOD_NS (100 * NSEC_PER_MSEC)

static const char *phase_str(enum run_phase p)
{
	static const char *const words[] = {"steady", "settle", "faults", "restore", "done"};
	return (unsigned)p < ARRAY_LEN(words) ? words[p] : "?";
}

static void next_injection(const struct run *r, struct run_view *v)
{
	uint64_t now = clock_now(r->clk);
	for (size_t i = 0; r->faults != NULL && r->phase <= PH_FAULTS && i < r->plan->nfaults; i++) {
		const struct fault_state *fs = &r->faults[i];
		if (fs->next < fs->f->repeat.count)
			v->remaining += fs->f->repeat.count - fs->next;
		if (r->phase != PH_FAULTS)
			continue;
		if (!clock_timer_armed(&fs->timer))
			continue;
		uint64_t in = fs->timer.when > now ? fs->timer.when - now : 0;
		if (!v->next_known || in < v->next_in_ns)
			v->next_known = true, v->next_in_ns = in, v->next_fault = fs->f->name;
	}
}

static void free_slos(struct rec_slo *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].kind);
		free(s[i].detail);
	}
	free(s);
}

void run_view_draw(struct run *r)
{
	struct run_view v = {.plan = r->plan->name, .phase = phase_str(r->phase), .elapsed_ns = run_now(r)};
	struct run_view_trial *open = xcalloc(r->nopen + 1, sizeof(*open));
	for (const struct open_trial *t = r->open; t != NULL && v.nopen < r->nopen; t = t->next) {
		const struct rec_trial *rt = &r->rec->trials[t->rec];
		uint64_t at = rt->injected_at < v.elapsed_ns ? rt->injected_at : v.elapsed_ns;
		open[v.nopen++] = (struct run_view_trial){rt->fault_name, rt->index, rt->resource, v.elapsed_ns - at};
	}
	struct run_view_probe *pv = xcalloc(r->nprobes + 1, sizeof(*pv));
	for (size_t i = 0; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];
		const struct rec_probe *rp = p->rec;
		/* Changes are recorded on the run's clock (from t0), like trials. */
		uint64_t last = (rp && rp->nchanges ? rp->changes[rp->nchanges - 1].at : 0) + r->t0;
		uint64_t now = clock_now(r->clk);
		pv[i] = (struct run_view_probe){p->cfg->name, p->status, now > last ? now - last : 0, p->reason};
	}
	for (size_t i = 0; i < r->rec->ntrials; i++) {
		v.closed += r->rec->trials[i].outcome != TRIAL_PENDING;
		v.recovered += r->rec->trials[i].outcome == TRIAL_RECOVERED;
	}
	next_injection(r, &v);
	struct run_record scratch = *r->rec;
	scratch.slos = NULL;
	slo_judge(r->plan, &scratch);
	v.open = open, v.probes = pv, v.nprobes = r->nprobes, v.slos = scratch.slos, v.nslos = scratch.nslos;
	live_draw(r->opts->live, &v);
	free_slos(scratch.slos, scratch.nslos);
	free(open);
	free(pv);
}

static void on_live_tick(void *arg)
{
	struct run *r = arg;
	run_view_draw(r);
	clock_timer_start(r->clk, &r->live_timer, clock_now(r->clk) + LIVE_PERIOD_NS, on_live_tick, r);
}

void run_view_start(struct run *r)
{
	if (r->opts->live == NULL)
		return;
	on_live_tick(r);
}

void run_view_stop(struct run *r)
{
	if (r->opts->live == NULL || r->clk == NULL)
		return;
	clock_timer_stop(r->clk, &r->live_timer);
	run_view_draw(r);
	live_end(r->opts->live);
}
