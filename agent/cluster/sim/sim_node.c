/*
 * sim_node.c - nodes and quorum: a node crashes (down), joins again (up),
 * is paused with or without drain, and resumed with a failback type; the
 * cluster keeps quorum while more than half of the votes (one per member
 * node, one for the witness) are present.
 *
 * The decisions and their sources are in docs/simulator.md ("Nodes and
 * quorum"), from ../shared/wsfc-semantics.md: a node loss fails its groups
 * over per their failover order without counting a resource failure; a
 * quorum loss takes every group Offline until quorum returns; failback is
 * triggered by the preferred node joining (sim_failback_node_joined).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultline/util.h"
#include "sim_impl.h"

#define WHY_NODE_DOWN   "node down"
#define WHY_QUORUM_LOST "quorum lost"
#define WHY_FAILOVER    "failover (node down)"
#define WHY_QUORUM_BACK "quorum regained"

static int refuse(long *code, long c, struct fl_err *e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(long *code, long c, struct fl_err *e, const char *fmt, ...)
{
	*code = c;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(e, "%s (%ld)", msg, c);
}

bool sim_node_accepts(const struct sim *s, size_t node)
{
	return node < s->nnodes && s->node_st[node] == NODE_UP && s->quorum;
}

bool sim_node_hosts(const struct sim *s, size_t node)
{
	return node < s->nnodes && s->node_up[node] && s->quorum;
}

static bool votes_quorum(const struct sim *s)
{
	size_t votes = s->topo->witness ? 1 : 0, total = s->nnodes + votes;
	for (size_t i = 0; i < s->nnodes; i++)
		votes += s->node_up[i];
	return 2 * votes > total;
}

static void set_state(struct sim *s, size_t node, enum node_state to, const char *why)
{
	enum node_state from = s->node_st[node];
	s->node_st[node] = to;
	s->node_up[node] = to == NODE_UP || to == NODE_PAUSED;
	const char *name = sim_node_name(s, node);
	sim_trace_add(s, SIM_OBJ_NODE, name, from, to, name, why);
}

/* The group lost its node (or the cluster its quorum): every member is Offline at once, nothing pending. */
static void group_lost(struct sim *s, struct sim_grp *g, const char *why)
{
	g->moving = false;
	g->rts_source = SIM_NONE;
	clock_timer_stop(s->clk, &g->failback_timer);
	for (size_t i = g->nres; i-- > 0;) { /* dependents (listed later) first, as the trace reads best */
		struct sim_res *r = &s->res[g->res[i]];
		clock_timer_stop(s->clk, &r->op_timer);
		clock_timer_stop(s->clk, &r->retry_timer);
		clock_timer_stop(s->clk, &r->react_timer);
		r->op = SIM_OP_NONE;
		r->op_timeout = false;
		r->revive = r->retrying = r->going_down = r->stop_failed = false;
		r->nrestarts = 0;
		r->target = r->persist;
		if (r->state != RES_OFFLINE)
			sim_res_set(s, r, RES_OFFLINE, why);
	}
	for (size_t n = 0; n < s->nnodes; n++)
		g->exhausted[n] = false;
}

/*
 * Where a group goes when its node is lost (or drained): WSFC walks the
 * preferred owners in order from the first (WS "Choosing the destination
 * node"), then the other possible owners; Pacemaker's scheduler places it.
 */
static size_t place(const struct sim *s, const struct sim_grp *g)
{
	if (sim_pcmk(s))
		return sim_pcmk_place(s, g);
	for (size_t k = 0; k < g->norder; k++)
		if (g->order[k] != g->owner && sim_node_accepts(s, g->order[k]))
			return g->order[k];
	return SIM_NONE;
}

/* Bring an Offline group up on dest (its owner from now on), not counting a failover. */
static void group_start_on(struct sim *s, struct sim_grp *g, size_t dest, const char *why)
{
	if (dest != g->owner) {
		g->owner = dest;
		sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, g->state, g->state, sim_node_name(s, dest), why);
	}
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		r->target = r->persist && !r->blocked;
		r->why = why;
	}
	sim_kick(s, g);
}

/*
 * A group whose owner cannot run it goes to the next node that accepts it,
 * if any; one whose owner can again (it joined) starts there.
 */
static void place_orphan(struct sim *s, struct sim_grp *g, const char *why)
{
	if (g->moving)
		return;
	if (sim_node_hosts(s, g->owner)) {
		for (size_t i = 0; i < g->nres; i++) {
			struct sim_res *r = &s->res[g->res[i]];
			if (r->state == RES_OFFLINE && r->target)
				r->why = why;
		}
		sim_kick(s, g);
		return;
	}
	size_t dest = place(s, g);
	if (dest == SIM_NONE) {
		sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, g->state, g->state, sim_node_name(s, g->owner),
		              "no possible owner is up");
		return;
	}
	group_start_on(s, g, dest, why);
}

static void quorum_update(struct sim *s)
{
	bool q = votes_quorum(s);
	if (q == s->quorum)
		return;
	s->quorum = q;
	for (size_t i = 0; i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		if (!q) {
			group_lost(s, g, WHY_QUORUM_LOST);
		} else if (sim_node_hosts(s, g->owner)) {
			group_start_on(s, g, g->owner, WHY_QUORUM_BACK);
		} else {
			place_orphan(s, g, WHY_QUORUM_BACK);
		}
	}
}

static int find(struct sim *s, const char *node, size_t *n, long *code, struct fl_err *e)
{
	*n = sim_find_node(s, node);
	if (*n == SIM_NONE)
		return refuse(code, WIN_ERROR_NODE_NOT_FOUND, e, "node \"%s\": not found", node);
	return 0;
}

int sim_node_down(struct sim *s, const char *node, long *code, struct fl_err *e)
{
	size_t n;
	if (find(s, node, &n, code, e) < 0)
		return -1;
	if (s->node_st[n] == NODE_DOWN)
		return refuse(code, WIN_ERROR_CLUSTER_NODE_DOWN, e, "node \"%s\": already down", node);
	clock_timer_stop(s->clk, &s->joins[n].timer);
	set_state(s, n, NODE_DOWN, "node down");
	/* Moves heading for it turn back (or go on to the next node). */
	for (size_t i = 0; i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		if (g->moving && g->dest == n && g->owner != n) {
			size_t d = sim_node_accepts(s, g->owner) ? g->owner : sim_next_node(s, g, false);
			g->dest =
			    d != SIM_NONE ? d : g->owner; /* nowhere to go: it stays, Offline, until a node joins */
		}
	}
	bool had = s->quorum;
	for (size_t i = 0; i < s->ngrp; i++)
		if (s->grp[i].owner == n)
			group_lost(s, &s->grp[i], WHY_NODE_DOWN);
	quorum_update(s);
	for (size_t i = 0; had && s->quorum && i < s->ngrp; i++)
		if (s->grp[i].owner == n)
			place_orphan(s, &s->grp[i], WHY_FAILOVER);
	*code = WIN_ERROR_SUCCESS;
	return 0;
}

static void joined(void *arg)
{
	struct sim_join *j = arg;
	struct sim *s = j->sim;
	set_state(s, j->node, NODE_UP, "joined");
	bool had = s->quorum;
	quorum_update(s);
	for (size_t i = 0; had && i < s->ngrp; i++)
		place_orphan(s, &s->grp[i], "node joined");
	sim_failback_node_joined(s, j->node);
}

int sim_node_up(struct sim *s, const char *node, long *code, struct fl_err *e)
{
	size_t n;
	if (find(s, node, &n, code, e) < 0)
		return -1;
	if (s->node_st[n] != NODE_DOWN)
		return refuse(code, WIN_ERROR_CLUSTER_NODE_UP, e, "node \"%s\": not down (%s)", node,
		              node_state_str(s->node_st[n]));
	set_state(s, n, NODE_JOINING, "node up");
	struct sim_join *j = &s->joins[n];
	if (s->topo->join_time_ns == 0)
		joined(j);
	else
		clock_timer_start(s->clk, &j->timer, clock_now(s->clk) + s->topo->join_time_ns, joined, j);
	*code = WIN_ERROR_IO_PENDING;
	return 0;
}

int sim_node_pause(struct sim *s, const char *node, bool drain, long *code, struct fl_err *e)
{
	size_t n;
	if (find(s, node, &n, code, e) < 0)
		return -1;
	if (s->node_st[n] == NODE_PAUSED)
		return refuse(code, WIN_ERROR_CLUSTER_NODE_PAUSED, e, "node \"%s\": already paused", node);
	if (s->node_st[n] != NODE_UP)
		return refuse(code, WIN_ERROR_CLUSTER_NODE_DOWN, e, "node \"%s\": not up (%s)", node,
		              node_state_str(s->node_st[n]));
	set_state(s, n, NODE_PAUSED, drain ? "pause (drain)" : "pause");
	for (size_t i = 0; drain && i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		if (g->owner != n || g->moving)
			continue;
		size_t dest = place(s, g);
		if (dest == SIM_NONE || dest == n)
			sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, g->state, g->state, node,
			              "drain: no other node accepts it");
		else
			sim_move_start(s, g, dest, "drain", false);
	}
	*code = drain ? WIN_ERROR_IO_PENDING : WIN_ERROR_SUCCESS;
	return 0;
}

static size_t first_preferred(const struct sim *s, const struct sim_grp *g)
{
	return g->def->npreferred ? sim_find_node(s, g->def->preferred[0]) : SIM_NONE;
}

int sim_node_resume(struct sim *s, const char *node, enum node_failback failback, long *code, struct fl_err *e)
{
	size_t n;
	if (find(s, node, &n, code, e) < 0)
		return -1;
	if (s->node_st[n] != NODE_PAUSED)
		return refuse(code, WIN_ERROR_CLUSTER_NODE_NOT_PAUSED, e, "node \"%s\": not paused (%s)", node,
		              node_state_str(s->node_st[n]));
	set_state(s, n, NODE_UP, "resume");
	if (failback == NODE_FAILBACK_POLICY)
		sim_failback_node_joined(s, n);
	for (size_t i = 0; failback == NODE_FAILBACK_IMMEDIATE && i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		if (first_preferred(s, g) == n && g->owner != n && !g->moving && g->possible[n])
			sim_move_start(s, g, n, "failback (resume)", false);
	}
	*code = WIN_ERROR_SUCCESS;
	return 0;
}

enum node_state sim_node_state(const struct sim *s, const char *node)
{
	size_t n = sim_find_node(s, node);
	return n == SIM_NONE ? NODE_UNKNOWN : s->node_st[n];
}

bool sim_has_quorum(const struct sim *s)
{
	return s->quorum;
}

void sim_node_init(struct sim *s)
{
	s->node_st = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(*s->node_st));
	s->joins = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(*s->joins));
	for (size_t i = 0; i < s->nnodes; i++) {
		s->node_st[i] = s->topo->nodes[i].down ? NODE_DOWN : NODE_UP;
		s->node_up[i] = !s->topo->nodes[i].down;
		s->joins[i] = (struct sim_join){.sim = s, .node = i};
		clock_timer_init(&s->joins[i].timer);
	}
	s->quorum = votes_quorum(s);
}

void sim_node_fini(struct sim *s)
{
	for (size_t i = 0; s->joins != NULL && i < s->nnodes; i++)
		clock_timer_stop(s->clk, &s->joins[i].timer);
	free(s->joins);
	free(s->node_st);
}
