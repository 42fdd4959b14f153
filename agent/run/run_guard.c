/*
 * run_guard.c - the quorum guard against the live cluster, before each
 * node_down and node_pause of a run (the plan-time guard against a sim
 * topology is agent/plan/plan_node.c's; the arithmetic both use is
 * agent/cluster/cluster_node.c's).
 *
 * It reads the snapshot taken right before the injection and, where the
 * backend has one, the cluster's own vote count (quorum_votes: Pacemaker
 * asks corosync; a count that cannot be read refuses), else it counts a
 * node majority. Nodes the run took down count as down even while the
 * cluster still shows them: it notices a crash seconds later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "run_int.h"

static bool downed_by_run(const struct run *r, const char *node)
{
	for (size_t i = 0; i < r->ntnodes; i++)
		if (strcmp(r->tnodes[i].name, node) == 0)
			return r->tnodes[i].downed;
	return false;
}

bool node_guard_refuses(const struct run *r, struct cluster_snapshot *s, const struct plan_fault *f, const char *node,
                        char *buf, size_t len)
{
	if (r->plan->guards.allow_quorum_loss || (f->action != PLAN_NODE_DOWN && f->action != PLAN_NODE_PAUSE))
		return false;
	const struct cluster_node *it = cluster_snapshot_node(s, node);
	if (it == NULL)
		return false; /* the backend will say it does not know the node */
	struct fl_err e = {0};
	if (r->cl->ops->quorum_votes != NULL && r->cl->ops->quorum_votes(r->cl, s, &e) < 0) {
		snprintf(
		    buf, len,
		    "quorum guard: cannot count the cluster's quorum votes: %.380s (guards.allow_quorum_loss: true "
		    "allows it)",
		    e.msg);
		return true;
	}
	bool *gone = xcalloc(s->nnodes + 1, sizeof(bool));
	size_t accepting = 0;
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct cluster_node *n = &s->nodes[i];
		gone[i] = (n == it && f->action == PLAN_NODE_DOWN) || downed_by_run(r, n->name);
		accepting += n->up && !n->paused && n != it && !gone[i];
	}
	struct cluster_votes v;
	cluster_quorum_votes(s, gone, &v);
	free(gone);
	const char *how = f->action == PLAN_NODE_DOWN ? "down" : "paused";
	if (s->quorum_known && s->quorum && v.left < v.needed) {
		snprintf(
		    buf, len,
		    "quorum guard: with node \"%s\" %s only %u of %u quorum votes remain, %u needed%s: the cluster "
		    "would lose quorum (guards.allow_quorum_loss: true allows it)",
		    node, how, v.left, v.of, v.needed,
		    !s->votes_known ? ""
		    : s->two_node   ? " (the cluster's own count, two_node)"
		                    : " (the cluster's own count)");
		return true;
	}
	if (accepting == 0) {
		snprintf(buf, len,
		         "quorum guard: node \"%s\" is the last node up and not paused: its groups would have no "
		         "owner left (guards.allow_quorum_loss: true allows it)",
		         node);
		return true;
	}
	return false;
}
