/*
 * run_trial.c - recovery measurement: one trial per injection per resource.
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
#include "faultline/util.h"
#include "run_int.h"

static struct rec_trial *rec_of(struct run *r, const struct open_trial *t)
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
static void close_trial(struct run *r, struct open_trial *t, enum trial_outcome o)
{
	struct rec_trial *rt = rec_of(r, t);
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
	rt = rec_of(r, t);
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
	enum res_state st = RES_UNKNOWN;
	struct fl_err e;
	if (r->cl->ops->resource_state(r->cl, t->resource, &st, &e) < 0 || st != RES_ONLINE)
		return false;
	t->target_back = true;
	t->target_back_at = run_now(r);
	t->last_state = RES_ONLINE;
	run_progress(r, "trial \"%s\": events were lost; Online by a read, recovery as its probes measured it",
	             t->resource);
	return true;
}

static void maybe_close(struct run *r, struct open_trial *t)
{
	if (t->cmd_running)
		return;
	if (!t->target_back && !(t->blind && blind_target_back(r, t)))
		return;
	for (size_t i = 0; i < r->nprobes; i++)
		if (t->ms[i] != M_DONE)
			return;
	close_trial(r, t, TRIAL_RECOVERED);
}

static void on_timeout(void *arg)
{
	struct open_trial *t = arg;
	close_trial(t->run, t, TRIAL_NOT_RECOVERED);
}

/*
 * online_after has passed. An online before the offline has completed
 * would be refused (5023 while pending) or be a no-op (still Online while
 * its dependents go first), so it waits for the resource to reach Offline
 * (trial_on_event) and goes then.
 */
static void on_online_after(void *arg)
{
	struct open_trial *t = arg;
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
	if (r->cl->ops->online(r->cl, t->resource, &code, &e) < 0)
		run_progress(r, "online \"%s\" after the offline fault failed: %s", t->resource, e.msg);
	else
		run_progress(r, "online \"%s\" (online_after): accepted, code %ld", t->resource, code);
}

static long inject(struct run *r, const struct plan_fault *f, const char *resource, const char *group, struct fl_err *e,
                   int *rc)
{
	long code = 0;
	const struct cluster_ops *ops = r->cl->ops;
	switch (f->action) {
	case PLAN_FAIL:
		*rc = ops->fail(r->cl, resource, &code, e);
		break;
	case PLAN_OFFLINE:
		*rc = ops->offline(r->cl, resource, f->flags, f->destination, &code, e);
		break;
	case PLAN_ONLINE:
		*rc = ops->online(r->cl, resource, &code, e);
		break;
	case PLAN_MOVE:
		*rc = ops->move_group(r->cl, group, f->destination, &code, e);
		break;
	default: /* node actions: run_node.c */
		*rc = err_set(e, "action \"%s\" does not act on a resource", plan_action_str(f->action));
		break;
	}
	return code;
}

static struct rec_trial *new_rec_trial(struct run *r)
{
	struct run_record *rec = r->rec;
	XGROW(rec->trials, rec->captrials, rec->ntrials + 1);
	struct rec_trial *rt = &rec->trials[rec->ntrials++];
	memset(rt, 0, sizeof(*rt));
	return rt;
}

void trial_open(struct run *r, size_t fault, const char *resource, const char *group, const char *node, int state,
                uint64_t planned)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct rec_trial *rt = new_rec_trial(r);
	size_t idx = (size_t)(rt - r->rec->trials);
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
	restore_note(r, resource);

	struct fl_err e = {0};
	int rc = 0;
	rt->injected_at = run_now(r);
	rt->injected_wall = wall_now_ns();
	long code = 0;
	/* No durable intent, no injection. */
	if (run_journal_intent(r, plan_action_str(f->action), resource, group, &e) < 0) {
		rc = -1;
	} else {
		code = inject(r, f, resource, group, &e, &rc);
		run_journal_injected(r, code, rc < 0 ? e.msg : NULL);
	}
	rt = &r->rec->trials[idx]; /* restore_note cannot move trials, but stay safe */
	rt->code = code;
	r->injections++;
	if (rc < 0) {
		rt->error = xstrdup(e.msg);
		rt->outcome = TRIAL_INJECT_FAILED;
		rt->closed_at = rt->injected_at;
		run_progress(r, "fault %s #%u: %s \"%s\" refused (code %ld): %s", f->name, rt->index + 1,
		             plan_action_str(f->action), resource, code, e.msg);
		run_event_injected(r, rt);
		sched_fault_closed_trial(r, fault);
		return;
	}
	run_progress(r, "fault %s #%u: %s \"%s\" on %s: accepted (code %ld)", f->name, rt->index + 1,
	             plan_action_str(f->action), resource, node ? node : "?", code);
	run_event_injected(r, rt);
	if (r->opts->signal_to_raise != 0 && r->injections == r->opts->signal_after_injections)
		raise(r->opts->signal_to_raise); /* test hook: arrives through the signalfd */
	struct open_trial *t = xcalloc(1, sizeof(*t));
	t->rec = idx;
	t->fault = fault;
	t->resource = xstrdup(resource);
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
			t->ms[i] = M_WAIT_RECOVERY;
			rt = &r->rec->trials[idx];
			rt->measures[i].outage_observed = true;
			rt->measures[i].down_at = rt->injected_at;
		}
	clock_timer_start(r->clk, &t->timeout, clock_now(r->clk) + f->recovery_timeout_ns, on_timeout, t);
	/* Without online_after the resource stays offline until the restore (docs/plan-format.md). */
	if (f->action == PLAN_OFFLINE && f->destination == NULL && f->has_online_after)
		clock_timer_start(r->clk, &t->online_timer, clock_now(r->clk) + f->online_after_ns, on_online_after, t);
}

/* A node fault's trial without a group: its target is back once the node settled. */
static void settle_check(struct run *r, struct open_trial *t)
{
	const struct plan_fault *f = r->faults[t->fault].f;
	if (t->group_mode || t->target_back || !plan_action_is_node(f->action))
		return;
	if (!node_settled(r, t->resource, f->action))
		return;
	t->target_back = true;
	t->target_back_at = run_now(r);
	struct rec_trial *rt = rec_of(r, t);
	free(rt->node_after);
	rt->node_after = xstrdup(t->resource);
}

/* Every open node trial without a group looks again (a cluster event or a probe check). */
static void settle_all(struct run *r)
{
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		if (t->group_mode || t->target_back)
			continue;
		settle_check(r, t);
		if (t->target_back)
			maybe_close(r, t);
	}
}

#define SETTLE_POLL_NS (100 * NSEC_PER_MSEC)

/*
 * A node's own state changes come with no event (a Joining node turning Up
 * moves nothing by itself): look again every SETTLE_POLL_NS until settled.
 */
static void on_settle_poll(void *arg)
{
	struct open_trial *t = arg;
	struct run *r = t->run;
	settle_check(r, t);
	if (!t->target_back) {
		clock_timer_start(r->clk, &t->online_timer, clock_now(r->clk) + SETTLE_POLL_NS, on_settle_poll, t);
		return;
	}
	maybe_close(r, t);
}

static struct open_trial *open_node_trial(struct run *r, size_t fault, size_t idx, const char *target,
                                          const char *group)
{
	struct open_trial *t = xcalloc(1, sizeof(*t));
	t->rec = idx;
	t->fault = fault;
	t->resource = xstrdup(target);
	t->group = group ? xstrdup(group) : NULL;
	t->group_mode = group != NULL;
	t->ms = xcalloc(r->nprobes ? r->nprobes : 1, sizeof(*t->ms));
	t->run = r;
	t->last_state = GRP_ONLINE;
	/* No group of its own: over once the node is as asked and no group is moving (settle_check). */
	t->target_left = group == NULL;
	clock_timer_init(&t->timeout);
	clock_timer_init(&t->online_timer);
	t->next = r->open;
	r->open = t;
	r->nopen++;
	return t;
}

void trial_open_node(struct run *r, size_t fault, const char *node, const char *group, uint64_t planned,
                     uint64_t injected_at, long code, const char *error)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct rec_trial *rt = new_rec_trial(r);
	size_t idx = (size_t)(rt - r->rec->trials);
	rt->fault = fault;
	rt->index = r->faults[fault].next;
	rt->fault_name = xstrdup(f->name);
	rt->action = xstrdup(plan_action_str(f->action));
	rt->resource = xstrdup(group ? group : node);
	rt->group = group ? xstrdup(group) : NULL;
	rt->node_before = xstrdup(node);
	rt->planned_at = planned;
	rt->injected_at = injected_at;
	rt->injected_wall = wall_now_ns();
	rt->timeout_ns = f->recovery_timeout_ns;
	rt->code = code;
	rt->nmeasures = r->nprobes;
	rt->measures = xcalloc(r->nprobes ? r->nprobes : 1, sizeof(*rt->measures));
	for (size_t i = 0; i < r->nprobes; i++)
		rt->measures[i].probe = i;
	if (error != NULL) {
		rt->error = xstrdup(error);
		rt->outcome = TRIAL_INJECT_FAILED;
		rt->closed_at = injected_at;
		run_progress(r, "fault %s #%u: %s \"%s\" refused (code %ld): %s", f->name, rt->index + 1,
		             plan_action_str(f->action), node, code, error);
		run_event_injected(r, rt);
		sched_fault_closed_trial(r, fault);
		return;
	}
	run_event_injected(r, rt);
	struct open_trial *t = open_node_trial(r, fault, idx, group ? group : node, group);
	run_set_fast(r, true);
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].status == PROBE_DOWN) {
			t->ms[i] = M_WAIT_RECOVERY;
			rt = &r->rec->trials[idx];
			rt->measures[i].outage_observed = true;
			rt->measures[i].down_at = rt->injected_at;
		}
	clock_timer_start(r->clk, &t->timeout, clock_now(r->clk) + f->recovery_timeout_ns, on_timeout, t);
	if (group == NULL)
		on_settle_poll(t);
}

static struct open_trial *find_open(struct run *r, size_t rec)
{
	for (struct open_trial *t = r->open; t != NULL; t = t->next)
		if (t->rec == rec)
			return t;
	return NULL;
}

/* The exec fault's command ended: a failure fails the trial; success lets the probes conclude it. */
static void exec_done(struct run *r, size_t exec, void *arg)
{
	size_t idx = (size_t)(uintptr_t)arg;
	const struct rec_exec *x = &r->rec->execs[exec];
	struct rec_trial *rt = &r->rec->trials[idx];
	bool ran = x->exit_status >= 0 || x->timed_out || (x->error && strncmp(x->error, "killed", 6) == 0);
	const struct plan_fault *f = r->faults[rt->fault].f;
	if (ran && f->undo != NULL) {
		XGROW(r->undos, r->capundos, r->nundos + 1);
		r->undos[r->nundos++] = (struct run_undo){rt->fault, rt->index, x->target ? xstrdup(x->target) : NULL};
	}
	rt->code = x->exit_status;
	struct open_trial *t = find_open(r, idx);
	if (x->exit_status == 0 && x->error == NULL) {
		run_progress(r, "fault %s #%u: %s: exit status 0", rt->fault_name, rt->index + 1, x->command);
		if (t != NULL) {
			t->cmd_running = false;
			maybe_close(r, t);
		}
		return;
	}
	free(rt->error);
	rt->error = x->error ? xstrdup(x->error) : xasprintf("exit status %d", x->exit_status);
	run_progress(r, "fault %s #%u: %s: %s", rt->fault_name, rt->index + 1, x->command, rt->error);
	if (t != NULL) {
		t->cmd_running = false;
		close_trial(r, t, TRIAL_INJECT_FAILED);
	}
}

void trial_open_exec(struct run *r, size_t fault, const char *target, const char *group, const char *node,
                     uint64_t planned)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct rec_trial *rt = new_rec_trial(r);
	size_t idx = (size_t)(rt - r->rec->trials);
	rt->fault = fault;
	rt->index = r->faults[fault].next;
	rt->fault_name = xstrdup(f->name);
	rt->action = xstrdup(plan_action_str(f->action));
	rt->resource = xstrdup(target ? target : f->name);
	rt->group = group ? xstrdup(group) : NULL;
	rt->node_before = node ? xstrdup(node) : NULL;
	rt->planned_at = planned;
	rt->injected_at = run_now(r);
	rt->injected_wall = wall_now_ns();
	rt->timeout_ns = f->recovery_timeout_ns;
	rt->nmeasures = r->nprobes;
	rt->measures = xcalloc(r->nprobes ? r->nprobes : 1, sizeof(*rt->measures));
	for (size_t i = 0; i < r->nprobes; i++)
		rt->measures[i].probe = i;
	r->injections++;
	if (target != NULL)
		restore_note(r, target); /* what the command does to it, the restore puts back */
	/* The journal's INTENT names the command's undo, so an operator sees what is left to undo. */
	char *undo = NULL;
	if (f->undo != NULL) {
		undo = xstrdup("exec; undo:");
		for (size_t i = 0; f->undo[i] != NULL; i++) {
			char *next = xasprintf("%s %s", undo, f->undo[i]);
			free(undo);
			undo = next;
		}
	}
	struct fl_err e = {0};
	if (run_journal_intent(r, undo ? undo : "exec", rt->resource, group, &e) < 0) {
		free(undo);
		rt->error = xstrdup(e.msg);
		rt->outcome = TRIAL_INJECT_FAILED;
		rt->closed_at = rt->injected_at;
		run_event_injected(r, rt);
		sched_fault_closed_trial(r, fault);
		return;
	}
	free(undo);
	run_progress(r, "fault %s #%u: exec %s%s%s", f->name, rt->index + 1, f->command[0], target ? " for " : "",
	             target ? target : "");
	run_event_injected(r, rt);
	struct open_trial *t = open_node_trial(r, fault, idx, rt->resource, NULL);
	/* Nothing of the cluster to wait for: the command's end and the probes say when it is over. */
	t->target_left = t->target_back = true;
	t->target_back_at = run_now(r);
	t->cmd_running = true;
	run_set_fast(r, true);
	clock_timer_start(r->clk, &t->timeout, clock_now(r->clk) + f->recovery_timeout_ns, on_timeout, t);
	struct run_env env;
	char buf[32];
	run_env_init(&env);
	run_env_set(&env, "FAULTLINE_FAULT", f->name);
	snprintf(buf, sizeof(buf), "%u", rt->index + 1);
	run_env_set(&env, "FAULTLINE_TRIAL", buf);
	run_env_set(&env, "FAULTLINE_TARGET", target);
	run_env_set(&env, "FAULTLINE_GROUP", group);
	run_env_set(&env, "FAULTLINE_NODE", node);
	char name[300];
	snprintf(name, sizeof(name), "fault %.250s #%u", f->name, rt->index + 1);
	size_t x = run_cmd_start(r, name, f->command, target, &env, f->timeout_ns, exec_done, (void *)(uintptr_t)idx);
	run_journal_injected(r, 0, NULL);
	(void)x;
}

/* A group event for the node faults' trials: the group left Online, and came back (where?). */
static void trial_on_group_event(struct run *r, const struct cluster_event *ev)
{
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		if (!t->group_mode || strcmp(t->group, ev->name) != 0)
			continue;
		struct rec_trial *rt = rec_of(r, t);
		if (ev->state != GRP_ONLINE && t->last_state == GRP_ONLINE)
			t->target_left = true;
		if (ev->state == GRP_ONLINE && t->last_state != GRP_ONLINE && t->target_left) {
			const char *was = rt->node_after ? rt->node_after : rt->node_before;
			if (ev->owner && was && strcmp(ev->owner, was) != 0)
				rt->failovers++;
			else
				rt->restarts++;
			free(rt->node_after);
			rt->node_after = ev->owner ? xstrdup(ev->owner) : NULL;
			t->target_back = true;
			t->target_back_at = run_now(r);
		} else if (ev->state != GRP_ONLINE) {
			t->target_back = false;
		}
		t->last_state = ev->state;
		maybe_close(r, t);
	}
}

void trial_on_event(struct run *r, const struct cluster_event *ev)
{
	if (ev->kind == CLUSTER_EV_GROUP)
		trial_on_group_event(r, ev);
	settle_all(r);
	if (ev->kind != CLUSTER_EV_RESOURCE)
		return;
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		if (t->group_mode || strcmp(t->resource, ev->name) != 0)
			continue;
		struct rec_trial *rt = rec_of(r, t);
		if (t->online_due && (ev->state == RES_OFFLINE || ev->state == RES_FAILED))
			on_online_after(t);
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
		maybe_close(r, t);
	}
}

void trial_on_resync(struct run *r)
{
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		t->blind = true;
		maybe_close(r, t);
	}
}

void trial_on_probe_change(struct run *r, size_t probe, enum probe_status to, uint64_t at)
{
	uint64_t rel = at - r->t0;
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		struct rec_trial *rt = rec_of(r, t);
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
			m->resolution_ns = probe_cadence(&r->probes[probe]);
			maybe_close(r, t);
		}
	}
}

void trial_on_probe_check(struct run *r, size_t probe, enum check_result res, uint64_t started)
{
	if (res != CHECK_OK)
		return;
	settle_all(r);
	uint64_t rel = started - r->t0;
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		/* No outage seen, the target is back and this check began after that. */
		if (t->ms[probe] != M_WAIT_OUTAGE || !t->target_back || rel < t->target_back_at)
			continue;
		if (r->probes[probe].status != PROBE_UP)
			continue;
		struct rec_measure *m = &rec_of(r, t)->measures[probe];
		t->ms[probe] = M_DONE;
		m->recovered = true;
		m->resolution_ns = probe_cadence(&r->probes[probe]);
		m->recovery_ns = m->resolution_ns; /* an upper bound, not a measurement */
		maybe_close(r, t);
	}
}

void trial_abort_all(struct run *r)
{
	while (r->open != NULL)
		close_trial(r, r->open, TRIAL_ABORTED);
}
