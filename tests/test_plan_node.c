/*
 * test_plan_node.c - node faults in plans: node selectors, the options of
 * node actions, the quorum guard against the sim topology, backends
 * without node operations, and the words of --summary.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/plan.h"
#include "faultline/util.h"
#include "plan_fixture.h"

/* Every error of the plan at path, sorted, one per line. */
static char *errors_of(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	cr_assert_null(p, "%s should not load", path);
	diag_sort(&d);
	char *out = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		char *m = diag_format(&d, i);
		char *next = xasprintf("%s%s\n", out, m);
		free(m);
		free(out);
		out = next;
	}
	diag_fini(&d);
	return out;
}

Test(plan_node, quorum_guard_refuses_two_of_three_nodes_down)
{
	char *got = errors_of("tests/data/node/two-down.yaml");
	cr_assert_str_eq(got,
	                 "tests/data/node/two-down.yaml:8:5: fault \"crash-two\": quorum guard: with node-a, "
	                 "node-b down only 1 of 3 quorum votes remain in topology \"sql-3node\" (a majority is "
	                 "needed): the cluster would lose quorum; set guards.allow_quorum_loss: true to allow it\n");
	free(got);
}

Test(plan_node, quorum_guard_follows_after_chains)
{
	char *got = errors_of("tests/data/node/one-then-another.yaml");
	cr_assert_str_eq(got, "tests/data/node/one-then-another.yaml:11:5: fault \"crash-b\": quorum guard: with "
	                      "node-a, node-b down only 1 of 3 quorum votes remain in topology \"sql-3node\" (a "
	                      "majority is needed): the cluster would lose quorum; set guards.allow_quorum_loss: "
	                      "true to allow it\n");
	free(got);
}

Test(plan_node, one_node_at_a_time_passes_and_allow_quorum_loss_says_so)
{
	struct plan *p = plan_load_ok("tests/data/node/rolling.yaml");
	cr_assert_eq(p->faults[0].action, PLAN_NODE_DOWN);
	cr_assert_eq(p->faults[1].action, PLAN_NODE_UP);
	cr_assert_eq(p->faults[4].action, PLAN_NODE_PAUSE);
	cr_assert(p->faults[4].drain);
	cr_assert_eq(p->faults[5].action, PLAN_NODE_RESUME);
	cr_assert_eq(p->faults[5].failback, NODE_FAILBACK_IMMEDIATE);
	cr_assert_eq(p->faults[0].failback, NODE_FAILBACK_POLICY, "the default");
	plan_free(p);
	p = plan_load_ok("tests/data/node/allowed.yaml");
	cr_assert(p->guards.allow_quorum_loss);
	plan_free(p);
}

Test(plan_node, node_actions_need_node_selectors_and_their_own_options)
{
	char *got = errors_of("tests/data/node/misuse.yaml");
	cr_assert_str_eq(
	    got,
	    "tests/data/node/misuse.yaml:10:49: fault \"by-name\": action \"node_down\" picks nodes: selector "
	    "\"sql\" must use node (and may use exclude and pick), not name, group, type or state\n"
	    "tests/data/node/misuse.yaml:11:5: fault \"no-node\": selector \"nobody\": no node matches (3 nodes; 0 "
	    "match node) in topology \"sql-3node\"\n"
	    "tests/data/node/misuse.yaml:12:62: drain only applies to action \"node_pause\"\n"
	    "tests/data/node/misuse.yaml:13:64: failback only applies to action \"node_resume\"\n"
	    "tests/data/node/misuse.yaml:14:62: unknown boolean \"maybe\" (expected false or true)\n");
	free(got);
}

Test(plan_node, protect_applies_to_nodes)
{
	char *got = errors_of("tests/data/node/protected.yaml");
	cr_assert_str_eq(got, "tests/data/node/protected.yaml:8:5: fault \"crash-a\": selector \"a\": 1 node(s) "
	                      "matched but all are protected by guards.protect in topology \"sql-3node\"\n");
	free(got);
}

Test(plan_node, backend_without_node_operations_refuses_naming_action_and_backend)
{
	struct plan *p = plan_load_ok("tests/data/node/rolling.yaml");
	struct cluster_caps pcmk = {.ops = CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE |
	                                   CLUSTER_OP_MOVE_GROUP | CLUSTER_OP_NODE_PAUSE};
	struct fl_diag d;
	diag_init(&d, p->path);
	cr_assert_eq(plan_check_caps(p, "pacemaker", &pcmk, &d), -1);
	cr_assert_eq(d.n, 4);
	diag_sort(&d);
	/* Pacemaker reads node_down_command / node_up_command: the refusal says so. */
	const char *want[] = {"9:5: fault \"crash-a\": backend \"pacemaker\" does not support action \"node_down\"",
	                      "10:5: fault \"back-a\": backend \"pacemaker\" does not support action \"node_up\"",
	                      "11:5: fault \"crash-b\": backend \"pacemaker\" does not support action \"node_down\"",
	                      "12:5: fault \"back-b\": backend \"pacemaker\" does not support action \"node_up\""};
	for (size_t i = 0; i < 4; i++) {
		char *m = diag_format(&d, i), exp[512];
		snprintf(
		    exp, sizeof(exp),
		    "tests/data/node/rolling.yaml:%s (no cluster API crashes a node: give cluster.node_down_command "
		    "and node_up_command)",
		    want[i]);
		cr_assert_str_eq(m, exp);
		free(m);
	}
	diag_fini(&d);
	plan_free(p);
}

Test(plan_node, summary_and_print_describe_node_actions)
{
	struct plan *p = plan_load_ok("tests/data/node/rolling.yaml");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	plan_summary(p, f);
	fclose(f);
	cr_assert_not_null(strstr(buf, "  crash-a: crash the nodes of a (they leave the cluster abruptly; their groups "
	                               "fail over to the next preferred owner; restore brings them back)\n"));
	cr_assert_not_null(strstr(buf, "  drain-c: pause the nodes of b (nothing moves to them; drain: their groups "
	                               "move away; restore resumes them)\n"));
	cr_assert_not_null(strstr(buf, "  resume-c: resume the paused nodes of b; the groups that prefer them fail "
	                               "back at once (FailbackGroupsImmediately)\n"));
	cr_assert_not_null(strstr(buf, "  quorum guard: no node fault may cost quorum or leave a group without a "
	                               "possible owner\n"));
	free(buf);
	f = open_memstream(&buf, &len);
	plan_print(p, f);
	fclose(f);
	cr_assert_not_null(strstr(buf, "    action: node_pause\n"));
	cr_assert_not_null(strstr(buf, "    drain: true\n"));
	cr_assert_not_null(strstr(buf, "    failback: immediate\n"));
	free(buf);
	plan_free(p);
}

/* `faultline run --dry-run` (FAULTLINE_BIN, default ./faultline) says what node faults will do. */
Test(plan_node, dry_run_describes_node_actions_in_words)
{
	const char *b = getenv("FAULTLINE_BIN");
	char *cmd = xasprintf("%s run --dry-run tests/data/node/drain.yaml 2>&1", b && b[0] ? b : "./faultline");
	FILE *p = popen(cmd, "r");
	free(cmd);
	cr_assert_not_null(p);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	cr_assert_eq(pclose(p), 0);
	cr_assert_str_eq(buf,
	                 "dry run: plan drain, seed 1, backend sim - nothing will be injected\n"
	                 "selector a: 1 node(s) picked: node \"node-a\"\n"
	                 "selector sql: 1 matched, 1 picked: \"SQL Server (MSSQLSERVER)\" (SQL Server "
	                 "(MSSQLSERVER) on node-a)\n"
	                 "timeline (from the end of the settle period; later if the cluster is not settled):\n"
	                 "  5s             drain-a #1: node_pause node \"node-a\" (pause and drain: its groups move "
	                 "away, nothing moves to it)\n"
	                 "  after 10s      resume-a #1: node_resume (counted from the end of drain-a) node "
	                 "\"node-a\" (resume, failback immediate)\n");
}

/* `faultline sim` plays node operations too. */
Test(plan_node, sim_cli_plays_node_operations)
{
	const char *b = getenv("FAULTLINE_BIN");
	char *cmd = xasprintf("%s sim plans/clusters/sql-3node-failback.yaml --at 1s --drain node-a --at 1m --resume "
	                      "node-a --at 2m --node-down node-c --for 3m 2>&1",
	                      b && b[0] ? b : "./faultline");
	FILE *p = popen(cmd, "r");
	free(cmd);
	cr_assert_not_null(p);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	cr_assert_eq(pclose(p), 0);
	const char *want = "          1s > PauseClusterNode (drain)(\"node-a\") = 997\n"
	                   "          1m > ResumeClusterNode(\"node-a\") = 0\n"
	                   "          2m > node down (crash)(\"node-c\") = 0\n";
	cr_assert_eq(strncmp(buf, want, strlen(want)), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "00:00:01.000 node \"node-a\" up -> paused on node-a (pause (drain))\n"));
	/* resume per policy counts as the node becoming active: the SQL role (auto_failback allow) comes back */
	cr_assert_not_null(strstr(buf, "00:01:00.000 group \"SQL Server (MSSQLSERVER)\" online -> pending on node-b "
	                               "(failback)\n"));
	cr_assert_not_null(strstr(buf, "00:02:00.000 node \"node-c\" up -> down on node-c (node down)\n"));
}
