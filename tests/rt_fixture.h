/*
 * rt_fixture.h - a simulated cluster that outlives the processes acting on
 * it: a `faultline sim-adapter --listen` server in a scratch directory and
 * tests/crash/realtime.yaml.in filled in to reach it through the exec
 * backend. For the real-time crash and agent tests.
 */
#ifndef FAULTLINE_TEST_RT_FIXTURE_H
#define FAULTLINE_TEST_RT_FIXTURE_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"

#include "journal_fixture.h"

static inline const char *rt_bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

#define TOPO     "tests/crash/fast-cluster.yaml"
#define TEMPLATE "tests/crash/realtime.yaml.in"

struct rt {
	char *dir, *sock, *plan, *bin;
	pid_t adapter;
};

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *buf = xcalloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline char *replace(const char *s, const char *what, const char *with)
{
	const char *at = strstr(s, what);
	cr_assert_not_null(at);
	return xasprintf("%.*s%s%s", (int)(at - s), s, with, at + strlen(what));
}

/* A fresh simulated cluster served on a socket, and the plan pointing at it. */
static inline void rt_start_topo(struct rt *t, const char *topo)
{
	t->dir = jfx_dir();
	t->sock = xasprintf("%s/cluster.sock", t->dir);
	t->bin = realpath(rt_bin(), NULL);
	cr_assert_not_null(t->bin, "%s", rt_bin());
	t->adapter = fork();
	if (t->adapter == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a test that fails midway leaves no cluster behind */
		execl(t->bin, t->bin, "sim-adapter", topo, "--no-endpoints", "--listen", t->sock, (char *)NULL);
		_exit(127);
	}
	struct stat st;
	for (int i = 0; i < 500 && stat(t->sock, &st) != 0; i++)
		usleep(10000);
	cr_assert_eq(stat(t->sock, &st), 0, "sim-adapter did not listen on %s", t->sock);
	char *tpl = slurp(TEMPLATE), *a = replace(tpl, "@BIN@", t->bin), *b = replace(a, "@SOCKET@", t->sock);
	t->plan = xasprintf("%s/plan.yaml", t->dir);
	FILE *f = fopen(t->plan, "w");
	fputs(b, f);
	fclose(f);
	free(tpl);
	free(a);
	free(b);
}

static inline void rt_start(struct rt *t)
{
	rt_start_topo(t, TOPO);
}

static inline void rt_stop(struct rt *t)
{
	kill(t->adapter, SIGTERM);
	waitpid(t->adapter, NULL, 0);
	free(t->dir);
	free(t->sock);
	free(t->plan);
	free(t->bin);
}

/* The cluster as the adapter has it: NULL if it is back to its pre-run state, else what differs. */
static inline char *rt_cluster_differs(struct rt *t)
{
	char *argv[] = {t->bin, (char *)"sim-adapter", (char *)"--connect", t->sock, NULL};
	struct cluster_config cfg = {.backend = "exec", .command = argv, .timeout_ns = 5 * NSEC_PER_SEC};
	struct fl_clock *clk = clock_new_real();
	struct fl_err e;
	struct cluster *cl = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(cl, "%s", e.msg);
	struct cluster_snapshot s;
	cr_assert_eq(cl->ops->snapshot(cl, &s, &e), 0, "%s", e.msg);
	char *why = NULL;
	for (size_t i = 0; why == NULL && i < s.nresources; i++)
		if (s.resources[i].state != RES_ONLINE || s.resources[i].owner == NULL ||
		    strcmp(s.resources[i].owner, "n1") != 0)
			why = xasprintf("\"%s\" is %s on %s", s.resources[i].name, res_state_str(s.resources[i].state),
			                s.resources[i].owner ? s.resources[i].owner : "?");
	cluster_snapshot_free(&s);
	cluster_close(cl);
	clock_free(clk);
	return why;
}

#endif
