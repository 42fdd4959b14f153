/*
 * test_sim_pcmk.c - the Pacemaker policy (`policy: pacemaker`): on-fail
 * restart with a stop of the failed instance, fail-count and
 * migration-threshold, failure-timeout, stickiness and location scores,
 * groups ordered and colocated, bans. Times: reaction 40 ms (failure
 * recorded -> scheduler acts), Dummy-like stop 50 ms / start 100 ms.
 */
#include <criterion/criterion.h>

#include "sim_fixture.h"

/* n1, n2: group W (vip, svc: a Pacemaker group), s1 alone, fo with migration-threshold 1, pin allowed on n1 only. */
static struct sim_topology *pcmk_two_node(void)
{
	struct sim_topology *t = fx_topology("n1,n2");
	t->policy = SIM_POLICY_PACEMAKER;
	t->pcmk_fail_increment = 2;
	t->pcmk_reaction.min_ns = t->pcmk_reaction.max_ns = MS(40);
	struct sim_group_def *w = fx_group(t, "W", "n1,n2");
	w->location = xcalloc(1, sizeof(*w->location));
	w->location[0].node = xstrdup("n1");
	w->location[0].score = 50;
	w->nlocation = 1;
	fx_res(t, "W", "vip", "", MS(100), MS(50));
	fx_res(t, "W", "svc", "", MS(200), MS(100)); /* after vip in its group: no depends_on needed */
	fx_group(t, "S1", "n1,n2");
	fx_res(t, "S1", "s1", "", MS(100), MS(50));
	fx_group(t, "FO", "n1,n2");
	fx_res(t, "FO", "fo", "", MS(100), MS(50))->migration_threshold = 1;
	struct sim_group_def *pin = fx_group(t, "PIN", "n1");
	pin->possible = fx_list("n1", ",", &pin->npossible);
	fx_res(t, "PIN", "pin", "", MS(100), MS(50))->migration_threshold = 1;
	return t;
}

Test(sim_pcmk, fail_restarts_in_place_after_stopping_the_failed_instance)
{
	struct fx f;
	fx_start(&f, pcmk_two_node(), 1);
	cr_assert_eq(sim_fail(f.s, "s1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"s1\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"S1\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.040 resource \"s1\" failed -> offline-pending on n1 (restart)\n"
	                 "00:00:00.040 group \"S1\" failed -> pending on n1 (restart)\n"
	                 "00:00:00.090 resource \"s1\" offline-pending -> offline on n1 (restart)\n"
	                 "00:00:00.090 group \"S1\" pending -> offline on n1 (restart)\n"
	                 "00:00:00.090 resource \"s1\" offline -> online-pending on n1 (restart)\n"
	                 "00:00:00.090 group \"S1\" offline -> pending on n1 (restart)\n"
	                 "00:00:00.190 resource \"s1\" online-pending -> online on n1 (restart)\n"
	                 "00:00:00.190 group \"S1\" pending -> online on n1 (restart)\n");
	fx_end(&f);
}

Test(sim_pcmk, group_member_failure_restarts_the_members_after_it)
{
	struct fx f;
	fx_start(&f, pcmk_two_node(), 1);
	cr_assert_eq(sim_fail(f.s, "vip", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"vip\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"W\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 resource \"svc\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:00.100 resource \"svc\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:00.100 resource \"vip\" failed -> offline-pending on n1 (restart)\n"
	                 "00:00:00.100 group \"W\" failed -> pending on n1 (restart)\n"
	                 "00:00:00.150 resource \"vip\" offline-pending -> offline on n1 (restart)\n"
	                 "00:00:00.150 group \"W\" pending -> offline on n1 (restart)\n"
	                 "00:00:00.150 resource \"vip\" offline -> online-pending on n1 (restart)\n"
	                 "00:00:00.150 group \"W\" offline -> pending on n1 (restart)\n"
	                 "00:00:00.250 resource \"vip\" online-pending -> online on n1 (restart)\n"
	                 "00:00:00.250 group \"W\" pending -> partial-online on n1 (restart)\n"
	                 "00:00:00.250 resource \"svc\" offline -> online-pending on n1 (provider back online)\n"
	                 "00:00:00.250 group \"W\" partial-online -> pending on n1 (provider back online)\n"
	                 "00:00:00.450 resource \"svc\" online-pending -> online on n1 (provider back online)\n"
	                 "00:00:00.450 group \"W\" pending -> online on n1 (provider back online)\n");
	fx_end(&f);
}

Test(sim_pcmk, migration_threshold_moves_the_resource_after_stopping_it)
{
	struct fx f;
	fx_start(&f, pcmk_two_node(), 1);
	cr_assert_eq(sim_fail(f.s, "fo", &f.code, &f.err), 0);
	fx_run(&f, SEC(3600));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"fo\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"FO\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.040 resource \"fo\" failed -> offline-pending on n1 (migration-threshold)\n"
	                 "00:00:00.040 group \"FO\" failed -> pending on n1 (migration-threshold)\n"
	                 "00:00:00.090 resource \"fo\" offline-pending -> offline on n1 (migration-threshold)\n"
	                 "00:00:00.090 group \"FO\" pending -> offline on n1 (migration-threshold)\n"
	                 "00:00:00.090 group \"FO\" offline on n2 (migration-threshold)\n"
	                 "00:00:00.090 resource \"fo\" offline -> online-pending on n2 (migration-threshold)\n"
	                 "00:00:00.090 group \"FO\" offline -> pending on n2 (migration-threshold)\n"
	                 "00:00:00.190 resource \"fo\" online-pending -> online on n2 (migration-threshold)\n"
	                 "00:00:00.190 group \"FO\" pending -> online on n2 (migration-threshold)\n");
	fx_end(&f);
}

/*
 * No node allowed: Pacemaker stops it and leaves it stopped and Failed
 * (crm_mon: failed, fail-count at the threshold; the backend reads it as
 * Failed, a trial's stays_failed) until failure-timeout or cleanup; then
 * it starts without another stop.
 */
Test(sim_pcmk, migration_threshold_with_no_node_allowed_leaves_it_stopped_and_failed)
{
	struct sim_topology *t = pcmk_two_node();
	fx_find(t, "pin")->failure_timeout_ns = SEC(10);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "pin", &f.code, &f.err), 0);
	fx_run(&f, SEC(5));
	cr_assert_eq(sim_resource_state(f.s, "pin"), RES_FAILED);
	cr_assert_eq(sim_group_state(f.s, "PIN"), GRP_FAILED);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f,
	             "00:00:00.000 resource \"pin\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.000 group \"PIN\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.040 resource \"pin\" failed -> offline-pending on n1 (stop: migration-threshold "
	             "reached, no node allowed)\n"
	             "00:00:00.040 group \"PIN\" failed -> pending on n1 (stop: migration-threshold reached, no node "
	             "allowed)\n"
	             "00:00:00.090 resource \"pin\" offline-pending -> failed on n1 (stop: migration-threshold "
	             "reached, no node allowed)\n"
	             "00:00:00.090 group \"PIN\" pending -> failed on n1 (stop: migration-threshold reached, no node "
	             "allowed)\n"
	             "00:00:10.040 resource \"pin\" failed -> offline on n1 (failure-timeout expired)\n"
	             "00:00:10.040 group \"PIN\" failed -> offline on n1 (failure-timeout expired)\n"
	             "00:00:10.040 resource \"pin\" offline -> online-pending on n1 (failure-timeout expired)\n"
	             "00:00:10.040 group \"PIN\" offline -> pending on n1 (failure-timeout expired)\n"
	             "00:00:10.140 resource \"pin\" online-pending -> online on n1 (failure-timeout expired)\n"
	             "00:00:10.140 group \"PIN\" pending -> online on n1 (failure-timeout expired)\n");
	fx_end(&f);
}

/* Left Failed at its threshold, a cleanup (online) starts it at once: it is stopped already. */
Test(sim_pcmk, online_of_a_resource_left_failed_starts_it_without_a_stop)
{
	struct fx f;
	fx_start(&f, pcmk_two_node(), 1);
	cr_assert_eq(sim_fail(f.s, "pin", &f.code, &f.err), 0);
	fx_run(&f, SEC(1));
	cr_assert_eq(sim_online(f.s, "pin", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	ASSERT_TRACE(&f,
	             "00:00:00.000 resource \"pin\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.000 group \"PIN\" online -> failed on n1 (FailClusterResource)\n"
	             "00:00:00.040 resource \"pin\" failed -> offline-pending on n1 (stop: migration-threshold "
	             "reached, no node allowed)\n"
	             "00:00:00.040 group \"PIN\" failed -> pending on n1 (stop: migration-threshold reached, no node "
	             "allowed)\n"
	             "00:00:00.090 resource \"pin\" offline-pending -> failed on n1 (stop: migration-threshold "
	             "reached, no node allowed)\n"
	             "00:00:00.090 group \"PIN\" pending -> failed on n1 (stop: migration-threshold reached, no node "
	             "allowed)\n"
	             "00:00:01.000 resource \"pin\" failed -> offline on n1 (online)\n"
	             "00:00:01.000 group \"PIN\" failed -> offline on n1 (online)\n"
	             "00:00:01.000 resource \"pin\" offline -> online-pending on n1 (online)\n"
	             "00:00:01.000 group \"PIN\" offline -> pending on n1 (online)\n"
	             "00:00:01.100 resource \"pin\" online-pending -> online on n1 (online)\n"
	             "00:00:01.100 group \"PIN\" pending -> online on n1 (online)\n");
	fx_end(&f);
}

/*
 * offline with do_not_update_persistent_state is a ban on every node, as
 * the backend makes it (crm_resource --ban per node): the member stops
 * where it runs with the members after it, the group moves nowhere, and
 * online (--clear) starts them there again. Measured on the real two-node
 * cluster (tests/pacemaker/run2.sh "offline", fidelity.sh).
 */
Test(sim_pcmk, ban_of_a_group_member_stops_it_where_it_runs)
{
	struct fx f;
	fx_start(&f, pcmk_two_node(), 1);
	unsigned flags = OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE;
	cr_assert_eq(sim_offline(f.s, "vip", flags, NULL, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"svc\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:00.000 group \"W\" online -> pending on n1 (provider down)\n"
	                 "00:00:00.100 resource \"svc\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:00.100 group \"W\" pending -> partial-online on n1 (provider down)\n"
	                 "00:00:00.100 resource \"vip\" online -> offline-pending on n1 (stop: banned from every "
	                 "allowed node)\n"
	                 "00:00:00.100 group \"W\" partial-online -> pending on n1 (stop: banned from every allowed "
	                 "node)\n"
	                 "00:00:00.150 resource \"vip\" offline-pending -> offline on n1 (stop: banned from every "
	                 "allowed node)\n"
	                 "00:00:00.150 group \"W\" pending -> offline on n1 (stop: banned from every allowed node)\n");
	cr_assert(sim_resource_persistent(f.s, "svc"), "a ban leaves svc's own target-role alone");
	/* online = --clear: the bans go; the group starts where it is. */
	cr_assert_eq(sim_online(f.s, "vip", &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	cr_assert_str_eq(sim_group_owner(f.s, "W"), "n1");
	cr_assert_eq(sim_group_state(f.s, "W"), GRP_ONLINE);
	fx_end(&f);
}

/* A plain offline is target-role=Stopped on that member: later members stop with it and come back with it. */
Test(sim_pcmk, target_role_stopped_keeps_the_later_members_wanted)
{
	struct fx f;
	fx_start(&f, pcmk_two_node(), 1);
	cr_assert_eq(sim_offline(f.s, "vip", 0, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(5));
	cr_assert_eq(sim_resource_state(f.s, "svc"), RES_OFFLINE);
	cr_assert(sim_resource_persistent(f.s, "svc"), "svc's own target-role is untouched");
	cr_assert_eq(sim_online(f.s, "vip", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_resource_state(f.s, "svc"), RES_ONLINE);
	cr_assert_str_eq(sim_group_owner(f.s, "W"), "n1");
	fx_end(&f);
}

/* failure-timeout expires on n1: location (50) over stickiness decides whether fo goes back. */
static const char *fo_owner_after_expiry(int64_t stickiness)
{
	struct sim_topology *t = pcmk_two_node();
	struct sim_resource_def *fo = fx_find(t, "fo");
	fo->failure_timeout_ns = SEC(30);
	fo->stickiness = stickiness;
	t->groups[2].location = xcalloc(1, sizeof(struct sim_location));
	t->groups[2].location[0].node = xstrdup("n1");
	t->groups[2].location[0].score = 50;
	t->groups[2].nlocation = 1;
	static char owner[8];
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "fo", &f.code, &f.err), 0);
	fx_run(&f, SEC(29));
	cr_assert_str_eq(sim_group_owner(f.s, "FO"), "n2");
	fx_run(&f, SEC(60));
	snprintf(owner, sizeof(owner), "%s", sim_group_owner(f.s, "FO"));
	cr_assert_eq(sim_group_state(f.s, "FO"), GRP_ONLINE);
	fx_end(&f);
	return owner;
}

Test(sim_pcmk, failure_timeout_then_location_against_stickiness)
{
	cr_assert_str_eq(fo_owner_after_expiry(0), "n1", "stickiness 0 < location 50: back to n1");
	cr_assert_str_eq(fo_owner_after_expiry(100), "n2", "stickiness 100 > location 50: stays");
}

/* A failed start counts INFINITY (start-failure-is-fatal): the group leaves that node at once. */
Test(sim_pcmk, failed_start_bans_the_node)
{
	struct sim_topology *t = pcmk_two_node();
	struct sim_resource_def *s1 = fx_find(t, "s1");
	s1->broken_on = fx_list("n1", ",", &s1->nbroken_on);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "s1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "S1"), "n2");
	cr_assert_eq(sim_resource_state(f.s, "s1"), RES_ONLINE);
	fx_end(&f);
}

Test(sim_pcmk, topology_reads_the_pacemaker_settings)
{
	struct fl_diag d;
	diag_init(&d, "tests/data/topology/pacemaker.yaml");
	struct sim_topology *t = sim_topology_load("tests/data/topology/pacemaker.yaml", &d);
	cr_assert_not_null(t, "%s", d.n ? diag_format(&d, 0) : "");
	diag_fini(&d);
	cr_assert_eq(t->policy, SIM_POLICY_PACEMAKER);
	cr_assert_eq(t->pcmk_fail_increment, 2);
	cr_assert_eq(t->pcmk_reaction.min_ns, MS(30));
	cr_assert_eq(t->pcmk_reaction.max_ns, MS(60));
	cr_assert_eq(t->groups[0].nlocation, 2);
	cr_assert_str_eq(t->groups[0].location[1].node, "n2");
	cr_assert_eq(t->groups[0].location[1].score, -1000000);
	cr_assert_eq(t->resources[1].migration_threshold, 1);
	cr_assert_eq(t->resources[1].failure_timeout_ns, SEC(10));
	cr_assert_eq(t->resources[1].stickiness, 100);
	sim_topology_free(t);
	diag_init(&d, "tests/data/topology/pacemaker-bad.yaml");
	cr_assert_null(sim_topology_load("tests/data/topology/pacemaker-bad.yaml", &d));
	cr_assert_eq(d.n, 3);
	char *m0 = diag_format(&d, 0), *m1 = diag_format(&d, 1), *m2 = diag_format(&d, 2);
	cr_assert_str_eq(
	    m0, "tests/data/topology/pacemaker-bad.yaml:2:9: policy: expected one of wsfc, pacemaker, got \"pcmk\"");
	cr_assert_str_eq(m1, "tests/data/topology/pacemaker-bad.yaml:8:7: location: unknown node \"n3\"");
	cr_assert_str_eq(m2, "tests/data/topology/pacemaker-bad.yaml:10:69: stickiness: \"lots\" is not a score (an "
	                     "integer within +-1000000, or INFINITY)");
	free(m0), free(m1), free(m2);
	diag_fini(&d);
}

/*
 * The fidelity check's off-both trial (tests/pacemaker/2node/fidelity.yaml):
 * W was moved to n2 (the backend's crm_resource --move leaves cli-prefer-W
 * INFINITY on n2 until the restore), svc then failed there at
 * migration-threshold 1 and W went back to n1. Banning svc from every node
 * (offline with do_not_update_persistent_state) leaves it nowhere to run:
 * the scheduler rolls svc's scores back and places vip on its own, where
 * cli-prefer wants it (Pacemaker 2.1.5 on the two-node cluster:
 * "fl-vip: Rolling back optional scores from fl-svc", "Move fl-vip
 * (fl-node1 -> fl-node2)", "Stop fl-svc due to node availability"). svc
 * stays stopped, Failed (its fail-count on n2 is at the threshold). online
 * deletes the bans only: svc may run on n1 again and W comes back there
 * with it.
 */
static struct sim_topology *pcmk_moved_then_failed_over(struct fx *f)
{
	struct sim_topology *t = pcmk_two_node();
	fx_find(t, "svc")->migration_threshold = 1;
	fx_start(f, t, 1);
	cr_assert_eq(sim_move_group(f->s, "W", "n2", 0, &f->code, &f->err), 0);
	fx_run(f, SEC(1));
	cr_assert_eq(sim_fail(f->s, "svc", &f->code, &f->err), 0);
	fx_run(f, SEC(2));
	cr_assert_str_eq(sim_group_owner(f->s, "W"), "n1");
	cr_assert_eq(sim_group_state(f->s, "W"), GRP_ONLINE);
	size_t n;
	sim_trace(f->s, &n);
	cr_assert_eq(n, 36, "%zu transitions before the offline", n);
	return t;
}

/* Everything after the first `skip` lines of the trace. */
static char *trace_from(struct fx *f, size_t skip)
{
	char *all = fx_trace(f), *p = all;
	for (size_t i = 0; i < skip && p != NULL; i++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	char *out = xstrdup(p ? p : "");
	free(all);
	return out;
}

Test(sim_pcmk, ban_everywhere_of_a_later_member_moves_the_group_to_its_preferred_node)
{
	struct fx f;
	pcmk_moved_then_failed_over(&f);
	unsigned flags = OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE;
	cr_assert_eq(sim_offline(f.s, "svc", flags, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(3));
	cr_assert_eq(sim_online(f.s, "svc", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	char *got = trace_from(&f, 36);
	const char *off = "(offline [ignore_resource_status, do_not_update_persistent_state])";
	char want[4096];
	snprintf(
	    want, sizeof(want),
	    "00:00:02.000 resource \"svc\" online -> offline-pending on n1 %s\n"
	    "00:00:02.000 group \"W\" online -> pending on n1 %s\n"
	    "00:00:02.100 resource \"svc\" offline-pending -> failed on n1 (stop: banned from every allowed node)\n"
	    "00:00:02.100 group \"W\" pending -> failed on n1 (stop: banned from every allowed node)\n"
	    "00:00:02.100 resource \"vip\" online -> offline-pending on n1 %s\n"
	    "00:00:02.150 resource \"vip\" offline-pending -> offline on n1 %s\n"
	    "00:00:02.150 group \"W\" failed on n2 %s\n"
	    "00:00:02.150 resource \"vip\" offline -> online-pending on n2 %s\n"
	    "00:00:02.250 resource \"vip\" online-pending -> online on n2 %s\n"
	    "00:00:03.000 resource \"svc\" failed -> offline on n2 (online)\n"
	    "00:00:03.000 group \"W\" failed -> partial-online on n2 (online)\n"
	    "00:00:03.000 resource \"vip\" online -> offline-pending on n2 (online)\n"
	    "00:00:03.000 group \"W\" partial-online -> pending on n2 (online)\n"
	    "00:00:03.050 resource \"vip\" offline-pending -> offline on n2 (online)\n"
	    "00:00:03.050 group \"W\" pending -> offline on n2 (online)\n"
	    "00:00:03.050 group \"W\" offline on n1 (online)\n"
	    "00:00:03.050 resource \"vip\" offline -> online-pending on n1 (online)\n"
	    "00:00:03.050 group \"W\" offline -> pending on n1 (online)\n"
	    "00:00:03.150 resource \"vip\" online-pending -> online on n1 (online)\n"
	    "00:00:03.150 group \"W\" pending -> partial-online on n1 (online)\n"
	    "00:00:03.150 resource \"svc\" offline -> online-pending on n1 (online)\n"
	    "00:00:03.150 group \"W\" partial-online -> pending on n1 (online)\n"
	    "00:00:03.350 resource \"svc\" online-pending -> online on n1 (online)\n"
	    "00:00:03.350 group \"W\" pending -> online on n1 (online)\n",
	    off, off, off, off, off, off, off);
	cr_assert_str_eq(got, want);
	free(got);
	fx_end(&f);
}

/*
 * The same, with the online at the instant svc's stop completes (as the
 * trial's online_after does, waiting for svc to be down): vip's stop is in
 * flight. Pacemaker lets it complete, then places the group from the CIB
 * as it is (bans gone): vip starts on n1 again without going to n2 (the
 * real cluster's transitions 42-44 in the fidelity check's DC log).
 */
Test(sim_pcmk, online_during_the_move_is_taken_when_the_stops_are_done)
{
	struct fx f;
	pcmk_moved_then_failed_over(&f);
	unsigned flags = OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE;
	cr_assert_eq(sim_offline(f.s, "svc", flags, NULL, &f.code, &f.err), 0);
	fx_run(&f, MS(2100));
	cr_assert_eq(sim_resource_state(f.s, "svc"), RES_FAILED);
	cr_assert_eq(sim_online(f.s, "svc", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(10));
	char *got = trace_from(&f, 40);
	cr_assert_str_eq(
	    got, "00:00:02.100 resource \"vip\" online -> offline-pending on n1 (offline [ignore_resource_status, "
	         "do_not_update_persistent_state])\n"
	         "00:00:02.150 resource \"vip\" offline-pending -> offline on n1 (offline "
	         "[ignore_resource_status, do_not_update_persistent_state])\n"
	         "00:00:02.150 resource \"svc\" failed -> offline on n1 (online)\n"
	         "00:00:02.150 group \"W\" failed -> offline on n1 (online)\n"
	         "00:00:02.150 group \"W\" offline on n1 (online)\n"
	         "00:00:02.150 resource \"vip\" offline -> online-pending on n1 (online)\n"
	         "00:00:02.150 group \"W\" offline -> pending on n1 (online)\n"
	         "00:00:02.250 resource \"vip\" online-pending -> online on n1 (online)\n"
	         "00:00:02.250 group \"W\" pending -> partial-online on n1 (online)\n"
	         "00:00:02.250 resource \"svc\" offline -> online-pending on n1 (online)\n"
	         "00:00:02.250 group \"W\" partial-online -> pending on n1 (online)\n"
	         "00:00:02.450 resource \"svc\" online-pending -> online on n1 (online)\n"
	         "00:00:02.450 group \"W\" pending -> online on n1 (online)\n");
	free(got);
	fx_end(&f);
}

/*
 * online_reaction_time: faultline's online takes effect that long after
 * it is due (the backend's read of the down state, the call, the
 * scheduler, the read of the result: sim_pcmk_online.c); the offline and
 * the move act at once.
 */
Test(sim_pcmk, an_online_takes_effect_after_the_online_reaction_time)
{
	struct sim_topology *t = pcmk_two_node();
	t->pcmk_online_reaction.min_ns = t->pcmk_online_reaction.max_ns = MS(30);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_offline(f.s, "s1", 0, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(1));
	cr_assert_eq(sim_online(f.s, "s1", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	cr_assert(sim_resource_persistent(f.s, "s1") == false, "not yet: the online waits");
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_move_group(f.s, "S1", "n2", 0, &f.code, &f.err), 0);
	fx_run(&f, SEC(3));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"s1\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:00.000 group \"S1\" online -> pending on n1 (offline)\n"
	                 "00:00:00.050 resource \"s1\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:00.050 group \"S1\" pending -> offline on n1 (offline)\n"
	                 "00:00:01.030 resource \"s1\" offline -> online-pending on n1 (online)\n"
	                 "00:00:01.030 group \"S1\" offline -> pending on n1 (online)\n"
	                 "00:00:01.130 resource \"s1\" online-pending -> online on n1 (online)\n"
	                 "00:00:01.130 group \"S1\" pending -> online on n1 (online)\n"
	                 "00:00:02.000 resource \"s1\" online -> offline-pending on n1 (move)\n"
	                 "00:00:02.000 group \"S1\" online -> pending on n1 (move)\n"
	                 "00:00:02.050 resource \"s1\" offline-pending -> offline on n1 (move)\n"
	                 "00:00:02.050 group \"S1\" pending -> offline on n1 (move)\n"
	                 "00:00:02.050 group \"S1\" offline on n2 (move)\n"
	                 "00:00:02.050 resource \"s1\" offline -> online-pending on n2 (move)\n"
	                 "00:00:02.050 group \"S1\" offline -> pending on n2 (move)\n"
	                 "00:00:02.150 resource \"s1\" online-pending -> online on n2 (move)\n"
	                 "00:00:02.150 group \"S1\" pending -> online on n2 (move)\n");
	fx_end(&f);
}

/*
 * A later group member fails at its migration-threshold: the group moves,
 * and the failed instance is stopped before the member it runs on stops
 * (the group's order; on the two-node cluster fl-svc's stop completes
 * before fl-vip's begins). The simulator used to stop both at once.
 */
Test(sim_pcmk, failed_member_is_stopped_before_the_member_before_it)
{
	struct sim_topology *t = pcmk_two_node();
	fx_find(t, "svc")->migration_threshold = 1;
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "svc", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"svc\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"W\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.040 resource \"svc\" failed -> offline-pending on n1 (migration-threshold)\n"
	                 "00:00:00.040 group \"W\" failed -> pending on n1 (migration-threshold)\n"
	                 "00:00:00.140 resource \"svc\" offline-pending -> offline on n1 (migration-threshold)\n"
	                 "00:00:00.140 group \"W\" pending -> partial-online on n1 (migration-threshold)\n"
	                 "00:00:00.140 resource \"vip\" online -> offline-pending on n1 (migration-threshold)\n"
	                 "00:00:00.140 group \"W\" partial-online -> pending on n1 (migration-threshold)\n"
	                 "00:00:00.190 resource \"vip\" offline-pending -> offline on n1 (migration-threshold)\n"
	                 "00:00:00.190 group \"W\" pending -> offline on n1 (migration-threshold)\n"
	                 "00:00:00.190 group \"W\" offline on n2 (migration-threshold)\n"
	                 "00:00:00.190 resource \"vip\" offline -> online-pending on n2 (migration-threshold)\n"
	                 "00:00:00.190 group \"W\" offline -> pending on n2 (migration-threshold)\n"
	                 "00:00:00.290 resource \"vip\" online-pending -> online on n2 (migration-threshold)\n"
	                 "00:00:00.290 group \"W\" pending -> partial-online on n2 (migration-threshold)\n"
	                 "00:00:00.290 resource \"svc\" offline -> online-pending on n2 (migration-threshold)\n"
	                 "00:00:00.290 group \"W\" partial-online -> pending on n2 (migration-threshold)\n"
	                 "00:00:00.490 resource \"svc\" online-pending -> online on n2 (migration-threshold)\n"
	                 "00:00:00.490 group \"W\" pending -> online on n2 (migration-threshold)\n");
	fx_end(&f);
}
