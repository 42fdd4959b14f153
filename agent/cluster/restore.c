/*
 * restore.c - bring touched resources back to their pre-run state.
 *
 * Shared by the run engine and journal reconciliation. First it undoes, item
 * by item, what the backend recorded before each action (constraints,
 * attributes, fail counts: struct cluster_undo), whatever state the
 * resources are in: a resource that can only come back after a cleanup
 * must get it. Then it corrects what differs: the group (or a standalone
 * resource) is moved back to its pre-run node, resources that were online
 * are brought online, resources brought online are taken offline again.
 * What undoes those corrections is recorded first and undone once all
 * matches. One correction per pass, pending states settle first, at most
 * RESTORE_MAX_ATTEMPTS per resource, and nothing is "restored" until a fresh
 * snapshot of the cluster says so and the backend finds none of its undo
 * items left over.
 */
#include "faultline/restore.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/testkill.h"
#include "faultline/util.h"

#define RESTORE_SETTLE_NS    (3 * NSEC_PER_SEC)
#define RESTORE_POLL_NS      (100 * NSEC_PER_MSEC)
#define RESTORE_RETRY_NS     (2 * NSEC_PER_SEC)
#define RESTORE_MAX_ATTEMPTS 5

struct restore_item {
	const struct touched *t;
	int attempts;
	uint64_t next_try;
	char *action; /* what we did last, owned */
};

void touched_fini(struct touched *t)
{
	free(t->resource);
	free(t->group);
	free(t->owner);
	memset(t, 0, sizeof(*t));
}

void restore_say(const struct restore_ctx *c, const char *fmt, ...)
{
	if (c->progress == NULL)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->progress(c->arg, msg);
}

static bool is_pending(int st)
{
	return st == RES_PENDING || st == RES_ONLINE_PENDING || st == RES_OFFLINE_PENDING || st == RES_INITIALIZING;
}

static const char *owner_now(const struct cluster_snapshot *s, const char *group)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i].name, group) == 0)
			return s->groups[i].owner;
	return NULL;
}

/* Where t is now: its group's owner, or its own node when standalone. */
static const char *node_now(const struct touched *t, const struct cluster_snapshot *s)
{
	if (t->group)
		return owner_now(s, t->group);
	const struct cluster_resource *now = cluster_snapshot_resource(s, t->resource);
	return now ? now->owner : NULL;
}

/* Standalone and stopped before the run: it had no node to go back to. */
static bool placed(const struct touched *t)
{
	return t->owner != NULL && (t->group != NULL || t->state == RES_ONLINE);
}

static bool matches(const struct touched *t, const struct cluster_snapshot *s)
{
	const struct cluster_resource *now = cluster_snapshot_resource(s, t->resource);
	if (now == NULL)
		return false;
	if (placed(t)) {
		const char *o = node_now(t, s);
		if (o == NULL || strcmp(o, t->owner) != 0)
			return false;
	}
	bool was_online = t->state == RES_ONLINE;
	return was_online ? now->state == RES_ONLINE : now->state != RES_ONLINE && !is_pending(now->state);
}

static bool group_pending(const struct cluster_snapshot *s, const char *group)
{
	for (size_t i = 0; group && i < s->ngroups; i++) /* e.g. a move between two of its resources' steps */
		if (strcmp(s->groups[i].name, group) == 0 && s->groups[i].state == GRP_PENDING)
			return true;
	for (size_t i = 0; group && i < s->nresources; i++)
		if (s->resources[i].group && strcmp(s->resources[i].group, group) == 0 &&
		    is_pending(s->resources[i].state))
			return true;
	return false;
}

/* Which call puts t back, described in what; 0 if nothing to do. */
static int pick(const struct touched *t, const struct cluster_resource *cur, const char *o, char *what, size_t len)
{
	if (placed(t) && o && strcmp(o, t->owner) != 0) {
		snprintf(what, len, "move %s \"%s\" back to %s", t->group ? "group" : "resource",
		         t->group ? t->group : t->resource, t->owner);
		return 'm';
	}
	if (t->state == RES_ONLINE && cur->state != RES_ONLINE) {
		snprintf(what, len, "online (was %s)", res_state_str(cur->state));
		return 'u';
	}
	if (t->state != RES_ONLINE && cur->state == RES_ONLINE) {
		snprintf(what, len, "offline (was %s before the run)", res_state_str(t->state));
		return 'd';
	}
	return 0;
}

/*
 * A move of `group` was accepted for another item and has not had its retry
 * interval yet: the cluster may not show it in progress at once (ClusAPI
 * answers ERROR_IO_PENDING before the first resource leaves), and moving the
 * group again would be a second move of a group already moving.
 */
static bool group_move_in_flight(const struct restore_item *items, size_t n, const struct restore_item *it,
                                 uint64_t now)
{
	for (size_t k = 0; it->t->group != NULL && k < n; k++)
		if (&items[k] != it && items[k].action != NULL && now < items[k].next_try &&
		    items[k].t->group != NULL && strcmp(items[k].t->group, it->t->group) == 0 &&
		    strncmp(items[k].action, "move group", 10) == 0)
			return true;
	return false;
}

/*
 * Record what undoes the corrective action first (journaled when there is a
 * journal). An item whose key was undone already is appended again with its
 * pre-run value, since this action changes it once more.
 */
static int plan_undo(const struct restore_ctx *c, size_t undone, enum cluster_act act, const char *target,
                     const char *destination, struct fl_err *e)
{
	const struct cluster_ops *ops = c->cl->ops;
	if (ops->undo_plan == NULL || c->undo == NULL)
		return 0;
	struct cluster_undo add = {0};
	int rc = ops->undo_plan(c->cl, act, target, 0, destination, &add, e);
	size_t first = c->undo->n;
	for (size_t i = 0; rc == 0 && i < add.n; i++) {
		long at = cluster_undo_find(c->undo, add.items[i]);
		if (at < 0)
			cluster_undo_push(c->undo, add.items[i]);
		else if ((size_t)at < undone)
			cluster_undo_push(c->undo, c->undo->items[at]);
	}
	cluster_undo_fini(&add);
	if (rc == 0 && c->record != NULL && c->undo->n > first)
		rc = c->record(c->record_arg, (const char *const *)c->undo->items + first, c->undo->n - first, e);
	return rc;
}

/* One corrective step for item it; returns true if it acted. */
static bool correct(const struct restore_ctx *c, struct restore_item *items, size_t n, struct restore_item *it,
                    const struct cluster_snapshot *s, uint64_t now, size_t undone)
{
	const struct touched *t = it->t;
	const struct cluster_resource *cur = cluster_snapshot_resource(s, t->resource);
	if (cur == NULL || it->attempts >= RESTORE_MAX_ATTEMPTS || now < it->next_try || group_pending(s, t->group) ||
	    is_pending(cur->state))
		return false;
	char what[256];
	int how = pick(t, cur, node_now(t, s), what, sizeof(what));
	if (how == 0 || (how == 'm' && group_move_in_flight(items, n, it, now)))
		return false;
	long code = 0;
	struct fl_err e = {0};
	const struct cluster_ops *ops = c->cl->ops;
	const char *moved = t->group ? t->group : t->resource;
	enum cluster_act act = how == 'm' ? CLUSTER_ACT_MOVE : how == 'u' ? CLUSTER_ACT_ONLINE : CLUSTER_ACT_OFFLINE;
	int rc = plan_undo(c, undone, act, how == 'm' ? moved : t->resource, how == 'm' ? t->owner : NULL, &e);
	if (rc < 0)
		err_wrap(&e, "not acting: what undoes it could not be recorded");
	else if (how == 'm')
		rc = ops->move_group(c->cl, moved, t->owner, &code, &e);
	else
		rc = how == 'u' ? ops->online(c->cl, t->resource, &code, &e)
		                : ops->offline(c->cl, t->resource, 0, NULL, &code, &e);
	it->attempts++;
	it->next_try = now + RESTORE_RETRY_NS;
	free(it->action);
	it->action = xstrdup(what);
	char how_text[64];
	/* A group move is about the group, not whichever of its resources was listed first. */
	if (how == 'm')
		restore_say(c, "restore group \"%s\": move back to %s: %s%s%s%s", t->group, t->owner,
		            rc < 0 ? "refused" : "accepted", cluster_code_text(code, how_text, sizeof(how_text)),
		            rc < 0 ? ": " : "", rc < 0 ? e.msg : "");
	else
		restore_say(c, "restore \"%s\": %s: %s%s%s%s", t->resource, what, rc < 0 ? "refused" : "accepted",
		            cluster_code_text(code, how_text, sizeof(how_text)), rc < 0 ? ": " : "",
		            rc < 0 ? e.msg : "");
	testkill_at("restore-action");
	return true;
}

static void on_poll(void *arg)
{
	(void)arg; /* only wakes the loop */
}

/* What happened to an item the restore did not act on itself. */
static const char *moved_with_group(const struct restore_item *items, size_t n, size_t i)
{
	const char *g = items[i].t->group;
	for (size_t k = 0; g != NULL && k < n; k++)
		if (k != i && items[k].action != NULL && items[k].t->group != NULL &&
		    strcmp(items[k].t->group, g) == 0 && strncmp(items[k].action, "move group", 10) == 0)
			return "came back with its group";
	return "nothing to do";
}

/* Undo items still on the cluster, as text for item i's detail (NULL if none); owned. */
static char *leftovers(const struct restore_ctx *c, const struct touched *t, const bool *mine)
{
	const struct cluster_ops *ops = c->cl->ops;
	char *out = NULL;
	for (size_t k = 0; c->undo != NULL && ops->undo_left != NULL && k < c->undo->n; k++) {
		const char *item = c->undo->items[k];
		char obj[256], why[512], shown[512];
		cluster_undo_object(item, obj, sizeof(obj));
		bool its = strcmp(obj, t->resource) == 0 || (t->group && strcmp(obj, t->group) == 0) || !mine[k];
		if (!its || cluster_undo_find(c->undo, item) != (long)k) /* one check per key */
			continue;
		struct fl_err e = {0};
		int left = ops->undo_left(c->cl, item, why, sizeof(why), &e);
		if (left == 0)
			continue;
		char *n = left > 0 ? xasprintf("%s%sleft over: %s", out ? out : "", out ? "; " : "", why)
		                   : xasprintf("%s%scannot check \"%s\": %s", out ? out : "", out ? "; " : "",
		                               cluster_undo_str(item, shown, sizeof(shown)), e.msg);
		free(out);
		out = n;
	}
	return out;
}

static int record_results(const struct restore_ctx *c, struct restore_item *items, size_t n,
                          const struct cluster_snapshot *s, bool have_snap, struct run_record *rec)
{
	int rc = 0;
	/* An item that belongs to no touched resource is charged to every one: never lost. */
	size_t nu = c->undo ? c->undo->n : 0;
	bool *mine = xcalloc(nu ? nu : 1, sizeof(bool));
	for (size_t k = 0; k < nu; k++) {
		char obj[256];
		cluster_undo_object(c->undo->items[k], obj, sizeof(obj));
		for (size_t i = 0; i < n && !mine[k]; i++)
			mine[k] = strcmp(obj, items[i].t->resource) == 0 ||
			          (items[i].t->group && strcmp(obj, items[i].t->group) == 0);
	}
	for (size_t i = 0; i < n; i++) {
		const struct touched *t = items[i].t;
		XGROW(rec->restores, rec->caprestores, rec->nrestores + 1);
		struct rec_restore *rr = &rec->restores[rec->nrestores++];
		rr->resource = xstrdup(t->resource);
		rr->action = xstrdup(items[i].action ? items[i].action : moved_with_group(items, n, i));
		char *left = leftovers(c, t, mine);
		rr->ok = have_snap && matches(t, s) && left == NULL;
		const struct cluster_resource *cur = have_snap ? cluster_snapshot_resource(s, t->resource) : NULL;
		const char *o = have_snap ? node_now(t, s) : NULL;
		rr->detail =
		    xasprintf("%s: %s on %s (before the run: %s on %s)%s%s", rr->ok ? "verified" : "NOT RESTORED",
		              cur ? res_state_str(cur->state) : "unknown", o ? o : "no node", res_state_str(t->state),
		              t->owner ? t->owner : "no node", left ? "; " : "", left ? left : "");
		free(left);
		if (!rr->ok) {
			log_warnx("restore \"%s\" FAILED: %s; the cluster needs an operator", t->resource, rr->detail);
			rc = -1;
		}
	}
	free(mine);
	return rc;
}

/* Nothing more can be done for it: gone from the cluster, or out of attempts and settled. */
static bool hopeless(const struct restore_item *it, const struct cluster_snapshot *s, uint64_t now)
{
	if (cluster_snapshot_resource(s, it->t->resource) == NULL)
		return true;
	return it->attempts >= RESTORE_MAX_ATTEMPTS && now >= it->next_try && !group_pending(s, it->t->group);
}

enum pass_result { PASS_DONE, PASS_WAIT, PASS_ACTED, PASS_STUCK };

/* One pass: snapshot, and correct the first item that differs (not before hands_off_until). */
static enum pass_result pass(const struct restore_ctx *c, struct restore_item *items, size_t n,
                             struct cluster_snapshot *s, bool *have, uint64_t hands_off_until, size_t undone)
{
	struct fl_err e;
	if (*have)
		cluster_snapshot_free(s);
	*have = c->cl->ops->snapshot(c->cl, s, &e) == 0;
	if (!*have)
		return PASS_WAIT;
	uint64_t now = clock_now(c->clk);
	bool done = true, stuck = true;
	for (size_t i = 0; i < n; i++)
		if (!matches(items[i].t, s)) {
			done = false;
			stuck = stuck && hopeless(&items[i], s, now);
			if (now >= hands_off_until && correct(c, items, n, &items[i], s, now, undone))
				return PASS_ACTED; /* one correction at a time */
		}
	return done ? PASS_DONE : stuck ? PASS_STUCK : PASS_WAIT;
}

/* Undo items [from, n) in reverse order, each once; returns whether any was undone. */
static bool undo_from(const struct restore_ctx *c, size_t from)
{
	const struct cluster_ops *ops = c->cl->ops;
	if (c->undo == NULL || ops->undo == NULL)
		return false;
	for (size_t k = c->undo->n; k-- > from;) {
		char shown[512];
		struct fl_err e = {0};
		const char *item = c->undo->items[k];
		cluster_undo_str(item, shown, sizeof(shown));
		if (ops->undo(c->cl, item, &e) < 0)
			restore_say(c, "restore: undo \"%s\": FAILED: %s", shown, e.msg);
		else
			restore_say(c, "restore: undo \"%s\": done", shown);
		testkill_at("restore-undo");
	}
	return c->undo->n > from;
}

/*
 * Wait (bounded by the deadline) until the backend says nothing is pending,
 * so a pass never corrects, nor verifies, a state the cluster is leaving.
 * Not settling in time is said, and the restore goes on judging what it sees.
 */
static void settle(const struct restore_ctx *c, uint64_t deadline)
{
	const struct cluster_ops *ops = c->cl->ops;
	uint64_t now = clock_now(c->clk);
	struct fl_err e;
	if (ops->settle != NULL && now < deadline && ops->settle(c->cl, deadline - now, &e) < 0)
		restore_say(c, "restore: the cluster did not settle: %s", e.msg);
}

int restore_touched(const struct restore_ctx *c, const struct touched *touched, size_t n, struct run_record *rec)
{
	uint64_t deadline = clock_now(c->clk) + (c->timeout_ns ? c->timeout_ns : 120 * NSEC_PER_SEC);
	struct restore_item *items = xcalloc(n ? n : 1, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i].t = &touched[i];
	struct fl_timer poll;
	clock_timer_init(&poll);
	struct cluster_snapshot s;
	memset(&s, 0, sizeof(s));
	bool have = false;
	/*
	 * Undo first, not gated on anything: fail counts must go before a
	 * resource left stopped by them can come back. Pacemaker re-probes after
	 * a cleanup (a running resource can look stopped for about a second):
	 * watch, but do not "correct" that flicker.
	 */
	size_t undone = c->undo ? c->undo->n : 0;
	uint64_t hands_off_until = undo_from(c, 0) ? clock_now(c->clk) + RESTORE_SETTLE_NS : 0;
	settle(c, deadline); /* a node the restore just brought back is still being integrated */
	enum pass_result pr;
	bool settled = c->cl->ops->settle == NULL; /* the last PASS_DONE was seen on a settled cluster */
	while ((pr = pass(c, items, n, &s, &have, hands_off_until, undone)) != PASS_STUCK) {
		uint64_t now = clock_now(c->clk);
		if (pr != PASS_DONE)
			settled = c->cl->ops->settle == NULL;
		if (pr == PASS_DONE && c->undo != NULL && undone < c->undo->n) {
			/* what the corrections left (a move back's constraint): undo it, then verify again */
			size_t from = undone;
			undone = c->undo->n;
			undo_from(c, from);
			hands_off_until = clock_now(c->clk) + RESTORE_SETTLE_NS;
		} else if (pr == PASS_DONE && now >= hands_off_until) {
			if (settled || now >= deadline)
				break;
			settle(c, deadline); /* then verify once more, on a cluster with nothing pending */
			settled = true;
			continue;
		}
		now = clock_now(c->clk);
		if (now >= deadline)
			break;
		clock_timer_start(c->clk, &poll, now + RESTORE_POLL_NS < deadline ? now + RESTORE_POLL_NS : deadline,
		                  on_poll, NULL);
		loop_run_once(c->loop);
	}
	clock_timer_stop(c->clk, &poll);
	int rc = record_results(c, items, n, &s, have, rec);
	size_t nu = c->undo ? c->undo->n : 0;
	char items_[48] = "";
	if (nu > 0)
		snprintf(items_, sizeof(items_), ", %zu undo item(s)", nu);
	restore_say(c, "restore: %s (%zu resource(s) checked%s)", rc == 0 ? "everything verified" : "INCOMPLETE", n,
	            items_);
	if (have)
		cluster_snapshot_free(&s);
	for (size_t i = 0; i < n; i++)
		free(items[i].action);
	free(items);
	return rc;
}
