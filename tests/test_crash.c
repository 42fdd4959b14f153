/*
 * test_crash.c - THE crash test: SIGKILL `faultline run --state` at every
 * kind of point of a run (FAULTLINE_TEST_KILL_AT: before an injection is
 * journaled, between journal and injection, while a trial is open, during
 * restore, between restore and RUN_END), then start it again with
 * `faultline restore --state DIR` and check that the journal was
 * consistent at the kill, that reconciliation restored and verified every
 * touched resource and settled the run, and that the cluster is free for
 * the next run.
 *
 * Twice: in virtual time against the embedded simulator (its state dies
 * with the process, so this checks the journal side), and in real time
 * against a `faultline sim-adapter --listen` server the run reaches through
 * the exec backend: the cluster outlives the kill, so after `restore` the
 * test reads the cluster itself and asserts every fault undone. The
 * real-time pass also kills `restore` itself mid-restore and restarts it.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/clock.h"

#include "journal_fixture.h"

#define PLAN "tests/crash/crash.yaml"

TestSuite(crash, .timeout = 60);

static const char *bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

/* Run a shell command line; output in *out; returns the raw wait status. */
static int sh(const char *cmd, char **out)
{
	char *full = xasprintf("%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	free(full);
	cr_assert_not_null(p);
	size_t len = 0;
	FILE *m = open_memstream(out, &len);
	char *buf = xmalloc(4096);
	size_t n;
	while ((n = fread(buf, 1, 4096, p)) > 0)
		fwrite(buf, 1, n, m);
	fclose(m);
	free(buf);
	return pclose(p);
}

struct kill_point {
	const char *at;   /* FAULTLINE_TEST_KILL_AT */
	const char *last; /* the journal's last record at the kill */
	unsigned intents, injected;
};

static const struct kill_point points[] = {
    {"run-start:1", "WORKDIR", 0, 0},      /* journaled the run (and where it runs), nothing else */
    {"before-intent:1", "WORKDIR", 0, 0},  /* about to journal the first injection */
    {"intent:1", "INTENT", 1, 0},          /* journaled, not injected */
    {"injected:1", "INJECTED", 1, 1},      /* trial open */
    {"before-intent:2", "INJECTED", 1, 1}, /* between trials */
    {"intent:2", "INTENT", 2, 1},           {"injected:2", "INJECTED", 2, 2},
    {"intent:3", "INTENT", 3, 2},           /* the move: journaled, not injected */
    {"injected:3", "INJECTED", 3, 3},       /* the group is moving away */
    {"restore-action:1", "INJECTED", 3, 3}, /* mid-restore: the move back accepted */
    {"restored:1", "RESTORED", 3, 3},       /* restores journaled, RUN_END not */
};

__attribute__((noinline)) static int count(const char *s, const char *needle)
{
	int n = 0;
	size_t off = 0;
	const char *hit;
	while ((hit = strstr(s + off, needle)) != NULL) {
		n++;
		off = (size_t)(hit - s) + 1;
	}
	return n;
}

/* The type of the last line of a dump. */
static const char *last_type(const char *dump, char *buf, size_t len)
{
	const char *end = dump + strlen(dump);
	while (end > dump && end[-1] == '\n')
		end--;
	const char *start = end;
	while (start > dump && start[-1] != '\n')
		start--;
	size_t n = strcspn(start, " \n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), start);
	return buf;
}

/* One kill point end to end; the reason it failed, or NULL. Failures are collected, not fatal. */
static char *one(const struct kill_point *kp)
{
	char *dir = jfx_dir(), *out, *cmd, *why = NULL;
	cmd = xasprintf("FAULTLINE_TEST_KILL_AT=%s %s run --virtual-time --quiet --state %s %s", kp->at, bin(), dir,
	                PLAN);
	int st = sh(cmd, &out);
	free(cmd);
	/* The shell reports its child's SIGKILL as 128 + 9. */
	if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) && !(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL)) {
		why = xasprintf("%s: not killed (status %d): %s", kp->at, st, out);
		goto done;
	}
	free(out);
	/* Consistent at the kill: readable to the end, records as far as the kill point. */
	char *dump = jfx_dump(dir), t[32];
	if (strcmp(last_type(dump, t, sizeof(t)), kp->last) != 0 || count(dump, "\nINTENT ") != (int)kp->intents ||
	    count(dump, "\nINJECTED ") != (int)kp->injected) {
		why = xasprintf("%s: journal at the kill:\n%s", kp->at, dump);
		free(dump);
		out = NULL;
		goto done;
	}
	free(dump);
	cmd = xasprintf("%s restore --state %s", bin(), dir);
	st = sh(cmd, &out);
	free(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || strstr(out, "never finished (the process died)") == NULL ||
	    strstr(out, "nothing left to restore") == NULL) {
		why = xasprintf("%s: restore (status %d):\n%s", kp->at, st, out);
		goto done;
	}
	free(out);
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	if (j == NULL || journal_runs(j) != NULL) {
		why = xasprintf("%s: after restore: %s", kp->at, j ? "a run is still unsettled" : e.msg);
		journal_close(j);
		out = NULL;
		goto done;
	}
	journal_close(j);
	dump = jfx_dump(dir);
	int want = kp->intents > 0 ? 5 : 0; /* the whole SQL group, each verified */
	if (count(dump, "\" 1 \"verified: online on node-a") < want || strstr(dump, "reconciled after a crash") == NULL)
		why = xasprintf("%s: final journal:\n%s", kp->at, dump);
	free(dump);
	out = NULL;
	if (why == NULL) { /* the cluster is free again */
		cmd = xasprintf("%s run --virtual-time --quiet --state %s %s", bin(), dir, PLAN);
		st = sh(cmd, &out);
		free(cmd);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			why = xasprintf("%s: the next run (status %d):\n%s", kp->at, st, out);
	}
done:
	free(out);
	free(dir);
	return why;
}

Test(crash, sigkill_at_every_point_then_restore)
{
	size_t n = ARRAY_LEN(points), passed = 0;
	char *first = NULL;
	for (size_t i = 0; i < n; i++) {
		char *why = one(&points[i]);
		if (why == NULL)
			passed++;
		else if (first == NULL)
			first = why;
		else
			free(why);
	}
	fprintf(stderr, "crash test: %zu/%zu kill points passed\n", passed, n);
	cr_assert_eq(passed, n, "%s", first ? first : "");
	free(first);
}

Test(crash, held_cluster_refused_until_restore)
{
	char *dir = jfx_dir(), *out, *cmd;
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	struct cluster_config cfg = jfx_cfg();
	cfg.topology = "tests/crash/../../plans/clusters/sql-3node.yaml"; /* as the plan resolves it */
	struct journal_run *r = journal_begin(j, "r1", &cfg, PLAN, "", &e);
	/* A resource the cluster no longer has: it can never be verified. */
	struct touched it = jfx_item("Gone Disk");
	cr_assert_eq(journal_intent(j, r, "fail", "Gone Disk", &it, 1, &e), 0);
	cr_assert_eq(journal_restored(j, r, "Gone Disk", false, "NOT RESTORED", &e), 0);
	cr_assert_eq(journal_end(j, r, 4, "completed", &e), 0);
	journal_close(j);

	cmd = xasprintf("%s run --virtual-time --quiet --state %s %s", bin(), dir, PLAN);
	int st = sh(cmd, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 4, "%d: %s", st, out);
	cr_assert(strstr(out, "verdict: ERROR (exit 4: environment error: cluster "
	                      "sim:tests/crash/../../plans/clusters/sql-3node.yaml is held: run r1 left resources not "
	                      "restored; an operator must run `faultline restore`") != NULL,
	          "%s", out);
	cr_assert(strstr(out,
	                 "restore \"Gone Disk\" FAILED: NOT RESTORED: unknown on node-a (before the run: online on "
	                 "node-a)") != NULL,
	          "%s", out);
	free(out);
	char *restore = xasprintf("%s restore --state %s", bin(), dir);
	st = sh(restore, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 4, "%d: %s", st, out);
	cr_assert(strstr(out, "faultline restore: 1 run(s) NOT fully restored; their clusters stay held") != NULL, "%s",
	          out);
	free(out);
	char *force = xasprintf("%s restore --force --state %s", bin(), dir);
	st = sh(force, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 4, "%d: %s", st, out);
	cr_assert(strstr(out, "run r1: acknowledged (--force); its cluster is released") != NULL, "%s", out);
	free(out);
	free(force);
	st = sh(cmd, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "released: %d: %s", st, out);
	free(out);
	free(cmd);
	free(restore);
	free(dir);
}

/* ---- real time, against a cluster that outlives the kill ---- */

#include "rt_fixture.h"

static bool killed(int st)
{
	return (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || (WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL);
}

/* Kill the run at kp (and, with restore_at, the first restore too); restore; check the cluster. */
static char *one_rt(const struct kill_point *kp, const char *restore_at)
{
	struct rt t;
	rt_start(&t);
	char *out = NULL, *why = NULL, *state = xasprintf("%s/state", t.dir);
	char *cmd = xasprintf("FAULTLINE_TEST_KILL_AT=%s %s run --quiet --state %s %s", kp->at, t.bin, state, t.plan);
	int st = sh(cmd, &out);
	free(cmd);
	if (!killed(st)) {
		why = xasprintf("%s: not killed (status %d): %s", kp->at, st, out);
		goto done;
	}
	free(out);
	out = NULL;
	/* Control: killed while the move is open, the cluster really is faulted (the check can fail). */
	char *before = strcmp(kp->at, "injected:3") == 0 ? rt_cluster_differs(&t) : xstrdup("n/a");
	if (before == NULL) {
		why = xasprintf("%s: the cluster looked untouched right after the kill", kp->at);
		goto done;
	}
	free(before);
	if (restore_at != NULL) {
		cmd = xasprintf("FAULTLINE_TEST_KILL_AT=%s %s restore --state %s", restore_at, t.bin, state);
		st = sh(cmd, &out);
		free(cmd);
		if (!killed(st)) {
			why = xasprintf("%s then restore %s: restore not killed (status %d): %s", kp->at, restore_at,
			                st, out);
			goto done;
		}
		free(out);
		out = NULL;
	}
	cmd = xasprintf("%s restore --state %s", t.bin, state);
	st = sh(cmd, &out);
	free(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || strstr(out, "nothing left to restore") == NULL) {
		why = xasprintf("%s: restore (status %d):\n%s", kp->at, st, out);
		goto done;
	}
	char *differs = rt_cluster_differs(&t);
	if (differs != NULL)
		why = xasprintf("%s%s%s: after restore the cluster still differs: %s\n%s", kp->at,
		                restore_at ? " then restore " : "", restore_at ? restore_at : "", differs, out);
	free(differs);
	struct fl_err e;
	struct journal *j = why == NULL ? journal_open(state, &e) : NULL;
	if (why == NULL && (j == NULL || journal_runs(j) != NULL))
		why = xasprintf("%s: after restore: %s", kp->at, j ? "a run is still unsettled" : e.msg);
	journal_close(j);
done:
	free(out);
	free(state);
	rt_stop(&t);
	return why;
}

/* Half the points each, so `make check -j2` runs the two halves side by side. */
static void rt_half(size_t parity)
{
	size_t n = 0, passed = 0;
	char *first = NULL;
	for (size_t i = parity; i < ARRAY_LEN(points); i += 2, n++) {
		char *why = one_rt(&points[i], NULL);
		passed += why == NULL;
		if (why != NULL && first == NULL)
			first = why;
		else
			free(why);
	}
	if (parity == 1) { /* a crash during reconciliation is recovered by the next one */
		char *why = one_rt(&points[8], "restore-action:1");
		n++;
		passed += why == NULL;
		if (why != NULL && first == NULL)
			first = why;
		else
			free(why);
	}
	fprintf(stderr, "crash test (real time, sim-adapter): %zu/%zu kill points passed\n", passed, n);
	cr_assert_eq(passed, n, "%s", first ? first : "");
	free(first);
}

Test(crash, realtime_sim_adapter_even_points)
{
	rt_half(0);
}

Test(crash, realtime_sim_adapter_odd_points_and_restore_killed)
{
	rt_half(1);
}

/*
 * The agent reconciles on start: a run SIGKILLed with a group moved away
 * leaves an orphan in STATE/journal; starting the agent (no plans at all)
 * restores the cluster before it schedules anything.
 */
Test(crash, agent_restores_at_start)
{
	struct rt t;
	rt_start(&t);
	char *out = NULL, *state = xasprintf("%s/state", t.dir), *plans = xasprintf("%s/plans", t.dir);
	cr_assert_eq(mkdir(plans, 0700), 0);
	char *cmd = xasprintf("FAULTLINE_TEST_KILL_AT=injected:3 %s run --quiet --state %s %s", t.bin, state, t.plan);
	int st = sh(cmd, &out);
	free(cmd);
	cr_assert(killed(st), "not killed (status %d): %s", st, out);
	free(out);
	char *differs = rt_cluster_differs(&t);
	cr_assert_not_null(differs, "the kill left the group moved away");
	free(differs);
	pid_t agent = fork();
	if (agent == 0) {
		char *sock = xasprintf("%s/control.sock", state);
		execl(t.bin, t.bin, "agent", "--plans", plans, "--state", state, "--metrics", "off", "--control", sock,
		      (char *)NULL);
		_exit(127);
	}
	/* Reconciliation runs before the agent listens: wait for its socket, bounded. */
	char *sock = xasprintf("%s/control.sock", state);
	struct stat sb;
	for (int i = 0; i < 1500 && stat(sock, &sb) != 0; i++)
		usleep(10000);
	cr_expect_eq(stat(sock, &sb), 0, "the agent did not come up within 15 s");
	kill(agent, SIGTERM);
	waitpid(agent, &st, 0);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent exit status %d", st);
	differs = rt_cluster_differs(&t);
	cr_expect_null(differs, "after the agent started the cluster still differs: %s", differs ? differs : "");
	free(differs);
	struct fl_err e;
	struct journal *j = journal_open(state, &e);
	cr_expect_not_null(j, "%s", e.msg);
	cr_expect_null(j ? journal_runs(j) : NULL, "the orphaned run is settled in the journal");
	journal_close(j);
	free(sock);
	free(plans);
	free(state);
	rt_stop(&t);
}
