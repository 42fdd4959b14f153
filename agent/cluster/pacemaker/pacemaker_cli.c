/*
 * pacemaker_cli.c - run one Pacemaker command-line tool: no shell, its own
 * session, a hard deadline, stdout captured with a cap.
 *
 * Calls block the caller for the command's lifetime (crm_mon ~20 ms,
 * crm_resource 15-40 ms on an idle node); the deadline is what keeps a call
 * made before a DC exists (they can hang forever) from stalling the run.
 */
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
#include "pacemaker_int.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void child(char *const argv[], int out, int err)
{
	setsid(); /* the deadline kills the whole group */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* not the loop's blocked signalfd set */
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out, 1);
	dup2(err, 2);
	execvp(argv[0], argv);
	dprintf(2, "cannot execute %s: %s", argv[0], strerror(errno));
	_exit(127);
}

struct capture {
	struct pcmk_out *o;
	size_t cap, nerr;
	bool overflow;
};

/* Read what is there; returns false at EOF. */
static bool take(int fd, bool is_out, struct capture *c)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	struct pcmk_out *o = c->o;
	if (is_out) {
		if (o->nout + (size_t)n > PCMK_OUT_MAX) {
			c->overflow = true;
			return true;
		}
		XGROW(o->out, c->cap, o->nout + (size_t)n + 1);
		memcpy(o->out + o->nout, buf, (size_t)n);
		o->nout += (size_t)n;
		o->out[o->nout] = '\0';
	} else {
		size_t room = sizeof(o->err) - 1 - c->nerr;
		size_t k = (size_t)n < room ? (size_t)n : room;
		memcpy(o->err + c->nerr, buf, k);
		c->nerr += k;
		o->err[c->nerr] = '\0';
	}
	return true;
}

/* Wait for both pipes to close and the child to exit, until deadline. */
static int collect(pid_t pid, int fds[2], uint64_t deadline, struct capture *c, int *status)
{
	bool open_[2] = {true, true};
	for (;;) {
		uint64_t now = mono_ns();
		if (now >= deadline)
			return -1;
		int ms = (int)((deadline - now) / 1000000 + 1);
		if (!open_[0] && !open_[1]) {
			pid_t w = waitpid(pid, status, WNOHANG);
			if (w == pid)
				return 0;
			poll(NULL, 0, ms < 2 ? ms : 2); /* closed its pipes, exiting */
			continue;
		}
		struct pollfd p[2] = {{.fd = open_[0] ? fds[0] : -1, .events = POLLIN},
		                      {.fd = open_[1] ? fds[1] : -1, .events = POLLIN}};
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < 2; i++)
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
				open_[i] = take(fds[i], i == 0, c);
	}
}

static void first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

int pcmk_cli_run(char *const argv[], uint64_t timeout_ns, struct pcmk_out *o, struct fl_err *e)
{
	memset(o, 0, sizeof(*o));
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return err_setsys(e, "%s: pipe", argv[0]);
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return err_setsys(e, "%s: pipe", argv[0]);
	}
	uint64_t deadline = mono_ns() + (timeout_ns ? timeout_ns : PCMK_DEFAULT_TMO);
	pid_t pid = fork();
	if (pid == 0)
		child(argv, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	int rc = -1, status = 0;
	struct capture c = {.o = o};
	if (pid < 0) {
		err_setsys(e, "%s: fork", argv[0]);
	} else if (collect(pid, (int[]){out[0], err[0]}, deadline, &c, &status) < 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0); /* SIGKILL: immediate */
		err_set(e, "%s %s: no answer within %llu ms (killed)", argv[0], argv[1] ? argv[1] : "",
		        (unsigned long long)((timeout_ns ? timeout_ns : PCMK_DEFAULT_TMO) / 1000000));
	} else {
		kill(-pid, SIGKILL); /* leftovers of its group, if any */
		first_line(o->err);
		o->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		rc = c.overflow ? err_set(e, "%s: output larger than %u bytes", argv[0], PCMK_OUT_MAX) : 0;
		if (!c.overflow && o->out == NULL)
			o->out = xstrdup("");
	}
	close(out[0]);
	close(err[0]);
	if (rc < 0)
		pcmk_out_fini(o);
	return rc;
}

pid_t pcmk_cli_spawn(char *const argv[], int *fd, struct fl_err *e)
{
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return err_setsys(e, "%s: pipe", argv[0]);
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid_t pid = devnull < 0 ? -1 : fork();
	if (pid == 0)
		child(argv, out[1], devnull);
	close(out[1]);
	if (devnull >= 0)
		close(devnull);
	if (pid < 0) {
		close(out[0]);
		return err_setsys(e, "%s: fork", argv[0]);
	}
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	*fd = out[0];
	return pid;
}

int pcmk_cli_check(char *const argv[], uint64_t timeout_ns, struct pcmk_out *o, struct fl_err *e)
{
	if (pcmk_cli_run(argv, timeout_ns, o, e) < 0)
		return -1;
	if (o->status == 0)
		return 0;
	char cmd[512];
	size_t k = 0;
	cmd[0] = '\0';
	for (size_t i = 0; argv[i] != NULL && k < sizeof(cmd); i++) /* the whole command: which resource, which node */
		k += (size_t)snprintf(cmd + k, sizeof(cmd) - k, "%s%s", i ? " " : "", argv[i]);
	err_set(e, "%s: exit %d: %s", cmd, o->status, o->err[0] ? o->err : "(no message)");
	return -1;
}

void pcmk_out_fini(struct pcmk_out *o)
{
	free(o->out);
	o->out = NULL;
	o->nout = 0;
}
