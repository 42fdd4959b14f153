/*
 * run_trial_node.c - the trials of node and exec faults (run_trial.c has
 * the measurement they share with resource faults).
 *
 * A node fault's trial follows a group the node owned, on the group's
 * state events; a node fault that moved no group has one trial for the
 * node, whose target is "back" once the node is as the fault left it and
 * no group is moving (polled: a node's own state changes come with no
 * event). An exec fault's trial waits for its command, then the probes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "run_int.h"

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
	struct rec_trial *rt = trial_rec(r, t);
	free(rt->node_after);
	rt->node_after = xstrdup(t->resource);
}

/* Every open node trial without a group looks again (a cluster event or a probe check). */
void trial_node_settle_all(struct run *r)
{
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		if (t->group_mode || t->target_back)
			continue;
		settle_check(r, t);
		if (t->target_back)
			trial_maybe_close(r, t);
	}
}

#define SETTLE_POLL_NS (100 * NSEC_PER_MSEC)

/*
 * Node events (CLUSTER_EV_NODE) wake the check at once where the backend
 * has them; a backend without them (Pacemaker today), or a settle that
 * also waits for groups to stop moving, is looked at again every
 * SETTLE_POLL_NS until settled.
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
	trial_maybe_close(r, t);
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

size_t trial_open_node(struct run *r, size_t fault, const char *node, const char *group, uint64_t planned,
                       uint64_t injected_at, long code, const char *error, bool pending)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct rec_trial *rt = trial_rec_new(r);
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
		return idx;
	}
	run_event_injected(r, rt);
	struct open_trial *t = open_node_trial(r, fault, idx, group ? group : node, group);
	t->cmd_running = pending;
	run_set_fast(r, true);
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].status == PROBE_DOWN) {
			t->ms[i] = M_WAIT_RECOVERY;
			rt = &r->rec->trials[idx];
			rt->measures[i].outage_observed = true;
			rt->measures[i].down_at = rt->injected_at;
		}
	clock_timer_start(r->clk, &t->timeout, clock_now(r->clk) + f->recovery_timeout_ns, trial_on_timeout, t);
	if (group == NULL)
		on_settle_poll(t);
	return idx;
}

static struct open_trial *find_open(struct run *r, size_t rec)
{
	for (struct open_trial *t = r->open; t != NULL; t = t->next)
		if (t->rec == rec)
			return t;
	return NULL;
}

void trial_node_cmd_done(struct run *r, size_t idx, long code, const char *error)
{
	struct rec_trial *rt = &r->rec->trials[idx];
	struct open_trial *t = find_open(r, idx);
	rt->code = code;
	if (t == NULL) /* closed meanwhile: timed out, or the run ended */
		return;
	t->cmd_running = false;
	if (error == NULL) {
		trial_maybe_close(r, t);
		return;
	}
	free(rt->error);
	rt->error = xstrdup(error);
	trial_close(r, t, TRIAL_INJECT_FAILED);
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
		r->undos[r->nundos++] = (struct run_undo){.fault = rt->fault,
		                                          .trial = rt->index,
		                                          .target = x->target ? xstrdup(x->target) : NULL,
		                                          .key = run_undo_key(r, rt->fault, rt->index, x->target)};
	}
	rt->code = x->exit_status;
	struct open_trial *t = find_open(r, idx);
	if (x->exit_status == 0 && x->error == NULL) {
		run_progress(r, "fault %s #%u: %s: exit status 0", rt->fault_name, rt->index + 1, x->command);
		if (t != NULL) {
			t->cmd_running = false;
			trial_maybe_close(r, t);
		}
		return;
	}
	free(rt->error);
	rt->error = x->error ? xstrdup(x->error) : xasprintf("exit status %d", x->exit_status);
	run_progress(r, "fault %s #%u: %s: %s", rt->fault_name, rt->index + 1, x->command, rt->error);
	if (t != NULL) {
		t->cmd_running = false;
		trial_close(r, t, TRIAL_INJECT_FAILED);
	}
}

void trial_open_exec(struct run *r, size_t fault, const char *target, const char *group, const char *node,
                     uint64_t planned)
{
	const struct plan_fault *f = r->faults[fault].f;
	struct rec_trial *rt = trial_rec_new(r);
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
		run_note_touched(r, target); /* what the command does to it, the restore puts back */
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
	/* The undo itself first, durable: a restore after a crash runs it as this run would have. */
	if (run_journal_exec_undo(r, fault, rt->index, target, &e) < 0 ||
	    run_journal_intent(r, undo ? undo : "exec", rt->resource, group, &e) < 0) {
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
	clock_timer_start(r->clk, &t->timeout, clock_now(r->clk) + f->recovery_timeout_ns, trial_on_timeout, t);
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
void trial_node_group_event(struct run *r, const struct cluster_event *ev)
{
	struct open_trial *next;
	for (struct open_trial *t = r->open; t != NULL; t = next) {
		next = t->next;
		if (!t->group_mode || strcmp(t->group, ev->name) != 0)
			continue;
		struct rec_trial *rt = trial_rec(r, t);
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
		trial_maybe_close(r, t);
	}
}
