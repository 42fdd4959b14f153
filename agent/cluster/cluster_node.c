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
