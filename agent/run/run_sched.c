/*
 * run_sched.c - when each injection happens.
 *
 * A fault's trials run one after another: trial i is planned at
 * origin + at + i * every, moved by a seeded jitter, and goes only when the
 * previous trial of the same fault has closed. Before any injection the run
 * must be settled (every probe up, unless other faults are deliberately
 * open in parallel), under max_concurrent_faults, and the target must be in
 * the state the action needs (online for fail/offline/move, offline for
 * online): a degraded target is waited for, never piled on. Blocked
 * injections are retried when something changes (a trial closes, a probe
 * changes, the cluster reports an event), never by polling, so virtual time
 * stays cheap.
 *
 * On a real clock the injection timer is armed SCHED_SPIN_LEAD early and
 * the rest of the wait is spent spinning on CLOCK_MONOTONIC. Injections are
 * rare, so the spin (at most the lead, once per trial) costs next to nothing.
 *
 * A spin only helps if the process runs: from SCHED_RT_LEAD before an
 * injection until it is done the run holds real-time priority (rtprio.h:
 * measured why; best effort; FAULTLINE_NO_RT=1 turns it off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/rtprio.h"
#include "faultline/util.h"
#include "run_int.h"

static uint64_t planned_time(struct fault_state *fs)
{
	const struct plan_fault *f = fs->f;
	uint64_t t = fs->origin + plan_trial_at(f, fs->next);
	if (f->repeat.jitter_ns > 0) {
		uint64_t j = rng_range(&fs->rng, 0, 2 * f->repeat.jitter_ns);
		t = t + j >= f->repeat.jitter_ns ? t + j - f->repeat.jitter_ns : 0;
		if (t < fs->origin)
			t = fs->origin;
	}
	return t;
}

#define SCHED_SPIN_LEAD (2 * NSEC_PER_MSEC)
#define SCHED_RT_LEAD   (50 * NSEC_PER_MSEC) /* > the 27 ms a normal wake was seen late */

static void on_fault_timer(void *arg);

static void rt_hold(struct run *r, struct fault_state *fs)
{
	(void)r;
	if (fs->rt_held)
		return;
	fs->rt_held = true;
	rtprio_hold();
}

static void rt_release(struct run *r, struct fault_state *fs)
{
	(void)r;
	if (!fs->rt_held)
		return;
	fs->rt_held = false;
	rtprio_release();
}

/*
 * After its due time: keep the priority only if this fault's next
 * injection (jitter aside) is also within the lead, so the trial it waits
 * for is closed at full speed; otherwise it is not timing-critical now.
 */
static void rt_settle(struct run *r, struct fault_state *fs)
{
	const struct plan_fault *f = fs->f;
	bool soon = !fs->done && fs->next < f->repeat.count &&
	            fs->origin + plan_trial_at(f, fs->next) <= run_now(r) + SCHED_RT_LEAD;
	if (!soon)
		rt_release(r, fs);
}

static void spin_arm(struct run *r, struct fault_state *fs)
{
	uint64_t now = run_now(r), at = fs->planned > now ? fs->planned : now;
	at = at > now + SCHED_SPIN_LEAD ? at - SCHED_SPIN_LEAD : now;
	clock_timer_start(r->clk, &fs->timer, r->t0 + at, on_fault_timer, fs);
}

/* SCHED_RT_LEAD before the injection: take the priority, then wait for the spin. */
static void on_fault_near(void *arg)
{
	struct fault_state *fs = arg;
	rt_hold(fs->run, fs);
	spin_arm(fs->run, fs);
}

static void arm(struct run *r, struct fault_state *fs)
{
	fs->planned = planned_time(fs);
	uint64_t now = run_now(r), at = fs->planned > now ? fs->planned : now;
	if (clock_is_virtual(r->clk)) {
		clock_timer_start(r->clk, &fs->timer, r->t0 + at, on_fault_timer, fs);
		return;
	}
	if (at > now + SCHED_RT_LEAD) {
		clock_timer_start(r->clk, &fs->timer, r->t0 + at - SCHED_RT_LEAD, on_fault_near, fs);
		return;
	}
	rt_hold(r, fs);
	spin_arm(r, fs);
}

/* The last stretch to the planned time, on a real clock (bounded by the lead). */
static void spin_until(struct run *r, uint64_t planned)
{
	if (clock_is_virtual(r->clk))
		return;
	uint64_t limit = clock_now(r->clk) + SCHED_SPIN_LEAD + NSEC_PER_MSEC;
	while (run_now(r) < planned && clock_now(r->clk) < limit)
		;
}

static void start_fault(struct run *r, struct fault_state *fs, uint64_t origin)
{
	fs->started = true;
	fs->origin = origin;
	if (fs->f->repeat.count == 0) {
		fs->done = true;
		return;
	}
	arm(r, fs);
}

static const struct selection *targets(struct run *r, const struct fault_state *fs)
{
	static const struct selection none;
	return fs->f->target_idx == PLAN_NONE ? &none : &r->sels[fs->f->target_idx];
}

/* Why the fault cannot go now, or NULL. */
static const char *blocked(struct run *r, struct fault_state *fs)
{
	static char why[256];
	if (r->phase != PH_FAULTS)
		return "not in the faults phase";
	if (fs->open > 0)
		return "its previous trial is still open";
	if (r->nopen >= r->plan->guards.max_concurrent_faults)
		return "max_concurrent_faults reached";
	const char *down;
	if (r->nopen == 0 && !run_all_probes_up(r, &down)) {
		snprintf(why, sizeof(why), "probe %s is not up yet (settling)", down);
		return why;
	}
	const struct selection *sel = targets(r, fs);
	int want = fs->f->action == PLAN_ONLINE ? RES_OFFLINE : RES_ONLINE;
	for (size_t i = 0; fs->f->action != PLAN_EXEC && i < sel->n; i++) {
		enum res_state st = RES_UNKNOWN;
		struct fl_err e;
		if (r->cl->ops->resource_state(r->cl, sel->items[i]->name, &st, &e) < 0)
			continue; /* the injection will report it */
		/*
		 * Nothing open and the target settled Offline or Failed: waiting
		 * would last until the deadline. FailClusterResource goes, so the
		 * cluster's refusal (5084) reaches the report when it is due.
		 */
		if (fs->f->action == PLAN_FAIL && r->nopen == 0 && (st == RES_OFFLINE || st == RES_FAILED))
			continue;
		/* Left failed with nothing open: nothing will bring it back before the restore; go, and be refused now.
		 */
		if (fs->f->action != PLAN_ONLINE && r->nopen == 0 && st == RES_FAILED)
			continue;
		if ((int)st != want && !(want == RES_OFFLINE && st == RES_FAILED)) {
			snprintf(why, sizeof(why), "\"%s\" is %s (degraded); waiting", sel->items[i]->name,
			         res_state_str(st));
			return why;
		}
	}
	return NULL;
}

static void try_inject(struct run *r, struct fault_state *fs)
{
	if (fs->done || !fs->started || clock_timer_armed(&fs->timer) || fs->next >= fs->f->repeat.count)
		return;
	if (run_now(r) < fs->planned)
		return;
	if (blocked(r, fs) != NULL)
		return;
	size_t fault = (size_t)(fs - r->faults);
	const struct selection *sel = targets(r, fs);
	fs->injecting = true;
	if (plan_action_is_node(fs->f->action)) {
		const struct node_pick *np = &r->nsels[fs->f->target_idx];
		for (size_t i = 0; i < np->n && r->phase == PH_FAULTS; i++)
			node_inject(r, fault, np->names[i], fs->planned);
	}
	if (fs->f->action == PLAN_EXEC && fs->f->target_idx == PLAN_NONE) {
		fs->open++;
		trial_open_exec(r, fault, NULL, NULL, NULL, fs->planned);
	}
	for (size_t i = 0; i < sel->n && r->phase == PH_FAULTS; i++) {
		const struct cluster_resource *res = sel->items[i];
		enum res_state st = RES_UNKNOWN;
		struct fl_err e;
		r->cl->ops->resource_state(r->cl, res->name, &st, &e);
		/* Where it is now: the cluster's events said so; no snapshot per injection. */
		char *owner = xstrdup(watch_owner(r, res->name) ? watch_owner(r, res->name) : "?");
		if (fs->f->action == PLAN_EXEC) {
			fs->open++;
			trial_open_exec(r, fault, res->name, res->group, owner, fs->planned);
		} else {
			trial_open_counted(r, fault, res->name, res->group, owner, (int)st, fs->planned);
		}
		free(owner);
	}
	fs->injecting = false;
	fs->next++;
	if (fs->open == 0)
		sched_fault_closed_trial(r, fault);
}

static void on_fault_timer(void *arg)
{
	struct fault_state *fs = arg;
	const char *why = blocked(fs->run, fs);
	if (why != NULL)
		run_progress(fs->run, "fault %s #%u: due, held: %s", fs->f->name, fs->next + 1, why);
	else
		spin_until(fs->run, fs->planned);
	try_inject(fs->run, fs);
	rt_settle(fs->run, fs);
}

void trial_open_counted(struct run *r, size_t fault, const char *resource, const char *group, const char *node,
                        int state, uint64_t planned)
{
	r->faults[fault].open++;
	trial_open(r, fault, resource, group, node, state, planned);
}

void sched_fault_closed_trial(struct run *r, size_t fault)
{
	struct fault_state *fs = &r->faults[fault];
	if (fs->open > 0)
		fs->open--;
	if (fs->injecting || fs->open > 0)
		return;
	if (fs->next < fs->f->repeat.count) {
		arm(r, fs);
	} else if (!fs->done) {
		fs->done = true;
		for (size_t i = 0; i < r->plan->nfaults; i++)
			if (r->faults[i].f->after_idx == fault && !r->faults[i].started)
				start_fault(r, &r->faults[i], run_now(r));
	}
	sched_kick(r);
	run_maybe_finish(r);
}

void sched_kick(struct run *r)
{
	for (size_t i = 0; i < r->plan->nfaults; i++)
		try_inject(r, &r->faults[i]);
}

bool sched_all_done(const struct run *r)
{
	for (size_t i = 0; i < r->plan->nfaults; i++)
		if (!r->faults[i].done)
			return false;
	return true;
}

void sched_start(struct run *r)
{
	uint64_t now = run_now(r);
	for (size_t i = 0; i < r->plan->nfaults; i++)
		if (r->faults[i].f->after_idx == PLAN_NONE)
			start_fault(r, &r->faults[i], now);
	run_maybe_finish(r);
}

void sched_stop(struct run *r)
{
	for (size_t i = 0; r->faults != NULL && i < r->plan->nfaults; i++) {
		clock_timer_stop(r->clk, &r->faults[i].timer);
		rt_release(r, &r->faults[i]);
	}
}

static void print_nodes(FILE *f, const struct node_pick *np)
{
	for (size_t i = 0; i < np->n; i++)
		fprintf(f, "%snode \"%s\"", i ? ", " : "", np->names[i]);
}

/* "node "a" (crash: its groups fail over, it stays down until node_up or the restore)" */
static void print_node_action(FILE *f, const struct plan_fault *ft, const struct node_pick *np)
{
	print_nodes(f, np);
	switch (ft->action) {
	case PLAN_NODE_DOWN:
		fputs(" (crash: its groups fail over; down until node_up or the restore)", f);
		break;
	case PLAN_NODE_UP:
		fputs(" (joins again; groups that prefer it may fail back)", f);
		break;
	case PLAN_NODE_PAUSE:
		fputs(ft->drain ? " (pause and drain: its groups move away, nothing moves to it)"
		                : " (pause without drain: what runs there stays, nothing moves to it)",
		      f);
		break;
	default:
		fprintf(f, " (resume, failback %s)", plan_failback_str(ft->failback));
		break;
	}
}

/* " runs [a, b] (timeout 1m), undo [c] at the restore" */
static void print_exec(FILE *f, const struct plan_fault *ft)
{
	char b[32];
	fputs(ft->target_idx == PLAN_NONE ? "runs [" : " (once for each) runs [", f);
	for (size_t i = 0; ft->command[i] != NULL; i++)
		fprintf(f, "%s%s", i ? ", " : "", ft->command[i]);
	fprintf(f, "] (timeout %s)", duration_format(ft->timeout_ns, b, sizeof(b)));
	for (size_t i = 0; ft->undo != NULL && ft->undo[i] != NULL; i++)
		fprintf(f, "%s%s", i ? ", " : ", undo [", ft->undo[i]);
	if (ft->undo != NULL)
		fputs("] at the restore", f);
}

static void print_targets(FILE *f, const struct selection *sel)
{
	for (size_t i = 0; i < sel->n; i++)
		fprintf(f, "%s\"%s\" (%s on %s)", i ? ", " : "", sel->items[i]->name,
		        sel->items[i]->group ? sel->items[i]->group : "-",
		        sel->items[i]->owner ? sel->items[i]->owner : "-");
}

/* An offline's OfflineV2 flags, destination and online_after: " [flag, flag] to node-b, online after 30s" */
static void print_action_detail(FILE *f, const struct plan_fault *ft)
{
	char b[32];
	for (unsigned i = 0, n = 0; offline_flag_names[i] != NULL; i++)
		if (ft->flags & (1u << i))
			fprintf(f, "%s%s", n++ ? ", " : " [", offline_flag_names[i]);
	if (ft->flags != 0)
		fputc(']', f);
	if (ft->destination != NULL)
		fprintf(f, " to %s", ft->destination);
	if (ft->has_online_after)
		fprintf(f, ", online after %s", duration_clock(ft->online_after_ns, b, sizeof(b)));
}

/* The trials a run would open at planned time t: recorded as pending, so the reports can list them as skipped. */
static void record_planned(struct run *r, size_t fault, uint64_t t)
{
	const struct fault_state *fs = &r->faults[fault];
	const struct selection *sel = targets(r, fs);
	for (size_t i = 0; i < sel->n; i++) {
		struct rec_trial *rt = record_add_trial(r->rec);
		rt->fault = fault;
		rt->index = fs->next;
		rt->fault_name = xstrdup(fs->f->name);
		rt->action = xstrdup(plan_action_str(fs->f->action));
		rt->resource = xstrdup(sel->items[i]->name);
		rt->group = sel->items[i]->group ? xstrdup(sel->items[i]->group) : NULL;
		rt->node_before = sel->items[i]->owner ? xstrdup(sel->items[i]->owner) : NULL;
		rt->planned_at = t;
		rt->timeout_ns = fs->f->recovery_timeout_ns;
		rt->outcome = TRIAL_PENDING;
	}
}

void sched_dry_run(struct run *r)
{
	FILE *out = stdout;
	char b[32], when[48];
	fprintf(out, "dry run: plan %s, seed %llu, backend %s - nothing will be injected\n", r->plan->name,
	        (unsigned long long)r->plan->seed, r->plan->cluster.backend);
	for (size_t i = 0; i < r->plan->nselectors; i++) {
		if (r->nsels[i].names != NULL) {
			fprintf(out, "selector %s: %zu node(s) picked: ", r->plan->selectors[i].name, r->nsels[i].n);
			print_nodes(out, &r->nsels[i]);
			fputc('\n', out);
		}
		if (r->nsels[i].names != NULL && r->sels[i].items == NULL)
			continue;
		fprintf(out, "selector %s: %zu matched, %zu picked: ", r->plan->selectors[i].name, r->sels[i].matched,
		        r->sels[i].n);
		print_targets(out, &r->sels[i]);
		fputc('\n', out);
	}
	fprintf(out, "timeline (from the end of the settle period; later if the cluster is not settled):\n");
	for (size_t i = 0; i < r->plan->nfaults; i++) {
		struct fault_state *fs = &r->faults[i];
		const struct plan_fault *f = fs->f;
		fs->origin = 0;
		for (fs->next = 0; fs->next < f->repeat.count; fs->next++) {
			uint64_t t = planned_time(fs);
			snprintf(when, sizeof(when), "%s%s", f->after ? "after " : "", duration_clock(t, b, sizeof(b)));
			fprintf(out, "  %-14s %s #%u: %s", when, f->name, fs->next + 1, plan_action_str(f->action));
			print_action_detail(out, f);
			fputc(' ', out);
			if (f->after)
				fprintf(out, "(counted from the end of %s) ", f->after);
			if (plan_action_is_node(f->action))
				print_node_action(out, f, &r->nsels[f->target_idx]);
			else
				print_targets(out, targets(r, fs));
			if (f->action == PLAN_EXEC)
				print_exec(out, f);
			fputc('\n', out);
			record_planned(r, i, t);
		}
	}
}
