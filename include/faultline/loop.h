/*
 * loop.h - the event loop: one epoll set, one timerfd, signals by signalfd.
 *
 * Timers are the clock's (clock.h: clock_timer_start(loop_clock(l), ...));
 * the loop waits for the earliest of them and for file descriptors.
 *
 * Real clock: the timerfd is armed (TFD_TIMER_ABSTIME) to
 * clock_next_deadline(), epoll_wait blocks, ready descriptors are
 * dispatched, then every timer due at the time read once after the wait
 * runs (clock_run_expired).
 *
 * Virtual clock: nothing ever sleeps. One iteration polls the descriptors
 * with a zero timeout; then
 *   - if any is ready: dispatch them, then run the timers due at the
 *     current instant (including any a callback just armed for now);
 *   - if none is ready: jump the clock to the next deadline and run every
 *     timer due there, in deadline then start order (clock_step).
 * So the clock never moves while a descriptor is ready: events the
 * simulator queues at instant T (its eventfd) are handled at T, after the
 * timers of T that caused them and before anything due later. Under a
 * virtual clock the loop is idle when no descriptor is ready and no timer
 * is armed: watchers alone cannot make virtual time pass.
 *
 * Watchers (struct loop_io, struct loop_signal) are embedded in their owner
 * and must be stopped before the owner is freed. Stopping a watcher from
 * any callback is safe, even while its own events are pending in the batch
 * being dispatched (they are dropped), so an owner may stop and free itself
 * (or another owner) from a callback.
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
	uint32_t events; /* EPOLLIN, EPOLLOUT, ... as watched */
	loop_io_cb cb;
	void *arg;
	bool active;
};

struct loop_signal {
	int fd; /* the signalfd */
	sigset_t set;
	sigset_t unblock; /* what stop unblocks: the set minus what was already blocked */
	loop_signal_cb cb;
	void *arg;
	bool active;
	struct loop_io io;
};

/* Why loop_run_until returned. */
enum loop_exit {
	LOOP_EXIT_STOPPED, /* loop_stop() was called */
	LOOP_EXIT_IDLE,    /* nothing left to wait for */
	LOOP_EXIT_LIMIT,   /* the iteration or time bound was reached */
	LOOP_EXIT_ERROR,   /* epoll_wait failed (logged) */
};

/* A loop over clk (borrowed; must outlive the loop). NULL with e set on failure. */
struct loop *loop_new(struct fl_clock *clk, struct fl_err *e);
/* Frees the loop; stop every watcher first. NULL is a no-op. */
void loop_free(struct loop *l);
struct fl_clock *loop_clock(const struct loop *l);

/*
 * Watch fd for events (level-triggered). io is the caller's and must stay
 * put while active; restarting an active watcher moves it to the new fd.
 * 0, or -1 with errno (e.g. EPERM for a regular file).
 */
int loop_io_start(struct loop *l, struct loop_io *io, int fd, uint32_t events, loop_io_cb cb, void *arg);
/* Change the watched events; -1 with errno (EINVAL when io is not active). */
int loop_io_modify(struct loop *l, struct loop_io *io, uint32_t events);
/* Stop watching; harmless when not started. Safe from inside callbacks. */
void loop_io_stop(struct loop *l, struct loop_io *io);

/*
 * Block the n signals (for this thread) and deliver them through a
 * signalfd to cb, one signal per callback. Stop unblocks only the signals
 * that start blocked; any still pending are then delivered the usual way.
 */
int loop_signal_start(struct loop *l, struct loop_signal *s, const int *signals, size_t n, loop_signal_cb cb, void *arg,
                      struct fl_err *e);
void loop_signal_stop(struct loop *l, struct loop_signal *s);

/*
 * One iteration as described above. Returns 1 if it waited or ran
 * something, 0 if there is nothing left to wait for, -1 if epoll_wait
 * failed (errno set). Ignores loop_stop().
 */
int loop_run_once(struct loop *l);
/*
 * Iterate until loop_stop(), idle, or a bound: at most max_iterations
 * iterations (0 = no bound) and no timer due after `until` (clock time;
 * CLOCK_NEVER = no bound). A virtual clock that hits `until` is left at
 * exactly `until`; a real one returns once now >= until.
 */
enum loop_exit loop_run_until(struct loop *l, uint64_t until, size_t max_iterations);
/* loop_run_until(l, CLOCK_NEVER, 0). */
enum loop_exit loop_run(struct loop *l);
/* Make loop_run return after the current callback; a later loop_run starts afresh. */
void loop_stop(struct loop *l);
const char *loop_exit_str(enum loop_exit x);

#endif
