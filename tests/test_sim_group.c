/* test_sim_group.c - dependency ordering (AND of ORs), move_group, failback and its window. */
#include <criterion/criterion.h>

#include "sim_fixture.h"

/* disk; ip1, ip2; nn needs (ip1 or ip2); sql needs disk and nn. */
static struct sim_topology *and_of_or(void)
{
	struct sim_topology *t = fx_topology("n1,n2");
	fx_group(t, "SQL", "n1,n2");
	fx_res(t, "SQL", "disk", "", MS(300), MS(100));
	fx_res(t, "SQL", "ip1", "", MS(100), MS(10));
	fx_res(t, "SQL", "ip2", "", MS(100), MS(10));
	fx_res(t, "SQL", "nn", "ip1|ip2", MS(200), MS(20));
	fx_res(t, "SQL", "sql", "disk,nn", SEC(2), SEC(1));
	fx_find(t, "ip1")->restart_action = SIM_RESTART_NONE;
	return t;
}

Test(sim_group, or_dependency_survives_one_provider)
{
	struct fx f;
	fx_start(&f, and_of_or(), 1);
	cr_assert_eq(sim_fail(f.s, "ip1", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_resource_state(f.s, "nn"), RES_ONLINE, "ip2 still satisfies (ip1 or ip2)");
	cr_assert_eq(sim_resource_state(f.s, "sql"), RES_ONLINE);
	cr_assert_eq(sim_group_state(f.s, "SQL"), GRP_FAILED);
	cr_assert_eq(sim_fail(f.s, "ip2", &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"ip1\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"SQL\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:10.000 resource \"ip2\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:10.000 resource \"sql\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:11.000 resource \"sql\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:11.000 resource \"nn\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:11.020 resource \"nn\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:11.020 resource \"ip2\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:11.120 resource \"ip2\" online-pending -> online on n1 (restart)\n"
	                 "00:00:11.120 resource \"nn\" offline -> online-pending on n1 (provider back online)\n"
	                 "00:00:11.320 resource \"nn\" online-pending -> online on n1 (provider back online)\n"
	                 "00:00:11.320 resource \"sql\" offline -> online-pending on n1 (provider back online)\n"
	                 "00:00:13.320 resource \"sql\" online-pending -> online on n1 (provider back online)\n");
	fx_end(&f);
}

/* The restart of a provider waits for its dependents to be Offline (WS "concurrency rules"). */
Test(sim_group, provider_failure_takes_dependents_down_top_first)
{
	struct fx f;
	fx_start(&f, and_of_or(), 1);
	cr_assert_eq(sim_fail(f.s, "disk", &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"disk\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"SQL\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 resource \"sql\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:01.000 resource \"sql\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:01.000 resource \"disk\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:01.000 group \"SQL\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.300 resource \"disk\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.300 group \"SQL\" pending -> partial-online on n1 (restart)\n"
	                 "00:00:01.300 resource \"sql\" offline -> online-pending on n1 (provider back online)\n"
	                 "00:00:01.300 group \"SQL\" partial-online -> pending on n1 (provider back online)\n"
	                 "00:00:03.300 resource \"sql\" online-pending -> online on n1 (provider back online)\n"
	                 "00:00:03.300 group \"SQL\" pending -> online on n1 (provider back online)\n");
	fx_end(&f);
}

Test(sim_group, online_brings_providers_first)
{
	struct fx f;
	fx_start(&f, and_of_or(), 1);
	cr_assert_eq(sim_offline(f.s, "disk", 0, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(10));
	cr_assert_eq(sim_resource_state(f.s, "sql"), RES_OFFLINE);
	cr_assert_eq(sim_online(f.s, "sql", &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	fx_run(&f, SEC(20));
	cr_assert_eq(sim_resource_state(f.s, "disk"), RES_ONLINE);
	cr_assert_eq(sim_resource_state(f.s, "sql"), RES_ONLINE);
	ASSERT_TRACE(&f, "00:00:00.000 resource \"sql\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:00.000 group \"SQL\" online -> pending on n1 (offline)\n"
	                 "00:00:01.000 resource \"sql\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:01.000 group \"SQL\" pending -> partial-online on n1 (offline)\n"
	                 "00:00:01.000 resource \"disk\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:01.000 group \"SQL\" partial-online -> pending on n1 (offline)\n"
	                 "00:00:01.100 resource \"disk\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:01.100 group \"SQL\" pending -> partial-online on n1 (offline)\n"
	                 "00:00:10.000 resource \"disk\" offline -> online-pending on n1 (online)\n"
	                 "00:00:10.000 group \"SQL\" partial-online -> pending on n1 (online)\n"
	                 "00:00:10.300 resource \"disk\" online-pending -> online on n1 (online)\n"
	                 "00:00:10.300 group \"SQL\" pending -> partial-online on n1 (online)\n"
	                 "00:00:10.300 resource \"sql\" offline -> online-pending on n1 (online)\n"
	                 "00:00:10.300 group \"SQL\" partial-online -> pending on n1 (online)\n"
	                 "00:00:12.300 resource \"sql\" online-pending -> online on n1 (online)\n"
	                 "00:00:12.300 group \"SQL\" pending -> online on n1 (online)\n");
	fx_end(&f);
}

Test(sim_group, move_group_to_node_and_to_next)
{
	struct fx f;
	fx_start(&f, fx_chain(), 1);
	cr_assert_eq(sim_move_group(f.s, "G", "n3", 0, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_IO_PENDING);
	cr_assert_eq(sim_move_group(f.s, "G", "n1", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_INVALID_STATE);
	fx_run(&f, SEC(10));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n3");
	cr_assert_eq(sim_move_group(f.s, "G", NULL, 0, &f.code, &f.err), 0);
	fx_run(&f, SEC(20));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n1", "after n3 the preferred order wraps to n1");
	cr_assert_eq(sim_group_state(f.s, "G"), GRP_ONLINE);
	cr_assert_eq(sim_move_group(f.s, "G", "n1", 0, &f.code, &f.err), 0);
	cr_assert_eq(f.code, WIN_ERROR_SUCCESS, "already there");
	cr_assert_eq(sim_move_group(f.s, "X", "n1", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_GROUP_NOT_FOUND);
	cr_assert_str_eq(f.err.msg, "group \"X\": not found (5013)");
	cr_assert_eq(sim_move_group(f.s, "G", "n7", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_NODE_NOT_FOUND);
	fx_end(&f);
}

Test(sim_group, move_refused_to_a_node_that_is_not_a_possible_owner)
{
	struct sim_topology *t = fx_chain();
	t->groups[0].possible = fx_list("n1,n2", ",", &t->groups[0].npossible);
	struct fx f;
	fx_start(&f, t, 1);
	cr_assert_eq(sim_move_group(f.s, "G", "n3", 0, &f.code, &f.err), -1);
	cr_assert_eq(f.code, WIN_ERROR_HOST_NODE_NOT_AVAILABLE);
	cr_assert_str_eq(f.err.msg, "group \"G\": node \"n3\" is down or not a possible owner (5005)");
	fx_end(&f);
}

static struct fx failover_then_back(int start, int end, int64_t epoch, int offset_min)
{
	struct sim_topology *t = fx_chain();
	t->groups[0].auto_failback = 1;
	t->groups[0].failback_start_hour = start;
	t->groups[0].failback_end_hour = end;
	t->utc_offset_min = offset_min;
	struct fx f;
	fx_start(&f, t, 1);
	sim_set_wall_epoch(f.s, epoch);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0); /* -> failover to n2, Online at 3.4 s */
	return f;
}

/* The trace lines from the failback on. */
static char *failback_part(struct fx *f)
{
	char *all = fx_trace(f);
	const char *hit = strstr(all, "(failback)");
	cr_assert_not_null(hit, "no failback in:\n%s", all);
	size_t off = (size_t)(hit - all);
	while (off > 0 && all[off - 1] != '\n')
		off--;
	char *part = xstrdup(all + off);
	free(all);
	return part;
}

/*
 * wsfc-semantics.md "failback trigger": a failover caused by a resource
 * failure on a node that stays up does not trigger a failback by itself
 * (nothing "became active"); without a window only the preferred node
 * joining does.
 */
Test(sim_group, no_failback_after_a_resource_failover_without_window)
{
	struct fx f = failover_then_back(-1, -1, 0, 0);
	fx_run(&f, SEC(48 * 3600));
	char *all = fx_trace(&f);
	cr_assert_null(strstr(all, "(failback)"), "%s", all);
	const char *last = "00:00:03.400 group \"G\" pending -> online on n2 (failover)\n";
	cr_assert_str_eq(all + strlen(all) - strlen(last), last);
	free(all);
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fx_end(&f);
}

Test(sim_group, failback_waits_for_the_window)
{
	/* 10:00 UTC at start; window 02-04 local: the failback starts at 02:00 the next day. */
	struct fx f = failover_then_back(2, 4, 10 * 3600, 0);
	fx_run(&f, SEC(15 * 3600));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fx_run(&f, SEC(17 * 3600));
	char *part = failback_part(&f);
	cr_assert_str_eq(part, "16:00:00.000 resource \"app\" online -> offline-pending on n2 (failback)\n"
	                       "16:00:00.000 group \"G\" online -> pending on n2 (failback)\n"
	                       "16:00:00.500 resource \"app\" offline-pending -> offline on n2 (failback)\n"
	                       "16:00:00.500 group \"G\" pending -> partial-online on n2 (failback)\n"
	                       "16:00:00.500 resource \"name\" online -> offline-pending on n2 (failback)\n"
	                       "16:00:00.500 group \"G\" partial-online -> pending on n2 (failback)\n"
	                       "16:00:00.550 resource \"name\" offline-pending -> offline on n2 (failback)\n"
	                       "16:00:00.550 group \"G\" pending -> partial-online on n2 (failback)\n"
	                       "16:00:00.550 resource \"ip\" online -> offline-pending on n2 (failback)\n"
	                       "16:00:00.550 group \"G\" partial-online -> pending on n2 (failback)\n"
	                       "16:00:00.600 resource \"ip\" offline-pending -> offline on n2 (failback)\n"
	                       "16:00:00.600 group \"G\" pending -> offline on n2 (failback)\n"
	                       "16:00:00.600 group \"G\" offline on n1 (failback)\n"
	                       "16:00:00.600 resource \"ip\" offline -> online-pending on n1 (failback)\n"
	                       "16:00:00.600 group \"G\" offline -> pending on n1 (failback)\n"
	                       "16:00:00.700 resource \"ip\" online-pending -> online on n1 (failback)\n"
	                       "16:00:00.700 group \"G\" pending -> partial-online on n1 (failback)\n"
	                       "16:00:00.700 resource \"name\" offline -> online-pending on n1 (failback)\n"
	                       "16:00:00.700 group \"G\" partial-online -> pending on n1 (failback)\n"
	                       "16:00:00.900 resource \"name\" online-pending -> online on n1 (failback)\n"
	                       "16:00:00.900 group \"G\" pending -> partial-online on n1 (failback)\n"
	                       "16:00:00.900 resource \"app\" offline -> online-pending on n1 (failback)\n"
	                       "16:00:00.900 group \"G\" partial-online -> pending on n1 (failback)\n"
	                       "16:00:01.900 resource \"app\" online-pending -> online on n1 (failback)\n"
	                       "16:00:01.900 group \"G\" pending -> online on n1 (failback)\n");
	free(part);
	fx_end(&f);
}

Test(sim_group, failback_window_uses_local_time)
{
	/* Same instant, UTC+1: local 11:00, so 02:00 local comes an hour sooner. */
	struct fx f = failover_then_back(2, 4, 10 * 3600, 60);
	fx_run(&f, SEC(16 * 3600));
	size_t n;
	const struct sim_transition *tr = sim_trace(f.s, &n);
	size_t i = 0;
	while (i < n && strcmp(tr[i].why, "failback") != 0)
		i++;
	cr_assert_lt(i, n);
	cr_assert_eq(tr[i].at, SEC(15 * 3600));
	fx_end(&f);
}

Test(sim_group, inside_window_waits_for_the_next_window_start_and_prevent_never)
{
	/* Failed over at 10:00 inside 09-12: the preferred node did not become active, so the
	 * failback waits for the window's next start, 09:00 the next day (23 h after start). */
	struct fx f = failover_then_back(9, 12, 10 * 3600, 0);
	fx_run(&f, SEC(23 * 3600 - 1));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fx_run(&f, SEC(24 * 3600));
	char *part = failback_part(&f);
	const char *first = "23:00:00.000 resource \"app\" online -> offline-pending on n2 (failback)\n";
	cr_assert_eq(strncmp(part, first, strlen(first)), 0, "%s", part);
	free(part);
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n1");
	fx_end(&f);
	struct sim_topology *t = fx_chain(); /* AutoFailbackType 0 (default) */
	fx_start(&f, t, 1);
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "app", &f.code, &f.err), 0);
	fx_run(&f, SEC(48 * 3600));
	cr_assert_str_eq(sim_group_owner(f.s, "G"), "n2");
	fx_end(&f);
}
