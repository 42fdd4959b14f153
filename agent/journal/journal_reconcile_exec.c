/*
 * journal_reconcile_exec.c - run the exec undos a dead process left unrun.
 *
 * Each EXEC_UNDO without a RESTORED is run once, newest first (as the
 * run's own restore does), with the context the run recorded for it and
 * bounded by its timeout; its outcome is journaled (RESTORED under its
 * key, verified when it exited 0) the moment it ends. An undo the journal
 * says ran is never run again, whatever its outcome: a failed one keeps
 * the cluster held for an operator. An undo killed while it ran (the
 * restore itself died) has no outcome yet, and the next restore runs it
 * again: undo commands must be safe to run twice, and when their command
 * never ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/log.h"
#include "faultline/spawn.h"
#include "faultline/testkill.h"
#include "faultline/util.h"
#include "journal_int.h"

#define EXEC_DEFAULT_NS (60ull * 1000 * 1000 * 1000)

static char **copy(char *const *v, size_t *n)
{
	size_t c = 0;
	while (v != NULL && v[c] != NULL)
		c++;
	char **out = xcalloc(c + 1, sizeof(char *));
	for (size_t i = 0; i < c; i++)
		out[i] = xstrdup(v[i]);
	if (n != NULL)
		*n = c;
	return out;
}

/* Run one undo (a copy: journaling its outcome may settle and free the run) and journal it. */
static int run_one(struct journal *j, const char *id, const struct journal_exec *x, const char *workdir, FILE *progress,
                   struct fl_err *e)
{
	size_t nenv;
	char *key = xstrdup(x->key), **argv = copy(x->argv, NULL), **env = copy(x->env, &nenv);
	char *dir = workdir != NULL ? xstrdup(workdir) : NULL;
	uint64_t timeout = x->timeout_ns ? x->timeout_ns : EXEC_DEFAULT_NS;
	char *cmd = argv_join(argv);
	if (progress != NULL)
		fprintf(progress, "restore: %s: running %s\n", key, cmd);
	struct spawn_result res;
	bool ok = spawn_run(argv, env, nenv, dir, timeout, &res) == 0;
	char *detail = res.error ? xasprintf("NOT RESTORED: %s", res.error)
	                         : xasprintf("%s: exit status %d", ok ? "verified" : "NOT RESTORED", res.status);
	if (progress != NULL)
		fprintf(progress, "restore: %s: %s\n", key, detail);
	if (!ok)
		log_warnx("run %s: %s (%s): %s; output: %.200s", id, key, cmd, detail, res.output);
	struct journal_run *r = journal_find(j, id);
	int rc = r == NULL ? 0 : journal_restored(j, r, key, ok, detail, e);
	testkill_at("restore-exec");
	spawn_result_fini(&res);
	free(detail);
	free(cmd);
	free(key);
	free(dir);
	journal_argv_free(argv);
	journal_argv_free(env);
	return rc;
}

int journal_reconcile_execs(struct journal *j, const char *id, FILE *progress, struct fl_err *e)
{
	const struct journal_run *r = journal_find(j, id);
	for (size_t i = r != NULL ? r->nexecs : 0; i-- > 0;) {
		r = journal_find(j, id); /* the last undo's RESTORED may settle and free the run */
		if (r == NULL)
			return 0;
		if (!r->execs[i].ran && run_one(j, id, &r->execs[i], r->workdir, progress, e) < 0)
			return -1;
	}
	return 0;
}
