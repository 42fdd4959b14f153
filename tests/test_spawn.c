/*
 * test_spawn.c - spawn_run: exit status and output (stdout and stderr
 * together) with the extra environment, a command that cannot start, and
 * the deadline (TERM to the process group, then KILL).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "faultline/spawn.h"

TestSuite(spawn, .timeout = 30);

Test(spawn, status_output_and_environment)
{
	char *argv[] = {"sh", "-c", "echo \"out $FL_A\"; echo err >&2; exit 3", NULL};
	char *env[] = {"FL_A=1"};
	struct spawn_result r;
	cr_assert_eq(spawn_run(argv, env, 1, 5000000000ull, &r), -1);
	cr_assert_eq(r.status, 3);
	cr_assert_null(r.error);
	cr_assert_str_eq(r.output, "out 1\nerr\n");
	spawn_result_fini(&r);
	char *ok[] = {"true", NULL};
	cr_assert_eq(spawn_run(ok, NULL, 0, 5000000000ull, &r), 0);
	cr_assert_eq(r.status, 0);
	spawn_result_fini(&r);
}

Test(spawn, a_command_that_cannot_start)
{
	char *argv[] = {"/nonexistent/undo", NULL};
	struct spawn_result r;
	cr_assert_eq(spawn_run(argv, NULL, 0, 5000000000ull, &r), -1);
	cr_assert_eq(r.status, -1);
	cr_assert_str_eq(r.error, "cannot run /nonexistent/undo: No such file or directory");
	spawn_result_fini(&r);
}

Test(spawn, the_deadline_kills_its_process_group)
{
	/* A shell that ignores TERM, with a child of its own: KILL after the grace ends both. */
	char *argv[] = {"sh", "-c", "trap '' TERM; sleep 30 & wait", NULL};
	struct spawn_result r;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(spawn_run(argv, NULL, 0, 200000000ull, &r), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_assert(r.timed_out);
	cr_assert_eq(r.status, -1);
	cr_assert_str_eq(r.error, "timed out after 200 ms: killed");
	cr_assert(s >= 0.65 && s < 3, "200 ms, then 500 ms of grace: %.2f s", s);
	spawn_result_fini(&r);
}
