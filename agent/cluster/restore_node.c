/*
 * restore_node.c - bring a node back to the state it had before a run.
 *
 * Shared, like restore.c, by the run engine (run_node.c, at the end of a
 * run) and journal reconciliation (after a crash, from the journal's NODE
 * records): one backend call takes the node from where it is to where it
 * was (node_up after a crash, resume after a pause, and the reverse for a
 * node that was down or paused before the run), then the node is verified
 * from fresh snapshots until the deadline. A node already as it was is only
 * verified, so a restore that is repeated after a crash does no harm.
 */
#include "faultline/restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/loop.h"
#include "faultline/util.h"

#define NODE_POLL_NS    (100 * NSEC_PER_MSEC)
#define NODE_DEFAULT_NS (120 * NSEC_PER_SEC)

/* The call that takes the node from `now` back to `before`, or NULL if none is needed. */
static const char *undo(struct cluster *cl, const char *node, enum node_state before, enum node_state now, long *code,
                        struct fl_err *e, int *rc)
{
	const struct cluster_ops *ops = cl->ops;
	bool was_member = before == NODE_UP || before == NODE_PAUSED;
	*rc = -1;
	if (was_member && now == NODE_DOWN && ops->node_up)
		return *rc = ops->node_up(cl, node, code, e), "node up";
	if (before == NODE_UP && now == NODE_PAUSED && ops->node_resume)
		return *rc = ops->node_resume(cl, node, NODE_FAILBACK_NONE, code, e), "resume";
	if (before == NODE_PAUSED && now == NODE_UP && ops->node_pause)
		return *rc = ops->node_pause(cl, node, false, code, e), "pause";
	if (before == NODE_DOWN && (now == NODE_UP || now == NODE_PAUSED) && ops->node_down)
		return *rc = ops->node_down(cl, node, code, e), "node down";
	*rc = 0;
	return NULL;
}

static enum node_state state_now(struct cluster *cl, const char *node)
{
	struct cluster_snapshot s;
	struct fl_err e;
	if (cl->ops->snapshot(cl, &s, &e) < 0)
		return NODE_UNKNOWN;
	enum node_state st = NODE_UNKNOWN;
	for (size_t i = 0; i < s.nnodes; i++)
		if (strcmp(s.nodes[i].name, node) == 0)
			st = cluster_node_state(&s.nodes[i]);
	cluster_snapshot_free(&s);
	return st;
}

static void on_poll(void *arg)
{
	(void)arg; /* only wakes the loop */
}

/* Wait (running the loop) until the node is as it was, or the deadline. */
static enum node_state wait_for(const struct restore_ctx *c, const char *node, enum node_state before,
                                uint64_t deadline)
{
	struct fl_timer poll;
	clock_timer_init(&poll);
	enum node_state st = state_now(c->cl, node);
	while (st != before && clock_now(c->clk) < deadline) {
		uint64_t now = clock_now(c->clk);
		clock_timer_start(c->clk, &poll, now + NODE_POLL_NS < deadline ? now + NODE_POLL_NS : deadline, on_poll,
		                  NULL);
		loop_run_once(c->loop);
		st = state_now(c->cl, node);
	}
	clock_timer_stop(c->clk, &poll);
	return st;
}

uint64_t restore_node_deadline(const struct restore_ctx *c)
{
	return clock_now(c->clk) + (c->timeout_ns ? c->timeout_ns : NODE_DEFAULT_NS);
}

int restore_node(const struct restore_ctx *c, const char *node, enum node_state before, uint64_t deadline,
                 struct run_record *rec)
{
	long code = 0;
	struct fl_err e = {0};
	int rc;
	const char *what = undo(c->cl, node, before, state_now(c->cl, node), &code, &e, &rc);
	if (what != NULL)
		restore_say(c, "restore node \"%s\": %s: %s (code %ld)%s%s", node, what,
		            rc < 0 ? "refused" : "accepted", code, rc < 0 ? ": " : "", rc < 0 ? e.msg : "");
	enum node_state now = wait_for(c, node, before, deadline);
	XGROW(rec->restores, rec->caprestores, rec->nrestores + 1);
	struct rec_restore *rr = &rec->restores[rec->nrestores++];
	rr->resource = xasprintf("node %s", node);
	rr->action = xstrdup(what ? what : "nothing to do");
	rr->ok = now == before;
	rr->detail = xasprintf("%s: %s (before the run: %s)", rr->ok ? "verified" : "NOT RESTORED", node_state_str(now),
	                       node_state_str(before));
	if (!rr->ok)
		restore_say(c, "restore node \"%s\" FAILED: %s", node, rr->detail);
	return rr->ok ? 0 : -1;
}
