/*
 * run_journal_exec.c - an exec fault's undo in the journal.
 *
 * Recorded (EXEC_UNDO, synced) before its command's INTENT, with what a
 * restore after a crash needs to run it as this run would have: argv,
 * timeout, target and the run's context. Marked as run (RESTORED under its
 * key) as soon as the run's own restore ran it, not at the end with the
 * rest: a reconciliation never runs an undo the journal says already ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/journal.h"
#include "faultline/log.h"
#include "faultline/testkill.h"
#include "faultline/util.h"
#include "run_int.h"

char *run_undo_key(const struct run *r, size_t fault, unsigned trial, const char *target)
{
	const char *name = r->plan->faults[fault].name;
	return target ? xasprintf("undo %s #%u for %s", name, trial + 1, target)
	              : xasprintf("undo %s #%u", name, trial + 1);
}

int run_journal_exec_undo(struct run *r, size_t fault, unsigned trial, const char *target, struct fl_err *e)
{
	const struct plan_fault *f = &r->plan->faults[fault];
	if (r->jrun == NULL || f->undo == NULL)
		return 0;
	struct run_env env;
	run_env_init(&env);
	run_env_context(r, &env);
	run_undo_env(r, fault, trial, target, &env);
	char *kv[RUN_ENV_MAX + 1];
	memcpy(kv, env.kv, env.n * sizeof(char *));
	kv[env.n] = NULL;
	char *key = run_undo_key(r, fault, trial, target);
	int rc = journal_exec_undo(r->opts->journal, r->jrun, key, f->undo, kv, target, f->timeout_ns, e);
	free(key);
	run_env_fini(&env);
	return rc < 0 ? err_wrap(e, "journal") : 0;
}

static void restored(struct run *r, const char *key, bool ok, const char *detail)
{
	struct fl_err e;
	if (journal_restored(r->opts->journal, r->jrun, key, ok, detail, &e) < 0)
		log_warnx("journal: %s: %s; `faultline restore` will see it as not run", key, e.msg);
}

void run_journal_exec_ran(struct run *r, struct run_undo *u, size_t restore)
{
	u->restore = restore;
	if (r->jrun == NULL || journal_exec_find(r->jrun, u->key) == NULL)
		return;
	const struct rec_restore *rr = &r->rec->restores[restore];
	restored(r, u->key, rr->ok, rr->detail);
	u->journaled = true;
	testkill_at("restore-exec");
}

void run_journal_exec_unrun(struct run *r)
{
	for (size_t i = 0; r->jrun != NULL && i < r->jrun->nexecs; i++) {
		const struct journal_exec *x = &r->jrun->execs[i];
		if (!x->ran)
			restored(r, x->key, true, "nothing to undo: its command did not run");
	}
}

bool run_journal_restore_written(const struct run *r, size_t i)
{
	for (size_t k = 0; k < r->nundos; k++)
		if (r->undos[k].journaled && r->undos[k].restore == i)
			return true;
	return false;
}
