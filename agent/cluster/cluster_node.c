/*
 * cluster_node.c - node states in words, and the quorum arithmetic the
 * quorum guard shares between plan-check time (a topology) and run time
 * (a snapshot).
 */
#include "faultline/cluster.h"

enum node_state cluster_node_state(const struct cluster_node *n)
{
	return !n->up ? NODE_DOWN : n->paused ? NODE_PAUSED : NODE_UP;
}

unsigned cluster_quorum_majority(unsigned votes)
{
	return votes / 2 + 1;
}

void cluster_quorum_votes(const struct cluster_snapshot *s, const bool *gone, struct cluster_votes *v)
{
	if (s->votes_known) {
		/* the members' votes as the cluster counts them; a quorum device's stay */
		v->left = s->votes_total;
		for (size_t i = 0; i < s->nnodes; i++)
			if (gone[i])
				v->left -= s->nodes[i].votes < v->left ? s->nodes[i].votes : v->left;
		v->needed = s->votes_needed;
		v->of = s->votes_expected;
		return;
	}
	v->left = s->votes_witness;
	v->of = (unsigned)s->nnodes + s->votes_witness;
	for (size_t i = 0; i < s->nnodes; i++)
		v->left += s->nodes[i].up && !gone[i];
	v->needed = cluster_quorum_majority(v->of);
}
