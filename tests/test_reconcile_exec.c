/*
 * test_reconcile_exec.c - reconciliation runs the exec undos a crashed run
 * left unrun: each once, newest first, with the context the run recorded;
 * its outcome journaled at once. A reconciliation killed right after one
 * undo (FAULTLINE_TEST_KILL_AT=restore-exec, in a child process) is
 * followed by one that runs only the others: each undo ran exactly once.
 * A failed undo is not run again and holds the cluster.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/file.h"
#include "faultline/log.h"
#include "reconcile_fixture.h"

TestSuite(reconcile_exec, .timeout = 30);

/* An undo that appends "FAULT TRIAL UNDO TARGET" to DIR/ran, then exits with `status`. */
static void journal_undo_of(struct env *v, struct journal_run *r, const char *fault, const char *trial,
                            const char *status)
{
	struct fl_err e;
	char *script = xasprintf("echo \"$FAULTLINE_FAULT $FAULTLINE_TRIAL $FAULTLINE_UNDO $FAULTLINE_TARGET\" >> "
	                         "%s/ran; exit %s",
	                         v->dir, status);
	char *argv[] = {"sh", "-c", script, NULL};
	char *f = xasprintf("FAULTLINE_FAULT=%s", fault), *t = xasprintf("FAULTLINE_TRIAL=%s", trial);
	char *env[] = {f, t, "FAULTLINE_UNDO=1", "FAULTLINE_TARGET=app", NULL};
	char *key = xasprintf("undo %s #%s for app", fault, trial);
	cr_assert_eq(journal_exec_undo(v->j, r, key, argv, env, "app", 5 * NSEC_PER_SEC, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_intent(v->j, r, "exec", "app", NULL, 0, &e), 0, "%s", e.msg);
	free(key);
	free(f);
	free(t);
	free(script);
}

/* A run killed after two exec faults (older "a", newer "b"), none undone. */
static void crashed_exec_run(struct env *v, const char *status_b)
{
	struct fl_err e;
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(v->j, "r1", &cfg, "p.yaml", "", &e);
	journal_undo_of(v, r, "a", "1", "0");
	journal_undo_of(v, r, "b", "1", status_b);
	journal_close(v->j); /* the process dies */
	v->j = journal_open(v->dir, &e);
	cr_assert_not_null(v->j, "%s", e.msg);
}

static char *ran(struct env *v)
{
	char *path = xasprintf("%s/ran", v->dir), *text = NULL;
	size_t len;
	struct fl_err e;
	if (file_read(path, 1 << 20, &text, &len, &e) < 0)
		text = xstrdup("");
	free(path);
	return text;
}

Test(reconcile_exec, each_undo_runs_once_across_a_restore_killed_after_the_first)
{
	struct env v;
	setup_env(&v);
	journal_close(v.j); /* the children take the lock */
	v.j = NULL;
	/* testkill reads its variable once per process: this one must never have looked. */
	pid_t pid = fork();
	if (pid == 0) {
		struct fl_err e;
		v.j = journal_open(v.dir, &e);
		crashed_exec_run(&v, "0");
		journal_close(v.j);
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	if (pid == 0) {
		setenv("FAULTLINE_TEST_KILL_AT", "restore-exec", 1);
		struct fl_err e;
		v.j = journal_open(v.dir, &e);
		int left;
		free(reconcile(&v, false, &left));
		_exit(0); /* not reached: killed right after journaling the first undo's outcome */
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %d", st);
	char *text = ran(&v);
	cr_assert_str_eq(text, "b 1 1 app\n", "the newest first, then killed");
	free(text);
	struct fl_err e;
	v.j = journal_open(v.dir, &e);
	cr_assert_not_null(v.j, "%s", e.msg);
	struct journal_run *r = journal_runs(v.j);
	cr_assert(journal_exec_find(r, "undo b #1 for app")->ran);
	cr_assert_not(journal_exec_find(r, "undo a #1 for app")->ran);

	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	cr_assert(strstr(out, "restore: undo a #1 for app: verified: exit status 0") != NULL, "%s", out);
	cr_assert_null(strstr(out, "undo b #1"), "b already ran:\n%s", out);
	free(out);
	text = ran(&v);
	cr_assert_str_eq(text, "b 1 1 app\na 1 1 app\n", "each exactly once");
	free(text);
	cr_assert_null(journal_runs(v.j), "settled");
	out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0);
	cr_assert_str_eq(out, "", "nothing left");
	free(out);
	teardown_env(&v);
}

Test(reconcile_exec, a_failed_undo_is_not_run_again_and_holds_the_cluster)
{
	log_init(LOG_LVL_ERROR, 0); /* the expected NOT RESTORED warnings */
	struct env v;
	setup_env(&v);
	crashed_exec_run(&v, "3");
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 1, "%s", out);
	cr_assert(strstr(out, "restore: undo b #1 for app: NOT RESTORED: exit status 3") != NULL, "%s", out);
	free(out);
	const char *key = "sim:plans/clusters/sql-3node.yaml";
	cr_assert_not_null(journal_held(v.j, key));
	char *dump = jfx_dump(v.dir);
	cr_assert(strstr(dump, "RESTORED r1 \"undo b #1 for app\" 0 \"NOT RESTORED: exit status 3\"") != NULL, "%s",
	          dump);
	free(dump);
	out = reconcile(&v, false, &left);
	cr_assert_eq(left, 1, "%s", out);
	cr_assert_null(strstr(out, "running"), "ran once, failed: not run again:\n%s", out);
	free(out);
	char *text = ran(&v);
	cr_assert_str_eq(text, "b 1 1 app\na 1 1 app\n");
	free(text);
	out = reconcile(&v, true, &left);
	cr_assert(strstr(out, "run r1: acknowledged (--force)") != NULL, "%s", out);
	cr_assert_null(journal_held(v.j, key));
	free(out);
	teardown_env(&v);
}
