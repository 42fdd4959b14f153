/*
 * test_sim_crash.c - a real failure (sim_crash) is seen at the resource's
 * next health check (monitor_interval: Pacemaker's monitor op, WSFC's
 * LooksAlive), unlike FailClusterResource / crm_resource --fail, which the
 * cluster knows at once.
 */
#include <criterion/criterion.h>

#include "sim_fixture.h"

Test(sim_crash, wsfc_detects_at_the_next_check_then_restarts)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "app")->monitor_interval_ns = SEC(5);
	struct fx f;
	fx_start(&f, t, 1);
	fx_run(&f, SEC(7));
	cr_assert_eq(sim_crash(f.s, "app", &f.code, &f.err), 0);
	cr_assert_eq(sim_resource_state(f.s, "app"), RES_ONLINE, "the cluster does not know yet");
	cr_assert_eq(sim_crash(f.s, "app", &f.code, &f.err), -1);
	cr_assert_str_eq(f.err.msg, "resource \"app\": not online (crashed) (5084)");
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:07.000 resource \"app\" online on n1 (crashed (not yet detected))\n"
	                 "00:00:10.000 resource \"app\" online -> failed on n1 (monitor: not running)\n"
	                 "00:00:10.000 group \"G\" online -> failed on n1 (monitor: not running)\n"
	                 "00:00:10.500 resource \"app\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:10.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:11.500 resource \"app\" online-pending -> online on n1 (restart)\n"
	                 "00:00:11.500 group \"G\" pending -> online on n1 (restart)\n");
	fx_end(&f);
}

Test(sim_crash, checks_are_phased_from_the_last_online)
{
	struct sim_topology *t = fx_chain();
	fx_find(t, "app")->monitor_interval_ns = SEC(5);
	struct fx f;
	fx_start(&f, t, 1);
	fx_run(&f, SEC(5)); /* a check is due now and has passed: the next one sees it */
	cr_assert_eq(sim_crash(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(12));
	cr_assert_eq(sim_crash(f.s, "app", &f.code, &f.err), 0); /* online again since 11.5 s: checks at 16.5 s */
	fx_run(&f, MS(16499));
	cr_assert_eq(sim_resource_state(f.s, "app"), RES_ONLINE);
	fx_run(&f, MS(16500));
	cr_assert_eq(sim_resource_state(f.s, "app"), RES_FAILED);
	size_t n;
	const struct sim_transition *tr = sim_trace(f.s, &n);
	cr_assert_eq(tr[1].at, SEC(10), "first detection");
	fx_end(&f);
}

Test(sim_crash, pacemaker_monitor_then_stop_and_start)
{
	struct sim_topology *t = fx_topology("n1,n2");
	t->policy = SIM_POLICY_PACEMAKER;
	t->pcmk_fail_increment = 2;
	t->pcmk_reaction.min_ns = t->pcmk_reaction.max_ns = MS(40);
	fx_group(t, "S1", "n1,n2");
	fx_res(t, "S1", "s1", "", MS(100), MS(50))->monitor_interval_ns = SEC(1);
	struct fx f;
	fx_start(&f, t, 1);
	fx_run(&f, MS(2300));
	cr_assert_eq(sim_crash(f.s, "s1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:02.300 resource \"s1\" online on n1 (crashed (not yet detected))\n"
	                 "00:00:03.000 resource \"s1\" online -> failed on n1 (monitor: not running)\n"
	                 "00:00:03.000 group \"S1\" online -> failed on n1 (monitor: not running)\n"
	                 "00:00:03.040 resource \"s1\" failed -> offline-pending on n1 (restart)\n"
	                 "00:00:03.040 group \"S1\" failed -> pending on n1 (restart)\n"
	                 "00:00:03.090 resource \"s1\" offline-pending -> offline on n1 (restart)\n"
	                 "00:00:03.090 group \"S1\" pending -> offline on n1 (restart)\n"
	                 "00:00:03.090 resource \"s1\" offline -> online-pending on n1 (restart)\n"
	                 "00:00:03.090 group \"S1\" offline -> pending on n1 (restart)\n"
	                 "00:00:03.190 resource \"s1\" online-pending -> online on n1 (restart)\n"
	                 "00:00:03.190 group \"S1\" pending -> online on n1 (restart)\n");
	fx_end(&f);
}
