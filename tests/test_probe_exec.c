/* test_probe_exec.c - the exec probe with real processes: results, reasons, kill and reap. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "probe_fixture.h"

/* Orphans of a check re-parent to the test, so "no child left" covers them too. */
static void subreaper(void)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
}

static void setup_exec(struct pf *f, char **argv)
{
	pf_setup(f, false, &probe_exec_ops);
	f->cfg.argv = argv;
	f->cfg.interval_ns = MS(1000); /* one check per test unless a test asks for more */
	f->cfg.timeout_ns = MS(800);   /* roomy: fork and exec are slow under valgrind */
	cr_assert_eq(pf_init(f, NULL, NULL), 0, "%s", f->err.msg);
	probe_start(&f->p);
}

/* Wait (bounded, never blocking) until the test has no child at all. */
static bool no_child_within(uint64_t max_ms)
{
	uint64_t end = pf_wall_ms() + max_ms;
	while (pf_wall_ms() < end) {
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r < 0 && errno == ECHILD)
			return true;
		usleep(2000);
	}
	return false;
}

static void expect_one(char **argv, enum check_result r, const char *reason, enum probe_status st)
{
	struct pf f;
	setup_exec(&f, argv);
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	cr_expect_eq(f.checks[0].r, r);
	cr_expect_str_eq(f.checks[0].reason, reason);
	cr_expect_eq(f.p.status, st);
	cr_expect_eq(f.nchanges, 1);
	pf_teardown(&f);
	cr_expect(no_child_within(100));
}

Test(probe_exec, true_is_up)
{
	expect_one((char *[]){"true", NULL}, CHECK_OK, "", PROBE_UP);
}

Test(probe_exec, false_is_exit_status_1)
{
	expect_one((char *[]){"false", NULL}, CHECK_FAIL, "exit status 1", PROBE_DOWN);
}

Test(probe_exec, first_line_of_output_is_the_reason)
{
	expect_one((char *[]){"sh", "-c", "echo; echo boom >&2; echo second; exit 3", NULL}, CHECK_FAIL,
	           "exit status 3: boom", PROBE_DOWN);
}

Test(probe_exec, output_is_capped)
{
	/* 300 x's on one line: the reason keeps the first 200 bytes. */
	char want[256];
	snprintf(
	    want, sizeof(want), "exit status 2: %.*s", 200,
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	expect_one((char *[]){"sh", "-c", "head -c 300 /dev/zero | tr '\\0' x; exit 2", NULL}, CHECK_FAIL, want,
	           PROBE_DOWN);
}

Test(probe_exec, large_output_does_not_block_the_child)
{
	/* 1 MiB is far more than a pipe holds: the probe must keep draining. */
	expect_one((char *[]){"sh", "-c", "head -c 1048576 /dev/zero; exit 4", NULL}, CHECK_FAIL, "exit status 4",
	           PROBE_DOWN);
}

Test(probe_exec, stdin_is_dev_null)
{
	expect_one((char *[]){"sh", "-c", "read x && exit 0; echo eof; exit 5", NULL}, CHECK_FAIL, "exit status 5: eof",
	           PROBE_DOWN);
}

Test(probe_exec, death_by_signal)
{
	expect_one((char *[]){"sh", "-c", "kill -9 $$", NULL}, CHECK_FAIL, "killed by signal 9", PROBE_DOWN);
}

Test(probe_exec, missing_binary_is_a_probe_error)
{
	expect_one((char *[]){"/nonexistent", NULL}, CHECK_ERROR, "cannot run /nonexistent: No such file or directory",
	           PROBE_ERROR);
}

Test(probe_exec, not_executable_is_a_probe_error)
{
	expect_one((char *[]){"/etc/passwd", NULL}, CHECK_ERROR, "cannot run /etc/passwd: Permission denied",
	           PROBE_ERROR);
}

Test(probe_exec, exit_127_without_exec_error_is_a_failure)
{
	expect_one((char *[]){"sh", "-c", "exit 127", NULL}, CHECK_FAIL, "exit status 127", PROBE_DOWN);
}

Test(probe_exec, signals_blocked_in_the_agent_are_unblocked_in_the_child)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	expect_one((char *[]){"sh", "-c", "kill -TERM $$; exit 0", NULL}, CHECK_FAIL, "killed by signal 15",
	           PROBE_DOWN);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

Test(probe_exec, timeout_kills_and_reaps_quickly)
{
	subreaper();
	struct pf f;
	setup_exec(&f, (char *[]){"sleep", "10", NULL});
	f.cfg.timeout_ns = MS(100);
	uint64_t t0 = pf_wall_ms();
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	cr_expect_eq(f.checks[0].r, CHECK_FAIL);
	cr_expect_str_eq(f.checks[0].reason, "no answer within 100 ms");
	cr_expect_eq(f.p.status, PROBE_DOWN);
	probe_stop(&f.p);
	/* SIGTERM does it: the loop reaps the child well before the SIGKILL grace. */
	for (int i = 0; i < 1000 && waitpid(-1, NULL, WNOHANG) == 0 && pf_wall_ms() < t0 + 900; i++)
		loop_run_once(f.loop);
	errno = 0;
	cr_expect_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_expect_eq(errno, ECHILD);
	cr_expect_lt(pf_wall_ms() - t0, 450);
	pf_teardown(&f);
}

Test(probe_exec, sigterm_ignored_escalates_to_sigkill)
{
	subreaper();
	struct pf f;
	setup_exec(&f, (char *[]){"sh", "-c", "trap '' TERM; sleep 10; exit 0", NULL});
	f.cfg.timeout_ns = MS(300); /* time for sh to set its trap, even under valgrind */
	uint64_t t0 = pf_wall_ms();
	cr_assert_eq(pf_run_checks(&f, 1, 2000), 1);
	cr_expect_str_eq(f.checks[0].reason, "no answer within 300 ms");
	probe_stop(&f.p);
	/* The loop keeps serving the dying child: grace timer, then the pidfd. */
	while (pf_wall_ms() < t0 + 2500 && loop_run_once(f.loop) > 0)
		;
	uint64_t took = pf_wall_ms() - t0;
	cr_expect(no_child_within(50));
	cr_expect_geq(took, 800, "took %llu ms", (unsigned long long)took);
	cr_expect_lt(took, 1500, "took %llu ms", (unsigned long long)took);
	pf_teardown(&f);
}

Test(probe_exec, fini_kills_and_reaps)
{
	subreaper();
	struct pf f;
	setup_exec(&f, (char *[]){"sh", "-c", "trap '' TERM; sleep 10", NULL});
	f.cfg.timeout_ns = MS(5000);
	loop_run_once(f.loop); /* the first tick starts the check */
	cr_assert(f.p.in_flight);
	uint64_t t0 = pf_wall_ms();
	pf_teardown(&f);
	cr_expect_lt(pf_wall_ms() - t0, 200);
	cr_expect(no_child_within(50));
	cr_expect_eq(f.nchecks, 0);
}

Test(probe_exec, leftovers_die_with_the_check)
{
	subreaper();
	struct pf f;
	setup_exec(&f, (char *[]){"sh", "-c", "sleep 10 & echo $!; exit 1", NULL});
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	int bg = 0;
	cr_assert_eq(sscanf(f.checks[0].reason, "exit status 1: %d", &bg), 1, "%s", f.checks[0].reason);
	int st = 0;
	pid_t r = 0;
	for (int i = 0; i < 200 && r == 0; i++, usleep(2000))
		r = waitpid(bg, &st, WNOHANG);
	cr_assert_eq(r, bg);
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	pf_teardown(&f);
}

/* A descendant that left the group with setsid() (a daemonizing script) dies with the check too. */
Test(probe_exec, setsid_descendants_die_with_the_check)
{
	subreaper(); /* so the test can wait for it */
	struct pf f;
	setup_exec(&f, (char *[]){"sh", "-c", "setsid sleep 10 & echo $!; sleep 0.2; exit 1", NULL});
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	int bg = 0;
	cr_assert_eq(sscanf(f.checks[0].reason, "exit status 1: %d", &bg), 1, "%s", f.checks[0].reason);
	int st = 0;
	pid_t r = 0;
	for (int i = 0; i < 200 && r == 0; i++, usleep(2000))
		r = waitpid(bg, &st, WNOHANG);
	if (r == 0)
		kill(bg, SIGKILL);
	cr_assert_eq(r, bg, "the setsid() descendant outlived the check");
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	pf_teardown(&f);
}

Test(probe_exec, checks_repeat_on_cadence)
{
	struct pf f;
	setup_exec(&f, (char *[]){"true", NULL});
	f.cfg.interval_ns = MS(100);
	cr_assert_eq(pf_run_checks(&f, 3, 2000), 3);
	for (size_t i = 1; i < 3; i++) {
		uint64_t gap = f.checks[i].started - f.checks[i - 1].started;
		cr_expect(gap >= MS(100) && gap < MS(300), "gap %llu ns", (unsigned long long)gap);
	}
	cr_expect_eq(f.nchanges, 1); /* up once, then stays up */
	pf_teardown(&f);
}

Test(probe_exec, no_command_is_an_init_error)
{
	struct pf f;
	pf_setup(&f, false, &probe_exec_ops);
	f.cfg.argv = (char *[]){NULL};
	cr_expect_eq(pf_init(&f, NULL, NULL), -1);
	cr_expect_str_eq(f.err.msg, "probe \"p\": exec probe without a command");
	pf_teardown(&f);
}
