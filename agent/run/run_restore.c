/*
 * run_restore.c - remember what the run touches, and put it back.
 *
 * Before its first injection on a resource the run notes the owner of the
 * resource's group and the state of every resource in that group (that is
 * also what the journal's INTENT record carries). At the end (normal, abort
 * or signal) restore.c corrects what differs and verifies it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/restore.h"
#include "faultline/util.h"
#include "run_int.h"

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

void run_note_touched(struct run *r, const char *resource)
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

static void progress(void *arg, const char *msg)
{
	run_progress(arg, "%s", msg);
}

int run_restore_touched(struct run *r)
{
	if (r->plan->guards.restore == RESTORE_NEVER) {
		run_progress(r, "restore: never (plan says so); %zu resource(s) left as they are", r->ntouched);
		return 0;
	}
	r->phase = PH_RESTORE;
	int undone = run_undo_all(r); /* the exec faults' own undo first: they may have stopped what the rest needs */
	int nodes = node_restore(r);  /* a group can only go back to a node that is up */
	struct restore_ctx c = {
	    .cl = r->cl,
	    .clk = r->clk,
	    .loop = r->loop,
	    .timeout_ns = r->opts->restore_timeout_ns,
	    .progress = progress,
	    .arg = r,
	    .undo = &r->undo,
	    .record = run_journal_record_cb,
	    .record_arg = r,
	};
	int rc = restore_touched(&c, r->touched, r->ntouched, r->rec);
	return nodes < 0 || undone < 0 ? -1 : rc;
}
