/*
 * test_agent_orphan.c - no fault left live by a dying child or agent.
 *
 * Against a `faultline sim-adapter --listen` cluster (it outlives every
 * process acting on it): a child run SIGKILLed with the group moved away is
 * restored by the agent at once, not at the plan's next fire time; and a
 * run a previous agent left behind (alive, holding its journal's lock,
 * faults injected) holds its cluster: the agent starts no run there,
 * reports the orphan's open fault in status and /metrics, and restores the
 * cluster as soon as the orphan lets go. Real time, bounded.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/control.h"
#include "faultline/journal.h"
#include "faultline/plan.h"

#include "rt_fixture.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct agent_fx {
	struct rt rt;
	char *state, *plans, *plan, *log, *sock;
	pid_t agent;
};

/* The cluster, and the realtime plan in a plans dir with a schedule added. */
static void fx_init(struct agent_fx *f, const char *cron)
{
	rt_start(&f->rt);
	f->state = xasprintf("%s/state", f->rt.dir);
	f->plans = xasprintf("%s/plans", f->rt.dir);
	f->plan = xasprintf("%s/p.yaml", f->plans);
	f->log = xasprintf("%s/agent.log", f->rt.dir);
	f->sock = xasprintf("%s/control.sock", f->state);
	f->agent = -1;
	cr_assert_eq(mkdir(f->plans, 0700), 0);
	char *text = slurp(f->rt.plan), *full = xasprintf("%sschedule: { cron: '%s' }\n", text, cron);
	FILE *out = fopen(f->plan, "w");
	fputs(full, out);
	fclose(out);
	free(text);
	free(full);
}

static struct agent_fx fx; /* one per test process; freed by the suite's fini even when a test fails */

static void fx_fini(void)
{
	struct agent_fx *f = &fx;
	if (f->agent > 0) {
		kill(f->agent, SIGKILL);
		waitpid(f->agent, NULL, 0);
	}
	if (f->state != NULL)
		rt_stop(&f->rt);
	free(f->state), free(f->plans), free(f->plan), free(f->log), free(f->sock);
	memset(f, 0, sizeof(*f));
}

TestSuite(agent_orphan, .fini = fx_fini, .timeout = 60);

static void fx_start_agent(struct agent_fx *f, const char *kill_at)
{
	f->agent = fork();
	if (f->agent == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a timed-out test leaves no agent behind */
		if (freopen(f->log, "w", stderr) == NULL)
			_exit(127);
		if (kill_at != NULL)
			setenv("FAULTLINE_TEST_KILL_AT", kill_at, 1);
		execl(f->rt.bin, f->rt.bin, "agent", "--plans", f->plans, "--state", f->state, "--metrics", "off",
		      (char *)NULL);
		_exit(127);
	}
}

static json_t *fx_request(struct agent_fx *f, const char *req)
{
	char *reply = NULL;
	struct fl_err e;
	json_t *j = NULL;
	if (control_request(f->sock, req, &reply, 2000, &e) == 0)
		j = json_loads(reply, 0, NULL);
	free(reply);
	return j;
}

/* Wait (bounded) for text in the agent's log; the log (caller frees), or fails. */
static char *fx_wait_log(struct agent_fx *f, const char *want, double limit)
{
	char *text = NULL;
	for (double t0 = now_s(); now_s() - t0 < limit; usleep(50000)) {
		free(text);
		text = access(f->log, F_OK) == 0 ? slurp(f->log) : xstrdup("");
		if (strstr(text, want) != NULL)
			return text;
	}
	cr_assert_fail("log lacks \"%s\" after %.0f s:\n%s", want, limit, text);
	return NULL;
}

static long long status_int(json_t *st, const char *key)
{
	return (long long)json_integer_value(json_object_get(st, key));
}

/*
 * A child run dies (SIGKILL) with the group moved away; the agent is paused
 * right after it started, so no later run of the plan can restore for it.
 * Today's agent only logs "run `faultline restore`"; it must restore now.
 */
Test(agent_orphan, a_crashed_child_is_restored_at_once)
{
	struct agent_fx *f = &fx;
	fx_init(f, "@every 1s");
	fx_start_agent(f, "injected:3");
	free(fx_wait_log(f, ": started (pid", 10));
	json_decref(fx_request(f, "{\"cmd\":\"pause\"}"));
	char *log = fx_wait_log(f, "restored; runs may start there again", 20);
	cr_assert_not_null(strstr(log, "restoring whatever its journal has open now"), "%s", log);
	char *differs = rt_cluster_differs(&f->rt);
	cr_assert_null(differs, "the cluster still differs: %s\n%s", differs, log);
	json_t *st = fx_request(f, "{\"cmd\":\"status\"}");
	cr_assert_not_null(st);
	cr_assert_eq(status_int(st, "faults_open"), 0);
	cr_assert_eq(status_int(st, "pending_restores"), 0);
	cr_assert_eq(json_array_size(json_object_get(st, "held")), 0);
	json_decref(st);
	free(log);
}

/* The journal directory the agent uses for the plan's cluster. */
static char *cluster_dir(struct agent_fx *f)
{
	struct fl_diag d;
	diag_init(&d, f->plan);
	struct plan *p = plan_load(f->plan, &d);
	cr_assert_not_null(p);
	diag_fini(&d);
	struct cluster_config cfg;
	plan_cluster_config(p, &cfg);
	char *dir = journal_cluster_dir(f->state, &cfg);
	plan_free(p);
	return dir;
}

Test(agent_orphan, an_orphan_holds_its_cluster_until_it_lets_go)
{
	struct agent_fx *f = &fx;
	fx_init(f, "@every 1s");
	char *dir = cluster_dir(f);
	/* The orphan: a run on the agent's journal for that cluster, stopped with the group moved away. */
	pid_t orphan = fork();
	if (orphan == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(f->rt.bin, f->rt.bin, "run", "--quiet", "--state", dir, f->plan, (char *)NULL);
		_exit(127);
	}
	struct journal_peek pk = {0};
	struct fl_err e;
	/* Both resources touched: the group has failed over or is moving away. */
	for (double t0 = now_s(); now_s() - t0 < 15 && pk.faults < 2; usleep(10000))
		journal_peek(dir, &pk, &e);
	kill(orphan, SIGSTOP);
	cr_assert_eq(pk.faults, 2, "the orphan did not get to its move");
	char *differs = rt_cluster_differs(&f->rt);
	cr_assert_not_null(differs, "the orphan left the cluster as it was");
	free(differs);
	journal_peek(dir, &pk, &e);
	unsigned open_faults = pk.faults;
	fx_start_agent(f, NULL);
	char *log = fx_wait_log(f, "locked by another process", 10);
	free(log);
	usleep(1500000); /* past a fire time of the plan: it must not start there */
	json_t *st = fx_request(f, "{\"cmd\":\"status\"}");
	cr_assert_not_null(st);
	cr_assert_eq(status_int(st, "faults_open"), open_faults, "%s", json_dumps(st, 0));
	cr_assert_eq(status_int(st, "pending_restores"), 1);
	cr_assert_eq(json_array_size(json_object_get(st, "held")), 1);
	cr_assert_eq(json_array_size(json_object_get(st, "runs")), 0, "a run started on the held cluster");
	json_decref(st);
	log = slurp(f->log);
	cr_assert_null(strstr(log, ": started (pid"), "%s", log);
	free(log);
	/* Paused: the plan's own runs must not move the group while we look (restores are not paused). */
	json_decref(fx_request(f, "{\"cmd\":\"pause\"}"));
	kill(orphan, SIGKILL);
	waitpid(orphan, NULL, 0);
	free(fx_wait_log(f, "restored; runs may start there again", 20));
	differs = rt_cluster_differs(&f->rt);
	cr_assert_null(differs, "the cluster still differs: %s", differs);
	st = fx_request(f, "{\"cmd\":\"status\"}");
	cr_assert_eq(status_int(st, "faults_open"), 0);
	cr_assert_eq(status_int(st, "pending_restores"), 0);
	cr_assert_eq(json_array_size(json_object_get(st, "held")), 0);
	json_decref(st);
	json_decref(fx_request(f, "{\"cmd\":\"resume\"}"));
	free(fx_wait_log(f, ": started (pid", 10));
	free(dir);
}
