/* test_sim_restart.c - restart in place, thresholds, RestartAction, retry, pending timeout, KB 947712. */
#include <criterion/criterion.h>

#include "sim_fixture.h"

Test(sim_restart, restart_in_place_after_restart_delay)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_SUCCESS);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"app\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n");
	fx_end(&f);
}

Test(sim_restart, threshold_exceeded_fails_the_group_over)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"app\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n"
	                 "00:00:02.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.000 resource \"name\" online -> offline-pending on n1 (failover)\n"
	                 "00:00:02.050 resource \"name\" offline-pending -> offline on n1 (failover)\n"
	                 "00:00:02.050 resource \"ip\" online -> offline-pending on n1 (failover)\n"
	                 "00:00:02.100 resource \"ip\" offline-pending -> offline on n1 (failover)\n"
	                 "00:00:02.100 group \"G\" failed on n2 (failover)\n"
	                 "00:00:02.100 resource \"ip\" offline -> online-pending on n2 (failover)\n"
	                 "00:00:02.200 resource \"ip\" online-pending -> online on n2 (failover)\n"
	                 "00:00:02.200 resource \"name\" offline -> online-pending on n2 (failover)\n"
	                 "00:00:02.400 resource \"name\" online-pending -> online on n2 (failover)\n"
	                 "00:00:02.400 resource \"app\" failed -> online-pending on n2 (failover)\n"
	                 "00:00:02.400 group \"G\" failed -> pending on n2 (failover)\n"
	                 "00:00:03.400 resource \"app\" online-pending -> online on n2 (failover)\n"
	                 "00:00:03.400 group \"G\" pending -> online on n2 (failover)\n");
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fx_end(&f);
}

Test(sim_restart, restart_window_slides)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(901)); /* the first restart left the 15 min window */
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(960));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n1", "second failure outside RestartPeriod restarts in place");
	cr_assert_eq(sim_resource_state(f.s, "app"), RES_ONLINE);
	fx_end(&f);
}

/* app cannot come online on any node; fail it and let the policy run for six hours. */
static void fail_broken_everywhere(struct fx *f, uint32_t failover_threshold)
{
	struct sim_topology *t = fx_chain();
	t->groups[0].failover_threshold = failover_threshold;
	struct sim_resource_def *app = fx_find(t, "app");
	app->broken_on = fx_list("n1,n2,n3", ",", &app->nbroken_on);
	app->retry_period_ns = SIM_NEVER;
	fx_start(f, t, 1);
	cr_assert_eq(sim_fail(f->s, "app", &f->code, &f->err), 0);
	fx_run(f, SEC(6 * 3600));
}

/*
 * Both threshold scenarios begin alike: app is broken everywhere, fails on n1
 * (restart fails too), the group fails over to n2, where the restart fails
 * again. They differ only in what the policy does next.
 */
#define TRACE_BROKEN_N1_THEN_N2                                                                                        \
	"00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"                                 \
	"00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"                                      \
	"00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"                                     \
	"00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"                                                 \
	"00:00:01.500 resource \"app\" online-pending -> failed on n1 (online failed)\n"                               \
	"00:00:01.500 group \"G\" pending -> failed on n1 (online failed)\n"                                           \
	"00:00:01.500 resource \"name\" online -> offline-pending on n1 (failover)\n"                                  \
	"00:00:01.550 resource \"name\" offline-pending -> offline on n1 (failover)\n"                                 \
	"00:00:01.550 resource \"ip\" online -> offline-pending on n1 (failover)\n"                                    \
	"00:00:01.600 resource \"ip\" offline-pending -> offline on n1 (failover)\n"                                   \
	"00:00:01.600 group \"G\" failed on n2 (failover)\n"                                                           \
	"00:00:01.600 resource \"ip\" offline -> online-pending on n2 (failover)\n"                                    \
	"00:00:01.700 resource \"ip\" online-pending -> online on n2 (failover)\n"                                     \
	"00:00:01.700 resource \"name\" offline -> online-pending on n2 (failover)\n"                                  \
	"00:00:01.900 resource \"name\" online-pending -> online on n2 (failover)\n"                                   \
	"00:00:01.900 resource \"app\" failed -> online-pending on n2 (failover)\n"                                    \
	"00:00:01.900 group \"G\" failed -> pending on n2 (failover)\n"                                                \
	"00:00:02.900 resource \"app\" online-pending -> failed on n2 (online failed)\n"                               \
	"00:00:02.900 group \"G\" pending -> failed on n2 (online failed)\n"                                           \
	"00:00:03.400 resource \"app\" failed -> online-pending on n2 (restart)\n"                                     \
	"00:00:03.400 group \"G\" failed -> pending on n2 (restart)\n"                                                 \
	"00:00:04.400 resource \"app\" online-pending -> failed on n2 (online failed)\n"                               \
	"00:00:04.400 group \"G\" pending -> failed on n2 (online failed)\n"

Test(sim_restart, failover_threshold_leaves_group_failed)
{
	struct fx f;
	fail_broken_everywhere(&f, 1);
	ASSERT_TRACE(&f, TRACE_BROKEN_N1_THEN_N2
	             "00:00:04.400 group \"G\" failed on n2 (left failed: FailoverThreshold reached)\n");
	fx_end(&f);
}

Test(sim_restart, kb947712_one_restart_per_node_then_failed)
{
	struct fx f;
	fail_broken_everywhere(&f, 10);
	ASSERT_TRACE(
	    &f, TRACE_BROKEN_N1_THEN_N2
	    "00:00:04.400 resource \"name\" online -> offline-pending on n2 (failover)\n"
	    "00:00:04.450 resource \"name\" offline-pending -> offline on n2 (failover)\n"
	    "00:00:04.450 resource \"ip\" online -> offline-pending on n2 (failover)\n"
	    "00:00:04.500 resource \"ip\" offline-pending -> offline on n2 (failover)\n"
	    "00:00:04.500 group \"G\" failed on n3 (failover)\n"
	    "00:00:04.500 resource \"ip\" offline -> online-pending on n3 (failover)\n"
	    "00:00:04.600 resource \"ip\" online-pending -> online on n3 (failover)\n"
	    "00:00:04.600 resource \"name\" offline -> online-pending on n3 (failover)\n"
	    "00:00:04.800 resource \"name\" online-pending -> online on n3 (failover)\n"
	    "00:00:04.800 resource \"app\" failed -> online-pending on n3 (failover)\n"
	    "00:00:04.800 group \"G\" failed -> pending on n3 (failover)\n"
	    "00:00:05.800 resource \"app\" online-pending -> failed on n3 (online failed)\n"
	    "00:00:05.800 group \"G\" pending -> failed on n3 (online failed)\n"
	    "00:00:06.300 resource \"app\" failed -> online-pending on n3 (restart)\n"
	    "00:00:06.300 group \"G\" failed -> pending on n3 (restart)\n"
	    "00:00:07.300 resource \"app\" online-pending -> failed on n3 (online failed)\n"
	    "00:00:07.300 group \"G\" pending -> failed on n3 (online failed)\n"
	    "00:00:07.300 group \"G\" failed on n3 (left failed: RestartThreshold reached on every possible owner)\n");
	fx_end(&f);
}

Test(sim_restart, restart_action_0_stays_failed)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "name")->restart_action = SIM_RESTART_NONE;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "name", &f.code, &f.err), 0);
	fx_run(&f, SEC(10 * 3600));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"name\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 resource \"app\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (provider down)\n");
	fx_end(&f);
}

Test(sim_restart, restart_action_1_never_fails_over_then_retries)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "app")->restart_action = SIM_RESTART_NO_FAILOVER;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(3 * 3600));
	ASSERT_TRACE(&f,
	             "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	             "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	             "00:00:01.500 resource \"app\" online-pending -> online on n1 (restart)\n"
	             "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n"
	             "00:00:02.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:02.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:02.000 group \"G\" failed on n1 (left failed: RestartThreshold reached)\n"
	             "01:00:02.000 resource \"app\" failed -> online-pending on n1 (retry after RetryPeriodOnFailure)\n"
	             "01:00:02.000 group \"G\" failed -> pending on n1 (retry after RetryPeriodOnFailure)\n"
	             "01:00:03.000 resource \"app\" online-pending -> online on n1 (retry after RetryPeriodOnFailure)\n"
	             "01:00:03.000 group \"G\" pending -> online on n1 (retry after RetryPeriodOnFailure)\n");
	fx_end(&f);
}

Test(sim_restart, final_retry_fails_and_stays_failed)
{
	struct sim_topology *t = fx_chain();
	struct sim_resource_def *app = fx_find(t, "app");
	app->restart_action = SIM_RESTART_NO_FAILOVER;
	app->broken_on = fx_list("n1", ",", &app->nbroken_on);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(10 * 3600));
	ASSERT_TRACE(&f,
	             "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	             "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	             "00:00:01.500 resource \"app\" online-pending -> failed on n1 (online failed)\n"
	             "00:00:01.500 group \"G\" pending -> failed on n1 (online failed)\n"
	             "00:00:01.500 group \"G\" failed on n1 (left failed: RestartThreshold reached)\n"
	             "01:00:01.500 resource \"app\" failed -> online-pending on n1 (retry after RetryPeriodOnFailure)\n"
	             "01:00:01.500 group \"G\" failed -> pending on n1 (retry after RetryPeriodOnFailure)\n"
	             "01:00:02.500 resource \"app\" online-pending -> failed on n1 (online failed)\n"
	             "01:00:02.500 group \"G\" pending -> failed on n1 (online failed)\n"
	             "01:00:02.500 group \"G\" failed on n1 (left failed: final retry failed)\n");
	fx_end(&f);
}

Test(sim_restart, pending_timeout_turns_stuck_online_into_failed)
{
	struct sim_topology *t = fx_chain();
	struct sim_resource_def *app = fx_find(t, "app");
	app->restart_action = SIM_RESTART_NO_FAILOVER;
	app->retry_period_ns = SIM_NEVER;
	app->online_time.min_ns = app->online_time.max_ns = SEC(200);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(3600));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:03:00.500 resource \"app\" online-pending -> failed on n1 (pending timeout)\n"
	                 "00:03:00.500 group \"G\" pending -> failed on n1 (pending timeout)\n"
	                 "00:03:00.500 group \"G\" failed on n1 (left failed: RestartThreshold reached)\n");
	fx_end(&f);
}

Test(sim_restart, fail_refused_unless_online)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_fail(f.s, "nope", &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_RESOURCE_NOT_FOUND);
	cr_assert_str_eq(f.err.msg, "resource \"nope\": not found (5007)");
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_RESMON_INVALID_STATE);
	cr_assert_str_eq(f.err.msg, "resource \"app\": not online (failed) (5084)");
	size_t n;
	sim_trace(f.s, &n);
	cr_assert_eq(n, 2, "the refused call changed nothing");
	fx_end(&f);
}

static void fail_twice(struct fx *f, uint64_t at)
{
	fx_run(f, at);
	cr_assert_eq(sim_fail(f->s, "app", &f->code, &f->err), 0);
	fx_run(f, at + SEC(2));
	cr_assert_eq(sim_fail(f->s, "app", &f->code, &f->err), 0);
	fx_run(f, at + SEC(60));
}

Test(sim_restart, failover_period_window_slides)
{
	struct sim_topology *t = fx_chain();
	t->groups[0].failover_threshold = 1;
	t->groups[0].failover_period_ns = SEC(3600);
	struct fx f;
	fx_start(&f, t, 1);
	fail_twice(&f, 0);
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fail_twice(&f, SEC(600)); /* inside FailoverPeriod: no second failover */
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_FAILED);
	size_t n;
	const struct sim_transition *tr = sim_trace(f.s, &n);
	cr_assert_str_eq(tr[n - 1].why, "left failed: FailoverThreshold reached");
	cr_assert_eq(tr[n - 1].at, SEC(602));
	fx_run(&f, SEC(600 + 3600 + 60)); /* RetryPeriodOnFailure brings app back on n2 */
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	fail_twice(&f, SEC(2 * 3600)); /* the first failover has left the window */
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n3");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	fx_end(&f);
}
