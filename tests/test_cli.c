/*
 * test_cli.c - the faultline binary as a user runs it: exit codes, and the
 * outputs people read. FAULTLINE_BIN names the binary under test (the
 * Makefile sets it; ./faultline otherwise).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/util.h"
#include "port_fixture.h"
#include "scratch_dir.h"

static const char *bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

/* Run `faultline ARGS` (a shell-quoted string); returns the exit status, output in *out. */
static int faultline(const char *args, char **out)
{
	char *cmd = xasprintf("%s %s 2>&1", bin(), args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	cr_assert_not_null(p);
	size_t cap = 1 << 16, len = 0;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 1024)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

TestSuite(cli, .timeout = 30);

Test(cli, validate_shipped_plans_exit_0)
{
	char *out;
	cr_assert_eq(faultline("validate plans/demo.yaml plans/sql-gameday.yaml plans/nightly-fileserver.yaml "
	                       "plans/release-gate.yaml",
	                       &out),
	             0, "%s", out);
	cr_assert(strstr(out, "plans/demo.yaml: valid") != NULL);
	free(out);
}

Test(cli, validate_invalid_plan_exit_2_with_position)
{
	char *out;
	cr_assert_eq(faultline("validate tests/data/invalid/unknown-key-probe.yaml", &out), 2);
	cr_assert(strstr(out, "tests/data/invalid/unknown-key-probe.yaml:") != NULL, "%s", out);
	cr_assert(strstr(out, "did you mean \"interval\"?") != NULL, "%s", out);
	free(out);
}

Test(cli, unknown_command_and_usage_exit_2)
{
	char *out;
	cr_assert_eq(faultline("frobnicate", &out), 2);
	cr_assert(strstr(out, "unknown command \"frobnicate\"") != NULL);
	free(out);
	cr_assert_eq(faultline("run", &out), 2);
	free(out);
}

Test(cli, sim_replay_is_deterministic_and_readable)
{
	const char *args = "sim plans/clusters/sql-3node.yaml --seed 5 --at 1s --fail 'SQL Server (MSSQLSERVER)' "
	                   "--at 30s --fail 'SQL Server (MSSQLSERVER)' --for 2m";
	char *a, *b;
	cr_assert_eq(faultline(args, &a), 0, "%s", a);
	cr_assert_eq(faultline(args, &b), 0);
	cr_assert_str_eq(a, b);
	cr_assert(strstr(a, "> FailClusterResource(\"SQL Server (MSSQLSERVER)\") = 0") != NULL, "%s", a);
	cr_assert(strstr(a, "00:00:01.000 resource \"SQL Server (MSSQLSERVER)\" online -> failed on node-a "
	                    "(FailClusterResource)") != NULL,
	          "%s", a);
	/* The second failure inside RestartPeriod fails the group over. */
	cr_assert(strstr(a, "group \"SQL Server (MSSQLSERVER)\" failed on node-b (failover)") != NULL, "%s", a);
	free(a);
	free(b);
}

Test(cli, sim_rejects_unknown_flag)
{
	char *out;
	cr_assert_eq(faultline("sim plans/clusters/sql-3node.yaml --offline 'Cluster Disk 1' --flags nope", &out), 2);
	cr_assert(strstr(out, "unknown offline flag \"nope\"") != NULL, "%s", out);
	free(out);
}

Test(cli, select_shows_picks)
{
	char *out;
	cr_assert_eq(faultline("select plans/sql-gameday.yaml", &out), 0, "%s", out);
	cr_assert(strstr(out, "1 matched, 0 protected, 1 picked (seed 42):") != NULL, "%s", out);
	cr_assert(strstr(out, "SQL Server (MSSQLSERVER)") != NULL);
	free(out);
}

Test(cli, inspect_lists_topology)
{
	char *out;
	cr_assert_eq(faultline("inspect --cluster plans/clusters/fileserver.yaml", &out), 0, "%s", out);
	cr_assert(strstr(out, "nodes (2):") != NULL, "%s", out);
	cr_assert(strstr(out, "File Server (\\\\FS01)") != NULL, "%s", out);
	free(out);
}

Test(cli, run_virtual_time_writes_reports)
{
	char dir[] = "/tmp/faultline-cli-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *args =
	    xasprintf("run --virtual-time -q tests/data/run/pass.yaml --json %s/r.json --junit %s/r.xml", dir, dir);
	char *out;
	cr_assert_eq(faultline(args, &out), 0, "%s", out);
	cr_assert(strstr(out, "verdict: PASS") != NULL, "%s", out);
	char *json = xasprintf("%s/r.json", dir), *xml = xasprintf("%s/r.xml", dir);
	FILE *f = fopen(json, "r");
	cr_assert_not_null(f);
	fclose(f);
	f = fopen(xml, "r");
	cr_assert_not_null(f);
	fclose(f);
	unlink(json);
	unlink(xml);
	rmdir(dir);
	free(json);
	free(xml);
	free(args);
	free(out);
}

Test(cli, run_exit_codes_follow_the_verdict)
{
	char *out;
	cr_assert_eq(faultline("run --virtual-time -q tests/data/run/slo-violated.yaml", &out), 1);
	free(out);
	cr_assert_eq(faultline("run --virtual-time -q tests/data/run/not-steady.yaml", &out), 3);
	free(out);
	cr_assert_eq(faultline("run --virtual-time -q tests/data/invalid/bad-action.yaml", &out), 2);
	free(out);
}

Test(cli, exec_adapter_caps_are_checked_at_open)
{
	char *out;
	int rc = faultline("run tests/data/run/exec-caps.yaml", &out);
	cr_assert_eq(rc, 2, "%s", out);
	cr_assert(strstr(out,
	                 "exec adapter tests/fake-adapter/fake-adapter.sh: the cluster does not offer what the plan "
	                 "needs: tests/data/run/exec-caps.yaml:10:5: fault \"drain\": backend \"exec\" does not "
	                 "support offline flag \"queue_enabled\"") != NULL,
	          "%s", out);
	free(out);
}

/*
 * Regression: with simulator endpoints, SIGTERM used to be delivered to the
 * endpoint thread (the only one not blocking it) and killed the process
 * (exit 143) with nothing restored. It must abort the run: exit 3.
 */
Test(cli, sigterm_during_a_real_time_run_aborts_and_restores)
{
	char *out, *dir = scratch_dir("fl-sigterm");
	unsigned port = free_port();
	copy_with_port("tests/data/run/sigterm.yaml", dir, "sigterm.yaml", 24337, port);
	copy_with_port("tests/data/run/sigterm-topo.yaml", dir, "sigterm-topo.yaml", 24337, port);
	char *args = xasprintf("run %s/sigterm.yaml & p=$!; sleep 1; kill -TERM $p; wait $p", dir);
	free(dir);
	char *cmd = xasprintf("sh -c '%s %s'", bin(), args);
	free(args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	cr_assert_not_null(p);
	out = xmalloc(1 << 16);
	size_t len = fread(out, 1, (1 << 16) - 1, p);
	out[len] = '\0';
	int st = pclose(p);
	cr_assert(WIFEXITED(st));
	cr_expect_eq(WEXITSTATUS(st), 3, "exit %d, output:\n%s", WEXITSTATUS(st), out);
	cr_expect_not_null(strstr(out, "received Terminated"), "output:\n%s", out);
	free(out);
}

/* Only a backend simulated on the virtual clock can run on it; the registry says which. */
Test(cli, virtual_time_needs_a_simulated_backend)
{
	char *out;
	cr_assert_eq(faultline("run --virtual-time tests/data/run/wsfc-sim.yaml", &out), 2, "%s", out);
	cr_assert_str_eq(out, "tests/data/run/wsfc-sim.yaml: --virtual-time needs a simulated backend (\"sim\"), not "
	                      "\"wsfc\"\n");
	free(out);
}
