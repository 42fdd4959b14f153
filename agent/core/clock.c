/*
 * clock.c - real and virtual clocks over one timer min-heap.
 *
 * The heap holds pointers to timers embedded in their owners, ordered by
 * (when, seq): seq grows with every start, so timers due at the same
 * instant fire in the order they were armed. Virtual runs are therefore
 * reproducible to the byte.
 */
#include "faultline/clock.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "faultline/log.h"
#include "faultline/util.h"

struct fl_clock {
	bool virt;
	uint64_t now; /* virtual time; unused for real clocks */
	uint64_t seq;
	struct fl_timer **heap;
	size_t n, cap;
};

static struct fl_clock *clock_alloc(bool virt, uint64_t start)
{
	struct fl_clock *clk = xcalloc(1, sizeof(*clk));
	clk->virt = virt;
	clk->now = start;
	return clk;
}

struct fl_clock *clock_new_virtual(uint64_t start)
{
	return clock_alloc(true, start);
}

struct fl_clock *clock_new_real(void)
{
	return clock_alloc(false, 0);
}

void clock_free(struct fl_clock *clk)
{
	if (clk == NULL)
		return;
	/* Forget armed timers so a later clock_timer_armed() says false. */
	for (size_t i = 0; i < clk->n; i++)
		clk->heap[i]->heap_idx = SIZE_MAX;
	free(clk->heap);
	free(clk);
}

bool clock_is_virtual(const struct fl_clock *clk)
{
	return clk->virt;
}

uint64_t clock_now(const struct fl_clock *clk)
{
	if (clk->virt)
		return clk->now;
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fatal("clock_gettime(CLOCK_MONOTONIC)");
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void clock_timer_init(struct fl_timer *t)
{
	t->when = 0;
	t->seq = 0;
	t->cb = NULL;
	t->arg = NULL;
	t->heap_idx = SIZE_MAX;
}

bool clock_timer_armed(const struct fl_timer *t)
{
	return t->heap_idx != SIZE_MAX;
}

static bool earlier(const struct fl_timer *a, const struct fl_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_place(struct fl_clock *clk, size_t i, struct fl_timer *t)
{
	clk->heap[i] = t;
	t->heap_idx = i;
}

static void sift_up(struct fl_clock *clk, size_t i)
{
	struct fl_timer *t = clk->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(t, clk->heap[parent]))
			break;
		heap_place(clk, i, clk->heap[parent]);
		i = parent;
	}
	heap_place(clk, i, t);
}

static void sift_down(struct fl_clock *clk, size_t i)
{
	struct fl_timer *t = clk->heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= clk->n)
			break;
		if (child + 1 < clk->n && earlier(clk->heap[child + 1], clk->heap[child]))
			child++;
		if (!earlier(clk->heap[child], t))
			break;
		heap_place(clk, i, clk->heap[child]);
		i = child;
	}
	heap_place(clk, i, t);
}

void clock_timer_stop(struct fl_clock *clk, struct fl_timer *t)
{
	size_t i = t->heap_idx;
	if (i == SIZE_MAX)
		return;
	t->heap_idx = SIZE_MAX;
	clk->n--;
	if (i == clk->n)
		return;
	clk->heap[i] = clk->heap[clk->n];
	clk->heap[i]->heap_idx = i;
	sift_down(clk, i);
	sift_up(clk, clk->heap[i]->heap_idx);
}

void clock_timer_start(struct fl_clock *clk, struct fl_timer *t, uint64_t when, clock_timer_cb cb, void *arg)
{
	clock_timer_stop(clk, t);
	t->when = when;
	t->seq = clk->seq++;
	t->cb = cb;
	t->arg = arg;
	XGROW(clk->heap, clk->cap, clk->n + 1);
	clk->heap[clk->n] = t;
	t->heap_idx = clk->n++;
	sift_up(clk, t->heap_idx);
}

uint64_t clock_next_deadline(const struct fl_clock *clk)
{
	return clk->n ? clk->heap[0]->when : CLOCK_NEVER;
}

/* Pop the earliest timer and run it; the timer may be re-armed by its callback. */
static void run_top(struct fl_clock *clk)
{
	struct fl_timer *t = clk->heap[0];
	clock_timer_stop(clk, t);
	t->cb(t->arg);
}

size_t clock_run_expired(struct fl_clock *clk)
{
	uint64_t now = clock_now(clk); /* read once: a real clock's work is bounded */
	size_t ran = 0;
	while (clk->n && clk->heap[0]->when <= now) {
		run_top(clk);
		ran++;
	}
	return ran;
}

size_t clock_advance(struct fl_clock *clk, uint64_t until, size_t max_timers)
{
	if (!clk->virt)
		fatalx("clock_advance on a real clock");
	size_t ran = 0;
	while (clk->n && clk->heap[0]->when <= until) {
		if (max_timers && ran == max_timers)
			return ran; /* bound hit: now stays at the last timer run */
		if (clk->heap[0]->when > clk->now)
			clk->now = clk->heap[0]->when;
		run_top(clk);
		ran++;
	}
	if (until > clk->now)
		clk->now = until;
	return ran;
}

size_t clock_step(struct fl_clock *clk)
{
	if (!clk->virt)
		fatalx("clock_step on a real clock");
	if (clk->n == 0)
		return 0;
	if (clk->heap[0]->when > clk->now)
		clk->now = clk->heap[0]->when;
	return clock_run_expired(clk);
}
