/*
 * test_agent_startup.c - a SIGHUP (`systemctl reload` right after start)
 * while the agent is still loading its plans is acted on once it runs,
 * instead of killing it (issue 18: exit 129, log stopped mid-start-up).
 * The start-up is made long with one plan of 80,000 faults (about half a
 * second to load); the signal comes 100 ms in. Bounded: a few seconds.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/util.h"

static char dir[] = "/tmp/fl-startup-XXXXXX";
static pid_t agent = -1;

static void fini(void)
{
	if (agent > 0) {
		kill(agent, SIGKILL);
		waitpid(agent, NULL, 0);
	}
	char *cmd = xasprintf("rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(agent_startup, .fini = fini, .timeout = 60);

static const char *bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

Test(agent_startup, sighup_while_loading_plans_is_a_reload_later)
{
	cr_assert_not_null(mkdtemp(dir));
	char *plans = xasprintf("%s/plans", dir), *state = xasprintf("%s/state", dir);
	char *plan = xasprintf("%s/big.yaml", plans), *log = xasprintf("%s/agent.log", dir);
	cr_assert_eq(mkdir(plans, 0700), 0);
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	FILE *f = fopen(plan, "w");
	fprintf(f,
	        "version: 1\nname: big\ncluster: { backend: sim, topology: %s/plans/clusters/sql-3node.yaml }\n"
	        "select: { sql: { name: '^SQL Server' } }\nschedule: { cron: '@daily' }\nfaults:\n",
	        cwd);
	fputs("  - { name: f0, action: fail, target: sql }\n", f);
	for (int i = 1; i < 80000; i++)
		fprintf(f, "  - { name: f%d, action: fail, target: sql, after: f%d }\n", i, i - 1);
	fclose(f);
	agent = fork();
	if (agent == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (freopen(log, "w", stderr) == NULL)
			_exit(127);
		execl(bin(), bin(), "agent", "--plans", plans, "--state", state, "--metrics", "off", (char *)NULL);
		_exit(127);
	}
	usleep(100000);
	kill(agent, SIGHUP);
	int st = 0;
	pid_t r = 0;
	char *text = NULL;
	for (int i = 0; i < 300; i++, usleep(20000)) {
		if ((r = waitpid(agent, &st, WNOHANG)) != 0)
			break;
		FILE *lf = fopen(log, "r");
		char buf[8192] = "";
		size_t n = lf ? fread(buf, 1, sizeof(buf) - 1, lf) : 0;
		if (lf)
			fclose(lf);
		buf[n] = '\0';
		if (strstr(buf, "reload: 1 scheduled plan(s)") != NULL) {
			text = xstrdup(buf);
			break;
		}
	}
	cr_assert_eq(r, 0, "the agent died during start-up (status %d)", st);
	cr_assert_not_null(text, "no reload logged after the SIGHUP");
	cr_assert_not_null(strstr(text, "agent: 1 scheduled plan(s)"), "%s", text);
	kill(agent, SIGTERM);
	waitpid(agent, &st, 0);
	agent = -1;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d", st);
	free(plans), free(state), free(plan), free(log), free(text);
}
