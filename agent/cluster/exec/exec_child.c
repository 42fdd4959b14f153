/*
 * exec_child.c - the adapter process of the "exec" backend: start it
 * without a shell, talk over a socketpair with deadlines, find out why it
 * went away, and stop it for sure (EOF, then SIGTERM, then SIGKILL on its
 * process group; always reaped).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec_int.h"

uint64_t exec_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds left until the deadline, rounded up; 0 once past. */
static int ms_left(uint64_t deadline)
{
	uint64_t now = exec_now();
	if (deadline <= now)
		return 0;
	uint64_t ms = (deadline - now + 999999) / 1000000;
	return ms > 1000000 ? 1000000 : (int)ms;
}

/* What failed in the child, with errno, for the parent's message. */
struct child_failure {
	int in_workdir; /* 1: it could not enter its working directory */
	int err;
};

static void child_failed(int statfd, int in_workdir)
{
	struct child_failure f = {in_workdir, errno};
	if (write(statfd, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(127);
}

static void child_exec(int fd, int statfd, char *const *argv, const char *workdir)
{
	setsid(); /* its own process group: stop() kills everything it started */
	/* the loop's signalfd set is blocked in faultline: a daemon it starts must not inherit that */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(127);
	if (workdir != NULL && chdir(workdir) < 0)
		child_failed(statfd, 1);
	execvp(argv[0], argv);
	child_failed(statfd, 0);
}

int exec_child_start(struct exec_child *ch, char *const *argv, const char *workdir, struct fl_err *e)
{
	int sv[2], st[2];
	memset(ch, 0, sizeof(*ch));
	ch->fd = ch->pidfd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return err_setsys(e, "socketpair");
	if (pipe2(st, O_CLOEXEC) < 0) {
		close(sv[0]), close(sv[1]);
		return err_setsys(e, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]), close(st[0]);
		child_exec(sv[1], st[1], argv, workdir);
	}
	int saved = errno;
	close(sv[1]), close(st[1]);
	if (pid < 0) {
		close(sv[0]), close(st[0]);
		errno = saved;
		return err_setsys(e, "fork");
	}
	ch->pid = pid;
	ch->fd = sv[0];
	struct child_failure failed;
	ssize_t n;
	while ((n = read(st[0], &failed, sizeof(failed))) < 0 && errno == EINTR)
		;
	close(st[0]);
	fcntl(ch->fd, F_SETFL, fcntl(ch->fd, F_GETFL) | O_NONBLOCK);
	ch->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (n == (ssize_t)sizeof(failed)) {
		exec_child_stop(ch, 0);
		errno = failed.err;
		if (failed.in_workdir)
			return err_setsys(e, "cannot run \"%s\" in the run's working directory %s", argv[0], workdir);
		return err_setsys(e, "cannot run \"%s\"", argv[0]);
	}
	return 0;
}

int exec_child_write(struct exec_child *ch, const char *buf, size_t n, uint64_t deadline, struct fl_err *e)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = send(ch->fd, buf + off, n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return err_setsys(e, "write");
		struct pollfd p = {.fd = ch->fd, .events = POLLOUT};
		int left = ms_left(deadline);
		if (left == 0 || poll(&p, 1, left) == 0)
			return err_set(e, "not reading its input");
	}
	return 0;
}

int exec_child_read(struct exec_child *ch, char *buf, size_t cap, size_t *n, uint64_t deadline, struct fl_err *e)
{
	for (;;) {
		ssize_t r = recv(ch->fd, buf, cap, 0);
		if (r > 0) {
			*n = (size_t)r;
			return 1;
		}
		if (r == 0)
			return err_set(e, "end of output");
		if (errno != EAGAIN && errno != EINTR)
			return err_setsys(e, "read");
		int left = ms_left(deadline);
		struct pollfd p = {.fd = ch->fd, .events = POLLIN};
		if (left == 0 || poll(&p, 1, left) == 0)
			return 0;
	}
}

/* Reap if it has exited, waiting at most wait_ns. */
static bool try_reap(struct exec_child *ch, uint64_t wait_ns)
{
	if (ch->reaped || ch->pid <= 0)
		return ch->reaped;
	if (ch->pidfd >= 0 && wait_ns > 0) {
		struct pollfd p = {.fd = ch->pidfd, .events = POLLIN};
		poll(&p, 1, ms_left(exec_now() + wait_ns));
	}
	siginfo_t si = {0};
	if (waitid(P_PID, (id_t)ch->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != ch->pid)
		return false;
	kill(-ch->pid, SIGKILL); /* whatever it left behind in its group dies with it (before the pid is freed) */
	if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->reaped = true;
	return ch->reaped;
}

const char *exec_child_why(struct exec_child *ch, uint64_t wait_ns, char *buf, size_t len)
{
	if (!try_reap(ch, wait_ns))
		snprintf(buf, len, "closed its output");
	else if (WIFEXITED(ch->status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(ch->status));
	else if (WIFSIGNALED(ch->status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(ch->status), strsignal(WTERMSIG(ch->status)));
	else
		snprintf(buf, len, "ended");
	return buf;
}

void exec_child_stop(struct exec_child *ch, uint64_t grace_ns)
{
	if (ch->fd >= 0)
		close(ch->fd); /* EOF on its stdin: a well-behaved adapter exits */
	ch->fd = -1;
	if (ch->pid > 0 && !try_reap(ch, grace_ns)) {
		kill(-ch->pid, SIGTERM);
		kill(ch->pid, SIGTERM);
		if (!try_reap(ch, grace_ns > 0 ? grace_ns : 100000000)) {
			kill(-ch->pid, SIGKILL);
			kill(ch->pid, SIGKILL);
			while (waitpid(ch->pid, &ch->status, 0) < 0 && errno == EINTR)
				;
			ch->reaped = true;
		}
	}
	if (ch->pidfd >= 0)
		close(ch->pidfd);
	ch->pidfd = -1;
}
