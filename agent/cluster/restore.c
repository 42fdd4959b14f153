/*
 * restore.c - bring touched resources back to their pre-run state.
 *
 * Shared by the run engine and journal reconciliation. It corrects what
 * differs: the group is moved back to its owner, resources that were online
 * are brought online, resources brought online are taken offline again. One
 * correction per pass, pending states settle first, at most
 * RESTORE_MAX_ATTEMPTS per resource, and nothing is "restored" until a fresh
 * snapshot of the cluster says so.
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

static void say(const struct restore_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct restore_ctx *c, const char *fmt, ...)
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

static bool matches(const struct touched *t, const struct cluster_snapshot *s)
{
	const struct cluster_resource *now = cluster_snapshot_resource(s, t->resource);
	if (now == NULL)
		return false;
	if (t->group && t->owner) {
		const char *o = owner_now(s, t->group);
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
	if (t->owner && o && strcmp(o, t->owner) != 0) {
		snprintf(what, len, "move group \"%s\" back to %s", t->group, t->owner);
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

/* One corrective step for item it; returns true if it acted. */
static bool correct(const struct restore_ctx *c, struct restore_item *items, size_t n, struct restore_item *it,
                    const struct cluster_snapshot *s, uint64_t now)
{
	const struct touched *t = it->t;
	const struct cluster_resource *cur = cluster_snapshot_resource(s, t->resource);
	if (cur == NULL || it->attempts >= RESTORE_MAX_ATTEMPTS || now < it->next_try || group_pending(s, t->group) ||
	    is_pending(cur->state))
		return false;
	char what[256];
	int how = pick(t, cur, t->group ? owner_now(s, t->group) : NULL, what, sizeof(what));
	if (how == 0 || (how == 'm' && group_move_in_flight(items, n, it, now)))
		return false;
	long code = 0;
	struct fl_err e = {0};
	const struct cluster_ops *ops = c->cl->ops;
	int rc = how == 'm'   ? ops->move_group(c->cl, t->group, t->owner, &code, &e)
	         : how == 'u' ? ops->online(c->cl, t->resource, &code, &e)
	                      : ops->offline(c->cl, t->resource, 0, NULL, &code, &e);
	it->attempts++;
	it->next_try = now + RESTORE_RETRY_NS;
	free(it->action);
	it->action = xstrdup(what);
	char how_text[64];
	/* A group move is about the group, not whichever of its resources was listed first. */
	if (how == 'm')
		say(c, "restore group \"%s\": move back to %s: %s%s%s%s", t->group, t->owner,
		    rc < 0 ? "refused" : "accepted", cluster_code_text(code, how_text, sizeof(how_text)),
		    rc < 0 ? ": " : "", rc < 0 ? e.msg : "");
	else
		say(c, "restore \"%s\": %s: %s%s%s%s", t->resource, what, rc < 0 ? "refused" : "accepted",
		    cluster_code_text(code, how_text, sizeof(how_text)), rc < 0 ? ": " : "", rc < 0 ? e.msg : "");
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

static int record_results(struct restore_item *items, size_t n, const struct cluster_snapshot *s, bool have_snap,
                          struct run_record *rec)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct touched *t = items[i].t;
		XGROW(rec->restores, rec->caprestores, rec->nrestores + 1);
		struct rec_restore *rr = &rec->restores[rec->nrestores++];
		rr->resource = xstrdup(t->resource);
		rr->action = xstrdup(items[i].action ? items[i].action : moved_with_group(items, n, i));
		rr->ok = have_snap && matches(t, s);
		const struct cluster_resource *cur = have_snap ? cluster_snapshot_resource(s, t->resource) : NULL;
		const char *o = have_snap && t->group ? owner_now(s, t->group) : NULL;
		rr->detail = xasprintf("%s: %s on %s (before the run: %s on %s)", rr->ok ? "verified" : "NOT RESTORED",
		                       cur ? res_state_str(cur->state) : "unknown", o ? o : "?",
		                       res_state_str(t->state), t->owner ? t->owner : "?");
		if (!rr->ok) {
			log_warnx("restore \"%s\" FAILED: %s; the cluster needs an operator", t->resource, rr->detail);
			rc = -1;
		}
	}
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
                             struct cluster_snapshot *s, bool *have, uint64_t hands_off_until)
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
			if (now >= hands_off_until && correct(c, items, n, &items[i], s, now))
				return PASS_ACTED; /* one correction at a time */
		}
	return done ? PASS_DONE : stuck ? PASS_STUCK : PASS_WAIT;
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
	bool cleaned = false;
	uint64_t hands_off_until = 0;
	enum pass_result pr;
	while ((pr = pass(c, items, n, &s, &have, hands_off_until)) != PASS_STUCK) {
		if (pr == PASS_ACTED)
			cleaned = false; /* what we just did may leave backend state: clean up again at the end */
		if (pr == PASS_DONE && (cleaned || c->cl->ops->cleanup == NULL))
			break;
		if (pr == PASS_DONE) {
			/* fail counts, constraints: then verify again, the cleanup may restart things */
			struct fl_err e;
			cleaned = true;
			if (c->cl->ops->cleanup(c->cl, &e) < 0)
				say(c, "restore: backend cleanup: %s", e.msg);
			else
				say(c, "restore: backend cleanup done (fail counts, constraints)");
			/*
			 * A cleanup can make a running resource look stopped for about a second
			 * (Pacemaker re-probes it): watch, but do not "correct" that flicker.
			 */
			hands_off_until = clock_now(c->clk) + RESTORE_SETTLE_NS;
		}
		uint64_t now = clock_now(c->clk);
		if (now >= deadline)
			break;
		clock_timer_start(c->clk, &poll, now + RESTORE_POLL_NS < deadline ? now + RESTORE_POLL_NS : deadline,
		                  on_poll, NULL);
		loop_run_once(c->loop);
	}
	clock_timer_stop(c->clk, &poll);
	int rc = record_results(items, n, &s, have, rec);
	say(c, "restore: %s (%zu resource(s) checked)", rc == 0 ? "everything verified" : "INCOMPLETE", n);
	if (have)
		cluster_snapshot_free(&s);
	for (size_t i = 0; i < n; i++)
		free(items[i].action);
	free(items);
	return rc;
}
