/*
 * test_reconcile_node.c - reconciliation brings back the nodes a crashed
 * run changed: the node is taken down or paused with the simulator's own
 * operations, the journal written as a run killed right after would have
 * left it (NODE, INTENT, INJECTED), and journal_reconcile must bring the
 * node back to its pre-run state before the groups, journal RESTORED
 * "node NAME", and hold the cluster when it cannot.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/log.h"
#include "faultline/sim.h"
#include "reconcile_fixture.h"

#define SQL "SQL Server (MSSQLSERVER)"

TestSuite(reconcile_node, .timeout = 30);

/* A run killed after a node fault on node: NODE (up before), INTENT with the SQL group if it owned it, INJECTED. */
static void crashed_node_run(struct env *v, const char *action, const char *node, bool sql_group)
{
	struct fl_err e;
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(v->j, "r1", &cfg, "plans/demo.yaml", "", &e);
	cr_assert_eq(journal_node(v->j, r, node, NODE_UP, &e), 0, "%s", e.msg);
	struct cluster_snapshot s;
	cr_assert_eq(v->cl->ops->snapshot(v->cl, &s, &e), 0);
	struct touched items[8];
	size_t n = 0;
	for (size_t i = 0; sql_group && i < s.nresources; i++)
		if (strcmp(s.resources[i].group, SQL) == 0)
			items[n++] = jfx_item(s.resources[i].name); /* all online on node-a before the run */
	cr_assert_eq(journal_intent(v->j, r, action, node, items, n, &e), 0);
	cluster_snapshot_free(&s); /* items borrowed its names */
	cr_assert_eq(journal_injected(v->j, r, 0, NULL, &e), 0);
	journal_close(v->j); /* the process dies */
	v->j = journal_open(v->dir, &e);
	cr_assert_not_null(v->j, "%s", e.msg);
}

static void settled_after(struct env *v, uint64_t ns)
{
	clock_advance(v->clk, clock_now(v->clk) + ns, 100000);
}

Test(reconcile_node, a_crashed_node_comes_back_before_its_groups)
{
	struct env v;
	setup_env(&v);
	struct sim *s = sim_from_cluster(v.cl);
	long code;
	struct fl_err e;
	cr_assert_eq(sim_node_down(s, "node-a", &code, &e), 0, "%s", e.msg);
	settled_after(&v, 30 * NSEC_PER_SEC);
	cr_assert_eq(sim_node_state(s, "node-a"), NODE_DOWN);
	cr_assert_str_neq(sim_group_owner(s, SQL), "node-a", "failed over");
	crashed_node_run(&v, "node_down", "node-a", true);

	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	cr_assert_eq(sim_node_state(s, "node-a"), NODE_UP);
	cr_assert_str_eq(sim_group_owner(s, SQL), "node-a", "%s", out);
	cr_assert(strstr(out, "1 node(s), 0 exec undo(s)") != NULL, "%s", out);
	const char *up = strstr(out, "restore node \"node-a\": node up: accepted");
	const char *back = strstr(out, "restore group \"" SQL "\": move back to node-a");
	cr_assert(up != NULL && back != NULL && up < back, "the node first, then its group:\n%s", out);
	cr_assert(strstr(out, "run r1: everything verified") != NULL, "%s", out);
	cr_assert_null(journal_runs(v.j), "settled");
	free(out);
	char *dump = jfx_dump(v.dir);
	const char *rn = strstr(dump, "RESTORED r1 \"node node-a\" 1 \"verified: up (before the run: up)\"");
	const char *rr = strstr(dump, "RESTORED r1 \"Cluster Disk 1\" 1");
	cr_assert(rn != NULL && rr != NULL && rn < rr, "%s", dump);
	free(dump);
	teardown_env(&v);
}

Test(reconcile_node, a_paused_node_is_resumed)
{
	struct env v;
	setup_env(&v);
	struct sim *s = sim_from_cluster(v.cl);
	long code;
	struct fl_err e;
	cr_assert_eq(sim_node_pause(s, "node-b", false, &code, &e), 0, "%s", e.msg);
	settled_after(&v, 5 * NSEC_PER_SEC);
	cr_assert_eq(sim_node_state(s, "node-b"), NODE_PAUSED);
	crashed_node_run(&v, "node_pause", "node-b", false);
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	cr_assert_eq(sim_node_state(s, "node-b"), NODE_UP);
	cr_assert(strstr(out, "restore node \"node-b\": resume: accepted") != NULL, "%s", out);
	cr_assert_null(journal_runs(v.j));
	free(out);
	teardown_env(&v);
}

/* A crash after the run's own restore brought the node back (or a second reconciliation): verify, do not act. */
Test(reconcile_node, a_node_already_back_is_verified_not_acted_on)
{
	struct env v;
	setup_env(&v);
	struct sim *s = sim_from_cluster(v.cl);
	crashed_node_run(&v, "node_down", "node-c", false);
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	cr_assert_null(strstr(out, "restore node"), "no action:\n%s", out);
	cr_assert_eq(sim_node_state(s, "node-c"), NODE_UP);
	free(out);
	char *dump = jfx_dump(v.dir);
	cr_assert(strstr(dump, "RESTORED r1 \"node node-c\" 1 \"verified: up (before the run: up)\"") != NULL, "%s",
	          dump);
	free(dump);
	teardown_env(&v);
}

Test(reconcile_node, a_node_that_does_not_come_back_holds_the_cluster)
{
	log_init(LOG_LVL_ERROR, 0); /* the expected NOT RESTORED warning */
	struct env v;
	setup_env(&v);
	struct sim *s = sim_from_cluster(v.cl);
	long code;
	struct fl_err e;
	cr_assert_eq(sim_node_down(s, "node-c", &code, &e), 0, "%s", e.msg);
	settled_after(&v, 5 * NSEC_PER_SEC);
	crashed_node_run(&v, "node_down", "node-c", false);
	struct cluster_ops ops = *v.cl->ops;
	ops.node_up = NULL; /* a backend that cannot bring it back */
	const struct cluster_ops *real = v.cl->ops;
	v.cl->ops = &ops;
	int left;
	char *out = reconcile(&v, false, &left);
	v.cl->ops = real;
	cr_assert_eq(left, 1, "%s", out);
	cr_assert(strstr(out, "restore node \"node-c\" FAILED: NOT RESTORED: down (before the run: up)") != NULL, "%s",
	          out);
	free(out);
	cr_assert_not_null(journal_held(v.j, "sim:plans/clusters/sql-3node.yaml"));
	char *dump = jfx_dump(v.dir);
	cr_assert(strstr(dump, "RESTORED r1 \"node node-c\" 0 \"NOT RESTORED: down (before the run: up)\"") != NULL,
	          "%s", dump);
	cr_assert_null(strstr(dump, "RUN_END"), "%s", dump);
	free(dump);
	/* The backend can again: the next restore brings it back and releases the cluster. */
	out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	cr_assert_eq(sim_node_state(s, "node-c"), NODE_UP);
	cr_assert_null(journal_held(v.j, "sim:plans/clusters/sql-3node.yaml"));
	free(out);
	teardown_env(&v);
}
