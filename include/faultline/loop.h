/*
 * loop.h - the event loop: one epoll set, one timerfd, one signalfd.
 *
 * Timers are the clock's (clock.h); the loop waits for the earliest of them
 * and for file descriptors. On a real clock the timerfd is armed with
 * TFD_TIMER_ABSTIME to the earliest deadline. On a virtual clock nothing
 * ever sleeps: ready descriptors are served first (polled with a zero
 * timeout), and only when none is ready does the clock jump to the next
 * deadline - so events that the simulator queued at an instant are handled
 * at that same instant, before time moves on.
 *
 * Watchers (struct loop_io, struct loop_signal) are embedded in their owner
 * and must be stopped before the owner is freed.
 */
#ifndef FAULTLINE_LOOP_H
#define FAULTLINE_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

struct fl_clock;
struct loop;
struct loop_io;

typedef void (*loop_io_cb)(struct loop_io *io, uint32_t events, void *arg);
typedef void (*loop_signal_cb)(int signo, void *arg);

struct loop_io {
	int fd;
	uint32_t events; /* EPOLLIN, EPOLLOUT, ... */
	loop_io_cb cb;
	void *arg;
	bool active;
};

struct loop_signal {
	int fd;
	sigset_t set;
	sigset_t old; /* mask before start, restored on stop */
	loop_signal_cb cb;
	void *arg;
	bool active;
	struct loop_io io;
};

struct loop *loop_new(struct fl_clock *clk, struct fl_err *e);
/* Frees the loop; watchers must have been stopped. NULL is a no-op. */
void loop_free(struct loop *l);
struct fl_clock *loop_clock(const struct loop *l);

/* Watch fd for events; 0, or -1 with errno (e.g. EPERM for a regular file). */
int loop_io_start(struct loop *l, struct loop_io *io, int fd, uint32_t events, loop_io_cb cb, void *arg);
int loop_io_modify(struct loop *l, struct loop_io *io, uint32_t events);
/* Stop watching; harmless when not started. Safe from inside callbacks. */
void loop_io_stop(struct loop *l, struct loop_io *io);

/* Block the signals and deliver them through a signalfd. */
int loop_signal_start(struct loop *l, struct loop_signal *s, const int *signals, size_t n, loop_signal_cb cb,
		      void *arg, struct fl_err *e);
void loop_signal_stop(struct loop *l, struct loop_signal *s);

/*
 * One iteration: wait for something (real clock) or take the next thing
 * (virtual clock), dispatch it. Returns 1 if anything ran, 0 if there is
 * nothing left to wait for, -1 on a fatal epoll error.
 */
int loop_run_once(struct loop *l);
/* Iterate until loop_stop() or nothing left to wait for. */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
