/*
 * sim_api.c - the operations as the cluster API answers them
 * (FailClusterResource, OfflineV2 with flags, Online, MoveClusterGroup),
 * and the read-only queries. An operation only checks, records the
 * intent and kicks the engine: consequences run on the clock's timers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "faultline/util.h"
#include "sim_impl.h"

static int refuse(long *code, long c, struct fl_err *e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Refused: nothing changed; the message ends with the Win32 code. */
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

static int accept(long *code, long c)
{
	*code = c;
	return 0;
}

static bool is_pending(const struct sim_res *r)
{
	return r->op == SIM_OP_ONLINE || r->op == SIM_OP_OFFLINE;
}

int sim_fail(struct sim *s, const char *resource, long *code, struct fl_err *e)
{
	struct sim_res *r = sim_find_res(s, resource);
	if (r == NULL)
		return refuse(code, WIN_ERROR_RESOURCE_NOT_FOUND, e, "resource \"%s\": not found", resource);
	if (r->state != RES_ONLINE)
		return refuse(code, WIN_ERROR_RESMON_INVALID_STATE, e, "resource \"%s\": not online (%s)", resource,
		              res_state_str(r->state));
	sim_res_set(s, r, RES_FAILED, "FailClusterResource");
	if (sim_pcmk(s))
		sim_pcmk_failed(s, r, false);
	else
		sim_policy_failed(s, r);
	sim_kick(s, &s->grp[r->group]);
	return accept(code, WIN_ERROR_SUCCESS);
}

#define CRASH_WHY "crashed (not yet detected)"

static void detected(void *arg)
{
	struct sim_res *r = arg;
	struct sim *s = r->sim;
	if (!r->crashed || r->state != RES_ONLINE)
		return;
	r->crashed = false;
	sim_res_set(s, r, RES_FAILED, "monitor: not running");
	if (sim_pcmk(s))
		sim_pcmk_failed(s, r, false);
	else
		sim_policy_failed(s, r);
	sim_kick(s, &s->grp[r->group]);
}

int sim_crash(struct sim *s, const char *resource, long *code, struct fl_err *e)
{
	struct sim_res *r = sim_find_res(s, resource);
	if (r == NULL)
		return refuse(code, WIN_ERROR_RESOURCE_NOT_FOUND, e, "resource \"%s\": not found", resource);
	if (r->state != RES_ONLINE || r->crashed)
		return refuse(code, WIN_ERROR_RESMON_INVALID_STATE, e, "resource \"%s\": not online (%s)", resource,
		              r->crashed ? "crashed" : res_state_str(r->state));
	struct sim_grp *g = &s->grp[r->group];
	r->crashed = true;
	/* Not a state change: the cluster still says Online. Recorded so the trace shows the truth. */
	sim_trace_add(s, SIM_OBJ_RESOURCE, r->def->name, RES_ONLINE, RES_ONLINE, sim_node_name(s, g->owner), CRASH_WHY);
	uint64_t now = clock_now(s->clk), iv = r->def->monitor_interval_ns, at = now;
	if (iv > 0)
		at = now + (iv - (now - r->online_at) % iv) % iv;
	if (iv > 0 && at == now)
		at += iv; /* the check due right now has already passed */
	clock_timer_start(s->clk, &r->detect_timer, at, detected, r);
	return accept(code, WIN_ERROR_SUCCESS);
}

/* "offline" plus every flag name, e.g. "offline [queue_enabled, ...]". */
static const char *offline_why(struct sim *s, unsigned flags, const char *dest)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), dest ? "offline to %s" : "offline", dest);
	const char *sep = " [";
	for (unsigned bit = 1; bit <= OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE; bit <<= 1) {
		if ((flags & bit) == 0 || n < 0 || (size_t)n >= sizeof(buf))
			continue;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%s", sep, offline_flag_str(bit));
		sep = ", ";
	}
	if (flags && n >= 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, "]");
	return sim_intern(s, buf);
}

/* Set target (and persistent state unless told not to) on r and everything above it. */
static void mark_down(struct sim *s, struct sim_res *r, bool persist, const char *why)
{
	r->target = false;
	r->why = why;
	if (persist)
		r->persist = false;
	for (size_t i = 0; i < r->ndependents; i++)
		mark_down(s, &s->res[r->dependents[i]], persist, why);
}

void sim_offline_failed(struct sim *s, struct sim_res *r, const char *why)
{
	clock_timer_stop(s->clk, &r->op_timer);
	clock_timer_stop(s->clk, &r->retry_timer);
	r->op = SIM_OP_NONE;
	r->revive = r->retrying = false;
	sim_res_set(s, r, RES_OFFLINE, why);
}

/* The group may move to dest: up, and a possible owner of the group and of every member. */
static int refuse_dest(struct sim *s, const struct sim_grp *g, size_t dest, long *code, struct fl_err *e)
{
	const char *node = sim_node_name(s, dest);
	if (sim_node_accepts(s, dest) && g->possible[dest])
		return 0;
	for (size_t i = 0; sim_node_accepts(s, dest) && i < g->nres; i++) {
		const struct sim_res *r = &s->res[g->res[i]];
		if (r->possible && !r->possible[dest])
			return refuse(code, WIN_ERROR_HOST_NODE_NOT_AVAILABLE, e,
			              "group \"%s\": node \"%s\" is not a possible owner of resource \"%s\"",
			              g->def->name, node, r->def->name);
	}
	return refuse(code, WIN_ERROR_HOST_NODE_NOT_AVAILABLE, e,
	              "group \"%s\": node \"%s\" is down or not a possible owner", g->def->name, node);
}

/* A move takes every member down: refused if one is locked, unless told to ignore it (WS "concurrency rules"). */
static int refuse_locked_member(const struct sim *s, const struct sim_grp *g, bool ignore, long *code, struct fl_err *e)
{
	for (size_t i = 0; !ignore && i < g->nres; i++) {
		const struct sim_res *r = &s->res[g->res[i]];
		if (r->def->locked)
			return refuse(code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS, e,
			              "group \"%s\": resource \"%s\" is locked; move needs ignore_resource_status",
			              g->def->name, r->def->name);
	}
	return 0;
}

/* The first locked resource an offline of r would take down with it, or NULL. */
static const struct sim_res *locked_dependent(const struct sim *s, const struct sim_res *r)
{
	for (size_t i = 0; i < r->ndependents; i++) {
		const struct sim_res *d = &s->res[r->dependents[i]];
		if (d->def->locked && sim_res_active(d))
			return d;
		if ((d = locked_dependent(s, d)) != NULL)
			return d;
	}
	return NULL;
}

static int offline_move(struct sim *s, struct sim_grp *g, size_t dest, unsigned flags, const char *why, long *code,
                        struct fl_err *e)
{
	if (refuse_dest(s, g, dest, code, e) < 0 ||
	    refuse_locked_member(s, g, flags & OFFLINE_IGNORE_RESOURCE_STATUS, code, e) < 0)
		return -1;
	if (sim_pcmk(s))
		sim_pcmk_move(s, g, dest); /* the backend: crm_resource --move of the group */
	sim_move_start(s, g, dest, why, flags & OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR);
	return accept(code, WIN_ERROR_IO_PENDING);
}

/*
 * Pacemaker: a plain offline is target-role=Stopped on the resource alone
 * (the group's later members stop with it and come back with it);
 * do_not_update_persistent_state is a ban on every node (the backend's):
 * the resource stops where it runs (docs/backends.md, Pacemaker).
 */
static int pcmk_offline(struct sim *s, struct sim_res *r, unsigned flags, const char *why, long *code)
{
	if (flags & OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE) {
		sim_pcmk_ban(s, r, why);
		return accept(code, WIN_ERROR_IO_PENDING);
	}
	r->target = r->persist = false;
	r->why = why;
	if (r->state == RES_FAILED)
		sim_offline_failed(s, r, why);
	sim_kick(s, &s->grp[r->group]);
	return accept(code, WIN_ERROR_IO_PENDING);
}

int sim_offline(struct sim *s, const char *resource, unsigned flags, const char *destination, long *code,
                struct fl_err *e)
{
	struct sim_res *r = sim_find_res(s, resource);
	if (r == NULL)
		return refuse(code, WIN_ERROR_RESOURCE_NOT_FOUND, e, "resource \"%s\": not found", resource);
	if (flags & ~OFFLINE_ALL_FLAGS)
		return refuse(code, WIN_ERROR_INVALID_PARAMETER, e, "resource \"%s\": unknown offline flags 0x%x",
		              resource, flags & ~OFFLINE_ALL_FLAGS);
	size_t dest = destination ? sim_find_node(s, destination) : SIM_NONE;
	if (destination && dest == SIM_NONE)
		return refuse(code, WIN_ERROR_NODE_NOT_FOUND, e, "node \"%s\": not found", destination);
	if (r->def->locked && !(flags & OFFLINE_IGNORE_RESOURCE_STATUS))
		return refuse(code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS, e,
		              "resource \"%s\": locked; offline needs %s", resource, "ignore_resource_status");
	struct sim_grp *g = &s->grp[r->group];
	if (g->moving || (is_pending(r) && !(flags & OFFLINE_QUEUE_ENABLED)))
		return refuse(code, WIN_ERROR_INVALID_STATE, e, "resource \"%s\": %s", resource,
		              g->moving ? "its group is moving" : "pending; queue_enabled not given");
	const char *why = offline_why(s, flags, dest != g->owner ? destination : NULL);
	if (dest != SIM_NONE && dest != g->owner)
		return offline_move(s, g, dest, flags, why, code, e);
	if (r->state == RES_OFFLINE)
		return accept(code, WIN_ERROR_SUCCESS);
	if (sim_pcmk(s))
		return pcmk_offline(s, r, flags, why, code);
	const struct sim_res *lk = flags & OFFLINE_IGNORE_RESOURCE_STATUS ? NULL : locked_dependent(s, r);
	if (lk != NULL)
		return refuse(code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS, e,
		              "resource \"%s\": dependent \"%s\" is locked; offline needs ignore_resource_status",
		              resource, lk->def->name);
	mark_down(s, r, !(flags & OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE), why);
	if (r->state == RES_FAILED)
		sim_offline_failed(s, r, why); /* decision: a Failed resource goes Offline */
	sim_kick(s, g);
	return accept(code, WIN_ERROR_IO_PENDING);
}

void sim_mark_up(struct sim *s, struct sim_res *r)
{
	r->target = r->persist = true;
	r->why = "online";
	if (r->state == RES_FAILED) {
		if (r->op == SIM_OP_RESTART)
			clock_timer_stop(s->clk, &r->op_timer);
		clock_timer_stop(s->clk, &r->retry_timer);
		r->op = SIM_OP_NONE;
		r->revive = true;
		r->retrying = false;
	}
	for (size_t i = 0; i < r->ndeps; i++)
		for (size_t j = 0; j < r->deps[i].n; j++)
			sim_mark_up(s, &s->res[r->deps[i].idx[j]]);
}

/* Pacemaker: online deletes the backend's bans, else cleans a Failed resource up (sim_pcmk_clear); the scheduler
 * places. */
static int pcmk_online(struct sim *s, struct sim_res *r, long *code)
{
	bool was_online = r->state == RES_ONLINE;
	sim_pcmk_online(s, r); /* after online_reaction_time */
	return accept(code, was_online ? WIN_ERROR_SUCCESS : WIN_ERROR_IO_PENDING);
}

int sim_online(struct sim *s, const char *resource, long *code, struct fl_err *e)
{
	struct sim_res *r = sim_find_res(s, resource);
	if (r == NULL)
		return refuse(code, WIN_ERROR_RESOURCE_NOT_FOUND, e, "resource \"%s\": not found", resource);
	if (sim_pcmk(s)) /* also during a move: the scheduler takes it when the move's stops are done */
		return pcmk_online(s, r, code);
	if (r->state == RES_ONLINE)
		return accept(code, WIN_ERROR_SUCCESS);
	struct sim_grp *g = &s->grp[r->group];
	if (g->moving || is_pending(r))
		return refuse(code, WIN_ERROR_INVALID_STATE, e, "resource \"%s\": %s", resource,
		              g->moving ? "its group is moving" : "pending");
	sim_mark_up(s, r);
	sim_kick(s, g);
	return accept(code, WIN_ERROR_IO_PENDING);
}

int sim_move_group(struct sim *s, const char *group, const char *node, unsigned flags, long *code, struct fl_err *e)
{
	struct sim_grp *g = sim_find_grp(s, group);
	if (g == NULL)
		return refuse(code, WIN_ERROR_GROUP_NOT_FOUND, e, "group \"%s\": not found", group);
	size_t dest = node ? sim_find_node(s, node) : sim_next_node(s, g, false);
	if (node && dest == SIM_NONE)
		return refuse(code, WIN_ERROR_NODE_NOT_FOUND, e, "node \"%s\": not found", node);
	if (dest == SIM_NONE)
		return refuse(code, WIN_ERROR_HOST_NODE_NOT_AVAILABLE, e, "group \"%s\": no other node available",
		              group);
	if (flags & ~MOVE_ALL_FLAGS)
		return refuse(code, WIN_ERROR_INVALID_PARAMETER, e, "group \"%s\": unknown move flags 0x%x", group,
		              flags & ~MOVE_ALL_FLAGS);
	if (g->moving)
		return refuse(code, WIN_ERROR_INVALID_STATE, e, "group \"%s\": already moving", group);
	if (dest == g->owner)
		return accept(code, WIN_ERROR_SUCCESS);
	if (refuse_dest(s, g, dest, code, e) < 0 ||
	    refuse_locked_member(s, g, flags & MOVE_IGNORE_RESOURCE_STATUS, code, e) < 0)
		return -1;
	if (sim_pcmk(s)) /* the backend: crm_resource --move (cli-prefer, or cli-ban of its node without one) */
		sim_pcmk_move(s, g, node ? dest : SIM_NONE);
	sim_move_start(s, g, dest, "move", flags & MOVE_RETURN_TO_SOURCE_NODE_ON_ERROR);
	return accept(code, WIN_ERROR_IO_PENDING);
}

enum res_state sim_resource_state(const struct sim *s, const char *resource)
{
	const struct sim_res *r = sim_find_res(s, resource);
	return r ? r->state : RES_UNKNOWN;
}

enum group_state sim_group_state(const struct sim *s, const char *group)
{
	const struct sim_grp *g = sim_find_grp(s, group);
	return g ? g->state : GRP_UNKNOWN;
}

const char *sim_group_owner(const struct sim *s, const char *group)
{
	const struct sim_grp *g = sim_find_grp(s, group);
	return g ? sim_node_name(s, g->owner) : NULL;
}

bool sim_resource_persistent(const struct sim *s, const char *resource)
{
	const struct sim_res *r = sim_find_res(s, resource);
	return r && r->persist;
}

const struct sim_resource_def *sim_resource_def(const struct sim *s, const char *resource)
{
	const struct sim_res *r = sim_find_res(s, resource);
	return r ? r->def : NULL;
}

void sim_set_observer(struct sim *s, sim_observer_cb cb, void *arg)
{
	s->obs = cb;
	s->obs_arg = arg;
}
