/* test_loop_io.c - the event loop: timer order, fd readiness, signals, stop, running dry. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/loop.h"

#define MS(x) ((uint64_t)(x)*NSEC_PER_MSEC)

struct env {
	struct fl_clock *clk;
	struct loop *loop;
	char order[32];
	uint64_t at[32];
	size_t n;
};

struct tick {
	struct env *env;
	char tag;
	bool stop; /* call loop_stop from the callback */
	struct fl_timer t;
};

static void env_init(struct env *v, bool virt)
{
	memset(v, 0, sizeof(*v));
	struct fl_err e;
	v->clk = virt ? clock_new_virtual(0) : clock_new_real();
	v->loop = loop_new(v->clk, &e);
	cr_assert_not_null(v->loop, "%s", e.msg);
}

static void env_fini(struct env *v)
{
	loop_free(v->loop);
	clock_free(v->clk);
}

static void note(struct env *v, char tag)
{
	if (v->n < 31) {
		v->at[v->n] = clock_now(v->clk);
		v->order[v->n++] = tag;
	}
}

static void tick_cb(void *arg)
{
	struct tick *k = arg;
	note(k->env, k->tag);
	if (k->stop)
		loop_stop(k->env->loop);
}

static void arm(struct env *v, struct tick *k, char tag, uint64_t when)
{
	k->env = v;
	k->tag = tag;
	clock_timer_init(&k->t);
	clock_timer_start(v->clk, &k->t, when, tick_cb, k);
}

Test(loop_io, timers_in_order_ties_in_start_order)
{
	struct env v;
	env_init(&v, true);
	struct tick k[5] = {0};
	arm(&v, &k[0], 'c', MS(30));
	arm(&v, &k[1], 'a', MS(10));
	arm(&v, &k[2], 'b', MS(20));
	arm(&v, &k[3], 'A', MS(10));
	arm(&v, &k[4], 'B', MS(20));
	loop_run(v.loop);
	cr_expect_str_eq(v.order, "aAbBc");
	uint64_t want[] = {MS(10), MS(10), MS(20), MS(20), MS(30)};
	for (size_t i = 0; i < 5; i++)
		cr_expect_eq(v.at[i], want[i], "timer %zu at %llu", i, (unsigned long long)v.at[i]);
	cr_expect_eq(loop_run_once(v.loop), 0);
	env_fini(&v);
}

Test(loop_io, run_once_is_zero_when_nothing_is_left)
{
	struct env v;
	env_init(&v, true);
	cr_expect_eq(loop_run_once(v.loop), 0);
	struct tick k = {0};
	arm(&v, &k, 'x', MS(5));
	cr_expect_eq(loop_run_once(v.loop), 1);
	cr_expect_str_eq(v.order, "x");
	cr_expect_eq(loop_run_once(v.loop), 0);
	env_fini(&v);
	/* A real clock with nothing armed and no watcher must not block either. */
	env_init(&v, false);
	cr_expect_eq(loop_run_once(v.loop), 0);
	env_fini(&v);
}

Test(loop_io, stop_from_a_callback)
{
	struct env v;
	env_init(&v, true);
	struct tick k[2] = {0};
	arm(&v, &k[0], 'a', MS(10));
	arm(&v, &k[1], 'b', MS(20));
	k[0].stop = true;
	loop_run(v.loop);
	cr_expect_str_eq(v.order, "a");
	cr_expect_eq(clock_now(v.clk), MS(10));
	cr_expect(clock_timer_armed(&k[1].t));
	loop_run(v.loop); /* a new run goes on where the last stopped */
	cr_expect_str_eq(v.order, "ab");
	env_fini(&v);
}

Test(loop_io, real_timer_fires_at_its_deadline)
{
	struct env v;
	env_init(&v, false);
	struct tick k = {0};
	uint64_t t0 = clock_now(v.clk);
	arm(&v, &k, 'r', t0 + MS(20));
	for (int i = 0; i < 100 && v.n == 0; i++)
		cr_assert_eq(loop_run_once(v.loop), 1);
	cr_assert_str_eq(v.order, "r");
	cr_expect_geq(v.at[0], t0 + MS(20));
	cr_expect_lt(v.at[0], t0 + MS(120));
	env_fini(&v);
}

struct pipe_w {
	struct env *env;
	struct loop_io io;
	struct pipe_w *victim; /* stop this watcher from our callback */
	char tag;
	uint32_t events;
};

static void pipe_cb(struct loop_io *io, uint32_t events, void *arg)
{
	struct pipe_w *w = arg;
	cr_assert_eq(io, &w->io);
	w->events = events;
	note(w->env, w->tag);
	char buf[16];
	cr_assert_eq(read(io->fd, buf, sizeof(buf)), 1);
	if (w->victim != NULL)
		loop_io_stop(w->env->loop, &w->victim->io);
}

Test(loop_io, fd_readiness_with_a_pipe)
{
	struct env v;
	env_init(&v, false);
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	struct pipe_w w = {.env = &v, .tag = 'p'};
	cr_assert_eq(loop_io_start(v.loop, &w.io, fds[0], EPOLLIN, pipe_cb, &w), 0);
	cr_assert_eq(write(fds[1], "x", 1), 1);
	cr_expect_eq(loop_run_once(v.loop), 1);
	cr_expect_str_eq(v.order, "p");
	cr_expect_eq(w.events, EPOLLIN);
	loop_io_stop(v.loop, &w.io);
	loop_io_stop(v.loop, &w.io); /* harmless twice */
	cr_expect_eq(loop_run_once(v.loop), 0);
	close(fds[0]);
	close(fds[1]);
	env_fini(&v);
}

Test(loop_io, watcher_stopped_in_the_same_batch_is_not_called)
{
	struct env v;
	env_init(&v, true);
	int a[2], b[2];
	cr_assert_eq(pipe(a), 0);
	cr_assert_eq(pipe(b), 0);
	struct pipe_w wa = {.env = &v, .tag = 'a'}, wb = {.env = &v, .tag = 'b'};
	wa.victim = &wb;
	wb.victim = &wa;
	cr_assert_eq(loop_io_start(v.loop, &wa.io, a[0], EPOLLIN, pipe_cb, &wa), 0);
	cr_assert_eq(loop_io_start(v.loop, &wb.io, b[0], EPOLLIN, pipe_cb, &wb), 0);
	cr_assert_eq(write(a[1], "x", 1), 1);
	cr_assert_eq(write(b[1], "x", 1), 1);
	cr_expect_eq(loop_run_once(v.loop), 1);
	/* Whichever ran first stopped the other, whose event was already in the batch. */
	cr_expect_eq(strlen(v.order), 1);
	loop_io_stop(v.loop, &wa.io);
	loop_io_stop(v.loop, &wb.io);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	env_fini(&v);
}

static void on_signal(int signo, void *arg)
{
	struct env *v = arg;
	note(v, signo == SIGUSR1 ? '1' : signo == SIGUSR2 ? '2' : '?');
}

Test(loop_io, signals_through_the_signalfd)
{
	struct env v;
	env_init(&v, true);
	sigset_t before, now;
	sigprocmask(SIG_SETMASK, NULL, &before);
	cr_assert(!sigismember(&before, SIGUSR1));
	struct loop_signal s;
	struct fl_err e;
	int sigs[] = {SIGUSR1, SIGUSR2};
	cr_assert_eq(loop_signal_start(v.loop, &s, sigs, 2, on_signal, &v, &e), 0, "%s", e.msg);
	sigprocmask(SIG_SETMASK, NULL, &now);
	cr_expect(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2));
	raise(SIGUSR2);
	raise(SIGUSR1);
	/* One signal per callback (the handler may stop the watcher); lowest number first. */
	cr_expect_eq(loop_run_once(v.loop), 1);
	cr_expect_str_eq(v.order, "1");
	cr_expect_eq(loop_run_once(v.loop), 1);
	cr_expect_str_eq(v.order, "12");
	loop_signal_stop(v.loop, &s);
	sigprocmask(SIG_SETMASK, NULL, &now);
	cr_expect(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
	cr_expect_eq(loop_run_once(v.loop), 0);
	env_fini(&v);
}
