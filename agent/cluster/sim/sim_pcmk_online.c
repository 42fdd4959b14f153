/*
 * sim_pcmk_change.c - the Pacemaker policy: a change faultline makes to
 * the CIB (offline = target-role Stopped or a ban on every node, online =
 * the bans deleted or a cleanup, move = cli-prefer) takes effect after the
 * topology's change_reaction_time, not at the call. On the real cluster
 * that time is the backend's own CLI calls (crm_resource, ~10 ms each),
 * the scheduler's reaction to the CIB change (12-30 ms before the first
 * stop or start, measured on the two-node cluster's DC log) and, as the
 * recoveries faultline measures include it, the backend's read of the
 * result (~40 ms): `faultline calibrate` fits it as one time from the
 * records' online calls (sim_calibrate.c). Changes arriving while one is
 * waiting take effect with it: the scheduler computes one transition from
 * the CIB as it is by then. A zero time applies the change at the call.
 */
#include "faultline/util.h"
#include "sim_impl.h"

static void apply(struct sim *s, const struct sim_pcmk_change *c)
{
	struct sim_res *r = &s->res[c->res];
	struct sim_grp *g = &s->grp[r->group];
	switch (c->kind) {
	case SIM_PCMK_STOP:
		r->target = false;
		r->why = c->why;
		if (r->state == RES_FAILED)
			sim_offline_failed(s, r, c->why);
		sim_kick(s, g);
		break;
	case SIM_PCMK_BAN:
		sim_pcmk_ban(s, r, c->why);
		break;
	case SIM_PCMK_ONLINE:
		sim_pcmk_clear(s, r);
		sim_mark_up(s, r);
		sim_pcmk_place_group(s, g, "online");
		break;
	case SIM_PCMK_MOVE:
		sim_pcmk_move(s, g, c->prefer);
		if (g->moving)
			g->pcmk_why = c->why; /* placed again when the move's stops are done */
		else if (c->node != g->owner)
			sim_move_start(s, g, c->node, c->why, c->return_on_error);
		break;
	}
}

static void due(void *arg)
{
	struct sim_grp *g = arg;
	struct sim *s = g->sim;
	/* apply() queues nothing: the list stays as it is while it runs */
	for (size_t i = 0; i < g->nchanges; i++)
		apply(s, &g->changes[i]);
	g->nchanges = 0;
}

void sim_pcmk_change(struct sim *s, const struct sim_pcmk_change *c)
{
	struct sim_res *r = &s->res[c->res];
	struct sim_grp *g = &s->grp[r->group];
	if (!clock_timer_armed(&g->change_timer)) {
		uint64_t d = sim_draw(r, &s->topo->pcmk_change_reaction);
		if (d == 0) {
			apply(s, c);
			return;
		}
		clock_timer_start(s->clk, &g->change_timer, clock_now(s->clk) + d, due, g);
	}
	XGROW(g->changes, g->capchanges, g->nchanges + 1);
	g->changes[g->nchanges++] = *c;
}
