/*
 * run_restore.c - put back what the run touched.
 *
 * The run remembers, before its first injection on a resource, the owner of
 * the resource's group and the state of every resource in that group. At
 * the end (normal, abort or signal) it corrects what differs: the group is
 * moved back to its owner, resources that were online are brought online,
 * resources the run brought online are taken offline again. It waits for
 * pending states to settle between corrections, retries a bounded number of
 * times, and verifies against the cluster before it says "restored".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/log.h"
#include "faultline/util.h"
#include "run_int.h"

#define RESTORE_POLL_NS      (100 * NSEC_PER_MSEC)
#define RESTORE_RETRY_NS     (2 * NSEC_PER_SEC)
#define RESTORE_MAX_ATTEMPTS 5

static bool noted(const struct run *r, const char *resource)
{
	for (size_t i = 0; i < r->ntouched; i++)
		if (strcmp(r->touched[i].resource, resource) == 0)
			return true;
	return false;
}

static void note_one(struct run *r, const struct cluster_resource *res)
{
	if (noted(r, res->name))
		return;
	XGROW(r->touched, r->captouched, r->ntouched + 1);
	struct touched *t = &r->touched[r->ntouched++];
	t->resource = xstrdup(res->name);
	t->group = res->group ? xstrdup(res->group) : NULL;
	t->owner = res->owner ? xstrdup(res->owner) : NULL;
	t->state = res->state;
}

void restore_note(struct run *r, const char *resource)
{
	const struct cluster_resource *res = watch_find(r, resource);
	if (res == NULL)
		return;
	/* A failover moves the whole group: remember all of it (the watch set holds it). */
	for (size_t i = 0; i < r->nwatch; i++) {
		const struct cluster_resource *o = r->watch[i];
		if (o == res || (res->group && o->group && strcmp(o->group, res->group) == 0))
			note_one(r, o);
	}
}

static bool is_pending(int st)
{
	return st == RES_PENDING || st == RES_ONLINE_PENDING || st == RES_OFFLINE_PENDING || st == RES_INITIALIZING;
}

struct restore_item {
	struct touched *t;
	int attempts;
	uint64_t next_try;
	char *action; /* what we did last, owned */
};

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
	for (size_t i = 0; group && i < s->nresources; i++)
		if (s->resources[i].group && strcmp(s->resources[i].group, group) == 0 &&
		    is_pending(s->resources[i].state))
			return true;
	return false;
}

/* One corrective step for item it; returns true if it acted. */
static bool correct(struct run *r, struct restore_item *it, const struct cluster_snapshot *s, uint64_t now)
{
	struct touched *t = it->t;
	const struct cluster_resource *cur = cluster_snapshot_resource(s, t->resource);
	if (cur == NULL || it->attempts >= RESTORE_MAX_ATTEMPTS || now < it->next_try || group_pending(s, t->group) ||
	    is_pending(cur->state))
		return false;
	long code = 0;
	struct fl_err e = {0};
	int rc;
	char what[256];
	const char *o = t->group ? owner_now(s, t->group) : NULL;
	if (t->owner && o && strcmp(o, t->owner) != 0) {
		snprintf(what, sizeof(what), "move group \"%s\" back to %s", t->group, t->owner);
		rc = r->cl->ops->move_group(r->cl, t->group, t->owner, &code, &e);
	} else if (t->state == RES_ONLINE && cur->state != RES_ONLINE) {
		snprintf(what, sizeof(what), "online (was %s)", res_state_str(cur->state));
		rc = r->cl->ops->online(r->cl, t->resource, &code, &e);
	} else if (t->state != RES_ONLINE && cur->state == RES_ONLINE) {
		snprintf(what, sizeof(what), "offline (was %s before the run)", res_state_str(t->state));
		rc = r->cl->ops->offline(r->cl, t->resource, 0, NULL, &code, &e);
	} else {
		return false;
	}
	it->attempts++;
	it->next_try = now + RESTORE_RETRY_NS;
	free(it->action);
	it->action = xstrdup(what);
	run_progress(r, "restore \"%s\": %s: %s (code %ld)%s%s", t->resource, what, rc < 0 ? "refused" : "accepted",
	             code, rc < 0 ? ": " : "", rc < 0 ? e.msg : "");
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

static void record_results(struct run *r, struct restore_item *items, const struct cluster_snapshot *s, bool have_snap)
{
	struct run_record *rec = r->rec;
	for (size_t i = 0; i < r->ntouched; i++) {
		struct touched *t = items[i].t;
		XGROW(rec->restores, rec->caprestores, rec->nrestores + 1);
		struct rec_restore *rr = &rec->restores[rec->nrestores++];
		rr->resource = xstrdup(t->resource);
		rr->action = xstrdup(items[i].action ? items[i].action : moved_with_group(items, r->ntouched, i));
		rr->ok = have_snap && matches(t, s);
		const struct cluster_resource *cur = have_snap ? cluster_snapshot_resource(s, t->resource) : NULL;
		const char *o = have_snap && t->group ? owner_now(s, t->group) : NULL;
		rr->detail = xasprintf("%s: %s on %s (before the run: %s on %s)", rr->ok ? "verified" : "NOT RESTORED",
		                       cur ? res_state_str(cur->state) : "unknown", o ? o : "?",
		                       res_state_str(t->state), t->owner ? t->owner : "?");
		if (!rr->ok)
			log_warnx("restore \"%s\" FAILED: %s; the cluster needs an operator", t->resource, rr->detail);
	}
}

int restore_all(struct run *r)
{
	if (r->plan->guards.restore == RESTORE_NEVER) {
		run_progress(r, "restore: never (plan says so); %zu resource(s) left as they are", r->ntouched);
		return 0;
	}
	r->phase = PH_RESTORE;
	uint64_t timeout = r->opts->restore_timeout_ns ? r->opts->restore_timeout_ns : 120 * NSEC_PER_SEC;
	uint64_t deadline = clock_now(r->clk) + timeout;
	struct restore_item *items = xcalloc(r->ntouched ? r->ntouched : 1, sizeof(*items));
	for (size_t i = 0; i < r->ntouched; i++)
		items[i].t = &r->touched[i];
	struct fl_timer poll;
	clock_timer_init(&poll);
	struct cluster_snapshot s;
	bool have = false, done = false, cleaned = false;
	while (!done) {
		struct fl_err e;
		if (have)
			cluster_snapshot_free(&s);
		have = r->cl->ops->snapshot(r->cl, &s, &e) == 0;
		uint64_t now = clock_now(r->clk);
		done = have;
		for (size_t i = 0; have && i < r->ntouched; i++)
			if (!matches(items[i].t, &s)) {
				done = false;
				/* one correction per group at a time */
				if (correct(r, &items[i], &s, now))
					break;
			}
		if (done && !cleaned && r->cl->ops->cleanup != NULL) {
			/* fail counts, constraints: then verify again, the cleanup may restart things */
			cleaned = true;
			done = false;
			if (r->cl->ops->cleanup(r->cl, &e) < 0)
				run_progress(r, "restore: backend cleanup: %s", e.msg);
			else
				run_progress(r, "restore: backend cleanup done (fail counts, constraints)");
		}
		if (done || now >= deadline)
			break;
		clock_timer_start(r->clk, &poll, now + RESTORE_POLL_NS < deadline ? now + RESTORE_POLL_NS : deadline,
		                  on_poll, NULL);
		loop_run_once(r->loop);
	}
	clock_timer_stop(r->clk, &poll);
	record_results(r, items, &s, have);
	int rc = 0;
	for (size_t i = 0; i < r->rec->nrestores; i++)
		if (!r->rec->restores[i].ok)
			rc = -1;
	run_progress(r, "restore: %s (%zu resource(s) checked)", rc == 0 ? "everything verified" : "INCOMPLETE",
	             r->ntouched);
	if (have)
		cluster_snapshot_free(&s);
	for (size_t i = 0; i < r->ntouched; i++)
		free(items[i].action);
	free(items);
	return rc;
}
