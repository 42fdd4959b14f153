/* test_loop.c - timer order, fd/timer interleaving in virtual time, signals, stop, bounds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/loop.h"
#include "faultline/util.h"

#define SEC NSEC_PER_SEC
#define T0  (1000 * SEC) /* virtual start, far from 0 */

/* What happened, as "label@seconds-since-T0" lines, to compare exactly. */
struct trace {
	struct fl_clock *clk;
	struct loop *loop;
	char buf[2048];
	size_t len;
	bool notime; /* real clocks: order only, times vary */
};

static void note(struct trace *tr, const char *label)
{
	uint64_t rel = clock_now(tr->clk) - T0;
	int n = tr->notime ? snprintf(tr->buf + tr->len, sizeof(tr->buf) - tr->len, "%s ", label)
	                   : snprintf(tr->buf + tr->len, sizeof(tr->buf) - tr->len, "%s@%llu.%03llu ", label,
	                              (unsigned long long)(rel / SEC), (unsigned long long)(rel % SEC / NSEC_PER_MSEC));
	cr_assert(n > 0 && (size_t)n < sizeof(tr->buf) - tr->len, "trace overflow");
	tr->len += (size_t)n;
}

static void trace_init(struct trace *tr, bool virt)
{
	memset(tr, 0, sizeof(*tr));
	tr->clk = virt ? clock_new_virtual(T0) : clock_new_real();
	tr->notime = !virt;
	struct fl_err e = {0};
	tr->loop = loop_new(tr->clk, &e);
	cr_assert_not_null(tr->loop, "%s", e.msg);
}

static void trace_fini(struct trace *tr)
{
	loop_free(tr->loop);
	clock_free(tr->clk);
}

struct tmr {
	struct fl_timer t;
	struct trace *tr;
	const char *label;
	int rearm; /* re-arm this many more times, 1 s apart */
	bool stop_loop;
};

static void on_tmr(void *arg)
{
	struct tmr *m = arg;
	note(m->tr, m->label);
	if (m->stop_loop)
		loop_stop(m->tr->loop);
	if (m->rearm > 0) {
		m->rearm--;
		clock_timer_start(m->tr->clk, &m->t, clock_now(m->tr->clk) + SEC, on_tmr, m);
	}
}

static void tmr_start(struct trace *tr, struct tmr *m, const char *label, uint64_t at)
{
	memset(m, 0, sizeof(*m));
	clock_timer_init(&m->t);
	m->tr = tr;
	m->label = label;
	clock_timer_start(tr->clk, &m->t, at, on_tmr, m);
}

Test(loop, virtual_timers_fire_in_order_ties_in_start_order)
{
	struct trace tr;
	trace_init(&tr, true);
	struct tmr m[6];
	tmr_start(&tr, &m[0], "c", T0 + 3 * SEC);
	tmr_start(&tr, &m[1], "a1", T0 + 1 * SEC);
	tmr_start(&tr, &m[2], "b", T0 + 2 * SEC);
	tmr_start(&tr, &m[3], "a2", T0 + 1 * SEC);
	tmr_start(&tr, &m[4], "a3", T0 + 1 * SEC);
	tmr_start(&tr, &m[5], "now", T0);
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE);
	cr_assert_str_eq(tr.buf, "now@0.000 a1@1.000 a2@1.000 a3@1.000 b@2.000 c@3.000 ");
	cr_assert_eq(clock_now(tr.clk), T0 + 3 * SEC);
	trace_fini(&tr);
}

static void on_hourly(void *arg)
{
	struct tmr *m = arg;
	m->rearm++;
	if (m->rearm < 24)
		clock_timer_start(m->tr->clk, &m->t, clock_now(m->tr->clk) + 3600 * SEC, on_hourly, m);
}

Test(loop, rearming_from_callbacks_runs_a_virtual_day)
{
	struct trace tr;
	trace_init(&tr, true);
	struct tmr m;
	tmr_start(&tr, &m, "", T0 + 3600 * SEC);
	m.t.cb = on_hourly;
	clock_timer_start(tr.clk, &m.t, T0 + 3600 * SEC, on_hourly, &m);
	struct tmr tick;
	tmr_start(&tr, &tick, "tick", T0 + SEC);
	tick.rearm = 2;
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE);
	cr_assert_eq(m.rearm, 24);
	cr_assert_eq(clock_now(tr.clk), T0 + 24 * 3600 * SEC);
	cr_assert_str_eq(tr.buf, "tick@1.000 tick@2.000 tick@3.000 ");
	trace_fini(&tr);
}

/* A pipe whose reader notes each byte; a timer writes to it. */
struct piped {
	struct trace *tr;
	int fds[2];
	struct loop_io io;
	struct tmr zero; /* armed by the reader for "now" */
	bool arm_zero;
};

static void on_pipe(struct loop_io *io, uint32_t events, void *arg)
{
	struct piped *p = arg;
	cr_assert_eq(io, &p->io);
	cr_assert(events & EPOLLIN);
	char c;
	cr_assert_eq(read(p->fds[0], &c, 1), 1);
	char label[8] = {'p', 'i', 'p', 'e', '-', c, 0};
	note(p->tr, label);
	if (p->arm_zero) {
		p->arm_zero = false;
		tmr_start(p->tr, &p->zero, "zero", clock_now(p->tr->clk));
	}
}

static void piped_init(struct piped *p, struct trace *tr)
{
	memset(p, 0, sizeof(*p));
	p->tr = tr;
	cr_assert_eq(pipe2(p->fds, O_NONBLOCK | O_CLOEXEC), 0);
	cr_assert_eq(loop_io_start(tr->loop, &p->io, p->fds[0], EPOLLIN, on_pipe, p), 0);
}

static void piped_fini(struct piped *p)
{
	loop_io_stop(p->tr->loop, &p->io);
	close(p->fds[0]);
	close(p->fds[1]);
}

struct writer {
	struct tmr m;
	struct piped *p;
	char c;
};

static void on_writer(void *arg)
{
	struct writer *w = arg;
	note(w->m.tr, w->m.label);
	cr_assert_eq(write(w->p->fds[1], &w->c, 1), 1);
}

/*
 * The rule at one virtual instant: every timer due at T runs, then the fd
 * events they caused are dispatched at T, then timers those callbacks armed
 * for T; only then does the clock move on.
 */
Test(loop, virtual_fd_events_interleave_at_their_instant)
{
	struct trace tr;
	trace_init(&tr, true);
	struct piped p;
	piped_init(&p, &tr);
	p.arm_zero = true;
	struct writer w = {.p = &p, .c = 'x'};
	tmr_start(&tr, &w.m, "write", T0 + 5 * SEC);
	w.m.t.cb = on_writer;
	clock_timer_start(tr.clk, &w.m.t, T0 + 5 * SEC, on_writer, &w);
	struct tmr same, later;
	tmr_start(&tr, &same, "same", T0 + 5 * SEC);
	tmr_start(&tr, &later, "later", T0 + 5 * SEC + 1);
	/* The pipe watcher stays active, but watchers alone do not keep virtual time going. */
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE);
	cr_assert_str_eq(tr.buf, "write@5.000 same@5.000 pipe-x@5.000 zero@5.000 later@5.000 ");
	cr_assert_eq(clock_now(tr.clk), T0 + 5 * SEC + 1);
	piped_fini(&p);
	trace_fini(&tr);
}

Test(loop, virtual_ready_fd_goes_before_timer_due_now)
{
	struct trace tr;
	trace_init(&tr, true);
	struct piped p;
	piped_init(&p, &tr);
	cr_assert_eq(write(p.fds[1], "ab", 2), 2);
	struct tmr now, next;
	tmr_start(&tr, &now, "now", T0);
	tmr_start(&tr, &next, "next", T0 + SEC);
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE);
	/* Level-triggered: one byte per callback, and the clock waits for both. */
	cr_assert_str_eq(tr.buf, "pipe-a@0.000 now@0.000 pipe-b@0.000 next@1.000 ");
	piped_fini(&p);
	trace_fini(&tr);
}

Test(loop, stop_from_callback_and_resume)
{
	struct trace tr;
	trace_init(&tr, true);
	struct tmr m[3];
	tmr_start(&tr, &m[0], "1", T0 + 1 * SEC);
	tmr_start(&tr, &m[1], "2", T0 + 2 * SEC);
	tmr_start(&tr, &m[2], "3", T0 + 3 * SEC);
	m[1].stop_loop = true;
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_STOPPED);
	cr_assert_str_eq(tr.buf, "1@1.000 2@2.000 ");
	cr_assert(clock_timer_armed(&m[2].t));
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE);
	cr_assert_str_eq(tr.buf, "1@1.000 2@2.000 3@3.000 ");
	trace_fini(&tr);
}

static void on_runaway(void *arg)
{
	struct tmr *m = arg;
	m->rearm++;
	clock_timer_start(m->tr->clk, &m->t, clock_now(m->tr->clk) + 1, on_runaway, m);
}

Test(loop, bounds_stop_a_runaway_plan)
{
	struct trace tr;
	trace_init(&tr, true);
	struct tmr m;
	tmr_start(&tr, &m, "", T0);
	clock_timer_start(tr.clk, &m.t, T0, on_runaway, &m);
	cr_assert_eq(loop_run_until(tr.loop, CLOCK_NEVER, 1000), LOOP_EXIT_LIMIT);
	cr_assert_eq(m.rearm, 1000);
	cr_assert_eq(clock_now(tr.clk), T0 + 999);
	clock_timer_stop(tr.clk, &m.t);

	struct tmr tick;
	tmr_start(&tr, &tick, "t", T0 + SEC);
	tick.rearm = 100;
	cr_assert_eq(loop_run_until(tr.loop, T0 + 3 * SEC + SEC / 2, 0), LOOP_EXIT_LIMIT);
	cr_assert_str_eq(tr.buf, "t@1.000 t@2.000 t@3.000 ");
	cr_assert_eq(clock_now(tr.clk), T0 + 3 * SEC + SEC / 2, "the clock is left exactly at the bound");
	clock_timer_stop(tr.clk, &tick.t);
	trace_fini(&tr);
}

/* Two ready pipes; whichever callback runs first frees the other's owner. */
struct pair_owner {
	struct loop *loop;
	int fds[2];
	struct loop_io io;
	struct pair_owner **other;
	int *calls;
};

static void pair_free(struct loop *l, struct pair_owner *o)
{
	loop_io_stop(l, &o->io);
	close(o->fds[0]);
	close(o->fds[1]);
	free(o);
}

static void on_pair(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	struct pair_owner *o = arg;
	(*o->calls)++;
	if (*o->other != NULL) {
		pair_free(o->loop, *o->other);
		*o->other = NULL;
	}
	loop_stop(o->loop);
}

Test(loop, watcher_freed_by_an_earlier_callback_in_the_batch_is_skipped)
{
	struct trace tr;
	trace_init(&tr, true);
	struct pair_owner *o[2];
	int calls = 0;
	for (int i = 0; i < 2; i++) {
		o[i] = xcalloc(1, sizeof(*o[i]));
		o[i]->loop = tr.loop;
		o[i]->calls = &calls;
		o[i]->other = &o[1 - i];
		cr_assert_eq(pipe2(o[i]->fds, O_NONBLOCK | O_CLOEXEC), 0);
		cr_assert_eq(write(o[i]->fds[1], "x", 1), 1);
	}
	for (int i = 0; i < 2; i++)
		cr_assert_eq(loop_io_start(tr.loop, &o[i]->io, o[i]->fds[0], EPOLLIN, on_pair, o[i]), 0);
	cr_assert_eq(loop_run_until(tr.loop, CLOCK_NEVER, 1), LOOP_EXIT_STOPPED);
	cr_assert_eq(calls, 1, "the freed watcher's pending event must be dropped");
	for (int i = 0; i < 2; i++)
		if (o[i] != NULL)
			pair_free(tr.loop, o[i]);
	trace_fini(&tr);
}

static void on_sock(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	uint32_t *seen = arg;
	*seen |= events;
}

Test(loop, modify_and_refusals)
{
	struct trace tr;
	trace_init(&tr, true);
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	uint32_t seen = 0;
	struct loop_io io = {0};
	cr_assert_eq(loop_io_start(tr.loop, &io, sv[0], EPOLLIN, on_sock, &seen), 0);
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE, "nothing to read, no timers");
	cr_assert_eq(seen, 0);
	cr_assert_eq(loop_io_modify(tr.loop, &io, EPOLLIN | EPOLLOUT), 0);
	cr_assert_eq(loop_run_once(tr.loop), 1);
	cr_assert_eq(seen, EPOLLOUT);
	loop_io_stop(tr.loop, &io);
	loop_io_stop(tr.loop, &io); /* harmless twice */
	errno = 0;
	cr_assert_eq(loop_io_modify(tr.loop, &io, EPOLLIN), -1);
	cr_assert_eq(errno, EINVAL);

	char path[] = "/tmp/faultline-loop-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(loop_io_start(tr.loop, &io, fd, EPOLLIN, on_sock, &seen), -1);
	cr_assert_eq(errno, EPERM, "regular files cannot be watched");
	cr_assert(!io.active);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	trace_fini(&tr);
}

struct sigs {
	struct trace *tr;
	struct loop_signal s;
	int got[4];
	int n;
};

static void on_sig(int signo, void *arg)
{
	struct sigs *g = arg;
	g->got[g->n++] = signo;
	if (g->n == 2)
		loop_stop(g->tr->loop);
}

static bool blocked(int signo)
{
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, signo);
}

Test(loop, signals_arrive_through_signalfd)
{
	struct trace tr;
	trace_init(&tr, true);
	struct sigs g = {.tr = &tr};
	int want[] = {SIGUSR2, SIGUSR1};
	struct fl_err e = {0};
	cr_assert(!blocked(SIGUSR1));
	cr_assert_eq(loop_signal_start(tr.loop, &g.s, want, 2, on_sig, &g, &e), 0, "%s", e.msg);
	cr_assert(blocked(SIGUSR1) && blocked(SIGUSR2));
	/* Blocked, so raise() only makes them pending: the signalfd reads them. */
	cr_assert_eq(raise(SIGUSR2), 0);
	cr_assert_eq(raise(SIGUSR1), 0);
	struct tmr far;
	tmr_start(&tr, &far, "far", T0 + 3600 * SEC);
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_STOPPED);
	cr_assert_eq(g.n, 2);
	/* signalfd hands out the lowest-numbered pending signal first. */
	cr_assert_eq(g.got[0], SIGUSR1);
	cr_assert_eq(g.got[1], SIGUSR2);
	cr_assert_eq(clock_now(tr.clk), T0, "signals were served before time moved");
	loop_signal_stop(tr.loop, &g.s);
	cr_assert(!blocked(SIGUSR1) && !blocked(SIGUSR2), "stop restores the mask");
	clock_timer_stop(tr.clk, &far.t);
	trace_fini(&tr);
}

Test(loop, signal_stop_keeps_what_was_already_blocked)
{
	struct trace tr;
	trace_init(&tr, true);
	sigset_t hup;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hup, NULL);
	struct sigs g = {.tr = &tr};
	int want[] = {SIGHUP, SIGUSR1};
	struct fl_err e = {0};
	cr_assert_eq(loop_signal_start(tr.loop, &g.s, want, 2, on_sig, &g, &e), 0, "%s", e.msg);
	loop_signal_stop(tr.loop, &g.s);
	cr_assert(blocked(SIGHUP), "SIGHUP was blocked before: it stays blocked");
	cr_assert(!blocked(SIGUSR1));
	int bad[] = {9999};
	cr_assert_eq(loop_signal_start(tr.loop, &g.s, bad, 1, on_sig, &g, &e), -1);
	cr_assert_str_eq(e.msg, "loop: signal 9999: invalid");
	trace_fini(&tr);
}

/* Real time: not a timing test, only a sanity bound on the timerfd path. */
Test(loop, real_clock_timers_and_bounds)
{
	struct trace tr;
	trace_init(&tr, false);
	uint64_t start = clock_now(tr.clk);
	struct tmr a, b;
	tmr_start(&tr, &a, "b", start + 30 * NSEC_PER_MSEC);
	tmr_start(&tr, &b, "a", start + 10 * NSEC_PER_MSEC);
	struct piped p;
	piped_init(&p, &tr);
	struct writer w = {.p = &p, .c = 'r'};
	tmr_start(&tr, &w.m, "w", start + 20 * NSEC_PER_MSEC);
	clock_timer_start(tr.clk, &w.m.t, start + 20 * NSEC_PER_MSEC, on_writer, &w);
	/* The pipe watcher keeps a real loop alive: bound it in time. */
	uint64_t until = start + 60 * NSEC_PER_MSEC;
	cr_assert_eq(loop_run_until(tr.loop, until, 1000), LOOP_EXIT_LIMIT);
	uint64_t end = clock_now(tr.clk);
	cr_assert_geq(end, until);
	cr_assert_lt(end - start, 5 * SEC, "took %llu ns", (unsigned long long)(end - start));
	cr_assert_str_eq(tr.buf, "a w pipe-r b ", "order is exact even in real time");
	piped_fini(&p);
	trace_fini(&tr);
}

Test(loop, real_clock_fires_no_earlier_than_the_deadline)
{
	struct trace tr;
	trace_init(&tr, false);
	uint64_t start = clock_now(tr.clk);
	struct tmr a;
	tmr_start(&tr, &a, "a", start + 15 * NSEC_PER_MSEC);
	a.stop_loop = true;
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_STOPPED);
	uint64_t fired = clock_now(tr.clk);
	cr_assert_geq(fired, start + 15 * NSEC_PER_MSEC);
	cr_assert_lt(fired, start + 2 * SEC, "a 15 ms timer took %llu ns", (unsigned long long)(fired - start));
	cr_assert_eq(loop_run(tr.loop), LOOP_EXIT_IDLE, "no timers, no watchers");
	trace_fini(&tr);
}

Test(loop, exit_names)
{
	cr_assert_str_eq(loop_exit_str(LOOP_EXIT_STOPPED), "stopped");
	cr_assert_str_eq(loop_exit_str(LOOP_EXIT_IDLE), "idle");
	cr_assert_str_eq(loop_exit_str(LOOP_EXIT_LIMIT), "limit");
	cr_assert_str_eq(loop_exit_str(LOOP_EXIT_ERROR), "error");
}
