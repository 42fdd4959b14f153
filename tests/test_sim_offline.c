/* test_sim_offline.c - OfflineV2: every flag, the destination node, locked resources. */
#include <criterion/criterion.h>

#include "sim_fixture.h"

Test(sim_offline, plain_offline_takes_dependents_first_and_persists)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_offline(f.s, "name", 0, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:00.000 group \"G\" online -> pending on n1 (offline)\n"
	                 "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:00.500 group \"G\" pending -> partial-online on n1 (offline)\n"
	                 "00:00:00.500 resource \"name\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:00.500 group \"G\" partial-online -> pending on n1 (offline)\n"
	                 "00:00:00.550 resource \"name\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:00.550 group \"G\" pending -> partial-online on n1 (offline)\n");
	cr_assert_not(sim_resource_persistent(f.s, "name"));
	cr_assert_not(sim_resource_persistent(f.s, "app"));
	cr_assert(sim_resource_persistent(f.s, "ip"));
	cr_assert_eq(sim_offline(f.s, "name", 0, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_SUCCESS, "already offline");
	fx_end(&f);
}

Test(sim_offline, locked_needs_ignore_resource_status)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "app")->locked = true;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_offline(f.s, "app", OFFLINE_QUEUE_ENABLED, NULL, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS);
	cr_assert_str_eq(f.err.msg, "resource \"app\": locked; offline needs ignore_resource_status (5960)");
	size_t n;
	sim_trace(f.s, &n);
	cr_assert_eq(n, 0);
	cr_assert_eq(sim_offline(f.s, "app", OFFLINE_IGNORE_RESOURCE_STATUS, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(
	    &f, "00:00:00.000 resource \"app\" online -> offline-pending on n1 (offline [ignore_resource_status])\n"
	        "00:00:00.000 group \"G\" online -> pending on n1 (offline [ignore_resource_status])\n"
	        "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (offline [ignore_resource_status])\n"
	        "00:00:00.500 group \"G\" pending -> partial-online on n1 (offline [ignore_resource_status])\n");
	fx_end(&f);
}

Test(sim_offline, queue_enabled_waits_for_pending_to_end)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, MS(600)); /* app is online-pending (restart) */
	cr_assert_eq(sim_resource_state(f.s, "app"), RES_ONLINE_PENDING);
	cr_assert_eq(sim_offline(f.s, "app", 0, NULL, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_INVALID_STATE);
	cr_assert_str_eq(f.err.msg, "resource \"app\": pending; queue_enabled not given (5023)");
	cr_assert_eq(sim_offline(f.s, "app", OFFLINE_QUEUE_ENABLED, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"app\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n"
	                 "00:00:01.500 resource \"app\" online -> offline-pending on n1 (offline [queue_enabled])\n"
	                 "00:00:01.500 group \"G\" online -> pending on n1 (offline [queue_enabled])\n"
	                 "00:00:02.000 resource \"app\" offline-pending -> offline on n1 (offline [queue_enabled])\n"
	                 "00:00:02.000 group \"G\" pending -> partial-online on n1 (offline [queue_enabled])\n");
	fx_end(&f);
}

Test(sim_offline, informational_flags_are_accepted_and_recorded)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	unsigned flags = OFFLINE_RETURNING_TO_SOURCE_NODE_BECAUSE_OF_ERROR | OFFLINE_DUE_TO_EMBEDDED_FAILURE |
	                 OFFLINE_IGNORE_NETWORK_CONNECTIVITY;
	cr_assert_eq(sim_offline(f.s, "app", flags, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(
	    &f, "00:00:00.000 resource \"app\" online -> offline-pending on n1 (offline "
	        "[returning_to_source_node_because_of_error, due_to_embedded_failure, ignore_network_connectivity])\n"
	        "00:00:00.000 group \"G\" online -> pending on n1 (offline [returning_to_source_node_because_of_error, "
	        "due_to_embedded_failure, ignore_network_connectivity])\n"
	        "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (offline "
	        "[returning_to_source_node_because_of_error, due_to_embedded_failure, ignore_network_connectivity])\n"
	        "00:00:00.500 group \"G\" pending -> partial-online on n1 (offline "
	        "[returning_to_source_node_because_of_error, due_to_embedded_failure, ignore_network_connectivity])\n");
	cr_assert_eq(sim_offline(f.s, "app", 0x80, NULL, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_INVALID_PARAMETER);
	cr_assert_str_eq(f.err.msg, "resource \"app\": unknown offline flags 0x80 (87)");
	fx_end(&f);
}

Test(sim_offline, do_not_update_persistent_state_comes_back_after_a_move)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_offline(f.s, "app", OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert(sim_resource_persistent(f.s, "app"));
	cr_assert_eq(sim_move_group(f.s, "G", "n2", 0, &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	ASSERT_TRACE(
	    &f,
	    "00:00:00.000 resource \"app\" online -> offline-pending on n1 (offline [do_not_update_persistent_state])\n"
	    "00:00:00.000 group \"G\" online -> pending on n1 (offline [do_not_update_persistent_state])\n"
	    "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (offline "
	    "[do_not_update_persistent_state])\n"
	    "00:00:00.500 group \"G\" pending -> partial-online on n1 (offline [do_not_update_persistent_state])\n"
	    "00:00:10.000 resource \"name\" online -> offline-pending on n1 (move)\n"
	    "00:00:10.000 group \"G\" partial-online -> pending on n1 (move)\n"
	    "00:00:10.050 resource \"name\" offline-pending -> offline on n1 (move)\n"
	    "00:00:10.050 group \"G\" pending -> partial-online on n1 (move)\n"
	    "00:00:10.050 resource \"ip\" online -> offline-pending on n1 (move)\n"
	    "00:00:10.050 group \"G\" partial-online -> pending on n1 (move)\n"
	    "00:00:10.100 resource \"ip\" offline-pending -> offline on n1 (move)\n"
	    "00:00:10.100 group \"G\" pending -> offline on n1 (move)\n"
	    "00:00:10.100 group \"G\" offline on n2 (move)\n"
	    "00:00:10.100 resource \"ip\" offline -> online-pending on n2 (move)\n"
	    "00:00:10.100 group \"G\" offline -> pending on n2 (move)\n"
	    "00:00:10.200 resource \"ip\" online-pending -> online on n2 (move)\n"
	    "00:00:10.200 group \"G\" pending -> partial-online on n2 (move)\n"
	    "00:00:10.200 resource \"name\" offline -> online-pending on n2 (move)\n"
	    "00:00:10.200 group \"G\" partial-online -> pending on n2 (move)\n"
	    "00:00:10.400 resource \"name\" online-pending -> online on n2 (move)\n"
	    "00:00:10.400 group \"G\" pending -> partial-online on n2 (move)\n"
	    "00:00:10.400 resource \"app\" offline -> online-pending on n2 (move)\n"
	    "00:00:10.400 group \"G\" partial-online -> pending on n2 (move)\n"
	    "00:00:11.400 resource \"app\" online-pending -> online on n2 (move)\n"
	    "00:00:11.400 group \"G\" pending -> online on n2 (move)\n");
	fx_end(&f);
}

Test(sim_offline, persistent_offline_stays_offline_after_a_move)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_offline(f.s, "app", 0, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_move_group(f.s, "G", "n2", 0, &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	cr_assert_eq(sim_resource_state(f.s, "app"), RES_OFFLINE);
	cr_assert_eq(sim_resource_state(f.s, "name"), RES_ONLINE);
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_PARTIAL_ONLINE);
	fx_end(&f);
}

Test(sim_offline, destination_moves_the_group)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_offline(f.s, "name", 0, "n3", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> offline-pending on n1 (offline to n3)\n"
	                 "00:00:00.000 group \"G\" online -> pending on n1 (offline to n3)\n"
	                 "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (offline to n3)\n"
	                 "00:00:00.500 group \"G\" pending -> partial-online on n1 (offline to n3)\n"
	                 "00:00:00.500 resource \"name\" online -> offline-pending on n1 (offline to n3)\n"
	                 "00:00:00.500 group \"G\" partial-online -> pending on n1 (offline to n3)\n"
	                 "00:00:00.550 resource \"name\" offline-pending -> offline on n1 (offline to n3)\n"
	                 "00:00:00.550 group \"G\" pending -> partial-online on n1 (offline to n3)\n"
	                 "00:00:00.550 resource \"ip\" online -> offline-pending on n1 (offline to n3)\n"
	                 "00:00:00.550 group \"G\" partial-online -> pending on n1 (offline to n3)\n"
	                 "00:00:00.600 resource \"ip\" offline-pending -> offline on n1 (offline to n3)\n"
	                 "00:00:00.600 group \"G\" pending -> offline on n1 (offline to n3)\n"
	                 "00:00:00.600 group \"G\" offline on n3 (offline to n3)\n"
	                 "00:00:00.600 resource \"ip\" offline -> online-pending on n3 (offline to n3)\n"
	                 "00:00:00.600 group \"G\" offline -> pending on n3 (offline to n3)\n"
	                 "00:00:00.700 resource \"ip\" online-pending -> online on n3 (offline to n3)\n"
	                 "00:00:00.700 group \"G\" pending -> partial-online on n3 (offline to n3)\n"
	                 "00:00:00.700 resource \"name\" offline -> online-pending on n3 (offline to n3)\n"
	                 "00:00:00.700 group \"G\" partial-online -> pending on n3 (offline to n3)\n"
	                 "00:00:00.900 resource \"name\" online-pending -> online on n3 (offline to n3)\n"
	                 "00:00:00.900 group \"G\" pending -> partial-online on n3 (offline to n3)\n"
	                 "00:00:00.900 resource \"app\" offline -> online-pending on n3 (offline to n3)\n"
	                 "00:00:00.900 group \"G\" partial-online -> pending on n3 (offline to n3)\n"
	                 "00:00:01.900 resource \"app\" online-pending -> online on n3 (offline to n3)\n"
	                 "00:00:01.900 group \"G\" pending -> online on n3 (offline to n3)\n");
	fx_end(&f);
}

Test(sim_offline, return_to_source_node_on_error)
{
	struct sim_topology *t = fx_chain();
	struct sim_resource_def *app = fx_find(t, "app");
	app->broken_on = fx_list("n2", ",", &app->nbroken_on);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_offline(f.s, "app", OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR, "n2", &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	ASSERT_TRACE(
	    &f,
	    "00:00:00.000 resource \"app\" online -> offline-pending on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.000 group \"G\" online -> pending on n1 (offline to n2 [return_to_source_node_on_error])\n"
	    "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.500 group \"G\" pending -> partial-online on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.500 resource \"name\" online -> offline-pending on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.500 group \"G\" partial-online -> pending on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.550 resource \"name\" offline-pending -> offline on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.550 group \"G\" pending -> partial-online on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.550 resource \"ip\" online -> offline-pending on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.550 group \"G\" partial-online -> pending on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.600 resource \"ip\" offline-pending -> offline on n1 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.600 group \"G\" pending -> offline on n1 (offline to n2 [return_to_source_node_on_error])\n"
	    "00:00:00.600 group \"G\" offline on n2 (offline to n2 [return_to_source_node_on_error])\n"
	    "00:00:00.600 resource \"ip\" offline -> online-pending on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.600 group \"G\" offline -> pending on n2 (offline to n2 [return_to_source_node_on_error])\n"
	    "00:00:00.700 resource \"ip\" online-pending -> online on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.700 group \"G\" pending -> partial-online on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.700 resource \"name\" offline -> online-pending on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.700 group \"G\" partial-online -> pending on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.900 resource \"name\" online-pending -> online on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.900 group \"G\" pending -> partial-online on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.900 resource \"app\" offline -> online-pending on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:00.900 group \"G\" partial-online -> pending on n2 (offline to n2 "
	    "[return_to_source_node_on_error])\n"
	    "00:00:01.900 resource \"app\" online-pending -> failed on n2 (online failed)\n"
	    "00:00:01.900 group \"G\" pending -> failed on n2 (online failed)\n"
	    "00:00:01.900 resource \"name\" online -> offline-pending on n2 (returning to source node because of "
	    "error)\n"
	    "00:00:01.950 resource \"name\" offline-pending -> offline on n2 (returning to source node because of "
	    "error)\n"
	    "00:00:01.950 resource \"ip\" online -> offline-pending on n2 (returning to source node because of error)\n"
	    "00:00:02.000 resource \"ip\" offline-pending -> offline on n2 (returning to source node because of "
	    "error)\n"
	    "00:00:02.000 group \"G\" failed on n1 (returning to source node because of error)\n"
	    "00:00:02.000 resource \"ip\" offline -> online-pending on n1 (returning to source node because of error)\n"
	    "00:00:02.100 resource \"ip\" online-pending -> online on n1 (returning to source node because of error)\n"
	    "00:00:02.100 resource \"name\" offline -> online-pending on n1 (returning to source node because of "
	    "error)\n"
	    "00:00:02.300 resource \"name\" online-pending -> online on n1 (returning to source node because of "
	    "error)\n"
	    "00:00:02.300 resource \"app\" failed -> online-pending on n1 (returning to source node because of error)\n"
	    "00:00:02.300 group \"G\" failed -> pending on n1 (returning to source node because of error)\n"
	    "00:00:03.300 resource \"app\" online-pending -> online on n1 (returning to source node because of error)\n"
	    "00:00:03.300 group \"G\" pending -> online on n1 (returning to source node because of error)\n");
	fx_end(&f);
}

Test(sim_offline, destination_without_return_runs_normal_policy)
{
	struct sim_topology *t = fx_chain();
	struct sim_resource_def *app = fx_find(t, "app");
	app->broken_on = fx_list("n2", ",", &app->nbroken_on);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_offline(f.s, "app", 0, "n2", &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	/* Restart on n2 fails too, so the policy fails the group over to n3. */
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n3");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	fx_end(&f);
}

Test(sim_offline, offline_of_failed_resource_leaves_it_offline)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "app")->restart_action = SIM_RESTART_NONE;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	cr_assert_eq(sim_offline(f.s, "app", 0, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"app\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 resource \"app\" failed -> offline on n1 (offline)\n"
	                 "00:00:00.000 group \"G\" failed -> partial-online on n1 (offline)\n");
	fx_end(&f);
}

Test(sim_offline, refusals_name_the_object)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_offline(f.s, "nope", 0, NULL, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_RESOURCE_NOT_FOUND);
	cr_assert_eq(sim_offline(f.s, "app", 0, "n9", &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_NODE_NOT_FOUND);
	cr_assert_str_eq(f.err.msg, "node \"n9\": not found (5042)");
	fx_end(&f);
}
