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
	g->owner = g->dest;
	/* Not a state change: the owner is. Recorded so the trace shows where and why. */
	sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, g->state, g->state, sim_node_name(s, g->owner), g->move_why);
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		r->nrestarts = 0; /* restart counts are per node */
		r->target = r->persist;
		r->revive = r->state == RES_FAILED && r->persist;
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
		if (n == g->owner || !s->node_up[n] || (skip_exhausted && g->exhausted[n]))
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

/* Clock time of the next instant inside the failback window (now if inside). */
static uint64_t next_window(const struct sim *s, const struct sim_group_def *d)
{
	uint64_t now = clock_now(s->clk);
	if (d->failback_start_hour < 0 || d->failback_end_hour < 0)
		return now;
	const int64_t hour = 3600 * (int64_t)NSEC_PER_SEC;
	int64_t local =
	    (s->wall_epoch_s + (int64_t)s->topo->utc_offset_min * 60) * (int64_t)NSEC_PER_SEC + (int64_t)(now - s->t0);
	int h = (int)floor_mod(local / hour - (local < 0 && local % hour), 24);
	if (hour_in_window(h, d->failback_start_hour, d->failback_end_hour))
		return now;
	int64_t hours = floor_mod(d->failback_start_hour - h, 24);
	return now + (uint64_t)(hours * hour - floor_mod(local, hour));
}

static bool failback_wanted(const struct sim *s, const struct sim_grp *g)
{
	const struct sim_group_def *d = g->def;
	if (d->auto_failback != 1 || d->npreferred == 0 || g->moving)
		return false;
	size_t pref = sim_find_node(s, d->preferred[0]);
	return pref != SIM_NONE && pref != g->owner && s->node_up[pref] && g->possible[pref];
}

static void failback_due(void *arg)
{
	struct sim_grp *g = arg;
	struct sim *s = g->sim;
	if (failback_wanted(s, g) && g->state == GRP_ONLINE)
		sim_move_start(s, g, sim_find_node(s, g->def->preferred[0]), "failback", false);
}

/* The group just came Online: the episode is over; fail back if allowed. */
void sim_failback_check(struct sim *s, struct sim_grp *g)
{
	if (g->moving)
		return;
	g->rts_source = SIM_NONE;
	for (size_t i = 0; i < s->nnodes; i++)
		g->exhausted[i] = false;
	if (failback_wanted(s, g))
		clock_timer_start(s->clk, &g->failback_timer, next_window(s, g->def), failback_due, g);
}
