/*
 * test_wsfc_backend.c - `backend: wsfc`, the exec backend with
 * faultline-wsfc.exe as its adapter: its caps stop at what ClusAPI can
 * express whatever the adapter declares, and a plan naming it runs end to
 * end (against `faultline sim-adapter`, which speaks the same protocol).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"

Test(wsfc_backend, is_registered_and_needs_a_command)
{
	const struct cluster_ops *ops = cluster_backend("wsfc");
	cr_assert_not_null(ops);
	cr_assert_str_eq(ops->name, "wsfc");
	cr_assert_eq(ops->plan_needs, CLUSTER_KEY_COMMAND);
	cr_assert_eq(ops->plan_keys, CLUSTER_KEY_COMMAND | CLUSTER_KEY_NODE_CMD, "and the node commands");
}

static struct cluster *open_sim_adapter(const char *backend, struct fl_clock *clk, struct fl_err *e)
{
	char *argv[] = {"./faultline", "sim-adapter", "--no-endpoints", "tests/data/run/wsfc-sim-cluster.yaml", NULL};
	struct cluster_config cfg = {.backend = backend, .command = argv, .timeout_ns = 5 * NSEC_PER_SEC};
	return cluster_open(&cfg, clk, e);
}

/*
 * sim-adapter declares every offline flag and every node operation: exec takes them all, wsfc only the
 * four flags ClusAPI has, and pause/resume but not node_down/node_up (ClusAPI cannot crash a node).
 */
Test(wsfc_backend, the_hello_cannot_widen_clusapi)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster *x = open_sim_adapter("exec", clk, &e);
	cr_assert_not_null(x, "%s", e.msg);
	cr_assert_eq(x->caps.offline_flags, OFFLINE_ALL_FLAGS);
	cr_assert_eq(x->caps.ops & (CLUSTER_OP_NODE_DOWN | CLUSTER_OP_NODE_PAUSE),
	             CLUSTER_OP_NODE_DOWN | CLUSTER_OP_NODE_PAUSE);
	cluster_close(x);
	struct cluster *c = open_sim_adapter("wsfc", clk, &e);
	cr_assert_not_null(c, "%s", e.msg);
	cr_assert_eq(c->ops, cluster_backend("wsfc"));
	cr_assert_eq(c->caps.offline_flags, OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE |
	                                        OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR | OFFLINE_QUEUE_ENABLED);
	cr_assert_eq(c->caps.ops, CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE | CLUSTER_OP_MOVE_GROUP |
	                              CLUSTER_OP_OFFLINE_DESTINATION | CLUSTER_OP_NODE_PAUSE);
	cr_assert(c->caps.notify);
	cluster_close(c);
	clock_free(clk);
}

/* Real time, about 1 s: the adapter is a real process. */
Test(wsfc_backend, a_plan_runs_through_the_adapter, .timeout = 30)
{
	const char *path = "tests/data/run/wsfc-sim.yaml";
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(p);
	struct run_record rec = {0};
	struct run_opts opts = {0};
	int code = run_execute(p, &opts, &rec);
	cr_assert_eq(code, 0, "exit %d: %s", code, rec.abort_reason ? rec.abort_reason : "");
	cr_assert_str_eq(rec.backend, "wsfc");
	cr_assert_eq(rec.ntrials, 1);
	cr_assert_eq(rec.trials[0].outcome, TRIAL_RECOVERED);
	cr_assert_str_eq(rec.trials[0].resource, "App Service");
	cr_assert_eq(rec.verdict, SLO_PASS);
	record_fini(&rec);
	plan_free(p);
}
