/*
 * test_harden.c - hostile inputs and unlucky operators (issue 18): every
 * case here once hung, crashed or left a fault live. Each child process
 * gets a deadline so a regression fails the test instead of hanging it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/file.h"
#include "faultline/journal.h"
#include "faultline/util.h"
#include "scratch_dir.h"

static const char *bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

static char *tmpdir(void)
{
	return scratch_dir("fl-harden");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = xcalloc(1, 1 << 20);
	if (f != NULL) {
		size_t n = fread(buf, 1, (1 << 20) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

struct child {
	pid_t pid;
	char *log;
};

/*
 * Start `faultline ARGV...` with stdout+stderr to a log file; fd3 (if >= 0)
 * becomes its descriptor 3. SIGPIPE back to the default (Criterion may
 * ignore it, and an ignored signal is inherited).
 */
static struct child start(const char *dir, int fd3, char *const argv[])
{
	struct child c = {.log = xasprintf("%s/out.log", dir)};
	c.pid = fork();
	cr_assert_geq(c.pid, 0);
	if (c.pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int out = open(c.log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(out, 1);
		dup2(out, 2);
		if (fd3 >= 0)
			dup2(fd3, 3);
		execv(bin(), argv);
		_exit(127);
	}
	return c;
}

/* Wait at most limit seconds; the wait status, or -1 (then it was killed). */
static int wait_for(struct child *c, double limit)
{
	int st;
	for (double t0 = now_s(); now_s() - t0 < limit; usleep(10000))
		if (waitpid(c->pid, &st, WNOHANG) == c->pid)
			return st;
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &st, 0);
	return -1;
}

/* Run to completion within limit; the exit code (128+sig if signalled, -1 if it hung); output in *out. */
static int run(const char *dir, int fd3, double limit, char **out, char *const argv[])
{
	struct child c = start(dir, fd3, argv);
	if (fd3 >= 0)
		close(fd3);
	int st = wait_for(&c, limit);
	*out = slurp(c.log);
	free(c.log);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TestSuite(harden, .timeout = 60);

/* Item 1: the agent (the reader of --events-fd) is gone: the run finishes and restores. */
Test(harden, run_survives_a_closed_events_pipe)
{
	char *dir = tmpdir(), *out;
	int p[2];
	cr_assert_eq(pipe(p), 0);
	close(p[0]); /* nobody will ever read */
	char *argv[] = {(char *)bin(), "run", "--virtual-time",         "--quiet", "--state", dir,
	                "--events-fd", "3",   "tests/crash/crash.yaml", NULL};
	int code = run(dir, p[1], 30, &out, argv);
	cr_assert_eq(code, 0, "exit %d (141 = killed by SIGPIPE):\n%s", code, out);
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	cr_assert_null(journal_runs(j), "the run left its journal unsettled");
	journal_close(j);
	free(out);
	free(dir);
}

/* Item 3: a FIFO where a plan should be: refused at once, not a hang in open(). */
Test(harden, fifo_plan_is_refused_without_blocking)
{
	char *dir = tmpdir(), *fifo = xasprintf("%s/plan.yaml", dir), *out;
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	char *argv[] = {(char *)bin(), "validate", fifo, NULL};
	int code = run(dir, -1, 5, &out, argv);
	cr_assert_eq(code, 2, "exit %d (-1 = hung):\n%s", code, out);
	char *want = xasprintf("%s: not a regular file (a FIFO)", fifo);
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(want);
	free(out);
	free(fifo);
	free(dir);
}

/* Item 3: a FIFO journal, and a journal symlinked to /dev/zero: refused, not read forever. */
Test(harden, fifo_and_dev_zero_journals_are_refused)
{
	char *dir = tmpdir(), *journal = xasprintf("%s/journal", dir), *out;
	cr_assert_eq(mkfifo(journal, 0600), 0);
	char *argv[] = {(char *)bin(), "restore", "--state", dir, NULL};
	int code = run(dir, -1, 5, &out, argv);
	cr_assert_eq(code, 4, "exit %d (-1 = hung):\n%s", code, out);
	char *want = xasprintf("faultline restore: journal: %s: not a regular file (a FIFO)\n", journal);
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(want);
	free(out);
	unlink(journal);
	cr_assert_eq(symlink("/dev/zero", journal), 0);
	code = run(dir, -1, 5, &out, argv);
	cr_assert_eq(code, 4, "exit %d (-1 = hung):\n%s", code, out);
	want = xasprintf("faultline restore: journal: %s: is a symbolic link (refused): Too many levels of symbolic "
	                 "links\n",
	                 journal);
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(want);
	free(out);
	free(journal);
	free(dir);
}

Test(harden, file_open_checks_type_and_size)
{
	char *dir = tmpdir(), *path = xasprintf("%s/f", dir);
	struct fl_err e;
	cr_assert_eq(file_open(dir, O_RDONLY, 0, 0, &e), -1);
	char *want = xasprintf("%s: not a regular file (a directory)", dir);
	cr_assert_str_eq(e.msg, want);
	free(want);
	FILE *f = fopen(path, "w");
	fputs("0123456789", f);
	fclose(f);
	cr_assert_eq(file_open(path, O_RDONLY, 0, 9, &e), -1);
	want = xasprintf("%s: 10 bytes, over the 9-byte limit", path);
	cr_assert_str_eq(e.msg, want);
	free(want);
	char *buf;
	size_t len;
	cr_assert_eq(file_read(path, 10, &buf, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, 10);
	cr_assert_str_eq(buf, "0123456789");
	free(buf);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

/* Item 10: one state directory, one agent. */
Test(harden, a_second_agent_on_the_same_state_dir_exits_4)
{
	char *dir = tmpdir(), *plans = xasprintf("%s/plans", dir), *state = xasprintf("%s/state", dir), *out;
	cr_assert_eq(mkdir(plans, 0700), 0);
	char *d2 = xasprintf("%s/second", dir);
	cr_assert_eq(mkdir(d2, 0700), 0);
	char *argv[] = {(char *)bin(), "agent", "--plans",   plans, "--state", state,
	                "--metrics",   "off",   "--control", NULL,  NULL};
	argv[9] = xasprintf("%s/one.sock", dir);
	struct child first = start(dir, -1, argv);
	struct stat st;
	for (double t0 = now_s(); now_s() - t0 < 5 && stat(argv[9], &st) != 0; usleep(10000))
		;
	cr_assert_eq(stat(argv[9], &st), 0, "the first agent did not start");
	free(argv[9]);
	argv[9] = xasprintf("%s/two.sock", dir); /* not the socket: the state dir is what is shared */
	int code = run(d2, -1, 5, &out, argv);
	kill(first.pid, SIGTERM);
	wait_for(&first, 5);
	cr_assert_eq(code, 4, "exit %d:\n%s", code, out);
	char *want = xasprintf("agent: the state directory %s is in use by another agent (pid %d); one agent per "
	                       "state directory",
	                       state, (int)first.pid);
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(want);
	free(out);
	free(argv[9]);
	free(first.log);
	free(d2);
	free(plans);
	free(state);
	free(dir);
}

/* Item 10: a read-only state directory is an environment error (4), said once, clearly. */
Test(harden, a_read_only_state_dir_exits_4)
{
	if (geteuid() == 0)
		cr_skip_test("root writes anywhere");
	char *dir = tmpdir(), *plans = xasprintf("%s/plans", dir), *state = xasprintf("%s/state", dir), *out;
	cr_assert_eq(mkdir(plans, 0700), 0);
	cr_assert_eq(mkdir(state, 0500), 0);
	char *argv[] = {(char *)bin(), "agent", "--plans", plans, "--state", state, "--metrics", "off", NULL};
	int code = run(dir, -1, 5, &out, argv);
	cr_assert_eq(code, 4, "exit %d:\n%s", code, out);
	char *want = xasprintf("agent: cannot create %s/agent.lock (the state directory must be writable): "
	                       "Permission denied",
	                       state);
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(want);
	free(out);
	free(plans);
	free(state);
	free(dir);
}

/* Item 3: a FIFO *.yaml in the plans directory: skipped and said, the agent serves. */
Test(harden, agent_skips_a_fifo_in_its_plans_dir)
{
	char *dir = tmpdir(), *plans = xasprintf("%s/plans", dir), *state = xasprintf("%s/state", dir);
	cr_assert_eq(mkdir(plans, 0700), 0);
	char *fifo = xasprintf("%s/evil.yaml", plans);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	char *sock = xasprintf("%s/control.sock", state);
	char *argv[] = {(char *)bin(), "agent", "--plans", plans, "--state", state, "--metrics", "off", NULL};
	struct child c = start(dir, -1, argv);
	struct stat st;
	for (double t0 = now_s(); now_s() - t0 < 5 && stat(sock, &st) != 0; usleep(10000))
		;
	bool up = stat(sock, &st) == 0;
	kill(c.pid, SIGHUP);
	usleep(200000);
	kill(c.pid, SIGTERM);
	int code = wait_for(&c, 5);
	char *out = slurp(c.log);
	cr_assert(up, "the agent never opened its control socket:\n%s", out);
	cr_assert(code != -1 && WIFEXITED(code) && WEXITSTATUS(code) == 0, "status %d:\n%s", code, out);
	char *want = xasprintf("agent: %s: skipped: a FIFO\n", fifo);
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_not_null(strstr(out, "reload: 0 scheduled plan(s)"), "%s", out);
	free(want);
	free(out);
	free(c.log);
	free(sock);
	free(fifo);
	free(plans);
	free(state);
	free(dir);
}

/* agent_int.h is private to agent/daemon/; the one function tested here. */
char *agent_ctl_request(const char *request, void *arg);

/* Item 10: strict control JSON: a duplicate key is refused, not "last one wins". */
Test(harden, control_requests_with_duplicate_keys_are_refused)
{
	char agent[4096] = {0}; /* never touched: the request is refused before */
	char *r = agent_ctl_request("{\"cmd\":\"status\",\"cmd\":\"pause\"}", agent);
	cr_assert_str_eq(r, "{\"ok\":false,\"error\":\"not a JSON request: duplicate object key near '\\\"cmd\\\"'\"}");
	free(r);
	/* A long unknown command: the error is cut at 256 bytes, never inside a character. */
	char req[400] = "{\"cmd\":\"";
	for (int i = 0; i < 100; i++)
		strcat(req, "\xe2\x82\xac");
	strcat(req, "\"}");
	r = agent_ctl_request(req, agent);
	cr_assert_not_null(r, "a NULL reply is printed as (null)");
	const char *want = "{\"ok\":false,\"error\":\"unknown command \\\"\\u20AC";
	cr_assert(strncmp(r, want, strlen(want)) == 0, "%s", r);
	cr_assert_str_eq(r + strlen(r) - 14, "\\u20AC\\u20AC\"}", "%s", r);
	free(r);
}

/* The one truncation helper: never a split character, whatever the cut. */
Test(harden, utf8_cut_never_splits_a_character)
{
	const char *s = "ab\xe2\x82\xac"
	                "c"; /* a b EURO c */
	cr_assert_eq(utf8_cut(s, 6, 6), 6);
	cr_assert_eq(utf8_cut(s, 6, 5), 5);
	cr_assert_eq(utf8_cut(s, 6, 4), 2);
	cr_assert_eq(utf8_cut(s, 6, 3), 2);
	cr_assert_eq(utf8_cut(s, 6, 2), 2);
	cr_assert_eq(utf8_cut("\x80\x80\x80\x80\x80", 5, 3), 3, "not UTF-8: a plain byte cut");
	char buf[4];
	cr_assert_eq(utf8_copy(buf, sizeof(buf), s), 2);
	cr_assert_str_eq(buf, "ab");
}

/* Item 10 / 8: errors cut at the record's size keep their reason and stay valid UTF-8. */
Test(harden, long_errors_keep_the_reason)
{
	struct fl_err e;
	char *where = xcalloc(1, 1000);
	memset(where, 'x', 999);
	errno = ENOENT;
	err_setsys(&e, "open %s", where);
	cr_assert_eq(strlen(e.msg), sizeof(e.msg) - 1);
	cr_assert(strstr(e.msg, "...: No such file or directory") != NULL, "%s", e.msg);
	err_set(&e, "%s", where);
	err_wrap(&e, "plan %s", "p");
	cr_assert(strncmp(e.msg, "plan p: xxx", 11) == 0, "%s", e.msg);
	char *euros = xcalloc(1, 700);
	for (int i = 0; i < 699 / 3; i++)
		memcpy(euros + 3 * i, "\xe2\x82\xac", 3);
	err_set(&e, "ab%s", euros); /* 2 + 3k bytes: the cut at 511 lands inside a character */
	cr_assert_eq(strlen(e.msg), 509, "cut before the split character: %zu", strlen(e.msg));
	free(euros);
	free(where);
}
