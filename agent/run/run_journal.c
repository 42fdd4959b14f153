/*
 * run_journal.c - what a run writes to the crash-safety journal.
 *
 * RUN_START once the cluster is open (with what is needed to reopen it
 * later), an INTENT fdatasync'd before every injection (with the pre-run
 * state of the target's group: exactly what run_note_touched remembered), the
 * backend's answer, each restore's verification, and RUN_END. No journal
 * (opts->journal NULL) means none of this happens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/cmd.h"
#include "faultline/journal.h"
#include "faultline/log.h"
#include "faultline/testkill.h"
#include "faultline/util.h"
#include "run_int.h"

int run_journal_begin(struct run *r)
{
	struct journal *j = r->opts->journal;
	if (j == NULL || r->opts->dry_run)
		return 0;
	struct cluster_config cfg;
	plan_cluster_config(r->plan, &cfg);
	char *key = journal_cluster_key(&cfg);
	const struct journal_run *held = journal_held(j, key);
	free(key);
	if (held != NULL) {
		run_stop(r, REASON_ENVIRONMENT,
		         "cluster %s is held: run %s left resources not restored; an operator must run `faultline "
		         "restore` (or `faultline restore --force` to acknowledge)",
		         held->key, held->id);
		return -1;
	}
	char *id = xasprintf("run-%lld-%ld", (long long)wall_now_ns(), (long)getpid());
	struct fl_err e;
	r->jrun = journal_begin(j, id, &cfg, r->plan->path, r->rec->plan_sha256, &e);
	free(id);
	if (r->jrun == NULL) {
		run_stop(r, REASON_ENVIRONMENT, "journal: %s", e.msg);
		return -1;
	}
	return 0;
}

/* The pre-run state of everything run_note_touched recorded for resource's group. */
int run_journal_intent(struct run *r, const char *action, const char *resource, const char *group, struct fl_err *e)
{
	if (r->jrun == NULL)
		return 0;
	struct touched *items = xcalloc(r->ntouched ? r->ntouched : 1, sizeof(*items));
	size_t n = 0;
	for (size_t i = 0; i < r->ntouched; i++) {
		const struct touched *t = &r->touched[i];
		if (strcmp(t->resource, resource) == 0 || (group && t->group && strcmp(t->group, group) == 0))
			items[n++] = *t; /* borrowed */
	}
	int rc = journal_intent(r->opts->journal, r->jrun, action, resource, items, n, e);
	free(items);
	if (rc < 0)
		return err_wrap(e, "journal");
	testkill_at("intent");
	return 0;
}

int run_journal_undo(struct run *r, enum cluster_act act, const char *target, unsigned flags, const char *destination,
                     struct fl_err *e)
{
	const struct cluster_ops *ops = r->cl->ops;
	if (ops->undo_plan == NULL)
		return 0;
	struct cluster_undo add = {0};
	size_t first = r->undo.n;
	int rc = ops->undo_plan(r->cl, act, target, flags, destination, &add, e);
	for (size_t i = 0; rc == 0 && i < add.n; i++)
		cluster_undo_add(&r->undo, add.items[i]); /* the first value of a key is the pre-run one */
	cluster_undo_fini(&add);
	if (rc < 0)
		return err_wrap(e, "recording what undoes it");
	if (r->jrun != NULL && r->undo.n > first &&
	    journal_undo(r->opts->journal, r->jrun, (const char *const *)r->undo.items + first, r->undo.n - first, e) <
	        0) {
		err_wrap(e, "recording what undoes it");
		return RUN_INJECT_NO_JOURNAL; /* the machine failed us, not the cluster */
	}
	return 0;
}

/* The restore's own corrective actions, journaled the same way. */
static int record_undo(void *arg, const char *const *items, size_t n, struct fl_err *e)
{
	struct run *r = arg;
	return r->jrun == NULL ? 0 : journal_undo(r->opts->journal, r->jrun, items, n, e);
}

int run_journal_record_cb(void *arg, const char *const *items, size_t n, struct fl_err *e)
{
	return record_undo(arg, items, n, e);
}

void run_journal_injected(struct run *r, long code, const char *error)
{
	struct fl_err e;
	if (r->jrun != NULL && journal_injected(r->opts->journal, r->jrun, code, error, &e) < 0)
		log_warnx("journal: %s", e.msg); /* the INTENT already protects this injection */
	if (r->jrun != NULL)
		testkill_at("injected");
}

/* Each restore's verification, then RUN_END; with restore: never, an ACK says it was deliberate. */
void run_journal_end(struct run *r, int exit_code)
{
	struct journal *j = r->opts->journal;
	if (r->jrun == NULL)
		return;
	struct fl_err e;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->rec->nrestores; i++) {
		const struct rec_restore *rr = &r->rec->restores[i];
		if (!run_journal_restore_written(r, i)) /* an exec undo's: journaled as it ran */
			rc = journal_restored(j, r->jrun, rr->resource, rr->ok, rr->detail, &e);
	}
	testkill_at("restored");
	char *id = xstrdup(r->jrun->id);
	bool never = r->plan->guards.restore == RESTORE_NEVER && r->ntouched > 0;
	if (rc == 0)
		rc = never ? journal_ack(j, r->jrun, "the plan says guards.restore: never", &e)
		           : journal_end(j, r->jrun, exit_code, "completed", &e);
	r->jrun = NULL;
	if (rc < 0)
		log_warnx("journal: run %s: %s; `faultline restore` will check this run again", id, e.msg);
	free(id);
}

int run_journal_node(struct run *r, struct touched_node *t, struct fl_err *e)
{
	if (r->jrun == NULL || t->journaled)
		return 0;
	if (journal_node(r->opts->journal, r->jrun, t->name, (int)t->before, e) < 0)
		return err_wrap(e, "journal");
	t->journaled = true;
	return 0;
}

int run_journal_intent_groups(struct run *r, const char *action, const char *name, const char *const *groups,
                              size_t ngroups, bool all, struct fl_err *e)
{
	if (r->jrun == NULL)
		return 0;
	struct touched *items = xcalloc(r->ntouched ? r->ntouched : 1, sizeof(*items));
	size_t n = 0;
	for (size_t i = 0; i < r->ntouched; i++) {
		const struct touched *t = &r->touched[i];
		bool in = all;
		for (size_t k = 0; !in && t->group != NULL && k < ngroups; k++)
			in = strcmp(t->group, groups[k]) == 0;
		if (in)
			items[n++] = *t; /* borrowed */
	}
	testkill_at("before-intent");
	int rc = journal_intent(r->opts->journal, r->jrun, action, name, items, n, e);
	free(items);
	if (rc < 0)
		return err_wrap(e, "journal");
	testkill_at("intent");
	return 0;
}
