/*
 * test_run_node.c - node faults run end to end against the simulator in
 * virtual time: plans/sql-node-crash.yaml (crash the SQL role's preferred
 * node, fail over, fail back when it rejoins inside the window), one node
 * at a time, and the run's own quorum guard.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"
#include "faultline/util.h"

#define MS 1000000ULL

struct outcome {
	struct plan *plan;
	struct run_record rec;
	int code;
};

static void virtual_run(struct outcome *o, const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	o->plan = plan_load(path, &d);
	if (o->plan == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(o->plan, "%s should load", path);
	memset(&o->rec, 0, sizeof(o->rec));
	struct run_opts opts = {.virtual_time = true};
	o->code = run_execute(o->plan, &opts, &o->rec);
}

static void done(struct outcome *o)
{
	record_fini(&o->rec);
	plan_free(o->plan);
}

static void assert_all_restored(const struct outcome *o)
{
	cr_assert_gt(o->rec.nrestores, 0);
	for (size_t i = 0; i < o->rec.nrestores; i++)
		cr_assert(o->rec.restores[i].ok, "%s: %s", o->rec.restores[i].resource, o->rec.restores[i].detail);
}

/* The events of one resource in [from, to) as "at_ms state node" lines. */
static char *events_of(const struct outcome *o, const char *resource, uint64_t from, uint64_t to)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < o->rec.nevents; i++) {
		const struct rec_event *e = &o->rec.events[i];
		if (strcmp(e->resource, resource) != 0 || e->at < from || e->at >= to)
			continue;
		char *next = xasprintf("%s%.3f %s %s\n", out, (double)e->at / MS,
		                       res_state_str((enum res_state)e->state), e->node ? e->node : "-");
		free(out);
		out = next;
	}
	return out;
}

TestSuite(run_node, .timeout = 30);

Test(run_node, sql_node_crash_fails_over_keeps_quorum_and_fails_back)
{
	struct outcome o;
	virtual_run(&o, "plans/sql-node-crash.yaml");
	cr_assert_eq(o.code, FL_EXIT_OK, "%d %s", o.code, o.rec.abort_reason ? o.rec.abort_reason : "");
	cr_assert_eq(o.rec.verdict, SLO_PASS);
	cr_assert_eq(o.rec.ntrials, 3);
	/* node-a crashes 10 s after the 5 s settle: both of its groups fail over to node-b (preferred order). */
	for (size_t i = 0; i < 2; i++) {
		const struct rec_trial *t = &o.rec.trials[i];
		cr_assert_str_eq(t->fault_name, "crash-a");
		cr_assert_str_eq(t->action, "node_down");
		cr_assert_str_eq(t->resource, i == 0 ? "Cluster Group" : "SQL Server (MSSQLSERVER)");
		cr_assert_str_eq(t->node_before, "node-a");
		cr_assert_str_eq(t->node_after, "node-b");
		cr_assert_eq(t->injected_at, 15000 * MS);
		cr_assert_eq(t->outcome, TRIAL_RECOVERED);
		cr_assert_eq(t->cluster, OUTCOME_FAILOVER);
		cr_assert_eq(t->failovers, 1);
		cr_assert_eq(t->restarts, 0);
		/* sql-port is back when SQL Server is Online on node-b (19.152611210 s), 4.152611210 s after. */
		cr_assert_eq(t->recovery_ns, 4152611210ULL);
	}
	/* Quorum kept (node-b, node-c and the witness: 3 of 4 votes): the cluster's own group runs on node-b. */
	char *ev = events_of(&o, "File Share Witness", 0, 20000 * MS);
	cr_assert_str_eq(ev, "15000.000 offline node-a\n"
	                     "15000.000 online-pending node-b\n"
	                     "15300.000 online node-b\n");
	free(ev);
	/*
	 * node-a is back 30 s after crash-a ended; it is Joining for 10 s, then
	 * Up at 59.652611210 s, inside the 00:00-06:00 failback window: the SQL
	 * role fails back at once (the Agent goes first, 200 ms), and is Online
	 * on node-a at 65.970804483 s. The Cluster Group (auto_failback prevent)
	 * stays on node-b until the restore.
	 */
	const struct rec_trial *t = &o.rec.trials[2];
	cr_assert_str_eq(t->fault_name, "rejoin-a");
	cr_assert_str_eq(t->resource, "node-a");
	cr_assert_eq(t->injected_at, 49652611210ULL);
	cr_assert_eq(t->outcome, TRIAL_RECOVERED);
	cr_assert(t->outage_observed, "the failback's outage");
	cr_assert_eq(t->recovery_ns, 16320000000ULL);
	ev = events_of(&o, "SQL Server (MSSQLSERVER)", 0, UINT64_MAX);
	cr_assert_str_eq(ev, "15000.000 offline node-a\n"
	                     "16000.000 online-pending node-b\n"
	                     "19152.611 online node-b\n"
	                     "59852.611 offline-pending node-b\n"
	                     "60852.611 offline node-b\n"
	                     "62352.611 online-pending node-a\n"
	                     "65970.804 online node-a\n");
	free(ev);
	ev = events_of(&o, "Cluster IP Address", 20000 * MS, UINT64_MAX);
	/* The restore moves the Cluster Group back once every trial closed (66.470804483 s): Name first, then IP. */
	cr_assert_str_eq(ev, "66670.804 offline-pending node-b\n"
	                     "66770.804 offline node-b\n"
	                     "66770.804 online-pending node-a\n"
	                     "66970.804 online node-a\n");
	free(ev);
	assert_all_restored(&o);
	done(&o);
}

Test(run_node, the_run_guards_quorum_against_the_live_cluster)
{
	struct outcome o;
	virtual_run(&o, "tests/data/node/runtime-guard.yaml");
	cr_assert_eq(o.code, FL_EXIT_SLO);
	const struct rec_trial *t = NULL;
	for (size_t i = 0; i < o.rec.ntrials; i++)
		if (strcmp(o.rec.trials[i].fault_name, "crash-b") == 0)
			t = &o.rec.trials[i];
	cr_assert_not_null(t);
	cr_assert_eq(t->outcome, TRIAL_INJECT_FAILED);
	cr_assert_eq(t->injected_at, 12000 * MS);
	cr_assert_str_eq(t->error, "quorum guard: with node \"node-b\" down only 1 of 3 quorum votes remain, 2 needed: "
	                           "the cluster would lose quorum (guards.allow_quorum_loss: true allows it)");
	assert_all_restored(&o);
	done(&o);
}

Test(run_node, one_node_at_a_time_and_drain_restore_everything)
{
	struct outcome o;
	virtual_run(&o, "tests/data/node/rolling.yaml");
	cr_assert_eq(o.code, FL_EXIT_OK);
	cr_assert_eq(o.rec.ntrials, 8);
	const char *want[][4] = {
	    {"crash-a", "Cluster Group", "node-a", "node-b"},
	    {"crash-a", "SQL Server (MSSQLSERVER)", "node-a", "node-b"},
	    {"back-a", "node-a", "node-a", "node-a"},
	    {"crash-b", "Cluster Group", "node-b", "node-a"},
	    {"crash-b", "SQL Server (MSSQLSERVER)", "node-b", "node-a"},
	    {"back-b", "node-b", "node-b", "node-b"},
	    {"drain-c", "node-b", "node-b", "node-b"},
	    {"resume-c", "node-b", "node-b", "node-b"},
	};
	for (size_t i = 0; i < 8; i++) {
		const struct rec_trial *t = &o.rec.trials[i];
		cr_assert_str_eq(t->fault_name, want[i][0]);
		cr_assert_str_eq(t->resource, want[i][1]);
		cr_assert_str_eq(t->node_before, want[i][2]);
		cr_assert_str_eq(t->node_after, want[i][3]);
		cr_assert_eq(t->outcome, TRIAL_RECOVERED, "%s", t->fault_name);
	}
	/* Both nodes are verified before the groups are moved back to node-a. */
	cr_assert_str_eq(o.rec.restores[0].resource, "node node-a");
	cr_assert_str_eq(o.rec.restores[1].resource, "node node-b");
	cr_assert_str_eq(o.rec.restores[1].detail, "verified: up (before the run: up)");
	assert_all_restored(&o);
	done(&o);
}

Test(run_node, drain_moves_the_groups_and_resume_fails_them_back)
{
	struct outcome o;
	virtual_run(&o, "tests/data/node/drain.yaml");
	cr_assert_eq(o.code, FL_EXIT_OK);
	cr_assert_eq(o.rec.ntrials, 3);
	/* node_pause with drain at 5 s: one trial per group node-a owned, both moved to node-b (a move, not a failure).
	 */
	for (size_t i = 0; i < 2; i++) {
		const struct rec_trial *t = &o.rec.trials[i];
		cr_assert_str_eq(t->action, "node_pause");
		cr_assert_str_eq(t->node_after, "node-b");
		cr_assert_eq(t->cluster, OUTCOME_FAILOVER);
		cr_assert_eq(t->injected_at, 5000 * MS);
		cr_assert_eq(t->recovery_ns, 6409335160ULL,
		             "the sql probe: SQL Server Online on node-b at 11.409335160 s");
	}
	/*
	 * node_resume with immediate failback 10 s after the drain ended: the
	 * trial is over once no group is moving any more (the SQL role's Agent
	 * Online on node-a at 28.334356807 s) and the probe has seen it.
	 */
	const struct rec_trial *t = &o.rec.trials[2];
	cr_assert_str_eq(t->action, "node_resume");
	cr_assert_eq(t->injected_at, 21909335160ULL);
	cr_assert_eq(t->closed_at, 28334356807ULL);
	cr_assert(t->outage_observed);
	char *ev = events_of(&o, "SQL Server (MSSQLSERVER)", 21000 * MS, UINT64_MAX);
	cr_assert_str_eq(ev, "22109.335 offline-pending node-b\n"
	                     "23109.335 offline node-b\n"
	                     "24609.335 online-pending node-a\n"
	                     "27834.357 online node-a\n");
	free(ev);
	assert_all_restored(&o);
	done(&o);
}
