/*
 * agent_hold.c - clusters the agent must restore before it runs there.
 *
 * A cluster is held when its journal may hold faults nobody is going to
 * undo: a child run died without restoring, or at start-up the journal is
 * locked by a run a previous agent left behind (an orphan, still alive).
 * While held, no run starts on that cluster. As soon as the journal's lock
 * is free, a child `faultline restore --state DIR` reconciles it; when it
 * exits 0 the hold is released and queued plans may go. A failed restore is
 * retried with a growing delay. What a held journal still has open is read
 * without its lock (journal_peek), so the metrics count an orphan's faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_int.h"
#include "faultline/journal.h"
#include "faultline/log.h"
#include "faultline/util.h"

#define POLL_NS      (200 * NSEC_PER_MSEC) /* how often a held lock is tried */
#define RETRY_MAX_NS (300 * NSEC_PER_SEC)

struct agent_hold {
	struct agent *agent;
	char *dir; /* the cluster's journal directory */
	pid_t pid; /* the restore child, or -1 */
	int pidfd;
	struct loop_io pid_io;
	struct fl_timer timer;
	uint64_t retry_ns;
	bool said_locked;
	struct agent_hold *next;
};

static void try_restore(void *arg);

bool agent_journal_locked(const char *dir)
{
	char *path = xasprintf("%s/lock", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return false; /* no lock file: nobody ever ran there; anything else journal_open reports */
	bool locked = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd); /* taken and released at once */
	return locked;
}

static void hold_free(struct agent_hold *h)
{
	struct agent *a = h->agent;
	for (struct agent_hold **p = &a->holds; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	clock_timer_stop(a->clk, &h->timer);
	if (h->pidfd >= 0) {
		loop_io_stop(a->loop, &h->pid_io);
		close(h->pidfd);
	}
	free(h->dir);
	free(h);
}

static void arm(struct agent_hold *h, uint64_t after_ns)
{
	clock_timer_start(h->agent->clk, &h->timer, clock_now(h->agent->clk) + after_ns, try_restore, h);
}

static void on_restore_exit(struct loop_io *io, uint32_t events, void *arg)
{
	struct agent_hold *h = arg;
	struct agent *a = h->agent;
	(void)io, (void)events;
	int status;
	pid_t pid = waitpid(h->pid, &status, WNOHANG);
	if (pid == 0 || (pid < 0 && errno == EINTR))
		return;
	loop_io_stop(a->loop, &h->pid_io);
	close(h->pidfd);
	h->pidfd = -1;
	h->pid = -1;
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("cluster journal %s: restored; runs may start there again", h->dir);
		hold_free(h);
		agent_faults_open_changed(a);
		agent_run_finished(a);
		return;
	}
	h->retry_ns = h->retry_ns ? h->retry_ns * 2 : NSEC_PER_SEC;
	if (h->retry_ns > RETRY_MAX_NS)
		h->retry_ns = RETRY_MAX_NS;
	log_warnx("cluster journal %s: restore did not finish (%s %d); no runs there; trying again in %llu s", h->dir,
	          pid > 0 && WIFSIGNALED(status) ? "signal" : "exit",
	          pid > 0 ? (WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status)) : -1,
	          (unsigned long long)(h->retry_ns / NSEC_PER_SEC));
	agent_faults_open_changed(a);
	arm(h, h->retry_ns);
}

/* The child: `faultline restore --state DIR`, its progress into the agent's log. */
static pid_t spawn_restore(struct agent *a, const char *dir)
{
	char *argv[] = {a->run_bin, (char *)"restore", (char *)"--state", (char *)dir, NULL};
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void try_restore(void *arg)
{
	struct agent_hold *h = arg;
	struct agent *a = h->agent;
	if (a->stopping)
		return;
	if (agent_journal_locked(h->dir)) {
		if (!h->said_locked)
			log_warnx(
			    "cluster journal %s: locked by another process (a run a previous agent left?): no runs "
			    "there until it ends; restoring then",
			    h->dir);
		h->said_locked = true;
		agent_faults_open_changed(a); /* the orphan's journal moves on: keep the metrics true */
		arm(h, POLL_NS);
		return;
	}
	h->pid = spawn_restore(a, h->dir);
	h->pidfd = h->pid > 0 ? (int)syscall(SYS_pidfd_open, h->pid, 0) : -1;
	if (h->pidfd < 0 || loop_io_start(a->loop, &h->pid_io, h->pidfd, EPOLLIN, on_restore_exit, h) < 0) {
		log_warn("cluster journal %s: cannot start `faultline restore`", h->dir);
		if (h->pidfd >= 0)
			close(h->pidfd);
		h->pidfd = -1;
		arm(h, NSEC_PER_SEC);
		return;
	}
	log_info("cluster journal %s: restoring (faultline restore, pid %d)", h->dir, (int)h->pid);
}

void agent_hold_start(struct agent *a, const char *dir)
{
	if (agent_hold_covers(a, dir))
		return;
	struct agent_hold *h = xcalloc(1, sizeof(*h));
	h->agent = a;
	h->dir = xstrdup(dir);
	h->pid = -1;
	h->pidfd = -1;
	clock_timer_init(&h->timer);
	h->next = a->holds;
	a->holds = h;
	agent_faults_open_changed(a);
	arm(h, 0);
}

bool agent_hold_covers(const struct agent *a, const char *dir)
{
	for (const struct agent_hold *h = a->holds; h; h = h->next)
		if (strcmp(h->dir, dir) == 0)
			return true;
	return false;
}

void agent_hold_each(const struct agent *a, void (*fn)(const char *dir, bool restoring, void *arg), void *arg)
{
	for (const struct agent_hold *h = a->holds; h; h = h->next)
		fn(h->dir, h->pid > 0, arg);
}

void agent_holds_forget(struct agent *a)
{
	for (struct agent_hold *h = a->holds; h; h = h->next)
		if (h->pid > 0)
			log_info("cluster journal %s: `faultline restore` (pid %d) goes on without the agent", h->dir,
			         (int)h->pid);
	while (a->holds != NULL)
		hold_free(a->holds);
}
