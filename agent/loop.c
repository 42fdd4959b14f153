/* loop.c - epoll + timerfd + signalfd over the clock's timer heap. */
#include "faultline/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/log.h"
#include "faultline/util.h"

#define LOOP_BATCH 64

struct loop {
	struct fl_clock *clk;
	int epfd;
	int tfd; /* real clocks only */
	uint64_t armed_for;
	size_t nio; /* active watchers */
	bool stop;
	/* Watchers stopped while a batch is being dispatched: skip their events. */
	struct loop_io *stopped[LOOP_BATCH];
	size_t nstopped;
	bool dispatching;
};

struct loop *loop_new(struct fl_clock *clk, struct fl_err *e)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	l->clk = clk;
	l->tfd = -1;
	l->armed_for = CLOCK_NEVER;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err_setsys(e, "epoll_create1");
		goto fail;
	}
	if (!clock_is_virtual(clk)) {
		l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
		if (l->tfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
			err_setsys(e, "timerfd");
			goto fail;
		}
		/* Wake at the deadline, not up to 50 us later: recovery is measured in ms. */
		prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	}
	return l;
fail:
	loop_free(l);
	return NULL;
}

void loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

struct fl_clock *loop_clock(const struct loop *l)
{
	return l->clk;
}

int loop_io_start(struct loop *l, struct loop_io *io, int fd, uint32_t events, loop_io_cb cb, void *arg)
{
	if (io->active)
		loop_io_stop(l, io);
	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
	struct epoll_event ev = {.events = events, .data.ptr = io};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	io->active = true;
	l->nio++;
	/* A watcher restarted within a batch is live again. */
	for (size_t i = 0; i < l->nstopped; i++)
		if (l->stopped[i] == io)
			l->stopped[i] = NULL;
	return 0;
}

int loop_io_modify(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};
	if (!io->active || epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -1;
	io->events = events;
	return 0;
}

void loop_io_stop(struct loop *l, struct loop_io *io)
{
	if (!io->active)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->active = false;
	l->nio--;
	if (l->dispatching && l->nstopped < LOOP_BATCH)
		l->stopped[l->nstopped++] = io;
}

static void on_signalfd(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	struct loop_signal *s = arg;
	struct signalfd_siginfo si;
	while (s->active && read(s->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		s->cb((int)si.ssi_signo, s->arg);
}

int loop_signal_start(struct loop *l, struct loop_signal *s, const int *signals, size_t n, loop_signal_cb cb,
		      void *arg, struct fl_err *e)
{
	memset(s, 0, sizeof(*s));
	sigemptyset(&s->set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&s->set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &s->set, &s->old) < 0)
		return err_setsys(e, "sigprocmask");
	s->fd = signalfd(-1, &s->set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->fd < 0) {
		sigprocmask(SIG_SETMASK, &s->old, NULL);
		return err_setsys(e, "signalfd");
	}
	s->cb = cb;
	s->arg = arg;
	if (loop_io_start(l, &s->io, s->fd, EPOLLIN, on_signalfd, s) < 0) {
		close(s->fd);
		sigprocmask(SIG_SETMASK, &s->old, NULL);
		return err_setsys(e, "epoll_ctl(signalfd)");
	}
	s->active = true;
	return 0;
}

void loop_signal_stop(struct loop *l, struct loop_signal *s)
{
	if (!s->active)
		return;
	loop_io_stop(l, &s->io);
	close(s->fd);
	s->active = false;
	/* Signals that arrived after the last read stay pending and fire now: that is intended. */
	sigprocmask(SIG_SETMASK, &s->old, NULL);
}

static void arm_timerfd(struct loop *l)
{
	uint64_t next = clock_next_deadline(l->clk);
	if (next == l->armed_for)
		return;
	struct itimerspec its;
	memset(&its, 0, sizeof(its));
	if (next != CLOCK_NEVER) {
		/* A zero it_value disarms: deadlines at time 0 become 1 ns. */
		uint64_t at = next ? next : 1;
		its.it_value.tv_sec = (time_t)(at / NSEC_PER_SEC);
		its.it_value.tv_nsec = (long)(at % NSEC_PER_SEC);
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		fatal("timerfd_settime");
	l->armed_for = next;
}

static bool skipped(const struct loop *l, const struct loop_io *io)
{
	for (size_t i = 0; i < l->nstopped; i++)
		if (l->stopped[i] == io)
			return true;
	return false;
}

static int dispatch(struct loop *l, const struct epoll_event *evs, int n)
{
	int ran = 0;
	l->dispatching = true;
	l->nstopped = 0;
	for (int i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;
		if (io == NULL) { /* the timerfd */
			uint64_t expirations;
			if (read(l->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
				log_warn("timerfd read");
			l->armed_for = CLOCK_NEVER;
			continue;
		}
		if (!io->active || skipped(l, io))
			continue;
		io->cb(io, evs[i].events, io->arg);
		ran = 1;
	}
	l->dispatching = false;
	l->nstopped = 0;
	return ran;
}

int loop_run_once(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];
	bool virt = clock_is_virtual(l->clk);
	if (virt) {
		int n = epoll_wait(l->epfd, evs, LOOP_BATCH, 0);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0) {
			dispatch(l, evs, n);
			clock_run_expired(l->clk);
			return 1;
		}
		if (clock_next_deadline(l->clk) == CLOCK_NEVER)
			return 0;
		clock_step(l->clk);
		return 1;
	}
	if (clock_next_deadline(l->clk) == CLOCK_NEVER && l->nio == 0)
		return 0;
	arm_timerfd(l);
	int n = epoll_wait(l->epfd, evs, LOOP_BATCH, -1);
	if (n < 0 && errno != EINTR)
		return -1;
	if (n > 0)
		dispatch(l, evs, n);
	clock_run_expired(l->clk);
	return 1;
}

void loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int rc = loop_run_once(l);
		if (rc < 0) {
			log_warn("epoll_wait");
			break;
		}
		if (rc == 0)
			break;
	}
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
