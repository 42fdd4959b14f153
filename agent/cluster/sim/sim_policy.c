/*
 * sim_policy.c - what the cluster decides when a resource fails: restart
 * in place, fail the group over, or leave it Failed and try once more
 * after RetryPeriodOnFailure. The rules and their sources are in
 * docs/simulator.md (from ../shared/wsfc-semantics.md).
 */
#include <stdio.h>

#include "faultline/util.h"
#include "sim_impl.h"

/* Sliding window: forget entries older than `period` before now. */
static size_t prune(uint64_t *times, size_t n, uint64_t now, uint64_t period)
{
	size_t keep = 0;
	for (size_t i = 0; i < n; i++)
		if (period == SIM_NEVER || now - times[i] < period)
			times[keep++] = times[i];
	return keep;
}

static void retry_due(void *arg)
{
	struct sim_res *r = arg;
	struct sim *s = r->sim;
	if (r->state != RES_FAILED)
		return;
	r->retrying = true;
	r->revive = true;
	r->why = "retry after RetryPeriodOnFailure";
	sim_kick(s, &s->grp[r->group]);
}

/* Leave r Failed; RetryPeriodOnFailure later brings one final attempt. */
static void leave_failed(struct sim *s, struct sim_res *r, const char *why, bool retry)
{
	struct sim_grp *g = &s->grp[r->group];
	r->revive = false;
	sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, g->state, g->state, sim_node_name(s, g->owner), why);
	uint64_t period = r->def->retry_period_ns;
	if (retry && period != SIM_NEVER)
		clock_timer_start(s->clk, &r->retry_timer, clock_now(s->clk) + period, retry_due, r);
}

static uint32_t failover_threshold(const struct sim *s, const struct sim_grp *g)
{
	uint32_t t = g->def->failover_threshold;
	return t == UINT32_MAX ? (uint32_t)(s->nnodes - 1) : t;
}

/* Restart threshold exceeded on this node, RestartAction 2: fail the group over. */
static void fail_over(struct sim *s, struct sim_res *r)
{
	struct sim_grp *g = &s->grp[r->group];
	uint64_t now = clock_now(s->clk);
	g->exhausted[g->owner] = true;
	g->nfailovers = prune(g->failovers, g->nfailovers, now, g->def->failover_period_ns);
	if (g->nfailovers >= failover_threshold(s, g)) {
		leave_failed(s, r, "left failed: FailoverThreshold reached", true);
		return;
	}
	size_t dest = sim_next_node(s, g, true);
	if (dest == SIM_NONE) {
		/* Say which: nowhere to go at all, or every candidate already used its restart (KB 947712). */
		leave_failed(s, r,
		             sim_next_node(s, g, false) == SIM_NONE
		                 ? "left failed: RestartThreshold reached, no other possible owner is up"
		                 : "left failed: RestartThreshold reached on every possible owner",
		             true);
		return;
	}
	XGROW(g->failovers, g->capfailovers, g->nfailovers + 1);
	g->failovers[g->nfailovers++] = now;
	sim_move_start(s, g, dest, "failover", false);
}

void sim_policy_failed(struct sim *s, struct sim_res *r)
{
	struct sim_grp *g = &s->grp[r->group];
	uint64_t now = clock_now(s->clk);
	r->revive = false;
	if (g->moving)
		return; /* it is going down with the group anyway */
	if (g->rts_source != SIM_NONE) {
		/* MoveClusterGroupEx: back to the source, no failure counted, no policy. */
		sim_move_start(s, g, g->rts_source, "returning to source node because of error", false);
		return;
	}
	if (r->retrying) {
		r->retrying = false;
		leave_failed(s, r, "left failed: final retry failed", false);
		return;
	}
	if (r->def->restart_action == SIM_RESTART_NONE)
		return;
	r->nrestarts = prune(r->restarts, r->nrestarts, now, r->def->restart_period_ns);
	if (r->nrestarts < r->def->restart_threshold) {
		XGROW(r->restarts, r->caprestarts, r->nrestarts + 1);
		r->restarts[r->nrestarts++] = now;
		sim_start_restart(s, r, now + r->def->restart_delay_ns);
		return;
	}
	if (r->def->restart_action == SIM_RESTART_NO_FAILOVER)
		leave_failed(s, r, "left failed: RestartThreshold reached", true);
	else
		fail_over(s, r);
}

void sim_policy_restart_due(struct sim *s, struct sim_res *r)
{
	(void)s;
	if (r->state != RES_FAILED)
		return;
	r->revive = true;
	r->why = "restart";
}
