/*
 * test_exec_node.c - node operations through the exec backend and the
 * adapter protocol (version 2), against `faultline sim-adapter`, in real
 * time: the negotiated caps, node_pause with drain, node_resume with a
 * failback type, node_down / node_up, the node events, and a node plan run
 * end to end; then node_down / node_up through the plan's configured
 * commands (a script that records its calls and has a long-lived
 * sim-adapter cluster crash or restart the node), and the plan-check
 * refusal without them. The truth is the simulated cluster's own state,
 * read back through "list", the events it streamed and the script's log.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../agent/cluster/exec/exec.h"
#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"
#include "faultline/util.h"

#define TOPO "tests/crash/fast-cluster.yaml"
#include "node_cmd_fixture.h"

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

Test(exec_node, node_plan_runs_through_the_exec_backend)
{
	struct plan *p = plan_load_ok("tests/data/exec/node-sim.yaml");
	struct run_record rec = {0};
	struct run_opts opts = {0};
	int code = run_execute(p, &opts, &rec);
	char why[1024] = "";
	for (size_t i = 0, o = 0; i < rec.ntrials && o < sizeof(why); i++) /* what a failure was, if it comes */
		o += (size_t)snprintf(why + o, sizeof(why) - o, " [%s %s: %s %s]", rec.trials[i].action,
		                      rec.trials[i].resource ? rec.trials[i].resource : "-",
		                      trial_outcome_str(rec.trials[i].outcome),
		                      rec.trials[i].error ? rec.trials[i].error : "");
	for (size_t i = 0, o = strlen(why); i < rec.nslos && o < sizeof(why); i++)
		o += (size_t)snprintf(why + o, sizeof(why) - o, " [slo %s: %s]", rec.slos[i].name,
		                      rec.slos[i].detail ? rec.slos[i].detail : "");
	cr_assert_eq(code, FL_EXIT_OK, "exit %d %s;%s", code, rec.abort_reason ? rec.abort_reason : "", why);
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

/* --- node_down / node_up through the plan's configured commands ------------------------------------------ */

/* The cluster as the server has it, read through its own socket. */
static void cluster_is(const struct served *sv, enum node_state n1, const char *app_owner)
{
	char *argv[] = {"./faultline", "sim-adapter", "--connect", sv->sock, NULL};
	struct cluster_config cfg = {.backend = "exec", .command = argv, .timeout_ns = 5 * NSEC_PER_SEC};
	struct fl_clock *clk = clock_new_real();
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(c, "%s", e.msg);
	const char *owner;
	cr_assert_eq(node_now(c, "n1", &owner), n1);
	cr_assert_str_eq(owner, app_owner);
	cluster_close(c);
	clock_free(clk);
}

Test(exec_node, node_down_runs_the_command_and_the_restore_runs_node_up_command)
{
	struct served sv;
	serve(&sv, "crash", "node_down, '{node}'");
	struct plan *p = plan_load_ok(sv.plan);
	struct run_record rec = {0};
	struct run_opts opts = {0};
	int code = run_execute(p, &opts, &rec);
	cr_assert_eq(code, FL_EXIT_OK, "%d %s", code, rec.abort_reason ? rec.abort_reason : "");
	cr_assert_eq(rec.ntrials, 1);
	const struct rec_trial *t = &rec.trials[0];
	cr_assert_str_eq(t->action, "node_down");
	cr_assert_str_eq(t->resource, "App");
	cr_assert_str_eq(t->node_before, "n1");
	cr_assert_str_eq(t->node_after, "n2", "the crash of n1 failed App over");
	cr_assert_eq(t->outcome, TRIAL_RECOVERED);
	bool node_restored = false;
	for (size_t i = 0; i < rec.nrestores; i++) {
		cr_assert(rec.restores[i].ok, "%s: %s", rec.restores[i].resource, rec.restores[i].detail);
		if (strcmp(rec.restores[i].resource, "node n1") == 0)
			node_restored = strcmp(rec.restores[i].action, "node up") == 0;
	}
	cr_assert(node_restored, "the restore brought n1 up");
	char *calls = slurp(sv.log);
	cr_assert_str_eq(calls, "node_down n1\nnode_up n1\n", "each command ran once, {node} substituted");
	free(calls);
	cluster_is(&sv, NODE_UP, "n1");
	record_fini(&rec);
	plan_free(p);
	unserve(&sv);
}

Test(exec_node, a_failing_node_down_command_is_an_injection_failure)
{
	struct served sv;
	serve(&sv, "refuse", "refuse, '{node}'");
	struct plan *p = plan_load_ok(sv.plan);
	struct run_record rec = {0};
	struct run_opts opts = {0};
	run_execute(p, &opts, &rec);
	cr_assert_eq(rec.ntrials, 1);
	cr_assert_eq(rec.trials[0].outcome, TRIAL_INJECT_FAILED);
	cr_assert_str_eq(
	    rec.trials[0].error,
	    "node_down \"n1\": node_down_command sh exited with status 3; it said: no power switch for n1");
	char *calls = slurp(sv.log);
	cr_assert_str_eq(calls, "refuse n1\n", "n1 never went down: nothing to bring up");
	free(calls);
	cluster_is(&sv, NODE_UP, "n1");
	record_fini(&rec);
	plan_free(p);
	unserve(&sv);
}

/* Plan-check time: a real backend takes node_down only with both commands; the refusal names the backend. */
static char *check(const char *backend, const char *extra)
{
	char *path = xasprintf("build/test-exec-node-%s.yaml", backend);
	FILE *f = fopen(path, "w");
	fprintf(f,
	        "version: 1\nname: t\ncluster:\n  backend: %s\n%s%sselect:\n  a: { node: '^n1$' }\nfaults:\n"
	        "  - { name: crash, action: node_down, target: a }\n",
	        backend, strcmp(backend, "pacemaker") == 0 ? "" : "  command: [x]\n", extra);
	fclose(f);
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p != NULL)
		plan_check_caps(p, backend, &cluster_backend(backend)->caps, &d);
	diag_sort(&d);
	char *out = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		char *m = diag_format(&d, i), *next = xasprintf("%s%s\n", out, m);
		free(m);
		free(out);
		out = next;
	}
	diag_fini(&d);
	plan_free(p);
	free(path);
	return out;
}

Test(exec_node, node_down_needs_the_commands_at_plan_check_time)
{
	char *out = check("wsfc", "");
	cr_assert_str_eq(out, "build/test-exec-node-wsfc.yaml:9:5: fault \"crash\": backend \"wsfc\" does not support "
	                      "action \"node_down\" (no cluster API crashes a node: give cluster.node_down_command and "
	                      "node_up_command)\n");
	free(out);
	out = check("pacemaker", "");
	cr_assert_str_eq(out, "build/test-exec-node-pacemaker.yaml:8:5: fault \"crash\": backend \"pacemaker\" does "
	                      "not support action \"node_down\" (no cluster API crashes a node: give "
	                      "cluster.node_down_command and node_up_command)\n");
	free(out);
	out = check("wsfc", "  node_down_command: [off, '{node}']\n  node_up_command: [on, '{node}']\n");
	cr_assert_str_eq(out, "");
	free(out);
	out = check("pacemaker", "  node_down_command: [off, '{node}']\n");
	cr_assert_str_eq(out, "build/test-exec-node-pacemaker.yaml:5:22: node_down_command needs node_up_command too "
	                      "(the restore brings a crashed node back with node_up_command)\n");
	free(out);
	out = check("sim", "  node_down_command: [off, '{node}']\n  node_up_command: [on, '{node}']\n");
	cr_assert(strstr(out, "node_down_command is only used by backends \"pacemaker\", \"exec\" and \"wsfc\", not "
	                      "\"sim\"") != NULL,
	          "%s", out);
	free(out);
}

/* The runner itself: "{node}" inside an argument, stdin at EOF at once (cat ends), the output's tail, the status. */
Test(exec_node, node_command_runner)
{
	char *down[] = {"sh", "-c", "cat; echo 'going down: {node}'; exit 4", NULL};
	char *up[] = {"sh", "-c", "echo up {node}-{node}", NULL};
	char *slow[] = {"sleep", "5", NULL};
	struct cluster c = {.ops = cluster_backend("exec"),
	                    .node_down_command = down,
	                    .node_up_command = up,
	                    .node_command_timeout_ns = 3 * NSEC_PER_SEC};
	struct fl_err e;
	long code = 0;
	cr_assert_eq(exec_node_command_down(&c, "n1", &code, &e), -1);
	cr_assert_eq(code, 4);
	cr_assert_str_eq(e.msg, "node_down \"n1\": node_down_command sh exited with status 4; it said: going down: n1");
	cr_assert_eq(exec_node_command_up(&c, "n1", &code, &e), 0, "%s", e.msg);
	cr_assert_eq(code, 0);
	c.node_down_command = slow;
	c.node_command_timeout_ns = 200 * NSEC_PER_MSEC;
	cr_assert_eq(exec_node_command_down(&c, "n1", &code, &e), -1);
	cr_assert_eq(code, -1);
	cr_assert_str_eq(e.msg, "node_down \"n1\": node_down_command sleep did not finish within 200ms: killed");
	c.node_up_command = NULL;
	cr_assert_eq(exec_node_command_up(&c, "n1", &code, &e), -1);
	cr_assert_str_eq(e.msg, "backend exec: node_up \"n1\": no node_up_command in the plan's cluster section");
}

/* faultline blocks the signals its signalfd reads: a node_up_command's daemon started with SIGTERM blocked ignored it.
 */
Test(exec_node, node_commands_start_with_no_signal_blocked)
{
	char *cmd[] = {"grep", "-q", "^SigBlk:.0*$", "/proc/self/status", NULL}; /* no shell: it may reset the mask */
	struct cluster c = {.ops = cluster_backend("exec"),
	                    .node_down_command = cmd,
	                    .node_up_command = cmd,
	                    .node_command_timeout_ns = 3 * NSEC_PER_SEC};
	sigset_t term, old;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	struct fl_err e = {0};
	long code = -1;
	int rc = exec_node_command_up(&c, "n1", &code, &e);
	sigprocmask(SIG_SETMASK, &old, NULL);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(code, 0);
}
