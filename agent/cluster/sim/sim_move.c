/*
 * sim_move.c - moving a group between nodes: failover, MoveClusterGroup,
 * offline with a destination, return to the source node, and failback
 * inside the failback window.
 *
 * A move has two phases. While g->moving every member heads Offline
 * (sim_kick takes dependents first); once all are down the owner changes
 * and every member whose persistent state is Online comes back, providers
 * first.
 */
#include "faultline/util.h"
#include "sim_impl.h"

void sim_move_start(struct sim *s, struct sim_grp *g, size_t dest, const char *why, bool return_on_error)
{
	g->moving = true;
	g->dest = dest;
	g->move_why = why;
	g->rts_source = return_on_error ? g->owner : SIM_NONE;
	clock_timer_stop(s->clk, &g->failback_timer);
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		if (r->op == SIM_OP_RESTART) {
			clock_timer_stop(s->clk, &r->op_timer);
			r->op = SIM_OP_NONE;
		}
		clock_timer_stop(s->clk, &r->retry_timer);
		r->retrying = false;
		r->revive = false;
	}
	sim_kick(s, g);
}

void sim_move_finish(struct sim *s, struct sim_grp *g)
{
	g->moving = false;
	if (sim_pcmk(s) && g->pcmk_why != NULL) /* the CIB changed while it moved */
		g->dest = sim_pcmk_move_dest(s, g);
	g->owner = g->dest;
	/* Not a state change: the owner is. Recorded so the trace shows where and why. */
	sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, g->state, g->state, sim_node_name(s, g->owner), g->move_why);
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		r->nrestarts = 0;                      /* restart counts are per node */
		r->target = r->persist && !r->blocked; /* Pacemaker: a member that can run nowhere stays stopped */
		r->revive = r->state == RES_FAILED && r->target;
		r->why = g->move_why;
	}
}

/*
 * The node after the current owner in failover order (preferred owners,
 * then the other possible nodes), wrapping; only nodes that are up.
 */
size_t sim_next_node(const struct sim *s, const struct sim_grp *g, bool skip_exhausted)
{
	size_t start = 0;
	for (size_t i = 0; i < g->norder; i++)
		if (g->order[i] == g->owner)
			start = i + 1;
	for (size_t k = 0; k < g->norder; k++) {
		size_t n = g->order[(start + k) % g->norder];
		if (n == g->owner || !sim_node_accepts(s, n) || (skip_exhausted && g->exhausted[n]))
			continue;
		return n;
	}
	return SIM_NONE;
}

static int64_t floor_mod(int64_t a, int64_t m)
{
	int64_t r = a % m;
	return r < 0 ? r + m : r;
}

static bool hour_in_window(int h, int start, int end)
{
	if (start == end)
		return h == start;
	if (start < end)
		return h >= start && h < end;
	return h >= start || h < end;
}

static bool has_window(const struct sim_group_def *d)
{
	return d->failback_start_hour >= 0 && d->failback_end_hour >= 0;
}

/* Local time now, ns since the epoch, and its hour of the day. */
static int64_t local_now(const struct sim *s, int *hour_of_day)
{
	const int64_t hour = 3600 * (int64_t)NSEC_PER_SEC;
	int64_t local = (s->wall_epoch_s + (int64_t)s->topo->utc_offset_min * 60) * (int64_t)NSEC_PER_SEC +
	                (int64_t)(clock_now(s->clk) - s->t0);
	*hour_of_day = (int)floor_mod(local / hour - (local < 0 && local % hour), 24);
	return local;
}

/* Clock time of the next start of the window (now if it starts exactly now). */
static uint64_t next_window_start(const struct sim *s, const struct sim_group_def *d)
{
	const int64_t hour = 3600 * (int64_t)NSEC_PER_SEC;
	int h;
	int64_t local = local_now(s, &h);
	int64_t into_hour = floor_mod(local, hour);
	int64_t hours = floor_mod(d->failback_start_hour - h, 24);
	if (hours == 0 && into_hour > 0)
		hours = 24;
	return clock_now(s->clk) + (uint64_t)(hours * hour - into_hour);
}

/* Clock time of the first instant inside the failback window (now if inside or no window). */
static uint64_t next_window(const struct sim *s, const struct sim_group_def *d)
{
	int h;
	if (!has_window(d))
		return clock_now(s->clk);
	local_now(s, &h);
	if (hour_in_window(h, d->failback_start_hour, d->failback_end_hour))
		return clock_now(s->clk);
	return next_window_start(s, d);
}

static size_t preferred_node(const struct sim *s, const struct sim_grp *g)
{
	return g->def->npreferred ? sim_find_node(s, g->def->preferred[0]) : SIM_NONE;
}

/* Away from an active preferred node that may host it, and allowed to fail back. */
static bool failback_wanted(const struct sim *s, const struct sim_grp *g)
{
	size_t pref = preferred_node(s, g);
	return g->def->auto_failback == 1 && !g->moving && pref != SIM_NONE && pref != g->owner &&
	       sim_node_accepts(s, pref) && g->possible[pref];
}

static void arm_window_start(struct sim *s, struct sim_grp *g);

static void failback_due(void *arg)
{
	struct sim_grp *g = arg;
	struct sim *s = g->sim;
	if (failback_wanted(s, g) && g->state == GRP_ONLINE)
		sim_move_start(s, g, preferred_node(s, g), "failback", false);
	else
		arm_window_start(s, g); /* not now: the next window start looks again */
}

/* With a window: at its next start, a group away from its active preferred node fails back. */
static void arm_window_start(struct sim *s, struct sim_grp *g)
{
	if (has_window(g->def) && failback_wanted(s, g))
		clock_timer_start(s->clk, &g->failback_timer, next_window_start(s, g->def), failback_due, g);
}

/*
 * The group just came Online: the episode is over. A failover after a
 * resource failure made no node "become active", so only the window's next
 * start can bring the group back (wsfc-semantics.md, failback trigger).
 */
void sim_failback_check(struct sim *s, struct sim_grp *g)
{
	if (g->moving)
		return;
	g->rts_source = SIM_NONE;
	for (size_t i = 0; i < s->nnodes; i++)
		g->exhausted[i] = false;
	if (!clock_timer_armed(&g->failback_timer))
		arm_window_start(s, g);
}

void sim_failback_node_joined(struct sim *s, size_t node)
{
	for (size_t i = 0; i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		if (preferred_node(s, g) != node || !failback_wanted(s, g))
			continue;
		uint64_t at = next_window(s, g->def);
		/* "immediately after the preferred node becomes active": in the same instant, no timer in between */
		if (at == clock_now(s->clk))
			failback_due(g);
		else
			clock_timer_start(s->clk, &g->failback_timer, at, failback_due, g);
	}
}
