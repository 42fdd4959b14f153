/*
 * exec.c - the exec probe: run a command, up iff it exits 0.
 *
 * Each check forks argv (no shell; PATH lookup like execvp) in its own
 * session, stdin from /dev/null, stdout and stderr into one pipe whose
 * first bytes become the failure reason. Completion is seen through a
 * pidfd watched by the loop: no SIGCHLD handler, no blocking waitpid (the
 * WNOHANG reap happens once the pidfd says the child is gone). Where the
 * kernel (or valgrind) has no pidfd_open, a 5 ms timer polls instead.
 * When a check ends its process group is killed, and so is every process
 * carrying its environment token (exec_sweep.c): descendants that called
 * setsid() are not in the group.
 *
 * Whether exec itself failed (ENOENT, EACCES) is told by a CLOEXEC status
 * pipe: the child writes errno there only when execvp returns, so at exit
 * the pipe holds either an errno (a probe error) or nothing (a result).
 *
 * A cancelled check (deadline, stop) gets SIGTERM on its process group,
 * SIGKILL after EXEC_GRACE, and is reaped by the loop in the background
 * while the next check may already run; fini kills and reaps whatever is
 * left, synchronously. When a child exits, its process group is killed
 * before the reap so background leftovers of a check die with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_int.h"
#include "faultline/loop.h"
#include "faultline/probe.h"
#include "faultline/util.h"

#define EXEC_OUT_MAX 200
#define EXEC_GRACE   (500 * NSEC_PER_MSEC)
#define EXEC_POLL    (5 * NSEC_PER_MSEC)

struct exec_probe;

/* One running command; outlives its check when cancelled, until reaped. */
struct exec_child {
	struct exec_probe *owner;
	struct probe *p;
	bool cancelled; /* no longer reports: the core has moved on */
	pid_t pid;
	int pidfd, outfd, statfd;
	struct loop_io pid_io, out_io;
	struct fl_timer kill_timer;
	struct fl_timer poll_timer; /* only without pidfd */
	char out[EXEC_OUT_MAX + 1];
	size_t nout;
	char token[64]; /* in the command's environment: exec_sweep.c */
	struct exec_child *next;
};

struct exec_probe {
	struct exec_child *children; /* the current one (if any) and dying ones */
	struct exec_child *current;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The group, and the child itself in case it has not reached setsid() yet. */
static void kill_child(const struct exec_child *c, int sig)
{
	kill(-c->pid, sig);
	kill(c->pid, sig);
}

static void child_unlink_free(struct exec_child *c)
{
	struct exec_probe *x = c->owner;
	for (struct exec_child **pp = &x->children; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (x->current == c)
		x->current = NULL;
	loop_io_stop(c->p->loop, &c->pid_io);
	loop_io_stop(c->p->loop, &c->out_io);
	clock_timer_stop(c->p->clk, &c->kill_timer);
	clock_timer_stop(c->p->clk, &c->poll_timer);
	close_fd(&c->pidfd);
	close_fd(&c->outfd);
	close_fd(&c->statfd);
	free(c);
}

/* Keep the first EXEC_OUT_MAX bytes; drain the rest so the child never blocks on a full pipe. */
static void drain_output(struct exec_child *c)
{
	char buf[4096];
	for (int i = 0; i < 64 && c->outfd >= 0; i++) {
		ssize_t n = read(c->outfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				loop_io_stop(c->p->loop, &c->out_io);
				close_fd(&c->outfd);
			}
			return;
		}
		size_t keep = (size_t)n < EXEC_OUT_MAX - c->nout ? (size_t)n : EXEC_OUT_MAX - c->nout;
		memcpy(c->out + c->nout, buf, keep);
		c->nout += keep;
		c->out[c->nout] = '\0';
	}
}

static void on_output(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	drain_output(arg);
}

/* "exit status 3: boom": the first non-empty line of output, if any. */
static void exit_reason(const struct exec_child *c, int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
		return;
	}
	const char *s = c->out + strspn(c->out, " \t\r\n");
	int n = (int)strcspn(s, "\r\n");
	if (n == 0)
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "exit status %d: %.*s", WEXITSTATUS(status), n, s);
}

/* The child's errno from a failed execvp, or 0 when exec succeeded. */
static int exec_errno(struct exec_child *c)
{
	int err = 0;
	ssize_t n;
	do
		n = read(c->statfd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(err) ? err : 0;
}

/* What the check says: from the status pipe, then the wait status. */
static enum check_result judge(struct exec_child *c, int status, char *reason, size_t len)
{
	int err = exec_errno(c);
	if (err != 0) {
		snprintf(reason, len, "cannot run %s: %s", c->p->cfg->argv[0], strerror(err));
		return CHECK_ERROR;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return CHECK_OK;
	exit_reason(c, status, reason, len);
	return CHECK_FAIL;
}

/* Reap c if it has exited and report; true when c is gone (freed). */
static bool try_reap(struct exec_child *c)
{
	siginfo_t si = {0};
	/* WNOWAIT: still a zombie, so the group id cannot be reused while we kill leftovers. */
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
		return false;
	kill_child(c, SIGKILL);
	exec_sweep(c->token); /* and what left the group with setsid() */
	int status = 0;
	while (waitpid(c->pid, &status, WNOHANG) < 0 && errno == EINTR)
		;
	drain_output(c);
	struct probe *p = c->p;
	bool cancelled = c->cancelled;
	char reason[256] = "";
	enum check_result res = judge(c, status, reason, sizeof(reason));
	child_unlink_free(c);
	if (!cancelled) /* last: the core may start the next check from here */
		probe_check_done(p, res, reason[0] ? reason : NULL);
	return true;
}

static void on_exit_ready(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	try_reap(arg);
}

/* Without pidfds (Linux < 5.3, valgrind < 3.20): look every EXEC_POLL instead. */
static void on_poll(void *arg)
{
	struct exec_child *c = arg;
	struct fl_clock *clk = c->p->clk;
	if (!try_reap(c))
		clock_timer_start(clk, &c->poll_timer, clock_now(clk) + EXEC_POLL, on_poll, c);
}

static void on_grace_over(void *arg)
{
	kill_child(arg, SIGKILL);
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child_exec(char *const argv[], char *const envp[], int outfd, int statfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the agent blocks signals for its signalfd */
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	setsid();
	int nullfd = open("/dev/null", O_RDONLY);
	if (nullfd < 0 || dup2(nullfd, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
		goto fail;
	execvpe(argv[0], argv, envp);
fail:;
	int err = errno;
	ssize_t n = write(statfd, &err, sizeof(err));
	(void)n;
	_exit(127);
}

/* fork the command; on failure returns -1 with a reason in buf. */
static int spawn(struct exec_child *c, char *const argv[], char *buf, size_t len)
{
	int out[2], st[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return snprintf(buf, len, "pipe: %s", strerror(errno)), -1;
	if (pipe2(st, O_CLOEXEC) < 0) {
		snprintf(buf, len, "pipe: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return -1;
	}
	static unsigned long seq;
	snprintf(c->token, sizeof(c->token), EXEC_TOKEN_VAR "=%ld.%lu", (long)getpid(), ++seq);
	char **envp = exec_sweep_env(c->token);
	pid_t pid = envp != NULL ? fork() : -1;
	if (pid == 0)
		child_exec(argv, envp, out[1], st[1]);
	int fork_errno = envp != NULL ? errno : ENOMEM;
	free(envp);
	close(out[1]);
	close(st[1]);
	c->outfd = out[0];
	c->statfd = st[0];
	if (pid < 0)
		return snprintf(buf, len, "fork: %s", strerror(fork_errno)), -1;
	c->pid = pid;
	fcntl(c->outfd, F_SETFL, O_NONBLOCK);
	fcntl(c->statfd, F_SETFL, O_NONBLOCK);
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0 && errno != ENOSYS)
		return snprintf(buf, len, "pidfd_open: %s", strerror(errno)), -1;
	return 0;
}

/* Kill and reap synchronously: only for children the loop can no longer reap. */
static void kill_reap(struct exec_child *c)
{
	if (c->pid <= 0)
		return;
	kill_child(c, SIGKILL);
	exec_sweep(c->token);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

static int watch(struct exec_child *c)
{
	struct probe *p = c->p;
	if (c->pidfd < 0)
		clock_timer_start(p->clk, &c->poll_timer, clock_now(p->clk) + EXEC_POLL, on_poll, c);
	else if (loop_io_start(p->loop, &c->pid_io, c->pidfd, EPOLLIN, on_exit_ready, c) < 0)
		return -1;
	return loop_io_start(p->loop, &c->out_io, c->outfd, EPOLLIN, on_output, c);
}

static void exec_start(struct probe *p)
{
	struct exec_probe *x = p->impl;
	struct exec_child *c = xcalloc(1, sizeof(*c));
	c->owner = x;
	c->p = p;
	c->pidfd = c->outfd = c->statfd = -1;
	clock_timer_init(&c->kill_timer);
	clock_timer_init(&c->poll_timer);
	c->next = x->children;
	x->children = c;
	char reason[256] = "";
	if (spawn(c, p->cfg->argv, reason, sizeof(reason)) < 0 || watch(c) < 0) {
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "epoll: %s", strerror(errno));
		kill_reap(c);
		child_unlink_free(c);
		probe_check_done(p, CHECK_ERROR, reason);
		return;
	}
	x->current = c;
}

static void exec_cancel(struct probe *p)
{
	struct exec_probe *x = p->impl;
	struct exec_child *c = x->current;
	if (c == NULL)
		return;
	x->current = NULL;
	c->cancelled = true;
	kill_child(c, SIGTERM);
	clock_timer_start(p->clk, &c->kill_timer, clock_now(p->clk) + EXEC_GRACE, on_grace_over, c);
}

static int exec_init(struct probe *p, struct fl_err *e)
{
	if (p->cfg->argv == NULL || p->cfg->argv[0] == NULL)
		return err_set(e, "exec probe without a command");
	p->impl = xcalloc(1, sizeof(struct exec_probe));
	return 0;
}

static void exec_fini(struct probe *p)
{
	struct exec_probe *x = p->impl;
	if (x == NULL)
		return;
	while (x->children != NULL) {
		kill_reap(x->children);
		child_unlink_free(x->children);
	}
	free(x);
	p->impl = NULL;
}

const struct probe_ops probe_exec_ops = {
    .name = "exec",
    .target = PROBE_TARGET_ARGV,
    .caps = PROBE_CAP_REAL_TIME,
    .summary = "run %s",
    .init = exec_init,
    .start = exec_start,
    .cancel = exec_cancel,
    .fini = exec_fini,
};
