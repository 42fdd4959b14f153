/*
 * loop.c - epoll + timerfd + signalfd over the clock's timer heap.
 *
 * The rules (what runs when, real versus virtual time) are in loop.h; this
 * file is their mechanics. Events are dispatched from a batch that a
 * stopping watcher scrubs itself out of, so no callback ever sees a
 * watcher that was stopped (or freed) earlier in the same batch.
 */
#include "faultline/loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
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

/* The events being dispatched; nested loop_run_once calls chain them. */
struct batch {
	struct epoll_event *evs;
	int n;
	struct batch *prev;
};

struct loop {
	struct fl_clock *clk;
	int epfd;
	int tfd;            /* real clocks only */
	uint64_t armed_for; /* deadline the timerfd is set to, CLOCK_NEVER if none */
	size_t nio;         /* active watchers */
	bool stop;
	struct batch *batch;
};

/* epoll data for the timerfd: an address no watcher can have. */
static char timerfd_tag;

enum step { STEP_RAN, STEP_IDLE, STEP_LIMIT, STEP_ERROR };

static int add_timerfd(struct loop *l, struct fl_err *e)
{
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0)
		return err_setsys(e, "loop: timerfd_create");
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &timerfd_tag};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0)
		return err_setsys(e, "loop: epoll_ctl(timerfd)");
	/* Wake at the deadline, not up to 50 us later: recovery is measured in ms. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	return 0;
}

struct loop *loop_new(struct fl_clock *clk, struct fl_err *e)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	l->clk = clk;
	l->tfd = -1;
	l->armed_for = CLOCK_NEVER;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err_setsys(e, "loop: epoll_create1");
		goto fail;
	}
	if (!clock_is_virtual(clk) && add_timerfd(l, e) < 0)
		goto fail;
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
	struct epoll_event ev = {.events = events, .data.ptr = io};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
	io->active = true;
	l->nio++;
	return 0;
}

int loop_io_modify(struct loop *l, struct loop_io *io, uint32_t events)
{
	if (!io->active) {
		errno = EINVAL;
		return -1;
	}
	struct epoll_event ev = {.events = events, .data.ptr = io};
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -1;
	io->events = events;
	return 0;
}

void loop_io_stop(struct loop *l, struct loop_io *io)
{
	if (!io->active)
		return;
	/* Fails harmlessly if the owner already closed the fd (epoll forgot it). */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->active = false;
	l->nio--;
	for (struct batch *b = l->batch; b != NULL; b = b->prev)
		for (int i = 0; i < b->n; i++)
			if (b->evs[i].data.ptr == io)
				b->evs[i].data.ptr = NULL;
}

static void drain_timerfd(struct loop *l)
{
	uint64_t expirations;
	if (read(l->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_warn("loop: timerfd read");
	l->armed_for = CLOCK_NEVER;
}

static void dispatch(struct loop *l, struct epoll_event *evs, int n)
{
	struct batch b = {.evs = evs, .n = n, .prev = l->batch};
	l->batch = &b;
	for (int i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;
		if (io == NULL)
			continue; /* stopped earlier in this batch */
		if ((void *)io == (void *)&timerfd_tag) {
			drain_timerfd(l);
			continue;
		}
		io->cb(io, evs[i].events, io->arg);
	}
	l->batch = b.prev;
}

static int poll_fds(struct loop *l, struct epoll_event *evs, int timeout_ms)
{
	int n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout_ms);
	if (n < 0 && errno == EINTR)
		return 0;
	return n;
}

/* Virtual: serve ready fds at this instant, else jump to the next timer. */
static enum step step_virtual(struct loop *l, uint64_t until)
{
	struct epoll_event evs[LOOP_BATCH];
	int n = poll_fds(l, evs, 0);
	if (n < 0)
		return STEP_ERROR;
	if (n > 0) {
		dispatch(l, evs, n);
		clock_run_expired(l->clk);
		return STEP_RAN;
	}
	uint64_t next = clock_next_deadline(l->clk);
	if (next == CLOCK_NEVER)
		return STEP_IDLE;
	if (next > until) {
		clock_advance(l->clk, until, 0);
		return STEP_LIMIT;
	}
	clock_step(l->clk);
	return STEP_RAN;
}

static void arm_timerfd(struct loop *l, uint64_t next)
{
	if (next == l->armed_for)
		return;
	struct itimerspec its;
	memset(&its, 0, sizeof(its));
	if (next != CLOCK_NEVER) {
		/* A zero it_value disarms: a deadline at time 0 becomes 1 ns. */
		uint64_t at = next ? next : 1;
		its.it_value.tv_sec = (time_t)(at / NSEC_PER_SEC);
		its.it_value.tv_nsec = (long)(at % NSEC_PER_SEC);
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		fatal("loop: timerfd_settime");
	l->armed_for = next;
}

/* epoll timeout for a real-time bound: round up so we never wake early. */
static int timeout_until(uint64_t now, uint64_t until)
{
	if (until == CLOCK_NEVER)
		return -1;
	uint64_t ms = (until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Real: sleep until a fd or the timerfd wakes us, then run what is due. */
static enum step step_real(struct loop *l, uint64_t until)
{
	uint64_t next = clock_next_deadline(l->clk);
	if (next == CLOCK_NEVER && l->nio == 0)
		return STEP_IDLE;
	uint64_t now = clock_now(l->clk);
	if (until != CLOCK_NEVER && now >= until)
		return STEP_LIMIT;
	arm_timerfd(l, next);
	struct epoll_event evs[LOOP_BATCH];
	int n = poll_fds(l, evs, timeout_until(now, until));
	if (n < 0)
		return STEP_ERROR;
	dispatch(l, evs, n);
	clock_run_expired(l->clk);
	return STEP_RAN;
}

static enum step step(struct loop *l, uint64_t until)
{
	return clock_is_virtual(l->clk) ? step_virtual(l, until) : step_real(l, until);
}

int loop_run_once(struct loop *l)
{
	switch (step(l, CLOCK_NEVER)) {
	case STEP_IDLE:
		return 0;
	case STEP_ERROR:
		return -1;
	default:
		return 1;
	}
}

enum loop_exit loop_run_until(struct loop *l, uint64_t until, size_t max_iterations)
{
	l->stop = false;
	for (size_t i = 0; max_iterations == 0 || i < max_iterations; i++) {
		enum step s = step(l, until);
		if (l->stop)
			return LOOP_EXIT_STOPPED;
		if (s == STEP_IDLE)
			return LOOP_EXIT_IDLE;
		if (s == STEP_LIMIT)
			return LOOP_EXIT_LIMIT;
		if (s == STEP_ERROR) {
			log_warn("loop: epoll_wait");
			return LOOP_EXIT_ERROR;
		}
	}
	return LOOP_EXIT_LIMIT;
}

enum loop_exit loop_run(struct loop *l)
{
	return loop_run_until(l, CLOCK_NEVER, 0);
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

const char *loop_exit_str(enum loop_exit x)
{
	static const char *const names[] = {"stopped", "idle", "limit", "error"};
	return (size_t)x < ARRAY_LEN(names) ? names[x] : "unknown";
}

static void on_signalfd(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	struct loop_signal *s = arg;
	struct signalfd_siginfo si;
	/* One per callback: s may be stopped (or freed) by cb; level-triggered epoll brings the rest. */
	if (read(s->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		s->cb((int)si.ssi_signo, s->arg);
}

static int signal_sets(struct loop_signal *s, const int *signals, size_t n, struct fl_err *e)
{
	sigset_t old;
	sigemptyset(&s->set);
	sigemptyset(&s->unblock);
	for (size_t i = 0; i < n; i++)
		if (sigaddset(&s->set, signals[i]) < 0)
			return err_set(e, "loop: signal %d: invalid", signals[i]);
	int rc = pthread_sigmask(SIG_BLOCK, &s->set, &old);
	if (rc != 0) {
		errno = rc;
		return err_setsys(e, "loop: pthread_sigmask");
	}
	for (size_t i = 0; i < n; i++)
		if (!sigismember(&old, signals[i]))
			sigaddset(&s->unblock, signals[i]);
	return 0;
}

int loop_signal_start(struct loop *l, struct loop_signal *s, const int *signals, size_t n, loop_signal_cb cb, void *arg,
                      struct fl_err *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (signal_sets(s, signals, n, e) < 0)
		return -1;
	s->fd = signalfd(-1, &s->set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->fd < 0) {
		err_setsys(e, "loop: signalfd");
		goto fail;
	}
	s->cb = cb;
	s->arg = arg;
	if (loop_io_start(l, &s->io, s->fd, EPOLLIN, on_signalfd, s) < 0) {
		err_setsys(e, "loop: epoll_ctl(signalfd)");
		goto fail;
	}
	s->active = true;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	pthread_sigmask(SIG_UNBLOCK, &s->unblock, NULL);
	return -1;
}

void loop_signal_stop(struct loop *l, struct loop_signal *s)
{
	if (!s->active)
		return;
	loop_io_stop(l, &s->io);
	close(s->fd);
	s->fd = -1;
	s->active = false;
	pthread_sigmask(SIG_UNBLOCK, &s->unblock, NULL);
}
