/* test_topology.c - the topology loader: exact positioned errors, defaults, shipped and generated topologies. */
#include <criterion/criterion.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/sim.h"
#include "faultline/util.h"

#define SEC 1000000000ULL
#define MS  1000000ULL

/* Load a file that must fail; return every diagnostic, one per line. */
static char *errors_of(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct sim_topology *t = sim_topology_load(path, &d);
	cr_assert_null(t, "%s should not load", path);
	char *all = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		char *line = diag_format(&d, i);
		char *next = xasprintf("%s%s\n", all, line);
		free(line);
		free(all);
		all = next;
	}
	diag_fini(&d);
	return all;
}

static void expect_errors(const char *path, const char *want)
{
	char *got = errors_of(path);
	cr_expect_str_eq(got, want, "%s:\n--- got ---\n%s--- want ---\n%s", path, got, want);
	free(got);
}

static struct sim_topology *load_ok(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct sim_topology *t = sim_topology_load(path, &d);
	if (t == NULL)
		diag_print(&d, stderr);
	cr_assert_not_null(t, "%s should load", path);
	cr_assert_eq(d.n, 0);
	diag_fini(&d);
	return t;
}

#define F "tests/data/topology/"

Test(topology, reports_dependency_cycles_with_their_path)
{
	expect_errors(F "cycle.yaml", F "cycle.yaml:6:9: dependency cycle: \"A\" -> \"C\" -> \"B\" -> \"A\"\n" F
	                                "cycle.yaml:17:9: dependency cycle: \"Self\" -> \"Self\"\n");
}

Test(topology, refuses_dependencies_across_groups)
{
	expect_errors(F "cross-group.yaml", F "cross-group.yaml:12:22: depends_on: \"Disk\" is in group \"G1\", but "
	                                      "dependencies must stay within one group (\"G2\")\n");
}

Test(topology, refuses_unknown_nodes_with_suggestions)
{
	expect_errors(
	    F "unknown-node.yaml",
	    F "unknown-node.yaml:5:32: preferred_owners: no node named \"node-c\" (did you mean \"node-a\"?)\n" F
	      "unknown-node.yaml:6:31: possible_owners: no node named \"nodeb\" (did you mean \"node-b\"?)\n" F
	      "unknown-node.yaml:7:12: owner: no node named \"node-x\" (did you mean \"node-a\"?)\n" F
	      "unknown-node.yaml:11:21: broken_on: no node named \"node-z\" (did you mean \"node-a\"?)\n");
}

Test(topology, refuses_non_loopback_and_reused_endpoints)
{
	expect_errors(F "endpoint.yaml", F
	              "endpoint.yaml:8:19: endpoint \"10.0.0.5:1433\": not a loopback address (only 127.0.0.0/8 is "
	              "allowed)\n" F "endpoint.yaml:11:19: endpoint \"localhost:1433\": \"localhost\" is not a numeric "
	              "IPv4 address\n" F
	              "endpoint.yaml:14:19: endpoint \"127.0.0.1:70000\": port \"70000\" is not a number 0..65535\n" F
	              "endpoint.yaml:20:19: endpoint \"127.0.0.1:14330\" is already used by resource \"First\"\n");
}

Test(topology, refuses_bad_ready_after)
{
	expect_errors(F "ready-after.yaml",
	              F "ready-after.yaml:8:22: ready_after: needs an endpoint (it delays when the endpoint starts "
	                "listening)\n" F "ready-after.yaml:12:37: ready_after: max 1s is less than min 2s\n" F
	                "ready-after.yaml:16:43: ready_after: p95 100ms is less than median 200ms\n" F
	                "ready-after.yaml:20:32: ready_after: unknown key \"mx\" (did you mean \"max\"?)\n");
}

Test(topology, refuses_bad_durations)
{
	expect_errors(
	    F "bad-duration.yaml",
	    F "bad-duration.yaml:5:22: failover_period: invalid duration \"6 hours\" (write e.g. 500ms, 15m, 1h30m)\n" F
	      "bad-duration.yaml:9:25: restart_period: invalid duration \"15min\" (write e.g. 500ms, 15m, 1h30m)\n" F
	      "bad-duration.yaml:10:24: restart_delay: invalid duration \"-1s\" (write e.g. 500ms, 15m, 1h30m)\n" F
	      "bad-duration.yaml:11:37: online_time: max 1s is less than min 3s\n" F
	      "bad-duration.yaml:12:23: offline_time: missing required key \"max\" (a distribution is {min, max} or "
	      "{median, p95})\n" F
	      "bad-duration.yaml:13:34: retry_period_on_failure: 1m is shorter than restart_period (WSFC minimum)\n" F
	      "bad-duration.yaml:14:26: pending_timeout: must be greater than 0\n");
}

Test(topology, suggests_the_key_meant)
{
	expect_errors(
	    F "unknown-key.yaml",
	    F "unknown-key.yaml:1:1: topology: missing required key \"nodes\"\n" F
	      "unknown-key.yaml:2:1: unknown key \"nodez\" (did you mean \"nodes\"?)\n" F
	      "unknown-key.yaml:5:5: unknown key \"prefered_owners\" (did you mean \"preferred_owners\"?)\n" F
	      "unknown-key.yaml:6:22: failback_window: missing required key \"end\"\n" F
	      "unknown-key.yaml:6:33: unknown key \"ende\" (did you mean \"end\"?)\n" F
	      "unknown-key.yaml:10:9: unknown key \"restart_treshold\" (did you mean \"restart_threshold\"?)\n" F
	      "unknown-key.yaml:11:9: unknown key \"colour\"\n");
}

Test(topology, refuses_duplicate_names)
{
	expect_errors(F "duplicate.yaml",
	              F "duplicate.yaml:2:17: duplicate node name \"n1\" (first defined at line 2)\n" F
	                "duplicate.yaml:8:11: duplicate group name \"G\" (first defined at line 4)\n" F
	                "duplicate.yaml:10:15: duplicate resource name \"Disk\" (first defined at line 6)\n");
}

Test(topology, refuses_wrong_types)
{
	expect_errors(F "types.yaml",
	              F "types.yaml:1:7: name: expected a string, got a sequence\n" F
	                "types.yaml:2:8: nodes: expected a sequence, got a mapping\n" F
	                "types.yaml:5:23: preferred_owners: expected a sequence, got a mapping\n" F
	                "types.yaml:7:9: resources: expected a mapping, got a string\n" F
	                "types.yaml:10:17: locked: expected true or false, got \"yes\"\n" F
	                "types.yaml:11:28: restart_threshold: expected a non-negative integer, got \"many\"\n" F
	                "types.yaml:12:21: depends_on: expected a sequence, got a mapping\n");
}

Test(topology, reports_missing_required_keys)
{
	expect_errors(F "missing.yaml", F "missing.yaml:1:1: topology: missing required key \"name\"\n" F
	                                  "missing.yaml:1:1: topology: missing required key \"nodes\"\n" F
	                                  "missing.yaml:3:5: group: missing required key \"name\"\n" F
	                                  "missing.yaml:5:9: resource: missing required key \"name\"\n" F
	                                  "missing.yaml:6:9: resource: missing required key \"type\"\n");
}

Test(topology, refuses_out_of_range_values)
{
	expect_errors(F "range.yaml",
	              F "range.yaml:2:18: timezone_offset: expected +HH:MM or -HH:MM between -14:00 and +14:00, got "
	                "\"+15:00\"\n" F
	                "range.yaml:6:25: failover_threshold: 4294967296 is out of range (0..4294967295)\n" F
	                "range.yaml:7:20: auto_failback: expected one of prevent, allow, got \"sometimes\"\n" F
	                "range.yaml:8:38: failback_window.end: 24 is out of range (0..23)\n" F
	                "range.yaml:12:25: restart_action: expected one of none, restart, failover, got \"3\"\n" F
	                "range.yaml:13:28: restart_threshold: expected a non-negative integer, got \"-1\"\n" F
	                "range.yaml:14:18: initial: expected one of online, offline, got \"starting\"\n");
}

Test(topology, refuses_undefined_resources_with_suggestions)
{
	expect_errors(F "bad-ref.yaml", F
	              "bad-ref.yaml:8:22: depends_on: no resource named \"Cluster Disk\" (did you mean \"Cluster Disk "
	              "1\"?)\n" F "bad-ref.yaml:8:37: depends_on: no resource named \"SQL Network Nam\" (did you mean "
	              "\"SQL Network Name\"?)\n" F "bad-ref.yaml:8:54: depends_on: no resource named \"Other\"\n");
}

Test(topology, checks_owner_and_failback_rules)
{
	expect_errors(F "failback.yaml",
	              F "failback.yaml:6:12: owner: \"n1\" is not one of the group's possible_owners\n" F
	                "failback.yaml:7:20: auto_failback: allow needs preferred_owners to fail back to\n");
}

Test(topology, fills_documented_defaults_exactly)
{
	struct sim_topology *t = load_ok(F "defaults.yaml");
	cr_assert_str_eq(t->name, "defaults");
	cr_assert_str_eq(t->path, F "defaults.yaml");
	cr_assert_eq(t->utc_offset_min, 0);
	cr_assert_eq(t->nnodes, 2);
	cr_assert_str_eq(t->nodes[0].name, "n1");
	cr_assert_eq(t->nodes[0].down, false);
	cr_assert_str_eq(t->nodes[1].name, "n2");
	cr_assert_eq(t->nodes[1].down, true);
	cr_assert_eq(t->nodes[1].pos.line, 2);
	cr_assert_eq(t->ngroups, 2);
	const struct sim_group_def *g = &t->groups[0];
	cr_assert_str_eq(g->name, "G");
	cr_assert_eq(g->npreferred, 0);
	cr_assert_eq(g->npossible, 0);
	cr_assert_eq(g->failover_threshold, UINT32_MAX);
	cr_assert_eq(g->failover_period_ns, 6 * 3600 * SEC);
	cr_assert_eq(g->auto_failback, 0);
	cr_assert_eq(g->failback_start_hour, -1);
	cr_assert_eq(g->failback_end_hour, -1);
	cr_assert_null(g->owner);
	cr_assert_eq(g->pos.line, 4);
	cr_assert_eq(g->pos.col, 5);
	cr_assert_eq(t->nresources, 5);
	const struct sim_resource_def *r = &t->resources[0];
	cr_assert_str_eq(r->name, "R");
	cr_assert_str_eq(r->type, "Generic Service");
	cr_assert_str_eq(r->group, "G");
	cr_assert_eq(r->ndeps, 0);
	cr_assert_eq(r->restart_action, SIM_RESTART_FAILOVER);
	cr_assert_eq(r->restart_threshold, 1);
	cr_assert_eq(r->restart_period_ns, 15 * 60 * SEC);
	cr_assert_eq(r->restart_delay_ns, 500 * MS);
	cr_assert_eq(r->retry_period_ns, 3600 * SEC);
	cr_assert_eq(r->pending_timeout_ns, 180 * SEC);
	cr_assert_eq(r->online_time.min_ns, 0);
	cr_assert_eq(r->online_time.max_ns, 0);
	cr_assert_eq(r->offline_time.max_ns, 0);
	cr_assert_eq(r->locked, false);
	cr_assert_eq(r->start_offline, false);
	cr_assert_eq(r->nbroken_on, 0);
	cr_assert_null(r->endpoint);
	cr_assert_eq(r->pos.line, 6);
	cr_assert_eq(r->pos.col, 9);
	sim_topology_free(t);
}

Test(topology, reads_every_setting)
{
	struct sim_topology *t = load_ok(F "defaults.yaml");
	const struct sim_group_def *g = &t->groups[1];
	cr_assert_str_eq(g->name, "Tuned");
	cr_assert_eq(g->npreferred, 1);
	cr_assert_str_eq(g->preferred[0], "n2");
	cr_assert_eq(g->npossible, 2);
	cr_assert_str_eq(g->possible[1], "n2");
	cr_assert_str_eq(g->owner, "n2");
	cr_assert_eq(g->failover_threshold, 0xFFFFFFFEu);
	cr_assert_eq(g->failover_period_ns, 3600 * SEC);
	cr_assert_eq(g->auto_failback, 1);
	cr_assert_eq(g->failback_start_hour, 22);
	cr_assert_eq(g->failback_end_hour, 4);
	const struct sim_resource_def *r = &t->resources[1];
	cr_assert_str_eq(r->name, "T");
	cr_assert_str_eq(r->group, "Tuned");
	cr_assert_eq(r->ndeps, 2);
	cr_assert_eq(r->deps[0].nany, 1);
	cr_assert_str_eq(r->deps[0].any[0], "R2");
	cr_assert_eq(r->deps[1].nany, 2);
	cr_assert_str_eq(r->deps[1].any[0], "R3");
	cr_assert_str_eq(r->deps[1].any[1], "R4");
	cr_assert_eq(r->restart_action, SIM_RESTART_NO_FAILOVER);
	cr_assert_eq(r->restart_threshold, 3);
	cr_assert_eq(r->restart_period_ns, 120 * SEC);
	cr_assert_eq(r->restart_delay_ns, SEC);
	cr_assert_eq(r->retry_period_ns, SIM_NEVER);
	cr_assert_eq(r->pending_timeout_ns, 30 * SEC);
	cr_assert_eq(r->online_time.min_ns, SEC);
	cr_assert_eq(r->online_time.max_ns, 3 * SEC);
	cr_assert_eq(r->offline_time.min_ns, 250 * MS);
	cr_assert_eq(r->offline_time.max_ns, 250 * MS);
	cr_assert_eq(r->locked, true);
	cr_assert_eq(r->start_offline, true);
	cr_assert_eq(r->nbroken_on, 1);
	cr_assert_str_eq(r->broken_on[0], "n1");
	cr_assert_str_eq(r->endpoint, "127.0.0.2:0");
	sim_topology_free(t);
}

Test(topology, reads_timezone_offset)
{
	struct sim_topology *t = load_ok(F "tz.yaml");
	cr_assert_eq(t->utc_offset_min, -330);
	cr_assert_eq(t->ngroups, 0);
	sim_topology_free(t);
}

Test(topology, defaults_function_matches_wsfc_table)
{
	struct sim_resource_def r;
	sim_resource_def_defaults(&r);
	cr_assert_eq(r.restart_action, SIM_RESTART_FAILOVER);
	cr_assert_eq(r.restart_threshold, 1);
	cr_assert_eq(r.retry_period_ns, 3600 * SEC);
	struct sim_group_def g;
	sim_group_def_defaults(&g);
	cr_assert_eq(g.failover_threshold, UINT32_MAX);
	cr_assert_eq(g.failback_start_hour, -1);
}

Test(topology, every_shipped_cluster_loads)
{
	glob_t gl;
	cr_assert_eq(glob("plans/clusters/*.yaml", 0, NULL, &gl), 0);
	cr_assert_geq(gl.gl_pathc, 2);
	for (size_t i = 0; i < gl.gl_pathc; i++)
		sim_topology_free(load_ok(gl.gl_pathv[i]));
	globfree(&gl);
}

static const struct sim_resource_def *res_named(const struct sim_topology *t, const char *name)
{
	for (size_t i = 0; i < t->nresources; i++)
		if (strcmp(t->resources[i].name, name) == 0)
			return &t->resources[i];
	cr_assert_fail("no resource \"%s\"", name);
	return NULL;
}

Test(topology, sql_3node_has_the_shared_names)
{
	struct sim_topology *t = load_ok("plans/clusters/sql-3node.yaml");
	cr_assert_str_eq(t->name, "sql-3node");
	cr_assert_eq(t->nnodes, 3);
	cr_assert_str_eq(t->nodes[2].name, "node-c");
	cr_assert_eq(t->ngroups, 2);
	cr_assert_str_eq(t->groups[0].name, "Cluster Group");
	cr_assert_str_eq(t->groups[1].name, "SQL Server (MSSQLSERVER)");
	cr_assert_eq(t->groups[1].npreferred, 3);
	const struct sim_resource_def *sql = res_named(t, "SQL Server (MSSQLSERVER)");
	cr_assert_str_eq(sql->type, "SQL Server");
	cr_assert_str_eq(sql->group, "SQL Server (MSSQLSERVER)");
	cr_assert_eq(sql->ndeps, 2);
	cr_assert_str_eq(sql->deps[0].any[0], "Cluster Disk 1");
	cr_assert_str_eq(sql->deps[1].any[0], "SQL Network Name (SQLCLUS)");
	cr_assert_str_eq(sql->endpoint, "127.0.0.1:14330");
	cr_assert_leq(sql->online_time.max_ns, 4 * SEC);
	cr_assert_str_eq(res_named(t, "SQL Server Agent (MSSQLSERVER)")->deps[0].any[0], "SQL Server (MSSQLSERVER)");
	cr_assert_str_eq(res_named(t, "Cluster Name")->deps[0].any[0], "Cluster IP Address");
	cr_assert_str_eq(res_named(t, "File Share Witness")->group, "Cluster Group");
	sim_topology_free(t);
}

Test(topology, fileserver_has_the_shared_names)
{
	struct sim_topology *t = load_ok("plans/clusters/fileserver.yaml");
	cr_assert_eq(t->nnodes, 2);
	cr_assert_str_eq(t->nodes[1].name, "fs-2");
	cr_assert_str_eq(t->groups[0].name, "FileServer-(FS01)");
	const struct sim_resource_def *fs = res_named(t, "File Server (\\\\FS01)");
	cr_assert_str_eq(fs->type, "File Server");
	cr_assert_str_eq(fs->endpoint, "127.0.0.1:14450");
	cr_assert_eq(fs->ndeps, 2);
	cr_assert_str_eq(fs->deps[1].any[0], "FS01");
	sim_topology_free(t);
}

/* Run the generator into a private temp file named in path[32] (caller unlinks). */
static void generate(char *path, const char *nres, const char *nnodes)
{
	strcpy(path, "/tmp/faultline-topo-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	char *argv[] = {"sh", "scripts/gen-topology.sh", (char *)nres, (char *)nnodes, NULL};
	pid_t pid;
	extern char **environ;
	cr_assert_eq(posix_spawnp(&pid, "sh", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(topology, loads_a_generated_10000_resource_topology)
{
	char path[32];
	generate(path, "10000", "16");
	struct sim_topology *t = load_ok(path);
	cr_assert_eq(t->nresources, 10000);
	cr_assert_eq(t->ngroups, 1000);
	cr_assert_eq(t->nnodes, 16);
	cr_assert_str_eq(t->resources[9999].name, "r00999-9");
	cr_assert_str_eq(t->resources[9999].group, "role-00999");
	cr_assert_eq(t->resources[9999].deps[0].nany, 2);
	cr_assert_str_eq(t->groups[999].preferred[2], "node-009");
	sim_topology_free(t);
	unlink(path);
}

Test(topology, generator_is_deterministic)
{
	char a[32], b[32];
	generate(a, "500", "5");
	generate(b, "500", "5");
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	cr_assert(fa && fb);
	int ca, cb;
	size_t n = 0;
	do {
		ca = fgetc(fa);
		cb = fgetc(fb);
		n++;
	} while (ca == cb && ca != EOF);
	cr_assert_eq(ca, cb, "differ at byte %zu", n);
	cr_assert_gt(n, 10000);
	fclose(fa);
	fclose(fb);
	unlink(a);
	unlink(b);
}

/* A chain r0 <- r1 <- ... <- r{n-1}: n-1 dependency edges. */
static char *write_chain(size_t n)
{
	char *path = xstrdup("/tmp/faultline-chain-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "name: chain\nnodes: [n1]\ngroups:\n  - name: G\n    resources:\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "      - name: r%zu\n        type: Generic Service\n", i);
		if (i > 0)
			fprintf(f, "        depends_on: [r%zu]\n", i - 1);
	}
	fclose(f);
	return path;
}

Test(topology, dependency_depth_100_is_the_limit)
{
	char *ok = write_chain(101);
	sim_topology_free(load_ok(ok));
	char *deep = write_chain(103);
	char *got = errors_of(deep);
	/* r101 sits at line 6 + 101 * 3 - 1: its chain is the first over the limit; r102 is not reported again. */
	char *want = xasprintf("%s:308:9: resource \"r101\": dependency chain is 101 deep, the maximum is 100\n", deep);
	cr_expect_str_eq(got, want);
	free(got);
	free(want);
	unlink(ok);
	unlink(deep);
	free(ok);
	free(deep);
}
