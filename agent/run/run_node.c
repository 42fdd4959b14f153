/*
 * run_node.c - node faults in a run: pick the nodes, guard quorum against
 * the live cluster (run_guard.c), inject, open one trial per group the
 * node owned (its recovery is the group's, measured on group events and
 * by the probes), and at the end bring every node back to the state it
 * had before.
 *
 * A node_down or node_pause whose groups it does not own (or node_up,
 * node_resume) opens one trial without a group: the probes alone say when
 * the service is fine again. A node_down or node_up that the plan's
 * command carries out runs beside the loop (run_node_cmd.c), its trials
 * open meanwhile. Restore runs before the resources' restore: a group can
 * only go back to its node once that node is up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/util.h"
#include "run_int.h"

bool run_has_node_faults(const struct plan *p)
{
	for (size_t i = 0; i < p->nfaults; i++)
		if (plan_action_is_node(p->faults[i].action))
			return true;
	return false;
}

static bool node_selector(const struct plan *p, size_t sel)
{
	for (size_t i = 0; i < p->nfaults; i++)
		if (p->faults[i].target_idx == sel && plan_action_is_node(p->faults[i].action))
			return true;
	return false;
}

int node_resolve(struct run *r)
{
	const struct plan *p = r->plan;
	r->nsels = xcalloc(p->nselectors ? p->nselectors : 1, sizeof(*r->nsels));
	const char **names = xcalloc(r->initial.nnodes + 1, sizeof(*names));
	size_t *idx = xcalloc(r->initial.nnodes + 1, sizeof(*idx));
	for (size_t i = 0; i < r->initial.nnodes; i++)
		names[i] = r->initial.nodes[i].name;
	int rc = 0;
	for (size_t s = 0; s < p->nselectors && rc == 0; s++) {
		if (!node_selector(p, s))
			continue;
		size_t n = 0;
		struct fl_err e;
		if (select_resolve_nodes(&p->selectors[s], p->guards.protect, names, r->initial.nnodes, p->seed, idx,
		                         &n, &e) < 0) {
			run_stop(r, REASON_INVALID, "%s", e.msg);
			rc = -1;
			break;
		}
		struct node_pick *np = &r->nsels[s];
		np->names = xcalloc(n + 1, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			np->names[k] = xstrdup(names[idx[k]]);
		np->n = n;
	}
	free(names);
	free(idx);
	return rc;
}

void node_free(struct run *r)
{
	for (size_t s = 0; r->nsels != NULL && s < r->plan->nselectors; s++) {
		for (size_t k = 0; k < r->nsels[s].n; k++)
			free(r->nsels[s].names[k]);
		free(r->nsels[s].names);
	}
	free(r->nsels);
	for (size_t i = 0; i < r->ntnodes; i++)
		free(r->tnodes[i].name);
	free(r->tnodes);
}

static struct touched_node *note_node(struct run *r, const struct cluster_node *n)
{
	for (size_t i = 0; i < r->ntnodes; i++)
		if (strcmp(r->tnodes[i].name, n->name) == 0)
			return &r->tnodes[i];
	XGROW(r->tnodes, r->captnodes, r->ntnodes + 1);
	struct touched_node *t = &r->tnodes[r->ntnodes++];
	*t = (struct touched_node){.name = xstrdup(n->name), .before = cluster_node_state(n)};
	return t;
}

void node_note_downed(struct run *r, const char *node, enum plan_action action, bool ok)
{
	for (size_t i = 0; i < r->ntnodes; i++)
		if (strcmp(r->tnodes[i].name, node) == 0 && action == PLAN_NODE_DOWN)
			r->tnodes[i].downed = ok;
		else if (strcmp(r->tnodes[i].name, node) == 0 && action == PLAN_NODE_UP && ok)
			r->tnodes[i].downed = false;
}

/* Groups the fault takes away from node (its own groups, for node_down and a draining pause). */
static bool affects(const struct plan_fault *f, const struct cluster_group *g, const char *node)
{
	if (f->action != PLAN_NODE_DOWN && !(f->action == PLAN_NODE_PAUSE && f->drain))
		return false;
	return g->owner != NULL && strcmp(g->owner, node) == 0;
}

/* Remember, for the restore, every group the fault may move: its own, or (join, resume) any. */
static void note_groups(struct run *r, const struct cluster_snapshot *s, const struct plan_fault *f, const char *node)
{
	bool any = f->action == PLAN_NODE_UP || f->action == PLAN_NODE_RESUME;
	for (size_t i = 0; i < s->nresources; i++) {
		const struct cluster_resource *res = &s->resources[i];
		for (size_t k = 0; k < s->ngroups; k++)
			if (res->group && strcmp(s->groups[k].name, res->group) == 0 &&
			    (any || affects(f, &s->groups[k], node)))
				run_note_touched(r, res->name);
	}
}

static int call(struct run *r, const struct plan_fault *f, const char *node, long *code, struct fl_err *e)
{
	const struct cluster_ops *ops = r->cl->ops;
	int (*down_up)(struct cluster *, const char *, long *, struct fl_err *) =
	    f->action == PLAN_NODE_DOWN ? ops->node_down
	    : f->action == PLAN_NODE_UP ? ops->node_up
	                                : NULL;
	if (down_up != NULL)
		return down_up(r->cl, node, code, e);
	if (f->action == PLAN_NODE_PAUSE && ops->node_pause != NULL)
		return ops->node_pause(r->cl, node, f->drain, code, e);
	if (f->action == PLAN_NODE_RESUME && ops->node_resume != NULL)
		return ops->node_resume(r->cl, node, f->failback, code, e);
	return err_set(e, "backend %s does not support action \"%s\"", ops->name, plan_action_str(f->action));
}

/* One trial per group the fault takes from node, or one for the node; their indexes into idx. */
static size_t open_trials(struct run *r, size_t fault, const char *node, const struct cluster_snapshot *s,
                          uint64_t planned, uint64_t at, long code, bool pending, size_t *idx)
{
	const struct plan_fault *f = r->faults[fault].f;
	size_t opened = 0;
	for (size_t k = 0; k < s->ngroups; k++) {
		if (!affects(f, &s->groups[k], node))
			continue;
		r->faults[fault].open++;
		idx[opened++] = trial_open_node(r, fault, node, s->groups[k].name, planned, at, code, NULL, pending);
	}
	if (opened == 0) {
		r->faults[fault].open++;
		idx[opened++] = trial_open_node(r, fault, node, NULL, planned, at, code, NULL, pending);
	}
	return opened;
}

/* The plan's command injects it, beside the loop (run_node_cmd.c): its trials measure while it runs. */
static void inject_by_command(struct run *r, size_t fault, const char *node, const struct cluster_snapshot *s,
                              uint64_t planned, uint64_t at)
{
	const struct plan_fault *f = r->faults[fault].f;
	size_t *idx = xcalloc(s->ngroups + 1, sizeof(*idx));
	if (f->action == PLAN_NODE_DOWN)
		node_note_downed(r, node, f->action, true); /* down for the guard from now on, unless it fails */
	size_t n = open_trials(r, fault, node, s, planned, at, 0, true, idx);
	node_cmd_start(r, fault, node, idx, n);
	run_journal_injected(r, 0, NULL); /* issued, as an exec fault's command: its end is the trials' */
	free(idx);
}

void node_inject(struct run *r, size_t fault, const char *node, uint64_t planned)
{
	const struct plan_fault *f = r->faults[fault].f;
	uint64_t at = run_now(r);
	struct cluster_snapshot s;
	struct fl_err e = {0};
	char why[512];
	r->injections++;
	if (r->cl->ops->snapshot(r->cl, &s, &e) < 0) {
		r->faults[fault].open++;
		trial_open_node(r, fault, node, NULL, planned, at, 0, e.msg, false);
		return;
	}
	if (node_guard_refuses(r, &s, f, node, why, sizeof(why))) {
		r->faults[fault].open++;
		trial_open_node(r, fault, node, NULL, planned, at, 0, why, false);
		cluster_snapshot_free(&s);
		return;
	}
	const struct cluster_node *cn = cluster_snapshot_node(&s, node);
	struct touched_node *tn = cn != NULL ? note_node(r, cn) : NULL;
	note_groups(r, &s, f, node);
	long code = 0;
	const char **groups = xcalloc(s.ngroups + 1, sizeof(*groups));
	size_t ng = 0;
	for (size_t k = 0; k < s.ngroups; k++)
		if (affects(f, &s.groups[k], node))
			groups[ng++] = s.groups[k].name;
	bool all = f->action == PLAN_NODE_UP || f->action == PLAN_NODE_RESUME;
	/* The node's own pre-run state first: a restore after a crash brings the node back too. */
	int rc = tn != NULL ? run_journal_node(r, tn, &e) : 0;
	if (rc == 0)
		rc = run_journal_intent_groups(r, plan_action_str(f->action), node, groups, ng, all, &e);
	free(groups);
	if (rc == 0 && (f->action == PLAN_NODE_PAUSE || f->action == PLAN_NODE_RESUME))
		rc =
		    run_journal_undo(r, f->action == PLAN_NODE_PAUSE ? CLUSTER_ACT_NODE_PAUSE : CLUSTER_ACT_NODE_RESUME,
		                     node, 0, NULL, &e) < 0
		        ? -1
		        : 0; /* what undoes it, durable before the call (Pacemaker: the standby attribute) */
	if (rc == 0 && node_cmd_applies(r, f)) {
		inject_by_command(r, fault, node, &s, planned, at);
		cluster_snapshot_free(&s);
		return;
	}
	if (rc == 0) {
		rc = call(r, f, node, &code, &e);
		run_journal_injected(r, code, rc < 0 ? e.msg : NULL);
		node_note_downed(r, node, f->action, rc == 0);
	}
	if (rc < 0) {
		r->faults[fault].open++;
		trial_open_node(r, fault, node, NULL, planned, at, code, e.msg, false);
		cluster_snapshot_free(&s);
		return;
	}
	run_progress(r, "fault %s #%u: %s \"%s\": accepted (code %ld)", f->name, r->faults[fault].next + 1,
	             plan_action_str(f->action), node, code);
	size_t *idx = xcalloc(s.ngroups + 1, sizeof(*idx));
	open_trials(r, fault, node, &s, planned, at, code, false, idx);
	free(idx);
	cluster_snapshot_free(&s);
}

static void progress(void *arg, const char *msg)
{
	run_progress(arg, "%s", msg);
}

int node_restore(struct run *r)
{
	struct restore_ctx c = {.cl = r->cl,
	                        .clk = r->clk,
	                        .loop = r->loop,
	                        .timeout_ns = r->opts->restore_timeout_ns,
	                        .progress = progress,
	                        .arg = r};
	uint64_t deadline = restore_node_deadline(&c);
	int result = 0;
	for (size_t i = 0; i < r->ntnodes; i++)
		if (restore_node(&c, r->tnodes[i].name, r->tnodes[i].before, deadline, r->rec) < 0)
			result = -1;
	return result;
}

bool node_settled(struct run *r, const char *node, enum plan_action action)
{
	struct cluster_snapshot s;
	struct fl_err e;
	if (r->cl->ops->snapshot(r->cl, &s, &e) < 0)
		return false;
	const struct cluster_node *n = cluster_snapshot_node(&s, node);
	enum node_state want = action == PLAN_NODE_DOWN ? NODE_DOWN : action == PLAN_NODE_PAUSE ? NODE_PAUSED : NODE_UP;
	bool ok = n != NULL && cluster_node_state(n) == want;
	for (size_t i = 0; ok && i < s.ngroups; i++)
		ok = s.groups[i].state != GRP_PENDING;
	cluster_snapshot_free(&s);
	return ok;
}
