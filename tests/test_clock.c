/* test_clock.c - timer heap order, virtual time, bounds. */
#include <criterion/criterion.h>
#include <string.h>

#include "faultline/clock.h"

struct log {
	struct fl_clock *clk;
	char buf[256];
	uint64_t at[16];
	size_t n;
};

struct tick {
	struct log *log;
	char tag;
	struct fl_timer t;
	int rearm; /* re-arm this many more times, 1 s later */
};

static void tick_cb(void *arg)
{
	struct tick *k = arg;
	struct log *l = k->log;
	size_t len = strlen(l->buf);
	l->buf[len] = k->tag;
	l->buf[len + 1] = '\0';
	if (l->n < 16)
		l->at[l->n++] = clock_now(l->clk);
	if (k->rearm-- > 0)
		clock_timer_start(l->clk, &k->t, clock_now(l->clk) + NSEC_PER_SEC, tick_cb, k);
}

static void tick_init(struct tick *k, struct log *l, char tag)
{
	memset(k, 0, sizeof(*k));
	k->log = l;
	k->tag = tag;
	clock_timer_init(&k->t);
}

Test(clock, deadline_order_with_fifo_ties)
{
	struct log l = {.clk = clock_new_virtual(1000)};
	struct tick k[5];
	const char tags[] = "abcde";
	const uint64_t when[] = {5000, 2000, 5000, 2000, 3000};
	for (int i = 0; i < 5; i++) {
		tick_init(&k[i], &l, tags[i]);
		clock_timer_start(l.clk, &k[i].t, when[i], tick_cb, &k[i]);
	}
	cr_assert_eq(clock_next_deadline(l.clk), 2000);
	cr_assert_eq(clock_advance(l.clk, 10000, 0), 5);
	cr_assert_str_eq(l.buf, "bdeac");
	cr_assert_eq(l.at[0], 2000);
	cr_assert_eq(l.at[2], 3000);
	cr_assert_eq(l.at[4], 5000);
	cr_assert_eq(clock_now(l.clk), 10000);
	cr_assert_eq(clock_next_deadline(l.clk), CLOCK_NEVER);
	clock_free(l.clk);
}

Test(clock, stop_and_rearm)
{
	struct log l = {.clk = clock_new_virtual(0)};
	struct tick k[3];
	for (int i = 0; i < 3; i++) {
		tick_init(&k[i], &l, (char)('x' + i));
		clock_timer_start(l.clk, &k[i].t, 100 + (uint64_t)i, tick_cb, &k[i]);
	}
	clock_timer_stop(l.clk, &k[0].t);
	clock_timer_stop(l.clk, &k[0].t); /* harmless twice */
	cr_assert_not(clock_timer_armed(&k[0].t));
	clock_timer_start(l.clk, &k[2].t, 50, tick_cb, &k[2]); /* re-arm earlier */
	cr_assert(clock_timer_armed(&k[2].t));
	cr_assert_eq(clock_advance(l.clk, 1000, 0), 2);
	cr_assert_str_eq(l.buf, "zy");
	clock_free(l.clk);
}

Test(clock, step_jumps_and_bound_stops_runaway)
{
	struct log l = {.clk = clock_new_virtual(0)};
	struct tick k;
	tick_init(&k, &l, 'r');
	k.rearm = 1000000;
	clock_timer_start(l.clk, &k.t, NSEC_PER_SEC, tick_cb, &k);
	cr_assert_eq(clock_step(l.clk), 1);
	cr_assert_eq(clock_now(l.clk), NSEC_PER_SEC);
	cr_assert_eq(clock_advance(l.clk, CLOCK_NEVER - 1, 10), 10);
	cr_assert_eq(clock_now(l.clk), 11 * NSEC_PER_SEC, "bound leaves now at the last timer run");
	cr_assert(clock_timer_armed(&k.t));
	clock_free(l.clk);
	cr_assert_not(clock_timer_armed(&k.t));
}

Test(clock, many_timers_come_out_sorted)
{
	struct fl_clock *clk = clock_new_virtual(0);
	enum { N = 1000 };
	static struct fl_timer t[N];
	uint64_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		clock_timer_init(&t[i]);
		clock_timer_start(clk, &t[i], (x >> 33) % 5000, NULL, NULL);
	}
	for (int i = 0; i < N; i += 3)
		clock_timer_stop(clk, &t[i]);
	uint64_t last = 0;
	size_t popped = 0;
	while (clock_next_deadline(clk) != CLOCK_NEVER && popped < N) {
		uint64_t d = clock_next_deadline(clk);
		cr_assert_geq(d, last);
		last = d;
		for (int i = 0; i < N; i++)
			if (clock_timer_armed(&t[i]) && t[i].when == d && t[i].heap_idx == 0) {
				clock_timer_stop(clk, &t[i]);
				popped++;
				break;
			}
	}
	cr_assert_eq(popped, N - (N + 2) / 3);
	clock_free(clk);
}

Test(clock, real_clock_runs_expired)
{
	struct log l = {.clk = clock_new_real()};
	cr_assert_not(clock_is_virtual(l.clk));
	struct tick k[2];
	tick_init(&k[0], &l, 'p');
	tick_init(&k[1], &l, 'f');
	uint64_t now = clock_now(l.clk);
	clock_timer_start(l.clk, &k[0].t, now - 1, tick_cb, &k[0]);
	clock_timer_start(l.clk, &k[1].t, now + 3600 * NSEC_PER_SEC, tick_cb, &k[1]);
	cr_assert_eq(clock_run_expired(l.clk), 1);
	cr_assert_str_eq(l.buf, "p");
	cr_assert_geq(clock_now(l.clk), now);
	clock_free(l.clk);
}
