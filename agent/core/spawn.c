/*
 * spawn.c - run one command to its end, bounded (spawn.h).
 *
 * The same rules as the run's own commands (agent/run/run_exec.c): no
 * shell, setsid, TERM then KILL on the process group, exec errors told
 * apart from the command's own exit status through a close-on-exec pipe.
 */
#include "faultline/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/util.h"

#define SPAWN_POLL_MS 10

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void spawn_child(char *const *argv, char *const *env, size_t nenv, const char *dir, int out, int status)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* not the caller's blocked signalfd set */
	signal(SIGPIPE, SIG_DFL);
	setsid();
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	for (size_t i = 0; i < nenv; i++)
		putenv(env[i]);
	int err = 0;
	if (dir != NULL && chdir(dir) < 0)
		err = -errno; /* negative: the directory, not the command */
	else
		execvp(argv[0], argv);
	err = err != 0 ? err : errno;
	if (write(status, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

struct capture {
	char *buf;
	size_t n;
};

/* Read what is there (the first SPAWN_OUTPUT_MAX bytes are kept); false at end of file. */
static bool drain(int fd, struct capture *c)
{
	char tmp[4096];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		size_t room = SPAWN_OUTPUT_MAX - c->n, take = (size_t)n < room ? (size_t)n : room;
		memcpy(c->buf + c->n, tmp, take);
		c->n += take;
	}
}

/* Wait for pid, draining fd, escalating at the deadline; the wait status. */
static int reap(pid_t pid, int fd, uint64_t deadline, struct capture *c, bool *timed_out)
{
	bool open_ = true, termed = false, killed = false;
	for (;;) {
		if (open_)
			open_ = drain(fd, c);
		int st;
		pid_t got = waitpid(pid, &st, WNOHANG);
		if (got == pid) {
			kill(-pid, SIGKILL); /* what it left behind in its group dies with it */
			if (open_)
				drain(fd, c);
			return st;
		}
		uint64_t now = mono_ns();
		if (!termed && now >= deadline) {
			termed = *timed_out = true;
			kill(-pid, SIGTERM);
		} else if (termed && !killed && now >= deadline + SPAWN_GRACE_NS) {
			killed = true;
			kill(-pid, SIGKILL);
		}
		poll(&(struct pollfd){.fd = open_ ? fd : -1, .events = POLLIN}, 1, SPAWN_POLL_MS);
	}
}

int spawn_run(char *const *argv, char *const *env, size_t nenv, const char *dir, uint64_t timeout_ns,
              struct spawn_result *out)
{
	memset(out, 0, sizeof(*out));
	out->status = -1;
	struct capture c = {xmalloc(SPAWN_OUTPUT_MAX + 1), 0};
	int pout[2], pst[2];
	if (pipe2(pout, O_CLOEXEC) < 0) {
		out->error = xasprintf("cannot run %s: pipe: %s", argv[0], strerror(errno));
		goto done;
	}
	if (pipe2(pst, O_CLOEXEC) < 0) {
		out->error = xasprintf("cannot run %s: pipe: %s", argv[0], strerror(errno));
		close(pout[0]), close(pout[1]);
		goto done;
	}
	uint64_t deadline = mono_ns() + timeout_ns;
	pid_t pid = fork();
	if (pid == 0)
		spawn_child(argv, env, nenv, dir, pout[1], pst[1]);
	close(pout[1]);
	close(pst[1]);
	if (pid < 0) {
		out->error = xasprintf("cannot run %s: fork: %s", argv[0], strerror(errno));
	} else {
		fcntl(pout[0], F_SETFL, O_NONBLOCK);
		int st = reap(pid, pout[0], deadline, &c, &out->timed_out), err = 0;
		if (read(pst[0], &err, sizeof(err)) == (ssize_t)sizeof(err) && err < 0)
			out->error = xasprintf("cannot run %s in the run's working directory %s: %s", argv[0], dir,
			                       strerror(-err));
		else if (err > 0)
			out->error = xasprintf("cannot run %s: %s", argv[0], strerror(err));
		else if (out->timed_out)
			out->error =
			    xasprintf("timed out after %llu ms: killed", (unsigned long long)(timeout_ns / 1000000));
		else if (WIFSIGNALED(st))
			out->error = xasprintf("killed by signal %d", WTERMSIG(st));
		else
			out->status = WEXITSTATUS(st);
	}
	close(pout[0]);
	close(pst[0]);
done:
	c.buf[c.n] = '\0';
	out->output = c.buf;
	return out->status == 0 ? 0 : -1;
}

void spawn_result_fini(struct spawn_result *r)
{
	free(r->output);
	free(r->error);
	memset(r, 0, sizeof(*r));
}
