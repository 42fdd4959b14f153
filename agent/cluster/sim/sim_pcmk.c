/*
 * sim_pcmk.c - the Pacemaker policy (`policy: pacemaker` in a topology):
 * what Pacemaker's scheduler does after a failure, a ban or a cleanup, as
 * observed on Pacemaker 2.1.5 (../shared/pacemaker.md) and documented in
 * Pacemaker Explained ("Failure Response", "Resource Meta-Attributes",
 * "Groups"). The engine (sim.c) still does the ordering: a group member
 * depends on the member before it, so members stop last-first and start
 * first-last.
 *
 * After a failure: the fail-count on that node grows (by the topology's
 * fail_increment: crm_resource --fail counts 2 on 2.1.5), and after the
 * scheduler's reaction time the group is placed: the node with the best
 * score among the allowed ones (up, a possible owner, no member banned
 * there or at its migration-threshold). Same node: the failed instance is
 * stopped, then started (on-fail=restart). Another node: the group moves,
 * the failed instance is stopped first. None: the failed resource is
 * stopped and stays Stopped until its failure-timeout expires or an
 * operator cleans it up (online). A member that can run nowhere is rolled
 * back: the members before it are placed on their own scores (which
 * include the cli-prefer / cli-ban a move left), it stays stopped.
 */
#include <stdio.h>

#include "faultline/util.h"
#include "sim_impl.h"

#define PCMK_INFINITY 1000000 /* Pacemaker's INFINITY score */

static bool member_allows(const struct sim_res *r, size_t node)
{
	if (r->banned[node] || (r->possible && !r->possible[node]))
		return false;
	/* 0 = INFINITY: only an INFINITY fail-count (a failed start) reaches it. */
	uint32_t threshold = r->def->migration_threshold ? r->def->migration_threshold : UINT32_MAX;
	return r->failcount[node] < threshold;
}

/* Pacemaker's score addition: -INFINITY wins, then INFINITY, else the sum clamped to them. */
static int64_t add_score(int64_t a, int64_t b)
{
	if (a <= -PCMK_INFINITY || b <= -PCMK_INFINITY)
		return -PCMK_INFINITY;
	if (a >= PCMK_INFINITY || b >= PCMK_INFINITY)
		return PCMK_INFINITY;
	int64_t sc = a + b;
	return sc < -PCMK_INFINITY ? -PCMK_INFINITY : sc > PCMK_INFINITY ? PCMK_INFINITY : sc;
}

/* The group's own constraints on a node: location scores and the cli-prefer / cli-ban of a move. */
static int64_t location(const struct sim *s, const struct sim_grp *g, size_t node)
{
	int64_t sc = node == g->avoid ? -PCMK_INFINITY : node == g->prefer ? PCMK_INFINITY : 0;
	for (size_t i = 0; i < g->def->nlocation; i++)
		if (sim_find_node(s, g->def->location[i].node) == node)
			sc = add_score(sc, g->def->location[i].score);
	return sc;
}

static bool node_open(const struct sim *s, const struct sim_grp *g, size_t node)
{
	return sim_node_accepts(s, node) && g->possible[node] && location(s, g, node) > -PCMK_INFINITY;
}

/*
 * How many members, from the first, the scheduler places together. A group
 * is a chain of colocations: each member's allowed nodes are merged into
 * the members before it, unless the merge leaves no node at all, in which
 * case Pacemaker rolls that member's scores back
 * (pcmk__add_colocated_node_scores: "fl-vip: Rolling back optional scores
 * from fl-svc", 2.1.5) and places the members before it on their own; the
 * rolled-back member and the ones after it cannot run with them and stay
 * stopped.
 */
static size_t placed_members(const struct sim *s, const struct sim_grp *g)
{
	size_t k = 0;
	for (; k < g->nres; k++) {
		bool any = false;
		for (size_t n = 0; n < s->nnodes && !any; n++) {
			any = node_open(s, g, n);
			for (size_t i = 0; any && i <= k; i++)
				any = member_allows(&s->res[g->res[i]], n);
		}
		if (!any)
			break;
	}
	return k;
}

/* The score of the group's first k members on a node (location + stickiness of what runs there), or -INFINITY. */
static int64_t score(const struct sim *s, const struct sim_grp *g, size_t k, size_t node)
{
	if (!node_open(s, g, node))
		return -PCMK_INFINITY;
	int64_t sc = location(s, g, node);
	for (size_t i = 0; i < k; i++) {
		const struct sim_res *r = &s->res[g->res[i]];
		if (!member_allows(r, node))
			return -PCMK_INFINITY;
		if (node == g->owner && sim_res_active(r))
			sc = add_score(sc, r->def->stickiness);
	}
	return sc;
}

size_t sim_pcmk_place(const struct sim *s, const struct sim_grp *g)
{
	size_t k = placed_members(s, g);
	if (k == 0)
		return SIM_NONE;
	size_t best = SIM_NONE;
	int64_t best_sc = -PCMK_INFINITY;
	int64_t here = score(s, g, k, g->owner);
	if (here > -PCMK_INFINITY) {
		best = g->owner; /* ties stay where they are */
		best_sc = here;
	}
	for (size_t j = 0; j < g->norder; j++) {
		size_t n = g->order[j];
		int64_t sc = score(s, g, k, n);
		if (sc > best_sc) {
			best = n;
			best_sc = sc;
		}
	}
	return best;
}

/* Stop r where it is and keep it stopped: no node may run it. */
static void block(struct sim_res *r, const char *why)
{
	r->blocked = true;
	r->target = false;
	r->stop_failed = r->state == RES_FAILED && !r->left_failed;
	r->why = why;
}

/* Some node's fail-count reached r's migration-threshold (0 = INFINITY). */
static bool spent(const struct sim *s, const struct sim_res *r)
{
	uint32_t threshold = r->def->migration_threshold ? r->def->migration_threshold : UINT32_MAX;
	for (size_t n = 0; n < s->nnodes; n++)
		if (r->failcount[n] >= threshold)
			return true;
	return false;
}

/*
 * The stop of a blocked resource completed. Stopped at its
 * migration-threshold, it is Failed, not Offline: Pacemaker keeps the
 * failure (crm_mon: failed, fail-count at the threshold) until a cleanup
 * or its failure-timeout, and the backend reads it so (pacemaker_xml.c):
 * a trial ends stays_failed on both. True if r was left Failed.
 */
bool sim_pcmk_left_failed(struct sim *s, struct sim_res *r)
{
	if (!sim_pcmk(s) || !r->blocked || !spent(s, r))
		return false;
	r->stop_failed = false;
	r->left_failed = true;
	sim_res_set(s, r, RES_FAILED, r->why);
	return true;
}

/* A resource left Failed may run again (cleanup, failure-timeout): it is Offline, already stopped. */
static void unfail(struct sim *s, struct sim_res *r, const char *why)
{
	if (!r->left_failed)
		return;
	r->left_failed = false;
	sim_res_set(s, r, RES_OFFLINE, why);
}

/* Why r cannot run on node: the reason a blocked resource gives. */
static const char *block_why(const struct sim_res *r, size_t node)
{
	return r->banned[node] ? "stop: banned from every allowed node"
	                       : "stop: migration-threshold reached, no node allowed";
}

/*
 * The members that cannot run on `node` (rolled back, see placed_members)
 * stop and stay stopped; those that can, and were blocked, may run again.
 */
static void block_members(struct sim *s, struct sim_grp *g, size_t node, const char *why)
{
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		if (!member_allows(r, node)) {
			block(r, block_why(r, node));
		} else if (r->blocked) {
			unfail(s, r, why);
			r->blocked = false;
			r->target = r->persist;
			r->why = why;
		}
	}
}

/*
 * Put the group where the scheduler wants it now; `why` names the reason
 * of a move. During a move nothing is decided: Pacemaker lets the actions
 * in flight complete and computes the next transition from the CIB as it
 * is then (sim_pcmk_move_dest); `why` is kept as that decision's cause.
 */
void sim_pcmk_place_group(struct sim *s, struct sim_grp *g, const char *why)
{
	if (g->moving) {
		g->pcmk_why = why;
		return;
	}
	size_t dest = sim_pcmk_place(s, g);
	if (dest != SIM_NONE && dest != g->owner) {
		for (size_t i = 0; i < g->nres; i++) {
			struct sim_res *r = &s->res[g->res[i]];
			if (member_allows(r, dest)) {
				unfail(s, r, why);
				r->stop_failed = r->state == RES_FAILED;
				r->blocked = false;
			}
		}
		block_members(s, g, dest, why);
		g->pcmk_why = NULL;
		sim_move_start(s, g, dest, why, false);
		return;
	}
	block_members(s, g, g->owner, why);
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		if (r->state == RES_FAILED && !r->blocked) {
			r->stop_failed = true; /* on-fail=restart: stop, then start */
			r->target = r->persist;
			r->why = "restart";
		}
	}
	sim_kick(s, g);
}

/*
 * The offline phase of a move is over (every member stopped) and the CIB
 * changed while it was under way (an online clearing a ban): that change
 * aborted the transition once the action in flight completed (Pacemaker's
 * controller: "Transition 43 aborted by deletion of rsc_location"), and
 * the scheduler places the group again from the CIB as it is now, so it
 * may start somewhere else than where the move was heading, e.g. back on
 * its own node. Without a change the transition stands. Returns the node
 * to start on; g->move_why becomes the cause of that decision if it
 * changed the destination.
 */
size_t sim_pcmk_move_dest(struct sim *s, struct sim_grp *g)
{
	size_t dest = sim_pcmk_place(s, g);
	if (dest == SIM_NONE)
		dest = g->dest;
	if (dest != g->dest && g->pcmk_why != NULL)
		g->move_why = g->pcmk_why;
	g->pcmk_why = NULL;
	block_members(s, g, dest, g->move_why);
	return dest;
}

static void react(void *arg)
{
	struct sim_res *r = arg;
	struct sim *s = r->sim;
	sim_pcmk_place_group(s, &s->grp[r->group], "migration-threshold");
}

static void expire(void *arg)
{
	struct sim_res *r = arg;
	struct sim *s = r->sim;
	for (size_t n = 0; n < s->nnodes; n++)
		r->failcount[n] = 0;
	sim_pcmk_place_group(s, &s->grp[r->group], "failure-timeout expired");
}

/*
 * A failure recorded on r's node: an injected one (crm_resource --fail)
 * adds fail_increment; a failed start sets the fail-count to INFINITY
 * (start-failure-is-fatal, Pacemaker's default). The scheduler reacts
 * after the topology's reaction_time; failure-timeout (plus one reaction)
 * later the fail-count expires and the group is placed again.
 */
void sim_pcmk_failed(struct sim *s, struct sim_res *r, bool start_failure)
{
	struct sim_grp *g = &s->grp[r->group];
	uint64_t now = clock_now(s->clk);
	uint32_t *fc = &r->failcount[g->owner];
	r->revive = false;
	*fc = start_failure || *fc > UINT32_MAX - s->topo->pcmk_fail_increment ? UINT32_MAX
	                                                                       : *fc + s->topo->pcmk_fail_increment;
	if (r->def->failure_timeout_ns)
		clock_timer_start(s->clk, &r->expire_timer,
		                  now + r->def->failure_timeout_ns + sim_draw(r, &s->topo->pcmk_reaction), expire, r);
	clock_timer_start(s->clk, &r->react_timer, now + sim_draw(r, &s->topo->pcmk_reaction), react, r);
}

/*
 * offline + do_not_update_persistent_state: crm_resource --ban on every
 * node, as the backend does (pacemaker_act.c: a ban on its own node alone
 * would move it, not stop it): r stops where it runs and moves nowhere.
 */
void sim_pcmk_ban(struct sim *s, struct sim_res *r, const char *why)
{
	for (size_t n = 0; n < s->nnodes; n++)
		r->banned[n] = true;
	sim_pcmk_place_group(s, &s->grp[r->group], why);
}

/*
 * online, as the backend does it (pacemaker_act.c pcmk_online): bans it
 * made are deleted (--clear) and nothing else; otherwise a Failed resource
 * is cleaned up (--cleanup: its fail-counts go). A fail-count elsewhere
 * stays: a resource at its threshold on another node still cannot go
 * there. The caller places the group again.
 */
void sim_pcmk_clear(struct sim *s, struct sim_res *r)
{
	bool bans = false;
	for (size_t n = 0; n < s->nnodes; n++) {
		bans |= r->banned[n];
		r->banned[n] = false;
	}
	if (bans || r->state != RES_FAILED)
		return;
	unfail(s, r, "online");
	for (size_t n = 0; n < s->nnodes; n++)
		r->failcount[n] = 0;
	clock_timer_stop(s->clk, &r->expire_timer);
	r->blocked = false;
}

/*
 * move (crm_resource --move): the backend deletes its earlier constraint
 * and makes a new one, which stays until the restore: cli-prefer
 * (INFINITY) on the destination, or without one cli-ban (-INFINITY) on
 * the group's node. Later placements see it: a group whose member is
 * banned everywhere goes to the preferred node (placed_members).
 */
void sim_pcmk_move(struct sim *s, struct sim_grp *g, size_t node)
{
	(void)s;
	g->prefer = node;
	g->avoid = node == SIM_NONE ? g->owner : SIM_NONE;
}
