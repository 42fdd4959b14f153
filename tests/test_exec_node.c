/*
 * test_exec_node.c - node operations through the exec backend and the
 * adapter protocol (version 2), against `faultline sim-adapter`, in real
 * time: the negotiated caps, node_pause with drain, node_resume with a
 * failback type, node_down / node_up, the node events, and a node plan run
 * end to end. The truth is the simulated cluster's own state, read back
 * through "list", and the events it streamed.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"
#include "faultline/util.h"

#define TOPO "tests/crash/fast-cluster.yaml"

TestSuite(exec_node, .timeout = 60);

struct evlog {
	char text[4096];
};

/* Node events as "n1=paused", group events as "App@n2=online"; resource events are left out. */
static void on_event(const struct cluster_event *ev, void *arg)
{
	struct evlog *l = arg;
	size_t len = strlen(l->text);
	if (ev->kind == CLUSTER_EV_NODE)
		snprintf(l->text + len, sizeof(l->text) - len, "%s=%s ", ev->name,
		         node_state_str((enum node_state)ev->state));
	else if (ev->kind == CLUSTER_EV_GROUP)
		snprintf(l->text + len, sizeof(l->text) - len, "%s@%s=%s ", ev->name, ev->owner ? ev->owner : "-",
		         group_state_str((enum group_state)ev->state));
}

static struct cluster *open_adapter(struct fl_clock *clk)
{
	char *argv[] = {"./faultline", "sim-adapter", "--no-endpoints", TOPO, NULL};
	struct cluster_config cfg = {.backend = "exec", .command = argv, .timeout_ns = 5 * NSEC_PER_SEC};
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(c, "%s", e.msg);
	return c;
}

/* Read events until `want` has appeared in the log, or 5 s (a deadline, not a sleep). */
static void wait_for(struct fl_clock *clk, struct cluster *c, struct evlog *l, const char *want)
{
	uint64_t deadline = clock_now(clk) + 5 * NSEC_PER_SEC;
	struct fl_err e;
	while (strstr(l->text, want) == NULL) {
		uint64_t now = clock_now(clk);
		cr_assert_lt(now, deadline, "no \"%s\" in the events: %s", want, l->text);
		struct pollfd p = {.fd = c->ops->notify_fd(c), .events = POLLIN};
		if (poll(&p, 1, (int)((deadline - now) / NSEC_PER_MSEC) + 1) == 1)
			cr_assert_geq(c->ops->drain(c, on_event, l, &e), 0, "%s", e.msg);
	}
}

static enum node_state node_now(struct cluster *c, const char *node, const char **owner_of_app)
{
	struct cluster_snapshot s;
	struct fl_err e;
	cr_assert_eq(c->ops->snapshot(c, &s, &e), 0, "%s", e.msg);
	enum node_state st = NODE_UNKNOWN;
	for (size_t i = 0; i < s.nnodes; i++)
		if (strcmp(s.nodes[i].name, node) == 0)
			st = cluster_node_state(&s.nodes[i]);
	static char owner[32];
	snprintf(owner, sizeof(owner), "%s", s.ngroups && s.groups[0].owner ? s.groups[0].owner : "-");
	*owner_of_app = owner;
	cluster_snapshot_free(&s);
	return st;
}

Test(exec_node, pause_drain_resume_down_up_through_the_protocol)
{
	struct fl_clock *clk = clock_new_real();
	struct cluster *c = open_adapter(clk);
	cr_assert(c->caps.ops & CLUSTER_OP_NODE_PAUSE, "the sim-adapter's hello declares node_pause and node_resume");
	cr_assert(c->caps.ops & CLUSTER_OP_NODE_DOWN, "... and node_down and node_up");
	struct evlog l = {0};
	struct fl_err e;
	long code = -1;
	const char *owner;

	cr_assert_eq(c->ops->node_pause(c, "n1", true, &code, &e), 0, "%s", e.msg);
	cr_assert_eq(code, WIN_ERROR_IO_PENDING, "the simulator's own answer: the drain goes on");
	wait_for(clk, c, &l, "n1=paused ");
	wait_for(clk, c, &l, "App@n2=online ");
	cr_assert_eq(node_now(c, "n1", &owner), NODE_PAUSED);
	cr_assert_str_eq(owner, "n2", "the drain moved App to the next preferred owner");

	code = -1;
	cr_assert_eq(c->ops->node_pause(c, "n1", false, &code, &e), -1, "pausing a paused node is refused");
	cr_assert_eq(code, WIN_ERROR_CLUSTER_NODE_PAUSED, "%s", e.msg);

	memset(&l, 0, sizeof(l));
	cr_assert_eq(c->ops->node_resume(c, "n1", NODE_FAILBACK_IMMEDIATE, &code, &e), 0, "%s", e.msg);
	wait_for(clk, c, &l, "n1=up ");
	wait_for(clk, c, &l, "App@n1=online ");
	cr_assert_eq(node_now(c, "n1", &owner), NODE_UP);
	cr_assert_str_eq(owner, "n1", "failback immediate brought App home");

	memset(&l, 0, sizeof(l));
	cr_assert_eq(c->ops->node_down(c, "n3", &code, &e), 0, "%s", e.msg);
	wait_for(clk, c, &l, "n3=down ");
	cr_assert_eq(node_now(c, "n3", &owner), NODE_DOWN);
	cr_assert_eq(c->ops->node_up(c, "n3", &code, &e), 0, "%s", e.msg);
	wait_for(clk, c, &l, "n3=up ");
	cr_assert_eq(node_now(c, "n3", &owner), NODE_UP);

	cr_assert_eq(c->ops->node_resume(c, "nx", NODE_FAILBACK_NONE, &code, &e), -1);
	cr_assert_eq(code, WIN_ERROR_NODE_NOT_FOUND, "%ld: %s", code, e.msg);
	cluster_close(c);
	clock_free(clk);
}

static struct plan *load(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(p, "%s should load", path);
	return p;
}

Test(exec_node, node_plan_runs_through_the_exec_backend)
{
	struct plan *p = load("tests/data/exec/node-sim.yaml");
	struct run_record rec = {0};
	struct run_opts opts = {0};
	int code = run_execute(p, &opts, &rec);
	cr_assert_eq(code, FL_EXIT_OK, "%d %s", code, rec.abort_reason ? rec.abort_reason : "");
	cr_assert_eq(rec.ntrials, 2);
	const struct rec_trial *t = &rec.trials[0];
	cr_assert_str_eq(t->action, "node_pause");
	cr_assert_str_eq(t->resource, "App", "one trial per group the drained node owned");
	cr_assert_str_eq(t->node_before, "n1");
	cr_assert_str_eq(t->node_after, "n2");
	cr_assert_eq(t->outcome, TRIAL_RECOVERED);
	t = &rec.trials[1];
	cr_assert_str_eq(t->action, "node_resume");
	cr_assert_eq(t->outcome, TRIAL_RECOVERED, "%s", t->error ? t->error : "");
	for (size_t i = 0; i < rec.nrestores; i++)
		cr_assert(rec.restores[i].ok, "%s: %s", rec.restores[i].resource, rec.restores[i].detail);
	record_fini(&rec);
	plan_free(p);
}
