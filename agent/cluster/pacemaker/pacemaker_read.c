/*
 * pacemaker_read.c - the crm_mon reads that notifications and the polling
 * timer ask for, run in the background of the event loop.
 *
 * A read blocks nobody: crm_mon (17-20 ms idle, ~100 ms under load) is
 * spawned with its stdout in the backend's epoll set, drain collects the
 * output as it arrives and applies it when crm_mon closes it. Requests
 * while one is in flight coalesce into one more read after it (dated by
 * the first of them). A timerfd in the same set kills a read that outlives
 * the call timeout. Actions, snapshots and stale resource_state answers
 * still read synchronously (pcmk_refresh): they need the answer to go on.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
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

int pcmk_read_init(struct pcmk_backend *b, struct fl_err *e)
{
	b->rd.fd = -1;
	b->rd.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	if (b->rd.tfd < 0 || epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->rd.tfd, &ev) < 0)
		return err_setsys(e, "pacemaker: read deadline timerfd");
	return 0;
}

/* Reap without waiting: crm_mon has closed its output and exits at once, but not necessarily yet. */
static void reap(struct pcmk_backend *b)
{
	if (b->rd.zombie > 0 && waitpid(b->rd.zombie, NULL, WNOHANG) != 0)
		b->rd.zombie = 0;
}

/* The read is over (done or abandoned): fds out of the set, buffer emptied. */
static void finish(struct pcmk_backend *b, bool kill_it)
{
	epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->rd.fd, NULL);
	close(b->rd.fd);
	b->rd.fd = -1;
	timerfd_settime(b->rd.tfd, 0, &(struct itimerspec){0}, NULL);
	if (kill_it) {
		kill(-b->rd.pid, SIGKILL);
		waitpid(b->rd.pid, NULL, 0); /* SIGKILL: immediate */
	} else {
		reap(b); /* the last read's, if still there */
		if (b->rd.zombie > 0)
			waitpid(b->rd.zombie, NULL, 0); /* two reads ago: long gone, cannot block */
		b->rd.zombie = b->rd.pid;
		reap(b);
	}
	b->rd.pid = 0;
	b->rd.n = 0;
}

int pcmk_read_start(struct pcmk_backend *b, uint64_t at, struct fl_err *e)
{
	if (b->rd.pid > 0) {
		if (!b->rd.again || (at != 0 && (b->rd.again_at == 0 || at < b->rd.again_at)))
			b->rd.again_at = at;
		b->rd.again = true;
		return 0;
	}
	char *argv[] = {"crm_mon", "-1", "--output-as=xml", NULL};
	b->rd.started = mono_ns();
	pid_t pid = pcmk_cli_spawn(argv, &b->rd.fd, e);
	if (pid < 0)
		return -1;
	b->rd.pid = pid;
	b->rd.at = at;
	struct epoll_event ev = {.events = EPOLLIN};
	if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->rd.fd, &ev) < 0) {
		finish(b, true);
		return err_setsys(e, "pacemaker: epoll_ctl (crm_mon)");
	}
	uint64_t tmo = b->tmo ? b->tmo : PCMK_DEFAULT_TMO, stale;
	while (read(b->rd.tfd, &stale, sizeof(stale)) > 0) /* an expiry of the last read's deadline */
		;
	struct itimerspec its = {.it_value = {(time_t)(tmo / 1000000000ull), (long)(tmo % 1000000000ull)}};
	timerfd_settime(b->rd.tfd, 0, &its, NULL);
	return 0;
}

int pcmk_read_pump(struct pcmk_backend *b, struct fl_err *e)
{
	uint64_t n;
	bool late = read(b->rd.tfd, &n, sizeof(n)) == sizeof(n);
	reap(b);
	if (b->rd.pid <= 0)
		return 0;
	for (;;) {
		XGROW(b->rd.buf, b->rd.cap, b->rd.n + 16384 + 1);
		ssize_t k = read(b->rd.fd, b->rd.buf + b->rd.n, 16384);
		if (k > 0 && b->rd.n + (size_t)k <= PCMK_OUT_MAX) {
			b->rd.n += (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN && !late)
			return 0; /* more to come */
		if (k != 0) {     /* an error, too much output, or the deadline */
			finish(b, true);
			return k > 0  ? err_set(e, "crm_mon: output larger than %u bytes", PCMK_OUT_MAX)
			       : late ? err_set(e, "crm_mon -1 --output-as=xml: no answer within %llu ms (killed)",
			                        (unsigned long long)((b->tmo ? b->tmo : PCMK_DEFAULT_TMO) / 1000000))
			              : err_setsys(e, "crm_mon: read");
		}
		break; /* EOF */
	}
	b->rd.buf[b->rd.n] = '\0';
	uint64_t at = b->rd.at, started = b->rd.started;
	size_t len = b->rd.n;
	char *xml = b->rd.buf; /* finish() keeps the buffer, only empties it */
	finish(b, false);
	int rc = pcmk_apply(b, xml, len, at, started, e);
	if (rc == 0 && b->rd.again) {
		b->rd.again = false;
		rc = pcmk_read_start(b, b->rd.again_at, e);
	}
	return rc;
}

void pcmk_read_fini(struct pcmk_backend *b)
{
	if (b->rd.pid > 0)
		finish(b, true);
	if (b->rd.zombie > 0)
		waitpid(b->rd.zombie, NULL, 0); /* exited: its output was complete */
	if (b->rd.tfd >= 0)
		close(b->rd.tfd);
	free(b->rd.buf);
	memset(&b->rd, 0, sizeof(b->rd));
	b->rd.fd = b->rd.tfd = -1;
}
