/*
 * test_restore_signal.c - SIGTERM to `faultline restore` (issue 18: it died
 * silently mid-restore). Against a sim-adapter cluster whose app takes a
 * second to come online, so the restore is surely under way when signalled:
 * one SIGTERM, and it says so and finishes (exit 0, cluster restored); two,
 * and it stops at once, saying the journal keeps what is left (exit 4).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt_fixture.h"

static struct rt t;
static bool started;

static void fini(void)
{
	if (started)
		rt_stop(&t);
}

TestSuite(restore_signal, .fini = fini, .timeout = 60);

/* `faultline restore --state state`, signalled n times after 300 ms; its wait status, output in *out. */
static int restore_signalled(const char *state, int n, char **out)
{
	char *log = xasprintf("%s/restore.out", t.dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(t.bin, t.bin, "restore", "--state", state, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	for (int i = 0; i < n; i++) {
		kill(pid, SIGTERM);
		usleep(50000);
	}
	int st = -1;
	pid_t r = 0;
	for (int i = 0; i < 1000 && r == 0; i++, usleep(10000))
		r = waitpid(pid, &st, WNOHANG);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	*out = slurp(log);
	free(log);
	return st;
}

Test(restore_signal, one_sigterm_finishes_two_stop)
{
	rt_start_topo(&t, "tests/crash/slow-cluster.yaml");
	started = true;
	char *state = xasprintf("%s/state", t.dir), *out = NULL;
	char *cmd = xasprintf("FAULTLINE_TEST_KILL_AT=injected:3 %s run --quiet --state %s %s >/dev/null 2>&1", t.bin,
	                      state, t.plan);
	int st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL, "the run was not killed: %d", st);
	free(cmd);
	char *differs = rt_cluster_differs(&t);
	cr_assert_not_null(differs, "the killed run left the group moved away");
	free(differs);

	st = restore_signalled(state, 2, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 4, "two signals: status %d:\n%s", st, out);
	cr_assert_not_null(strstr(out, "second signal: stopping now; what is not restored yet stays in the journal"),
	                   "%s", out);
	free(out);

	st = restore_signalled(state, 1, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "one signal: status %d:\n%s", st, out);
	cr_assert_not_null(strstr(out, "signal received: finishing the restore in progress"), "%s", out);
	cr_assert_not_null(strstr(out, "finished after the signal (exit 0)"), "%s", out);
	differs = rt_cluster_differs(&t);
	cr_assert_null(differs, "after the restore the cluster still differs: %s", differs);
	free(out);
	free(state);
}
