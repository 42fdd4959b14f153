/*
 * test_crash_exec.c - the crash test for exec faults' undo, end to end:
 * `faultline run --state` of tests/crash/exec-undo.yaml (a command that
 * leaves a marker file, an undo that removes it and counts itself) is
 * SIGKILLed right after the command ran, or right after its own restore
 * ran the undo; `faultline restore --state` (itself killed once, in one
 * case) must leave no marker behind, and the undo must have run exactly
 * once. Virtual time: the command runs to its end inside the injection.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/file.h"
#include "journal_fixture.h"

#define PLAN "tests/crash/exec-undo.yaml"

TestSuite(crash_exec, .timeout = 60);

static const char *bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

/* Run `FL_MARKER=dir/marker [FAULTLINE_TEST_KILL_AT=kill] faultline args`; the exit code, 137 for SIGKILL. */
static int fl(const char *dir, const char *kill, const char *args, char **out)
{
	char *cmd =
	    xasprintf("FL_MARKER=%s/marker FAULTLINE_TEST_KILL_AT=%s %s %s 2>&1", dir, kill ? kill : "", bin(), args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	cr_assert_not_null(p);
	size_t len = 0;
	FILE *m = open_memstream(out, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, m);
	fclose(m);
	int st = pclose(p);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static bool marker(const char *dir)
{
	char *path = xasprintf("%s/marker", dir);
	bool there = access(path, F_OK) == 0;
	free(path);
	return there;
}

static char *undos(const char *dir)
{
	char *path = xasprintf("%s/marker.undos", dir), *text = NULL;
	size_t len;
	struct fl_err e;
	if (file_read(path, 1 << 20, &text, &len, &e) < 0)
		text = xstrdup("");
	free(path);
	return text;
}

static void run_killed_at(const char *dir, const char *kill)
{
	char *args = xasprintf("run --virtual-time --quiet --state %s " PLAN, dir), *out;
	int code = fl(dir, kill, args, &out);
	cr_assert_eq(code, 128 + SIGKILL, "killed at %s: exit %d: %s", kill, code, out);
	free(out);
	free(args);
}

static void restore_ok(const char *dir, const char *want)
{
	char *args = xasprintf("restore --state %s", dir), *out;
	int code = fl(dir, NULL, args, &out);
	cr_assert_eq(code, 0, "%s", out);
	cr_assert(strstr(out, "nothing left to restore") != NULL, "%s", out);
	cr_assert(want == NULL || strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
	cr_assert(want != NULL || strstr(out, "undo leave-marker") == NULL, "the undo ran again:\n%s", out);
	free(out);
	free(args);
}

static const char *const once = "leave-marker #1 SQL Server (MSSQLSERVER)\n";

Test(crash_exec, killed_after_the_command_the_restore_runs_its_undo)
{
	char *dir = jfx_dir();
	run_killed_at(dir, "injected:1");
	cr_assert(marker(dir), "control: the command left its marker");
	restore_ok(dir, "restore: undo leave-marker #1 for SQL Server (MSSQLSERVER): verified: exit status 0");
	cr_assert_not(marker(dir), "the undo removed it");
	restore_ok(dir, NULL); /* settled: nothing runs again */
	char *u = undos(dir);
	cr_assert_str_eq(u, once);
	free(u);
	free(dir);
}

Test(crash_exec, a_restore_killed_after_the_undo_does_not_run_it_again)
{
	char *dir = jfx_dir();
	run_killed_at(dir, "injected:1");
	char *args = xasprintf("restore --state %s", dir), *out;
	int code = fl(dir, "restore-exec:1", args, &out);
	cr_assert_eq(code, 128 + SIGKILL, "exit %d: %s", code, out);
	free(out);
	free(args);
	cr_assert_not(marker(dir));
	restore_ok(dir, "everything verified");
	char *u = undos(dir);
	cr_assert_str_eq(u, once, "exactly once across the killed restore");
	free(u);
	free(dir);
}

Test(crash_exec, a_run_killed_after_its_own_undo_is_not_undone_twice)
{
	char *dir = jfx_dir();
	run_killed_at(dir, "restore-exec:1");
	cr_assert_not(marker(dir));
	restore_ok(dir, "everything verified");
	char *u = undos(dir);
	cr_assert_str_eq(u, once);
	free(u);
	free(dir);
}
