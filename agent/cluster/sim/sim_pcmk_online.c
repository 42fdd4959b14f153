/*
 * sim_pcmk_online.c - the Pacemaker policy: faultline's online (the bans
 * it made deleted, or a cleanup, or target-role Started) takes effect the
 * topology's online_reaction_time after it becomes due, not at once. On
 * the real cluster, from the moment the resource went down (or
 * online_after passed) that time is: the backend's read of the down state
 * (~40 ms, when the online waited for it), the online call (a journal
 * write and crm_resource: 20-30 ms for target-role, ~90 ms for two bans on
 * two nodes), the scheduler's reaction to the CIB change (12-30 ms to the
 * first action in the DC log) and the backend's read of the result, which
 * every recovery faultline measures contains. `faultline calibrate` fits
 * it as one time from the records' online_at (sim_calibrate.c). The
 * injections themselves (offline, ban, move) act at once: the recovery is
 * timed from when their call returned, by when the scheduler has mostly
 * begun (a ban's first stop starts before the call for the second node
 * returns). An online arriving while one waits joins it. Zero applies it
 * at the call.
 */
#include "faultline/util.h"
#include "sim_impl.h"

static void apply(struct sim *s, struct sim_res *r)
{
	sim_pcmk_clear(s, r);
	sim_mark_up(s, r);
	sim_pcmk_place_group(s, &s->grp[r->group], "online");
}

static void due(void *arg)
{
	struct sim_grp *g = arg;
	struct sim *s = g->sim;
	for (size_t i = 0; i < g->nonlines; i++)
		apply(s, &s->res[g->onlines[i]]);
	g->nonlines = 0;
}

void sim_pcmk_online(struct sim *s, struct sim_res *r)
{
	struct sim_grp *g = &s->grp[r->group];
	if (!clock_timer_armed(&g->online_timer)) {
		uint64_t d = sim_draw(r, &s->topo->pcmk_online_reaction);
		if (d == 0) {
			apply(s, r);
			return;
		}
		clock_timer_start(s->clk, &g->online_timer, clock_now(s->clk) + d, due, g);
	}
	XGROW(g->onlines, g->caponlines, g->nonlines + 1);
	g->onlines[g->nonlines++] = r->idx;
}
