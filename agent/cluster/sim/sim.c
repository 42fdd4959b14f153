/*
 * sim.c - the simulator's core: lookups, state transitions, and the engine
 * step (sim_kick) that drives each resource towards its target in
 * dependency order.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "sim_impl.h"

struct sim_res *sim_find_res(const struct sim *s, const char *name)
{
	size_t lo = 0, hi = s->nres;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct sim_res *r = &s->res[s->by_name[mid]];
		int c = strcmp(name, r->def->name);
		if (c == 0)
			return r;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct sim_grp *sim_find_grp(const struct sim *s, const char *name)
{
	if (s->grp_by_name == NULL) { /* still building */
		for (size_t i = 0; i < s->ngrp; i++)
			if (strcmp(s->grp[i].def->name, name) == 0)
				return &s->grp[i];
		return NULL;
	}
	/* Lower bound; group names are unique (the topology checker refuses duplicates). */
	size_t lo = 0, hi = s->ngrp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->grp[s->grp_by_name[mid]].def->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->ngrp && strcmp(s->grp[s->grp_by_name[lo]].def->name, name) == 0)
		return &s->grp[s->grp_by_name[lo]];
	return NULL;
}

size_t sim_find_node(const struct sim *s, const char *name)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (strcmp(s->topo->nodes[i].name, name) == 0)
			return i;
	return SIM_NONE;
}

const char *sim_node_name(const struct sim *s, size_t node)
{
	return node < s->nnodes ? s->topo->nodes[node].name : NULL;
}

/* Causes are few and repeat: keep one copy of each for the trace to point at. */
const char *sim_intern(struct sim *s, const char *str)
{
	for (size_t i = 0; i < s->nstrs; i++)
		if (strcmp(s->strs[i], str) == 0)
			return s->strs[i];
	XGROW(s->strs, s->capstrs, s->nstrs + 1);
	s->strs[s->nstrs] = xstrdup(str);
	return s->strs[s->nstrs++];
}

static bool is_pending(enum res_state st)
{
	return st == RES_PENDING || st == RES_ONLINE_PENDING || st == RES_OFFLINE_PENDING || st == RES_INITIALIZING;
}

/* Online, or on its way in or out: a provider must wait for it. */
bool sim_res_active(const struct sim_res *r)
{
	return r->state == RES_ONLINE || is_pending(r->state);
}

/* CLUSTER_GROUP_STATE from the members, per wsfc-semantics.md "States". */
static enum group_state derive_group_state(const struct sim *s, const struct sim_grp *g)
{
	size_t online = 0, pending = 0, failed = 0;
	for (size_t i = 0; i < g->nres; i++) {
		enum res_state st = s->res[g->res[i]].state;
		online += st == RES_ONLINE;
		pending += is_pending(st);
		failed += st == RES_FAILED;
	}
	if (failed)
		return GRP_FAILED;
	if (pending)
		return GRP_PENDING;
	if (g->nres && online == g->nres)
		return GRP_ONLINE;
	return online ? GRP_PARTIAL_ONLINE : GRP_OFFLINE;
}

void sim_res_set(struct sim *s, struct sim_res *r, enum res_state to, const char *why)
{
	struct sim_grp *g = &s->grp[r->group];
	enum res_state from = r->state;
	r->state = to;
	if (to == RES_FAILED || to == RES_OFFLINE)
		r->going_down = false; /* the decision is carried out (or overtaken by a failure) */
	if (to == RES_OFFLINE)
		r->stop_failed = false;
	if (to != RES_ONLINE && r->crashed) {
		r->crashed = false; /* the cluster took it down before its check noticed */
		clock_timer_stop(s->clk, &r->detect_timer);
	}
	sim_trace_add(s, SIM_OBJ_RESOURCE, r->def->name, from, to, sim_node_name(s, g->owner), why);
	enum group_state gs = derive_group_state(s, g);
	if (gs == g->state)
		return;
	enum group_state gfrom = g->state;
	g->state = gs;
	sim_trace_add(s, SIM_OBJ_GROUP, g->def->name, gfrom, gs, sim_node_name(s, g->owner), why);
	if (gs == GRP_ONLINE)
		sim_failback_check(s, g);
}

bool sim_pcmk(const struct sim *s)
{
	return s->topo->policy == SIM_POLICY_PACEMAKER;
}

/* One draw from r's own seeded stream: the same seed gives the same durations (dist.h). */
uint64_t sim_draw(struct sim_res *r, const struct dist *d)
{
	return dist_sample(d, &r->rng);
}

static void op_done(void *arg);

/* Start a pending state that completes after `d`, or times out at PendingTimeout. */
static void start_op(struct sim *s, struct sim_res *r, enum sim_op op, uint64_t d, const char *why)
{
	uint64_t pt = r->def->pending_timeout_ns;
	r->op = op;
	r->op_why = why;
	r->op_timeout = d > pt;
	uint64_t after = r->op_timeout ? pt : d;
	clock_timer_start(s->clk, &r->op_timer, clock_now(s->clk) + after, op_done, r);
}

void sim_start_online(struct sim *s, struct sim_res *r)
{
	sim_res_set(s, r, RES_ONLINE_PENDING, r->why);
	start_op(s, r, SIM_OP_ONLINE, sim_draw(r, &r->def->online_time), r->why);
}

void sim_start_restart(struct sim *s, struct sim_res *r, uint64_t when)
{
	r->op = SIM_OP_RESTART;
	r->op_why = "restart";
	r->op_timeout = false;
	clock_timer_start(s->clk, &r->op_timer, when, op_done, r);
}

static void start_offline(struct sim *s, struct sim_res *r, const char *why)
{
	sim_res_set(s, r, RES_OFFLINE_PENDING, why);
	start_op(s, r, SIM_OP_OFFLINE, sim_draw(r, &r->def->offline_time), why);
}

static void online_done(struct sim *s, struct sim_res *r, bool timed_out, const char *why)
{
	struct sim_grp *g = &s->grp[r->group];
	if (timed_out || r->broken[g->owner]) {
		sim_res_set(s, r, RES_FAILED, timed_out ? "pending timeout" : "online failed");
		if (r->target && sim_pcmk(s))
			sim_pcmk_failed(s, r, true);
		else if (r->target)
			sim_policy_failed(s, r);
		return;
	}
	r->revive = false;
	r->retrying = false;
	r->online_at = clock_now(s->clk);
	sim_res_set(s, r, RES_ONLINE, why);
}

static void op_done(void *arg)
{
	struct sim_res *r = arg;
	struct sim *s = r->sim;
	enum sim_op op = r->op;
	bool timed_out = r->op_timeout;
	const char *why = r->op_why;
	r->op = SIM_OP_NONE;
	r->op_timeout = false;
	if (op == SIM_OP_RESTART) {
		sim_policy_restart_due(s, r);
	} else if (op == SIM_OP_ONLINE) {
		online_done(s, r, timed_out, why);
	} else if (op == SIM_OP_OFFLINE) {
		/* A stuck offline is terminated and left Failed; no policy runs. */
		if (timed_out)
			sim_res_set(s, r, RES_FAILED, "pending timeout");
		else if (!sim_pcmk_left_failed(s, r))
			sim_res_set(s, r, RES_OFFLINE, why);
	}
	sim_kick(s, &s->grp[r->group]);
}

/* May r be online? Its target, its own health, and recursively its providers. */
static bool up_ok(struct sim *s, const struct sim_grp *g, struct sim_res *r)
{
	if (s->memo_set[r->idx])
		return s->memo_ok[r->idx];
	s->memo_set[r->idx] = true; /* a cycle (refused at load) reads as false */
	s->memo_ok[r->idx] = false;
	/* A resource decided to go down is no provider any more: its dependents follow it. */
	bool ok = !g->moving && r->target && !r->going_down && (r->state != RES_FAILED || r->revive);
	for (size_t i = 0; ok && i < r->ndeps; i++) {
		bool any = false;
		for (size_t j = 0; !any && j < r->deps[i].n; j++)
			any = up_ok(s, g, &s->res[r->deps[i].idx[j]]);
		ok = any;
	}
	s->memo_ok[r->idx] = ok;
	return ok;
}

static bool providers_online(const struct sim *s, const struct sim_res *r)
{
	for (size_t i = 0; i < r->ndeps; i++) {
		bool any = false;
		for (size_t j = 0; !any && j < r->deps[i].n; j++)
			any = s->res[r->deps[i].idx[j]].state == RES_ONLINE;
		if (!any)
			return false;
	}
	return true;
}

/* Every dependent is down; a Failed one whose stop is still to come (Pacemaker) is not: it stops first. */
static bool dependents_down(const struct sim *s, const struct sim_res *r)
{
	for (size_t i = 0; i < r->ndependents; i++) {
		const struct sim_res *d = &s->res[r->dependents[i]];
		if (sim_res_active(d) || (d->state == RES_FAILED && d->stop_failed))
			return false;
	}
	return true;
}

/* A dependent is still on its way down: a provider (re)start waits for it (WS "concurrency rules"). */
static bool dependents_settling(const struct sim *s, const struct sim_res *r)
{
	for (size_t i = 0; i < r->ndependents; i++) {
		const struct sim_res *d = &s->res[r->dependents[i]];
		if (d->state == RES_OFFLINE_PENDING || (d->going_down && sim_res_active(d)))
			return true;
	}
	return false;
}

static bool all_down(const struct sim *s, const struct sim_grp *g)
{
	for (size_t i = 0; i < g->nres; i++) {
		const struct sim_res *r = &s->res[g->res[i]];
		if (sim_res_active(r) || (r->state == RES_FAILED && r->stop_failed))
			return false;
	}
	return true;
}

/* Take r down; `why` is the cause recorded now, r->why the one it comes back with. */
static void go_down(struct sim *s, struct sim_grp *g, struct sim_res *r, const char *why)
{
	if (r->target && !g->moving)
		r->why = "provider back online";
	start_offline(s, r, why);
}

/*
 * A provider failed while r was coming online: the start is aborted and r
 * goes offline, never Online-then-Offline (WS "concurrency rules"). Only a
 * failure can take a provider away under a pending dependent; an offline
 * waits for its dependents.
 */
static bool abort_start(struct sim *s, struct sim_grp *g, struct sim_res *r)
{
	if (r->op != SIM_OP_ONLINE || providers_online(s, r))
		return false;
	clock_timer_stop(s->clk, &r->op_timer);
	r->op = SIM_OP_NONE;
	r->op_timeout = false;
	go_down(s, g, r, "provider down");
	return true;
}

/* One pass over the group; true if anything started. */
static bool kick_pass(struct sim *s, struct sim_grp *g)
{
	bool changed = false;
	for (size_t i = 0; i < g->nres; i++)
		s->memo_set[g->res[i]] = false;
	for (size_t i = 0; i < g->nres; i++) {
		struct sim_res *r = &s->res[g->res[i]];
		if (abort_start(s, g, r)) {
			changed = true;
			continue;
		}
		if (r->op != SIM_OP_NONE)
			continue;
		if (r->state == RES_FAILED && r->stop_failed) {
			/* Pacemaker: the failed instance is stopped, after its dependents, before any start. */
			if (dependents_down(s, r)) {
				start_offline(s, r, g->moving ? g->move_why : r->blocked ? r->why : "restart");
				changed = true;
			}
			continue;
		}
		bool ok = up_ok(s, g, r);
		if (!ok && sim_res_active(r) && !r->going_down) {
			r->going_down = true; /* a decision, kept even if a provider recovers meanwhile */
			changed = true;       /* its dependents must see it in the next pass */
		}
		if (r->state == RES_ONLINE && r->going_down && dependents_down(s, r)) {
			go_down(s, g, r, g->moving ? g->move_why : !r->target ? r->why : "provider down");
			changed = true;
		} else if ((r->state == RES_OFFLINE || (r->state == RES_FAILED && r->revive)) && ok &&
		           providers_online(s, r) && !dependents_settling(s, r) && sim_node_hosts(s, g->owner)) {
			sim_start_online(s, r);
			changed = true;
		}
	}
	return changed;
}

void sim_kick(struct sim *s, struct sim_grp *g)
{
	/*
	 * Each pass aborts a start, decides a resource goes down, starts a
	 * pending state, or finishes a move; each happens at most once per
	 * resource per kick: bounded.
	 */
	for (size_t iter = 0; iter <= 3 * g->nres + 2; iter++) {
		if (kick_pass(s, g))
			continue;
		if (!g->moving || !all_down(s, g))
			return;
		sim_move_finish(s, g);
	}
}
