/*
 * test_sim_overlap.c - the WSFC rules when faults overlap (issue 14, cases
 * 1-3; wsfc-semantics.md "concurrency rules"): a dependent is Online only
 * while each OR-set has an Online provider, a start aborts when a provider
 * fails, a provider restart waits for its dependents to be Offline, and a
 * move or failover is not undone by a second failure.
 */
#include <criterion/criterion.h>

#include "faultline/rng.h"
#include "sim_fixture.h"

/* Case 1: IP fails on n2 at 1:02.5 while NAME is starting there after a failover. */
Test(sim_overlap, provider_failure_aborts_a_dependent_start)
{
	struct fx f;
	fx_start(&f, fx_t3(), 1);
	cr_assert_eq(sim_fail(f.s, "SVC", &f.code, &f.err), 0);
	fx_run(&f, SEC(60));
	cr_assert_eq(sim_fail(f.s, "SVC", &f.code, &f.err), 0);
	fx_run(&f, MS(62500));
	cr_assert_eq(sim_resource_state(f.s, "NAME"), RES_ONLINE_PENDING);
	cr_assert_eq(sim_fail(f.s, "IP", &f.code, &f.err), 0);
	fx_run(&f, SEC(600));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"SVC\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"SVC\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"SVC\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n"
	                 "00:01:00.000 resource \"SVC\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:01:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:01:00.000 resource \"NAME\" online -> offline-pending on n1 (failover)\n"
	                 "00:01:00.500 resource \"NAME\" offline-pending -> offline on n1 (failover)\n"
	                 "00:01:00.500 resource \"IP\" online -> offline-pending on n1 (failover)\n"
	                 "00:01:01.000 resource \"IP\" offline-pending -> offline on n1 (failover)\n"
	                 "00:01:01.000 group \"G\" failed on n2 (failover)\n"
	                 "00:01:01.000 resource \"IP\" offline -> online-pending on n2 (failover)\n"
	                 "00:01:02.000 resource \"IP\" online-pending -> online on n2 (failover)\n"
	                 "00:01:02.000 resource \"NAME\" offline -> online-pending on n2 (failover)\n"
	                 "00:01:02.500 resource \"IP\" online -> failed on n2 (FailClusterResource)\n"
	                 "00:01:02.500 resource \"NAME\" online-pending -> offline-pending on n2 (provider down)\n"
	                 "00:01:03.000 resource \"NAME\" offline-pending -> offline on n2 (provider down)\n"
	                 "00:01:03.000 resource \"IP\" failed -> online-pending on n2 (restart)\n"
	                 "00:01:04.000 resource \"IP\" online-pending -> online on n2 (restart)\n"
	                 "00:01:04.000 resource \"NAME\" offline -> online-pending on n2 (provider back online)\n"
	                 "00:01:05.000 resource \"NAME\" online-pending -> online on n2 (provider back online)\n"
	                 "00:01:05.000 resource \"SVC\" failed -> online-pending on n2 (failover)\n"
	                 "00:01:05.000 group \"G\" failed -> pending on n2 (failover)\n"
	                 "00:01:06.000 resource \"SVC\" online-pending -> online on n2 (failover)\n"
	                 "00:01:06.000 group \"G\" pending -> online on n2 (failover)\n");
	fx_end(&f);
}

/*
 * The operator's variant: an offline of a provider never takes it away under
 * a pending dependent (dependents go offline first), so the dependent's
 * start completes, then it goes offline, then the provider.
 */
Test(sim_overlap, offline_of_a_provider_waits_for_a_pending_dependent)
{
	struct fx f;
	fx_start(&f, fx_t3(), 1);
	cr_assert_eq(sim_fail(f.s, "NAME", &f.code, &f.err), 0);
	fx_run(&f, MS(1000)); /* NAME restarts 0.5-1.5 s, once SVC is Offline */
	cr_assert_eq(sim_resource_state(f.s, "NAME"), RES_ONLINE_PENDING);
	cr_assert_eq(sim_offline(f.s, "IP", 0, NULL, &f.code, &f.err), 0);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"NAME\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 resource \"SVC\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:00.500 resource \"SVC\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:00.500 resource \"NAME\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"NAME\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> partial-online on n1 (restart)\n"
	                 "00:00:01.500 resource \"NAME\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:01.500 group \"G\" partial-online -> pending on n1 (offline)\n"
	                 "00:00:02.000 resource \"NAME\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:02.000 group \"G\" pending -> partial-online on n1 (offline)\n"
	                 "00:00:02.000 resource \"IP\" online -> offline-pending on n1 (offline)\n"
	                 "00:00:02.000 group \"G\" partial-online -> pending on n1 (offline)\n"
	                 "00:00:02.500 resource \"IP\" offline-pending -> offline on n1 (offline)\n"
	                 "00:00:02.500 group \"G\" pending -> offline on n1 (offline)\n");
	fx_end(&f);
}

/* Case 2: IP (no provider) fails during the offline phase of a move: no bounce on n2. */
Test(sim_overlap, failure_during_a_move_gives_no_phantom_bounce)
{
	struct fx f;
	fx_start(&f, fx_t3(), 1);
	cr_assert_eq(sim_move_group(f.s, "G", "n2", 0, &f.code, &f.err), 0);
	fx_run(&f, MS(700));
	cr_assert_eq(sim_fail(f.s, "IP", &f.code, &f.err), 0);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"SVC\" online -> offline-pending on n1 (move)\n"
	                 "00:00:00.000 group \"G\" online -> pending on n1 (move)\n"
	                 "00:00:00.500 resource \"SVC\" offline-pending -> offline on n1 (move)\n"
	                 "00:00:00.500 group \"G\" pending -> partial-online on n1 (move)\n"
	                 "00:00:00.500 resource \"NAME\" online -> offline-pending on n1 (move)\n"
	                 "00:00:00.500 group \"G\" partial-online -> pending on n1 (move)\n"
	                 "00:00:00.700 resource \"IP\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.700 group \"G\" pending -> failed on n1 (FailClusterResource)\n"
	                 "00:00:01.000 resource \"NAME\" offline-pending -> offline on n1 (move)\n"
	                 "00:00:01.000 group \"G\" failed on n2 (move)\n"
	                 "00:00:01.000 resource \"IP\" failed -> online-pending on n2 (move)\n"
	                 "00:00:01.000 group \"G\" failed -> pending on n2 (move)\n"
	                 "00:00:02.000 resource \"IP\" online-pending -> online on n2 (move)\n"
	                 "00:00:02.000 group \"G\" pending -> partial-online on n2 (move)\n"
	                 "00:00:02.000 resource \"NAME\" offline -> online-pending on n2 (move)\n"
	                 "00:00:02.000 group \"G\" partial-online -> pending on n2 (move)\n"
	                 "00:00:03.000 resource \"NAME\" online-pending -> online on n2 (move)\n"
	                 "00:00:03.000 group \"G\" pending -> partial-online on n2 (move)\n"
	                 "00:00:03.000 resource \"SVC\" offline -> online-pending on n2 (move)\n"
	                 "00:00:03.000 group \"G\" partial-online -> pending on n2 (move)\n"
	                 "00:00:04.000 resource \"SVC\" online-pending -> online on n2 (move)\n"
	                 "00:00:04.000 group \"G\" pending -> online on n2 (move)\n");
	fx_end(&f);
}

/* Case 2 in a failover: the second SVC failure fails G over; IP fails while it waits to go down. */
Test(sim_overlap, failure_during_a_failover_gives_no_phantom_bounce)
{
	struct fx f;
	fx_start(&f, fx_t3(), 1);
	cr_assert_eq(sim_fail(f.s, "SVC", &f.code, &f.err), 0);
	fx_run(&f, SEC(2));
	cr_assert_eq(sim_fail(f.s, "SVC", &f.code, &f.err), 0);
	fx_run(&f, MS(2200));
	cr_assert_eq(sim_fail(f.s, "IP", &f.code, &f.err), 0);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"SVC\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.500 resource \"SVC\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:00.500 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:01.500 resource \"SVC\" online-pending -> online on n1 (restart)\n"
	                 "00:00:01.500 group \"G\" pending -> online on n1 (restart)\n"
	                 "00:00:02.000 resource \"SVC\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.000 resource \"NAME\" online -> offline-pending on n1 (failover)\n"
	                 "00:00:02.200 resource \"IP\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:02.500 resource \"NAME\" offline-pending -> offline on n1 (failover)\n"
	                 "00:00:02.500 group \"G\" failed on n2 (failover)\n"
	                 "00:00:02.500 resource \"IP\" failed -> online-pending on n2 (failover)\n"
	                 "00:00:03.500 resource \"IP\" online-pending -> online on n2 (failover)\n"
	                 "00:00:03.500 resource \"NAME\" offline -> online-pending on n2 (failover)\n"
	                 "00:00:04.500 resource \"NAME\" online-pending -> online on n2 (failover)\n"
	                 "00:00:04.500 resource \"SVC\" failed -> online-pending on n2 (failover)\n"
	                 "00:00:04.500 group \"G\" failed -> pending on n2 (failover)\n"
	                 "00:00:05.500 resource \"SVC\" online-pending -> online on n2 (failover)\n"
	                 "00:00:05.500 group \"G\" pending -> online on n2 (failover)\n");
	fx_end(&f);
}

/* Case 3: IP's restart (due at 0.5 s) waits until NAME is Offline at 1.0 s. */
Test(sim_overlap, provider_restart_waits_for_dependents_offline)
{
	struct fx f;
	fx_start(&f, fx_t3(), 1);
	cr_assert_eq(sim_fail(f.s, "IP", &f.code, &f.err), 0);
	fx_run(&f, SEC(60));
	ASSERT_TRACE(&f, "00:00:00.000 resource \"IP\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 group \"G\" online -> failed on n1 (FailClusterResource)\n"
	                 "00:00:00.000 resource \"SVC\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:00.500 resource \"SVC\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:00.500 resource \"NAME\" online -> offline-pending on n1 (provider down)\n"
	                 "00:00:01.000 resource \"NAME\" offline-pending -> offline on n1 (provider down)\n"
	                 "00:00:01.000 resource \"IP\" failed -> online-pending on n1 (restart)\n"
	                 "00:00:01.000 group \"G\" failed -> pending on n1 (restart)\n"
	                 "00:00:02.000 resource \"IP\" online-pending -> online on n1 (restart)\n"
	                 "00:00:02.000 group \"G\" pending -> partial-online on n1 (restart)\n"
	                 "00:00:02.000 resource \"NAME\" offline -> online-pending on n1 (provider back online)\n"
	                 "00:00:02.000 group \"G\" partial-online -> pending on n1 (provider back online)\n"
	                 "00:00:03.000 resource \"NAME\" online-pending -> online on n1 (provider back online)\n"
	                 "00:00:03.000 group \"G\" pending -> partial-online on n1 (provider back online)\n"
	                 "00:00:03.000 resource \"SVC\" offline -> online-pending on n1 (provider back online)\n"
	                 "00:00:03.000 group \"G\" partial-online -> pending on n1 (provider back online)\n"
	                 "00:00:04.000 resource \"SVC\" online-pending -> online on n1 (provider back online)\n"
	                 "00:00:04.000 group \"G\" pending -> online on n1 (provider back online)\n");
	fx_end(&f);
}

/*
 * The rules as invariants over the trace, under random overlapping faults:
 * replay every transition and check that (a) nothing reaches Online while
 * one of its OR-sets has no Online provider, (b) nothing starts coming
 * online while one of its dependents is still going offline.
 */
static int state_of(const struct sim_topology *t, const int *st, const char *name)
{
	for (size_t i = 0; i < t->nresources; i++)
		if (strcmp(t->resources[i].name, name) == 0)
			return st[i];
	return RES_UNKNOWN;
}

static void check_invariants(struct fx *f, uint64_t seed)
{
	const struct sim_topology *t = f->t;
	int *st = xcalloc(t->nresources, sizeof(int));
	for (size_t i = 0; i < t->nresources; i++)
		st[i] = RES_ONLINE;
	size_t n;
	const struct sim_transition *tr = sim_trace(f->s, &n);
	char line[1024];
	for (size_t k = 0; k < n; k++) {
		if (tr[k].obj != SIM_OBJ_RESOURCE)
			continue;
		size_t i = 0;
		while (strcmp(t->resources[i].name, tr[k].name) != 0)
			i++;
		const struct sim_resource_def *d = &t->resources[i];
		sim_transition_format(f->s, &tr[k], line, sizeof(line));
		if (tr[k].to == RES_ONLINE)
			for (size_t a = 0; a < d->ndeps; a++) {
				bool any = false;
				for (size_t b = 0; b < d->deps[a].nany; b++)
					any = any || state_of(t, st, d->deps[a].any[b]) == RES_ONLINE;
				cr_assert(any, "seed %llu: online without a provider: %s", (unsigned long long)seed,
				          line);
			}
		if (tr[k].to == RES_ONLINE_PENDING)
			for (size_t j = 0; j < t->nresources; j++)
				for (size_t a = 0; a < t->resources[j].ndeps; a++)
					for (size_t b = 0; b < t->resources[j].deps[a].nany; b++)
						cr_assert(strcmp(t->resources[j].deps[a].any[b], d->name) != 0 ||
						              st[j] != RES_OFFLINE_PENDING,
						          "seed %llu: starts while dependent %s goes offline: %s",
						          (unsigned long long)seed, t->resources[j].name, line);
		st[i] = tr[k].to;
	}
	free(st);
}

Test(sim_overlap, invariants_hold_under_random_overlapping_faults)
{
	static const char *const names[] = {"ip1", "ip2", "nn", "disk", "sql"};
	for (uint64_t seed = 1; seed <= 200; seed++) {
		struct sim_topology *t = fx_topology("n1,n2,n3");
		fx_group(t, "SQL", "n1,n2,n3");
		fx_res(t, "SQL", "disk", "", MS(300), MS(100));
		fx_res(t, "SQL", "ip1", "", MS(100), MS(10));
		fx_res(t, "SQL", "ip2", "", MS(100), MS(10));
		fx_res(t, "SQL", "nn", "ip1|ip2", MS(200), MS(20));
		fx_res(t, "SQL", "sql", "disk,nn", SEC(2), SEC(1));
		for (size_t i = 0; i < t->nresources; i++)
			t->resources[i].restart_threshold = 3;
		t->groups[0].failover_threshold = 100;
		struct fx f;
		fx_start(&f, t, seed);
		struct rng rng;
		rng_init(&rng, seed, 7);
		uint64_t now = 0;
		for (int op = 0; op < 12; op++) {
			now += rng_range(&rng, 0, MS(1500));
			fx_run(&f, now);
			const char *r = names[rng_range(&rng, 0, 4)];
			if (rng_range(&rng, 0, 5) == 0)
				sim_move_group(f.s, "SQL", NULL, 0, &f.code, &f.err);
			else
				sim_fail(f.s, r, &f.code, &f.err);
		}
		fx_run(&f, now + SEC(3 * 3600));
		check_invariants(&f, seed);
		if (sim_group_state(f.s, "SQL") != GRP_ONLINE)
			sim_trace_print(f.s, stderr);
		cr_assert_eq(sim_group_state(f.s, "SQL"), GRP_ONLINE, "seed %llu: the group settles Online",
		             (unsigned long long)seed);
		fx_end(&f);
	}
}
