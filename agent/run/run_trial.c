/*
 * run_trial.c - one trial per injection per resource: open it (the
 * injection itself is run_inject.c), then measure the recovery.
 *
 * For each probe a trial waits for the outage (the probe goes down after the
 * injection), then for the recovery (the probe is up again): recovery time
 * is up_at - injected_at, with the probe cadence of that moment as its
 * resolution. A probe that never saw an outage concludes once the target is
 * back online and the probe has passed a check started after that: it
 * reports "recovered within <= resolution", never 0. The trial closes when
 * the target is back and every probe has concluded, or fails when
 * recovery_timeout passes first.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/log.h"
#include "faultline/testkill.h"
#include "faultline/util.h"
#include "run_int.h"

struct rec_trial *trial_rec(struct run *r, const struct open_trial *t)
{
	return &r->rec->trials[t->rec];
}

static void unlink_trial(struct run *r, struct open_trial *t)
{
	for (struct open_trial **pp = &r->open; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	r->nopen--;
}

static uint64_t resolution(const struct run *r, size_t probe);

static void free_trial(struct run *r, struct open_trial *t)
{
	clock_timer_stop(r->clk, &t->timeout);
	clock_timer_stop(r->clk, &t->online_timer);
	free(t->resource);
	free(t->group);
	free(t->ms);
	free(t);
}

/* A group trial (node fault): what the group is now. */
static enum cluster_outcome group_outcome(struct run *r, struct rec_trial *rt)
{
	struct cluster_snapshot s;
	struct fl_err e;
	enum cluster_outcome o = OUTCOME_NONE;
	if (r->cl->ops->snapshot(r->cl, &s, &e) < 0)
		return o;
	for (size_t i = 0; i < s.ngroups; i++) {
		const struct cluster_group *g = &s.groups[i];
		if (strcmp(g->name, rt->group) != 0)
			continue;
		if (g->state == GRP_ONLINE)
			o = g->owner && rt->node_before && strcmp(g->owner, rt->node_before) != 0 ? OUTCOME_FAILOVER
			                                                                          : OUTCOME_RESTART;
		else
			o = g->state == GRP_FAILED ? OUTCOME_STAYS_FAILED : OUTCOME_OFFLINE;
		free(rt->node_after);
		rt->node_after = g->owner ? xstrdup(g->owner) : NULL;
	}
	cluster_snapshot_free(&s);
	return o;
}

static enum cluster_outcome outcome_now(struct run *r, const struct open_trial *t, struct rec_trial *rt)
{
	enum res_state st = RES_UNKNOWN;
	struct fl_err e;
	if (t->group_mode)
		return group_outcome(r, rt);
	if (plan_action_is_node(r->faults[t->fault].f->action))
		return OUTCOME_NONE; /* no group was affected */
	if (r->cl->ops->resource_state(r->cl, rt->resource, &st, &e) < 0)
		return OUTCOME_NONE;
	if (st == RES_ONLINE)
		return rt->node_after && rt->node_before && strcmp(rt->node_after, rt->node_before) != 0
		           ? OUTCOME_FAILOVER
		           : OUTCOME_RESTART;
	if (st == RES_FAILED)
		return OUTCOME_STAYS_FAILED;
	if (st == RES_OFFLINE)
		return OUTCOME_OFFLINE;
	return OUTCOME_NONE;
}

/* Close t with outcome o; the slowest probe's recovery is the trial's. */
void trial_close(struct run *r, struct open_trial *t, enum trial_outcome o)
{
	struct rec_trial *rt = trial_rec(r, t);
	rt->outcome = o;
	rt->closed_at = run_now(r);
	rt->cluster = outcome_now(r, t, rt);
	if (rt->node_after == NULL && rt->node_before != NULL && r->faults[t->fault].f->action == PLAN_EXEC) {
		const char *now = watch_owner(r, rt->resource); /* the command moved nothing the events saw */
		rt->node_after = xstrdup(now ? now : rt->node_before);
	}
	for (size_t i = 0; i < rt->nmeasures; i++) {
		struct rec_measure *m = &rt->measures[i];
		rt->outage_observed |= m->outage_observed;
		if (m->recovered && m->recovery_ns >= rt->recovery_ns) {
			rt->recovery_ns = m->recovery_ns;
			rt->resolution_ns = m->resolution_ns;
		}
	}
	char a[32], b[32];
	if (o == TRIAL_RECOVERED)
		run_progress(r, "trial %s #%u \"%s\": recovered in %s (resolution %s), %s on %s", rt->fault_name,
		             rt->index + 1, rt->resource, duration_human(rt->recovery_ns, a, sizeof(a)),
		             duration_human(rt->resolution_ns, b, sizeof(b)), cluster_outcome_str(rt->cluster),
		             rt->node_after ? rt->node_after : "?");
	else if (o == TRIAL_NOT_RECOVERED)
		run_progress(r, "trial %s #%u \"%s\": NOT recovered within %s; %s on %s", rt->fault_name, rt->index + 1,
		             rt->resource, duration_human(rt->timeout_ns, a, sizeof(a)),
		             cluster_outcome_str(rt->cluster),
		             rt->node_after    ? rt->node_after
		             : rt->node_before ? rt->node_before
		                               : "?");
	else
		run_progress(r, "trial %s #%u \"%s\": %s", rt->fault_name, rt->index + 1, rt->resource,
		             trial_outcome_str(o));
	run_event_trial(r, rt);
	run_hook_after_trial(r, rt);
	rt = trial_rec(r, t);
	size_t fault = t->fault;
	unlink_trial(r, t);
	free_trial(r, t);
	if (r->nopen == 0)
		run_set_fast(r, false);
	run_update_hunt(r);
	sched_fault_closed_trial(r, fault);
}

/*
 * A blind trial (events were lost) cannot wait for the event that says its
 * target is back: once a probe has measured the outage and the recovery by
 * itself and none is down, a read of the target decides. Returns true if the
 * target is Online now. With no probe that saw the outage nothing is
 * concluded: the trial times out, its measurement blind.
 */
static bool resource_online_now(struct run *r, const struct open_trial *t)
{
	enum res_state st = RES_UNKNOWN;
	struct fl_err e;
	return r->cl->ops->resource_state(r->cl, t->resource, &st, &e) == 0 && st == RES_ONLINE;
}

/* A node fault's group trial reads its group (t->resource names the group, not a resource). */
static bool group_online_now(struct run *r, const struct open_trial *t)
{
	struct cluster_snapshot s;
	struct fl_err e;
	bool online = false;
	if (r->cl->ops->snapshot(r->cl, &s, &e) < 0)
		return false;
	for (size_t i = 0; i < s.ngroups; i++)
		if (strcmp(s.groups[i].name, t->group) == 0 && s.groups[i].state == GRP_ONLINE) {
			struct rec_trial *rt = trial_rec(r, t);
			free(rt->node_after);
			rt->node_after = s.groups[i].owner ? xstrdup(s.groups[i].owner) : NULL;
			online = true;
		}
	cluster_snapshot_free(&s);
	return online;
}

static bool blind_target_back(struct run *r, struct open_trial *t)
{
	bool measured = false;
	for (size_t i = 0; i < r->nprobes; i++) {
		if (t->ms[i] == M_WAIT_RECOVERY)
			return false;
		measured |= t->ms[i] == M_DONE;
	}
	if (!measured)
		return false;
	if (t->group_mode ? !group_online_now(r, t) : !resource_online_now(r, t))
		return false;
	t->target_back = true;
	t->target_back_at = run_now(r);
	t->last_state = t->group_mode ? GRP_ONLINE : RES_ONLINE;
	run_progress(r, "trial \"%s\": events were lost; Online by a read, recovery as its probes measured it",
	             t->resource);
	return true;
}

void trial_maybe_close(struct run *r, struct open_trial *t)
{
	if (t->cmd_running)
		return;
	if (!t->target_back && !(t->blind && blind_target_back(r, t)))
		return;
	for (size_t i = 0; i < r->nprobes; i++)
		if (t->ms[i] != M_DONE)
			return;
	trial_close(r, t, TRIAL_RECOVERED);
}

void trial_on_timeout(void *arg)
{
	struct open_trial *t = arg;
	trial_close(t->run, t, TRIAL_NOT_RECOVERED);
}

/*
 * online_after has passed. An online before the offline has completed
 * would be refused (5023 while pending) or be a no-op (still Online while
 * its dependents go first), so it waits for the resource to reach Offline
 * (trial_on_event) and goes then. The record's online_at is when it became
 * due (t->online_due_at), for calibrate: what follows is the cluster's.
 */
static void online_go(struct open_trial *t)
{
	struct run *r = t->run;
	long code = 0;
	struct fl_err e;
	enum res_state st = RES_UNKNOWN;
	if (r->cl->ops->resource_state(r->cl, t->resource, &st, &e) == 0 &&
	    (st == RES_OFFLINE_PENDING || st == RES_PENDING || (st == RES_ONLINE && !t->target_left))) {
		t->online_due = true;
		return;
	}
	t->online_due = false;
	char ct[64];
	if (run_journal_undo(r, CLUSTER_ACT_ONLINE, t->resource, 0, NULL, &e) < 0)
		run_progress(r, "online \"%s\" after the offline fault not attempted: %s", t->resource, e.msg);
	else if (r->cl->ops->online(r->cl, t->resource, &code, &e) < 0)
		run_progress(r, "online \"%s\" after the offline fault failed: %s", t->resource, e.msg);
	else {
		trial_rec(r, t)->online_at = t->online_due_at;
		run_progress(r, "online \"%s\" (online_after): accepted%s", t->resource,
		             cluster_code_text(code, ct, sizeof(ct)));
	}
}

static void on_online_after(void *arg)
{
	struct open_trial *t = arg;
	t->online_due_at = run_now(t->run);
	online_go(t);
}

struct rec_trial *trial_rec_new(struct run *r)
{
	struct run_record *rec = r->rec;
	XGROW(rec->trials, rec->captrials, rec->ntrials + 1);
	struct rec_trial *rt = &rec->trials[rec->ntrials++];
	memset(rt, 0, sizeof(*rt));
	return rt;
}

/* The trial's record, everything known before the injection. */
static size_t rec_trial_start(struct run *r, size_t fault, const char *resource, const char *group, const char *node,
                              uint64_t planned)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct rec_trial *rt = trial_rec_new(r);
	rt->fault = fault;
	rt->index = r->faults[fault].next;
	rt->fault_name = xstrdup(f->name);
	rt->action = xstrdup(plan_action_str(f->action));
	rt->resource = xstrdup(resource);
	rt->group = group ? xstrdup(group) : NULL;
	rt->node_before = node ? xstrdup(node) : NULL;
	rt->planned_at = planned;
	rt->timeout_ns = f->recovery_timeout_ns;
	rt->nmeasures = r->nprobes;
	rt->measures = xcalloc(r->nprobes ? r->nprobes : 1, sizeof(*rt->measures));
	for (size_t i = 0; i < r->nprobes; i++)
		rt->measures[i].probe = i;
	return r->rec->ntrials - 1;
}

/* The backend (or the journal) refused: the trial ends as it starts. */
static void trial_refused(struct run *r, size_t fault, struct rec_trial *rt, const struct fl_err *e)
{
	const struct plan_fault *f = r->faults[fault].f;
	rt->error = xstrdup(e->msg);
	rt->outcome = TRIAL_INJECT_FAILED;
	rt->closed_at = rt->injected_at;
	run_progress(r, "fault %s #%u: %s \"%s\" refused (code %ld): %s", f->name, rt->index + 1,
	             plan_action_str(f->action), rt->resource, rt->code, e->msg);
	run_event_injected(r, rt);
	sched_fault_closed_trial(r, fault);
}

/* Accepted: watch the probes and the cluster until it recovers or recovery_timeout passes. */
static void measure_start(struct run *r, size_t fault, size_t idx, const char *group, int state)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct open_trial *t = xcalloc(1, sizeof(*t));
	t->rec = idx;
	t->fault = fault;
	t->resource = xstrdup(r->rec->trials[idx].resource);
	t->group = group ? xstrdup(group) : NULL;
	t->ms = xcalloc(r->nprobes ? r->nprobes : 1, sizeof(*t->ms));
	t->run = r;
	t->last_state = state;
	/* Bringing a resource online: its outage is the offline state it starts in. */
	t->target_left = f->action == PLAN_ONLINE;
	clock_timer_init(&t->timeout);
	clock_timer_init(&t->online_timer);
	t->next = r->open;
	r->open = t;
	r->nopen++;
	run_set_fast(r, true);
	/* A probe already down (another fault is open) is in an outage from now on. */
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].status == PROBE_DOWN) {
			struct rec_trial *rt = &r->rec->trials[idx];
			t->ms[i] = M_WAIT_RECOVERY;
			rt->measures[i].outage_observed = true;
			rt->measures[i].down_at = rt->injected_at;
		}
	clock_timer_start(r->clk, &t->timeout, clock_now(r->clk) + f->recovery_timeout_ns, trial_on_timeout, t);
	/* Without online_after the resource stays offline until the restore (docs/plan-format.md). */
	if (f->action == PLAN_OFFLINE && f->destination == NULL && f->has_online_after)
		clock_timer_start(r->clk, &t->online_timer, clock_now(r->clk) + f->online_after_ns, on_online_after, t);
}

void trial_open(struct run *r, size_t fault, const char *resource, const char *group, const char *node, int state,
                uint64_t planned)
{
	const struct plan_fault *f = r->faults[fault].f;
	size_t idx = rec_trial_start(r, fault, resource, group, node, planned);
	run_note_touched(r, resource);
	struct fl_err e = {0};
	long code = 0;
	int rc = run_inject(r, f, resource, group, &code, &e);
	struct rec_trial *rt = &r->rec->trials[idx];
	/* docs/report-format.md: when the call returned (the backend has accepted it by then) */
	rt->injected_at = run_now(r);
	rt->injected_wall = wall_now_ns();
	rt->code = code;
	r->injections++;
	if (rc < 0) {
		/* The machine failed, not the cluster: no further injection can be made safe. */
		if (rc == RUN_INJECT_NO_JOURNAL)
			run_stop(r, REASON_ENVIRONMENT, "%s", e.msg);
		trial_refused(r, fault, rt, &e);
		return;
	}
	char ct[64];
	run_progress(r, "fault %s #%u: %s \"%s\" on %s: accepted%s", f->name, rt->index + 1, plan_action_str(f->action),
	             resource, node ? node : "?", cluster_code_text(code, ct, sizeof(ct)));
	run_event_injected(r, rt);
	if (r->opts->signal_to_raise != 0 && r->injections == r->opts->signal_after_injections)
		raise(r->opts->signal_to_raise); /* test hook: arrives through the signalfd */
	measure_start(r, fault, idx, group, state);
}

void trial_on_event(struct run *r, const struct cluster_event *ev)
{
	if (ev->kind == CLUSTER_EV_GROUP)
		trial_node_group_event(r, ev);
	trial_node_settle_all(r);
	if (ev->kind != CLUSTER_EV_RESOURCE)
		return;
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		if (t->group_mode || strcmp(t->resource, ev->name) != 0)
			continue;
		struct rec_trial *rt = trial_rec(r, t);
		if (t->online_due && (ev->state == RES_OFFLINE || ev->state == RES_FAILED)) {
			/* due since the resource went down: the event's time, not when the backend read it */
			t->online_due_at = ev->at >= r->t0 ? ev->at - r->t0 : run_now(r);
			online_go(t);
		}
		if (ev->state != RES_ONLINE && t->last_state == RES_ONLINE)
			t->target_left = true;
		if (ev->state == RES_ONLINE && t->last_state != RES_ONLINE && t->target_left) {
			bool moved = ev->owner && rt->node_after
			                 ? strcmp(ev->owner, rt->node_after) != 0
			                 : ev->owner && rt->node_before && strcmp(ev->owner, rt->node_before) != 0;
			if (moved)
				rt->failovers++;
			else
				rt->restarts++;
			free(rt->node_after);
			rt->node_after = ev->owner ? xstrdup(ev->owner) : NULL;
			t->target_back = true;
			t->target_back_at = run_now(r);
		} else if (ev->state != RES_ONLINE) {
			t->target_back = false;
		}
		t->last_state = ev->state;
		trial_maybe_close(r, t);
	}
}

void trial_on_resync(struct run *r)
{
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		t->blind = true;
		trial_maybe_close(r, t);
	}
}

void trial_on_probe_change(struct run *r, size_t probe, enum probe_status to, uint64_t at)
{
	uint64_t rel = at - r->t0;
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		struct rec_trial *rt = trial_rec(r, t);
		struct rec_measure *m = &rt->measures[probe];
		/*
		 * The change is reported now, after the injection, so it belongs to
		 * this trial even when the failing check began a moment before it.
		 */
		if (to == PROBE_DOWN && t->ms[probe] == M_WAIT_OUTAGE) {
			t->ms[probe] = M_WAIT_RECOVERY;
			m->outage_observed = true;
			m->down_at = rel > rt->injected_at ? rel : rt->injected_at;
		} else if (to == PROBE_UP && t->ms[probe] == M_WAIT_RECOVERY) {
			t->ms[probe] = M_DONE;
			m->recovered = true;
			m->up_at = rel;
			m->recovery_ns = rel - rt->injected_at;
			m->resolution_ns = resolution(r, probe);
			trial_maybe_close(r, t);
		}
	}
}

/* What a measurement by this probe is worth now: its cadence, and for a cluster probe how late the backend sees. */
static uint64_t resolution(const struct run *r, size_t probe)
{
	uint64_t res = probe_cadence(&r->probes[probe]);
	if (r->probes[probe].ops == &probe_cluster_ops && r->cl->ops->staleness_ns != NULL)
		res += r->cl->ops->staleness_ns(r->cl);
	return res;
}

void trial_on_probe_check(struct run *r, size_t probe, enum check_result res, uint64_t started)
{
	if (res != CHECK_OK)
		return;
	trial_node_settle_all(r);
	uint64_t rel = started - r->t0;
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		/* No outage seen, the target is back and this check began after that. */
		if (t->ms[probe] != M_WAIT_OUTAGE || !t->target_back || rel < t->target_back_at)
			continue;
		if (r->probes[probe].status != PROBE_UP)
			continue;
		struct rec_measure *m = &trial_rec(r, t)->measures[probe];
		t->ms[probe] = M_DONE;
		m->recovered = true;
		m->resolution_ns = resolution(r, probe);
		m->recovery_ns = m->resolution_ns; /* an upper bound, not a measurement */
		trial_maybe_close(r, t);
	}
}

void trial_abort_all(struct run *r)
{
	while (r->open != NULL)
		trial_close(r, r->open, TRIAL_ABORTED);
}
