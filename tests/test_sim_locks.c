/*
 * test_sim_locks.c - locked resources, per-resource possible owners and the
 * reasons a group is left Failed (issue 14, cases 5 and 7;
 * wsfc-semantics.md "concurrency rules", "Choosing the destination node").
 */
#include <criterion/criterion.h>

#include "sim_fixture.h"

Test(sim_locks, move_refused_with_a_locked_member_unless_ignore_resource_status)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "name")->locked = true;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_move_group(f.s, "G", "n2", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS);
	cr_assert_str_eq(f.err.msg,
	                 "group \"G\": resource \"name\" is locked; move needs ignore_resource_status (5960)");
	cr_assert_eq(sim_move_group(f.s, "G", NULL, 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS);
	ASSERT_TRACE(&f, "");
	cr_assert_eq(sim_move_group(f.s, "G", "n2", MOVE_IGNORE_RESOURCE_STATUS, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	fx_end(&f);
}

Test(sim_locks, offline_taking_a_locked_dependent_down_is_refused)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "app")->locked = true;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_offline(f.s, "ip", 0, NULL, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS);
	cr_assert_str_eq(f.err.msg,
	                 "resource \"ip\": dependent \"app\" is locked; offline needs ignore_resource_status (5960)");
	cr_assert_eq(sim_offline(f.s, "name", 0, "n3", &f.code, &f.err), -1, "a destination moves the group");
	cr_assert_eq(f.code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS);
	cr_assert_str_eq(f.err.msg,
	                 "group \"G\": resource \"app\" is locked; move needs ignore_resource_status (5960)");
	ASSERT_TRACE(&f, "");
	cr_assert_eq(sim_offline(f.s, "ip", OFFLINE_IGNORE_RESOURCE_STATUS, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_OFFLINE);
	fx_end(&f);
}

Test(sim_locks, policy_failover_is_not_stopped_by_a_lock)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "ip")->locked = true;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2", "locks refuse requests, not the cluster's own policy");
	fx_end(&f);
}

Test(sim_locks, failover_skips_nodes_a_member_cannot_run_on)
{
	struct sim_topology *t = fx_chain();
	struct sim_resource_def *app = fx_find(t, "app");
	app->possible = fx_list("n1,n3", ",", &app->npossible);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_move_group(f.s, "G", "n2", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_HOST_NODE_NOT_AVAILABLE);
	cr_assert_str_eq(f.err.msg, "group \"G\": node \"n2\" is not a possible owner of resource \"app\" (5005)");
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n3", "n2 is not a possible owner of app");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	fx_end(&f);
}

/* Case 7: one possible owner; the restart there succeeded, the next failure has nowhere to go. */
Test(sim_locks, one_possible_owner_says_why_it_is_left_failed)
{
	struct sim_topology *t = fx_chain();
	struct sim_resource_def *app = fx_find(t, "app");
	app->possible = fx_list("n1", ",", &app->npossible);
	app->retry_period_ns = SIM_NEVER;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(3600));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"app\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n"
	                 "00:00:02.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.000 group \"G\" failed on n1 (left failed: RestartThreshold reached, no other "
	                 "possible owner is up)\n");
	fx_end(&f);
}
