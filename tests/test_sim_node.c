/*
 * test_sim_node.c - nodes and quorum in the simulator: a crash fails the
 * owner's groups over (no failure counted), quorum loss and return, pause
 * with and without drain, resume with a failback type, failback when the
 * preferred node joins (docs/simulator.md, "Nodes and quorum").
 */
#include <criterion/criterion.h>
#include <unistd.h>

#include "sim_fixture.h"

/* fx_chain's group G (ip <- name <- app on n1), and a second group H on n2. */
static struct sim_topology *two_groups(void)
{
	struct sim_topology *t = fx_chain();
	fx_group(t, "H", "n2,n3");
	fx_res(t, "H", "disk", "", MS(300), MS(100));
	return t;
}

Test(sim_node, crash_of_the_owner_fails_its_groups_over_without_counting_a_failure)
{
	struct fx f;
	fx_start(&f, two_groups(), 1);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_SUCCESS);
	cr_assert_eq(sim_node_state(f.s, "n1"), NODE_DOWN);
	cr_assert(sim_has_quorum(f.s), "2 of 3 votes");
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 node \"n1\" up -> down on n1 (node down)\n"
	                 "00:00:00.000 resource \"app\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" online -> partial-online on n1 (node down)\n"
	                 "00:00:00.000 resource \"name\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 resource \"ip\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" partial-online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" offline on n2 (failover (node down))\n"
	                 "00:00:00.000 resource \"ip\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.000 group \"G\" offline -> pending on n2 (failover (node down))\n"
	                 "00:00:00.100 resource \"ip\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:00.100 group \"G\" pending -> partial-online on n2 (failover (node down))\n"
	                 "00:00:00.100 resource \"name\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.100 group \"G\" partial-online -> pending on n2 (failover (node down))\n"
	                 "00:00:00.300 resource \"name\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:00.300 group \"G\" pending -> partial-online on n2 (failover (node down))\n"
	                 "00:00:00.300 resource \"app\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.300 group \"G\" partial-online -> pending on n2 (failover (node down))\n"
	                 "00:00:01.300 resource \"app\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:01.300 group \"G\" pending -> online on n2 (failover (node down))\n");
	fx_end(&f);
}

Test(sim_node, quorum_lost_takes_every_group_offline_until_it_returns)
{
	struct fx f;
	fx_start(&f, two_groups(), 1);
	cr_assert_eq(sim_node_down(f.s, "n3", &f.code, &f.err), 0);
	cr_assert(sim_has_quorum(f.s));
	fx_run(&f, SEC(1));
	cr_assert_eq(sim_node_down(f.s, "n2", &f.code, &f.err), 0);
	cr_assert_not(sim_has_quorum(f.s), "1 of 3 votes");
	fx_run(&f, SEC(5));
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_OFFLINE);
	cr_assert_eq(sim_group_state(f.s, "H"), GRP_OFFLINE);
	cr_assert_eq(sim_node_up(f.s, "n3", &f.code, &f.err), 0);
	cr_assert(sim_has_quorum(f.s));
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 node \"n3\" up -> down on n3 (node down)\n"
	                 "00:00:01.000 node \"n2\" up -> down on n2 (node down)\n"
	                 "00:00:01.000 resource \"disk\" online -> offline on n2 (node down)\n"
	                 "00:00:01.000 group \"H\" online -> offline on n2 (node down)\n"
	                 "00:00:01.000 resource \"app\" online -> offline on n1 (quorum lost)\n"
	                 "00:00:01.000 group \"G\" online -> partial-online on n1 (quorum lost)\n"
	                 "00:00:01.000 resource \"name\" online -> offline on n1 (quorum lost)\n"
	                 "00:00:01.000 resource \"ip\" online -> offline on n1 (quorum lost)\n"
	                 "00:00:01.000 group \"G\" partial-online -> offline on n1 (quorum lost)\n"
	                 "00:00:05.000 node \"n3\" down -> joining on n3 (node up)\n"
	                 "00:00:05.000 node \"n3\" joining -> up on n3 (joined)\n"
	                 "00:00:05.000 resource \"ip\" offline -> online-pending on n1 (quorum regained)\n"
	                 "00:00:05.000 group \"G\" offline -> pending on n1 (quorum regained)\n"
	                 "00:00:05.000 group \"H\" offline on n3 (quorum regained)\n"
	                 "00:00:05.000 resource \"disk\" offline -> online-pending on n3 (quorum regained)\n"
	                 "00:00:05.000 group \"H\" offline -> pending on n3 (quorum regained)\n"
	                 "00:00:05.100 resource \"ip\" online-pending -> online on n1 (quorum regained)\n"
	                 "00:00:05.100 group \"G\" pending -> partial-online on n1 (quorum regained)\n"
	                 "00:00:05.100 resource \"name\" offline -> online-pending on n1 (quorum regained)\n"
	                 "00:00:05.100 group \"G\" partial-online -> pending on n1 (quorum regained)\n"
	                 "00:00:05.300 resource \"disk\" online-pending -> online on n3 (quorum regained)\n"
	                 "00:00:05.300 group \"H\" pending -> online on n3 (quorum regained)\n"
	                 "00:00:05.300 resource \"name\" online-pending -> online on n1 (quorum regained)\n"
	                 "00:00:05.300 group \"G\" pending -> partial-online on n1 (quorum regained)\n"
	                 "00:00:05.300 resource \"app\" offline -> online-pending on n1 (quorum regained)\n"
	                 "00:00:05.300 group \"G\" partial-online -> pending on n1 (quorum regained)\n"
	                 "00:00:06.300 resource \"app\" online-pending -> online on n1 (quorum regained)\n"
	                 "00:00:06.300 group \"G\" pending -> online on n1 (quorum regained)\n");
	fx_end(&f);
}

Test(sim_node, a_witness_keeps_quorum_of_two_nodes)
{
	struct fx f;
	struct sim_topology *t = fx_topology("n1,n2");
	fx_group(t, "G", "n1,n2");
	fx_res(t, "G", "ip", "", MS(100), MS(50));
	t->witness = true;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	cr_assert(sim_has_quorum(f.s), "n2 and the witness: 2 of 3 votes");
	fx_run(&f, SEC(1));
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fx_end(&f);
	fx_start(&f, fx_topology("n1,n2"), 1);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	cr_assert_not(sim_has_quorum(f.s), "without the witness: 1 of 2 votes");
	fx_end(&f);
}

Test(sim_node, failback_when_the_preferred_node_joins)
{
	struct fx f;
	struct sim_topology *t = two_groups();
	t->groups[0].auto_failback = 1;
	t->join_time_ns = SEC(5);
	fx_start(&f, t, 1);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_node_up(f.s, "n1", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	cr_assert_eq(sim_node_state(f.s, "n1"), NODE_JOINING);
	fx_run(&f, SEC(30));
	ASSERT_TRACE(&f, "00:00:00.000 node \"n1\" up -> down on n1 (node down)\n"
	                 "00:00:00.000 resource \"app\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" online -> partial-online on n1 (node down)\n"
	                 "00:00:00.000 resource \"name\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 resource \"ip\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" partial-online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" offline on n2 (failover (node down))\n"
	                 "00:00:00.000 resource \"ip\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.000 group \"G\" offline -> pending on n2 (failover (node down))\n"
	                 "00:00:00.100 resource \"ip\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:00.100 group \"G\" pending -> partial-online on n2 (failover (node down))\n"
	                 "00:00:00.100 resource \"name\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.100 group \"G\" partial-online -> pending on n2 (failover (node down))\n"
	                 "00:00:00.300 resource \"name\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:00.300 group \"G\" pending -> partial-online on n2 (failover (node down))\n"
	                 "00:00:00.300 resource \"app\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.300 group \"G\" partial-online -> pending on n2 (failover (node down))\n"
	                 "00:00:01.300 resource \"app\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:01.300 group \"G\" pending -> online on n2 (failover (node down))\n"
	                 "00:00:10.000 node \"n1\" down -> joining on n1 (node up)\n"
	                 "00:00:15.000 node \"n1\" joining -> up on n1 (joined)\n"
	                 "00:00:15.000 resource \"app\" online -> offline-pending on n2 (failback)\n"
	                 "00:00:15.000 group \"G\" online -> pending on n2 (failback)\n"
	                 "00:00:15.500 resource \"app\" offline-pending -> offline on n2 (failback)\n"
	                 "00:00:15.500 group \"G\" pending -> partial-online on n2 (failback)\n"
	                 "00:00:15.500 resource \"name\" online -> offline-pending on n2 (failback)\n"
	                 "00:00:15.500 group \"G\" partial-online -> pending on n2 (failback)\n"
	                 "00:00:15.550 resource \"name\" offline-pending -> offline on n2 (failback)\n"
	                 "00:00:15.550 group \"G\" pending -> partial-online on n2 (failback)\n"
	                 "00:00:15.550 resource \"ip\" online -> offline-pending on n2 (failback)\n"
	                 "00:00:15.550 group \"G\" partial-online -> pending on n2 (failback)\n"
	                 "00:00:15.600 resource \"ip\" offline-pending -> offline on n2 (failback)\n"
	                 "00:00:15.600 group \"G\" pending -> offline on n2 (failback)\n"
	                 "00:00:15.600 group \"G\" offline on n1 (failback)\n"
	                 "00:00:15.600 resource \"ip\" offline -> online-pending on n1 (failback)\n"
	                 "00:00:15.600 group \"G\" offline -> pending on n1 (failback)\n"
	                 "00:00:15.700 resource \"ip\" online-pending -> online on n1 (failback)\n"
	                 "00:00:15.700 group \"G\" pending -> partial-online on n1 (failback)\n"
	                 "00:00:15.700 resource \"name\" offline -> online-pending on n1 (failback)\n"
	                 "00:00:15.700 group \"G\" partial-online -> pending on n1 (failback)\n"
	                 "00:00:15.900 resource \"name\" online-pending -> online on n1 (failback)\n"
	                 "00:00:15.900 group \"G\" pending -> partial-online on n1 (failback)\n"
	                 "00:00:15.900 resource \"app\" offline -> online-pending on n1 (failback)\n"
	                 "00:00:15.900 group \"G\" partial-online -> pending on n1 (failback)\n"
	                 "00:00:16.900 resource \"app\" online-pending -> online on n1 (failback)\n"
	                 "00:00:16.900 group \"G\" pending -> online on n1 (failback)\n");
	fx_end(&f);
}

Test(sim_node, failback_on_join_waits_for_the_window)
{
	struct fx f;
	struct sim_topology *t = fx_chain();
	t->groups[0].auto_failback = 1;
	t->groups[0].failback_start_hour = 2;
	t->groups[0].failback_end_hour = 4;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_node_up(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(3 * 3600));
	ASSERT_TRACE(&f, "00:00:00.000 node \"n1\" up -> down on n1 (node down)\n"
	                 "00:00:00.000 resource \"app\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" online -> partial-online on n1 (node down)\n"
	                 "00:00:00.000 resource \"name\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 resource \"ip\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" partial-online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" offline on n2 (failover (node down))\n"
	                 "00:00:00.000 resource \"ip\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.000 group \"G\" offline -> pending on n2 (failover (node down))\n"
	                 "00:00:00.100 resource \"ip\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:00.100 group \"G\" pending -> partial-online on n2 (failover (node down))\n"
	                 "00:00:00.100 resource \"name\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.100 group \"G\" partial-online -> pending on n2 (failover (node down))\n"
	                 "00:00:00.300 resource \"name\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:00.300 group \"G\" pending -> partial-online on n2 (failover (node down))\n"
	                 "00:00:00.300 resource \"app\" offline -> online-pending on n2 (failover (node down))\n"
	                 "00:00:00.300 group \"G\" partial-online -> pending on n2 (failover (node down))\n"
	                 "00:00:01.300 resource \"app\" online-pending -> online on n2 (failover (node down))\n"
	                 "00:00:01.300 group \"G\" pending -> online on n2 (failover (node down))\n"
	                 "00:00:10.000 node \"n1\" down -> joining on n1 (node up)\n"
	                 "00:00:10.000 node \"n1\" joining -> up on n1 (joined)\n"
	                 "02:00:00.000 resource \"app\" online -> offline-pending on n2 (failback)\n"
	                 "02:00:00.000 group \"G\" online -> pending on n2 (failback)\n"
	                 "02:00:00.500 resource \"app\" offline-pending -> offline on n2 (failback)\n"
	                 "02:00:00.500 group \"G\" pending -> partial-online on n2 (failback)\n"
	                 "02:00:00.500 resource \"name\" online -> offline-pending on n2 (failback)\n"
	                 "02:00:00.500 group \"G\" partial-online -> pending on n2 (failback)\n"
	                 "02:00:00.550 resource \"name\" offline-pending -> offline on n2 (failback)\n"
	                 "02:00:00.550 group \"G\" pending -> partial-online on n2 (failback)\n"
	                 "02:00:00.550 resource \"ip\" online -> offline-pending on n2 (failback)\n"
	                 "02:00:00.550 group \"G\" partial-online -> pending on n2 (failback)\n"
	                 "02:00:00.600 resource \"ip\" offline-pending -> offline on n2 (failback)\n"
	                 "02:00:00.600 group \"G\" pending -> offline on n2 (failback)\n"
	                 "02:00:00.600 group \"G\" offline on n1 (failback)\n"
	                 "02:00:00.600 resource \"ip\" offline -> online-pending on n1 (failback)\n"
	                 "02:00:00.600 group \"G\" offline -> pending on n1 (failback)\n"
	                 "02:00:00.700 resource \"ip\" online-pending -> online on n1 (failback)\n"
	                 "02:00:00.700 group \"G\" pending -> partial-online on n1 (failback)\n"
	                 "02:00:00.700 resource \"name\" offline -> online-pending on n1 (failback)\n"
	                 "02:00:00.700 group \"G\" partial-online -> pending on n1 (failback)\n"
	                 "02:00:00.900 resource \"name\" online-pending -> online on n1 (failback)\n"
	                 "02:00:00.900 group \"G\" pending -> partial-online on n1 (failback)\n"
	                 "02:00:00.900 resource \"app\" offline -> online-pending on n1 (failback)\n"
	                 "02:00:00.900 group \"G\" partial-online -> pending on n1 (failback)\n"
	                 "02:00:01.900 resource \"app\" online-pending -> online on n1 (failback)\n"
	                 "02:00:01.900 group \"G\" pending -> online on n1 (failback)\n");
	fx_end(&f);
}

Test(sim_node, pause_with_drain_moves_groups_away_and_nothing_moves_back)
{
	struct fx f;
	fx_start(&f, two_groups(), 1);
	cr_assert_eq(sim_node_pause(f.s, "n1", true, &f.code, &f.err), 0);
	cr_assert_eq(sim_node_state(f.s, "n1"), NODE_PAUSED);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	cr_assert_eq(sim_move_group(f.s, "G", "n1", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_HOST_NODE_NOT_AVAILABLE);
	cr_assert_eq(sim_node_pause(f.s, "n1", true, &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "node \"n1\": already paused (5070)");
	cr_assert_eq(sim_node_resume(f.s, "n1", NODE_FAILBACK_IMMEDIATE, &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	ASSERT_TRACE(&f, "00:00:00.000 node \"n1\" up -> paused on n1 (pause (drain))\n"
	                 "00:00:00.000 resource \"app\" online -> offline-pending on n1 (drain)\n"
	                 "00:00:00.000 group \"G\" online -> pending on n1 (drain)\n"
	                 "00:00:00.500 resource \"app\" offline-pending -> offline on n1 (drain)\n"
	                 "00:00:00.500 group \"G\" pending -> partial-online on n1 (drain)\n"
	                 "00:00:00.500 resource \"name\" online -> offline-pending on n1 (drain)\n"
	                 "00:00:00.500 group \"G\" partial-online -> pending on n1 (drain)\n"
	                 "00:00:00.550 resource \"name\" offline-pending -> offline on n1 (drain)\n"
	                 "00:00:00.550 group \"G\" pending -> partial-online on n1 (drain)\n"
	                 "00:00:00.550 resource \"ip\" online -> offline-pending on n1 (drain)\n"
	                 "00:00:00.550 group \"G\" partial-online -> pending on n1 (drain)\n"
	                 "00:00:00.600 resource \"ip\" offline-pending -> offline on n1 (drain)\n"
	                 "00:00:00.600 group \"G\" pending -> offline on n1 (drain)\n"
	                 "00:00:00.600 group \"G\" offline on n2 (drain)\n"
	                 "00:00:00.600 resource \"ip\" offline -> online-pending on n2 (drain)\n"
	                 "00:00:00.600 group \"G\" offline -> pending on n2 (drain)\n"
	                 "00:00:00.700 resource \"ip\" online-pending -> online on n2 (drain)\n"
	                 "00:00:00.700 group \"G\" pending -> partial-online on n2 (drain)\n"
	                 "00:00:00.700 resource \"name\" offline -> online-pending on n2 (drain)\n"
	                 "00:00:00.700 group \"G\" partial-online -> pending on n2 (drain)\n"
	                 "00:00:00.900 resource \"name\" online-pending -> online on n2 (drain)\n"
	                 "00:00:00.900 group \"G\" pending -> partial-online on n2 (drain)\n"
	                 "00:00:00.900 resource \"app\" offline -> online-pending on n2 (drain)\n"
	                 "00:00:00.900 group \"G\" partial-online -> pending on n2 (drain)\n"
	                 "00:00:01.900 resource \"app\" online-pending -> online on n2 (drain)\n"
	                 "00:00:01.900 group \"G\" pending -> online on n2 (drain)\n"
	                 "00:00:10.000 node \"n1\" paused -> up on n1 (resume)\n"
	                 "00:00:10.000 resource \"app\" online -> offline-pending on n2 (failback (resume))\n"
	                 "00:00:10.000 group \"G\" online -> pending on n2 (failback (resume))\n"
	                 "00:00:10.500 resource \"app\" offline-pending -> offline on n2 (failback (resume))\n"
	                 "00:00:10.500 group \"G\" pending -> partial-online on n2 (failback (resume))\n"
	                 "00:00:10.500 resource \"name\" online -> offline-pending on n2 (failback (resume))\n"
	                 "00:00:10.500 group \"G\" partial-online -> pending on n2 (failback (resume))\n"
	                 "00:00:10.550 resource \"name\" offline-pending -> offline on n2 (failback (resume))\n"
	                 "00:00:10.550 group \"G\" pending -> partial-online on n2 (failback (resume))\n"
	                 "00:00:10.550 resource \"ip\" online -> offline-pending on n2 (failback (resume))\n"
	                 "00:00:10.550 group \"G\" partial-online -> pending on n2 (failback (resume))\n"
	                 "00:00:10.600 resource \"ip\" offline-pending -> offline on n2 (failback (resume))\n"
	                 "00:00:10.600 group \"G\" pending -> offline on n2 (failback (resume))\n"
	                 "00:00:10.600 group \"G\" offline on n1 (failback (resume))\n"
	                 "00:00:10.600 resource \"ip\" offline -> online-pending on n1 (failback (resume))\n"
	                 "00:00:10.600 group \"G\" offline -> pending on n1 (failback (resume))\n"
	                 "00:00:10.700 resource \"ip\" online-pending -> online on n1 (failback (resume))\n"
	                 "00:00:10.700 group \"G\" pending -> partial-online on n1 (failback (resume))\n"
	                 "00:00:10.700 resource \"name\" offline -> online-pending on n1 (failback (resume))\n"
	                 "00:00:10.700 group \"G\" partial-online -> pending on n1 (failback (resume))\n"
	                 "00:00:10.900 resource \"name\" online-pending -> online on n1 (failback (resume))\n"
	                 "00:00:10.900 group \"G\" pending -> partial-online on n1 (failback (resume))\n"
	                 "00:00:10.900 resource \"app\" offline -> online-pending on n1 (failback (resume))\n"
	                 "00:00:10.900 group \"G\" partial-online -> pending on n1 (failback (resume))\n"
	                 "00:00:11.900 resource \"app\" online-pending -> online on n1 (failback (resume))\n"
	                 "00:00:11.900 group \"G\" pending -> online on n1 (failback (resume))\n");
	fx_end(&f);
}

Test(sim_node, pause_without_drain_keeps_what_runs_there)
{
	struct fx f;
	fx_start(&f, two_groups(), 1);
	cr_assert_eq(sim_node_pause(f.s, "n2", false, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_SUCCESS);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "H"), "n2", "H stays on the paused node");
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n3", "G skips the paused n2");
	cr_assert_eq(sim_node_resume(f.s, "n2", NODE_FAILBACK_NONE, &f.code, &f.err), 0);
	cr_assert_eq(sim_node_state(f.s, "n2"), NODE_UP);
	fx_end(&f);
}

Test(sim_node, refusals_name_the_node_and_code)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_node_down(f.s, "n9", &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "node \"n9\": not found (5042)");
	cr_assert_eq(sim_node_up(f.s, "n1", &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "node \"n1\": not down (up) (5056)");
	cr_assert_eq(sim_node_resume(f.s, "n1", NODE_FAILBACK_POLICY, &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "node \"n1\": not paused (up) (5058)");
	cr_assert_eq(sim_node_down(f.s, "n2", &f.code, &f.err), 0);
	cr_assert_eq(sim_node_down(f.s, "n2", &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "node \"n2\": already down (5050)");
	cr_assert_eq(sim_node_pause(f.s, "n2", false, &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "node \"n2\": not up (down) (5050)");
	cr_assert_eq(sim_node_state(f.s, "n9"), NODE_UNKNOWN);
	fx_end(&f);
}

Test(sim_node, topology_reads_and_writes_witness_and_join_time)
{
	char path[] = "/tmp/faultline-node-topo-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *w = fdopen(fd, "w");
	fputs("name: t\nwitness: true\njoin_time: 5s\nnodes: [a, b]\ngroups: []\n", w);
	fclose(w);
	struct fl_diag d;
	diag_init(&d, path);
	struct sim_topology *t = sim_topology_load(path, &d);
	cr_assert_not_null(t);
	cr_assert(t->witness);
	cr_assert_eq(t->join_time_ns, SEC(5));
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_eq(sim_topology_write(m, t), 0);
	fclose(m);
	cr_assert_str_eq(
	    buf,
	    "name: \"t\"\nwitness: true\njoin_time: 5s\nnodes:\n  - {name: \"a\"}\n  - {name: \"b\"}\ngroups: []\n");
	free(buf);
	sim_topology_free(t);
	diag_fini(&d);
	unlink(path);
}

Test(sim_node, a_move_to_a_node_that_crashes_turns_back)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_move_group(f.s, "G", "n2", 0, &f.code, &f.err), 0);
	fx_run(&f, MS(100)); /* app is still going offline (500 ms) */
	cr_assert_eq(sim_node_down(f.s, "n2", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n1");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	fx_end(&f);
}

Test(sim_node, a_group_with_no_node_left_waits_offline_for_one_to_join)
{
	struct fx f;
	struct sim_topology *t = fx_chain();
	t->groups[0].possible = fx_list("n1,n2", ",", &t->groups[0].npossible);
	fx_start(&f, t, 1);
	cr_assert_eq(sim_node_pause(f.s, "n2", false, &f.code, &f.err), 0);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_OFFLINE, "n2 is paused, n3 is no possible owner");
	cr_assert_eq(sim_node_up(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n1");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	ASSERT_TRACE(&f, "00:00:00.000 node \"n2\" up -> paused on n2 (pause)\n"
	                 "00:00:00.000 node \"n1\" up -> down on n1 (node down)\n"
	                 "00:00:00.000 resource \"app\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" online -> partial-online on n1 (node down)\n"
	                 "00:00:00.000 resource \"name\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 resource \"ip\" online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" partial-online -> offline on n1 (node down)\n"
	                 "00:00:00.000 group \"G\" offline on n1 (no possible owner is up)\n"
	                 "00:00:10.000 node \"n1\" down -> joining on n1 (node up)\n"
	                 "00:00:10.000 node \"n1\" joining -> up on n1 (joined)\n"
	                 "00:00:10.000 resource \"ip\" offline -> online-pending on n1 (node joined)\n"
	                 "00:00:10.000 group \"G\" offline -> pending on n1 (node joined)\n"
	                 "00:00:10.100 resource \"ip\" online-pending -> online on n1 (node joined)\n"
	                 "00:00:10.100 group \"G\" pending -> partial-online on n1 (node joined)\n"
	                 "00:00:10.100 resource \"name\" offline -> online-pending on n1 (node joined)\n"
	                 "00:00:10.100 group \"G\" partial-online -> pending on n1 (node joined)\n"
	                 "00:00:10.300 resource \"name\" online-pending -> online on n1 (node joined)\n"
	                 "00:00:10.300 group \"G\" pending -> partial-online on n1 (node joined)\n"
	                 "00:00:10.300 resource \"app\" offline -> online-pending on n1 (node joined)\n"
	                 "00:00:10.300 group \"G\" partial-online -> pending on n1 (node joined)\n"
	                 "00:00:11.300 resource \"app\" online-pending -> online on n1 (node joined)\n"
	                 "00:00:11.300 group \"G\" pending -> online on n1 (node joined)\n");
	fx_end(&f);
}

/* WS "Choosing the destination node": the preferred owners in order from the first, not the node after the lost one. */
Test(sim_node, a_lost_node_s_groups_go_to_the_first_preferred_owner_up)
{
	struct fx f;
	struct sim_topology *t = fx_topology("n1,n2,n3");
	struct sim_group_def *g = fx_group(t, "G", "n3,n1,n2");
	g->owner = xstrdup("n1");
	fx_res(t, "G", "ip", "", MS(100), MS(50));
	fx_start(&f, t, 1);
	cr_assert_eq(sim_node_down(f.s, "n1", &f.code, &f.err), 0);
	fx_run(&f, SEC(1));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n3");
	fx_end(&f);
}
