/*
 * node_cmd_fixture.h - node plans whose node_down_command / node_up_command
 * act on a long-lived simulated cluster: `faultline sim-adapter --listen`
 * (it dies with the test) and tests/data/exec/node-cmd.yaml rewritten to
 * reach it, the commands being tests/data/exec/node-cmd.sh, which logs each
 * call. For test_exec_node.c and test_run_node_cmd.c (real time).
 */
#ifndef FAULTLINE_TEST_NODE_CMD_FIXTURE_H
#define FAULTLINE_TEST_NODE_CMD_FIXTURE_H

#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/plan.h"
#include "faultline/util.h"
#include "plan_fixture.h"

#ifndef TOPO
#define TOPO "tests/crash/fast-cluster.yaml"
#endif

/* One long-lived cluster per test (criterion runs tests in parallel): its socket, the commands' log, the plan. */
struct served {
	pid_t pid;
	char *sock, *log, *plan;
};

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return xstrdup("");
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

/* s with every `what` replaced by `with`, owned. */
static inline char *replace(const char *s, const char *what, const char *with)
{
	char *out = xstrdup("");
	const char *at;
	while ((at = strstr(s, what)) != NULL) {
		char *next = xasprintf("%s%.*s%s", out, (int)(at - s), s, with);
		free(out);
		out = next;
		s = at + strlen(what);
	}
	char *next = xasprintf("%s%s", out, s);
	free(out);
	return next;
}

/*
 * `faultline sim-adapter --listen SOCK` (it dies with the test: PR_SET_PDEATHSIG), and
 * tests/data/exec/node-cmd.yaml rewritten to reach it, with `op` as the node_down command's OP.
 */
static inline void serve(struct served *sv, const char *tag, const char *op)
{
	sv->sock = xasprintf("build/test-exec-node-%s.sock", tag);
	sv->log = xasprintf("build/test-exec-node-%s.log", tag);
	sv->plan = xasprintf("build/test-exec-node-%s.yaml", tag);
	unlink(sv->sock);
	unlink(sv->log);
	char *text = slurp("tests/data/exec/node-cmd.yaml"), *a = replace(text, "build/test-exec-node.sock", sv->sock),
	     *b = replace(a, "build/test-exec-node.log", sv->log), *c = replace(b, "node_down, '{node}'", op);
	FILE *f = fopen(sv->plan, "w");
	fputs(c, f);
	fclose(f);
	free(text), free(a), free(b), free(c);
	sv->pid = fork();
	if (sv->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl("./faultline", "./faultline", "sim-adapter", TOPO, "--no-endpoints", "--listen", sv->sock,
		      (char *)NULL);
		_exit(127);
	}
	cr_assert_gt(sv->pid, 0);
	struct fl_clock *clk = clock_new_real();
	uint64_t deadline = clock_now(clk) + 5 * NSEC_PER_SEC;
	struct stat st;
	while (stat(sv->sock, &st) != 0) { /* a deadline; the poll only yields the CPU */
		cr_assert_lt(clock_now(clk), deadline, "sim-adapter did not listen on %s", sv->sock);
		poll(NULL, 0, 10);
	}
	clock_free(clk);
}

static inline void unserve(struct served *sv)
{
	kill(sv->pid, SIGTERM);
	waitpid(sv->pid, NULL, 0);
	free(sv->sock);
	free(sv->log);
	free(sv->plan);
}

#endif
