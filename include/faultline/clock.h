/*
 * clock.h - the time source and timer heap shared by the engine and the
 * simulator.
 *
 * Two kinds of clock behind one interface: real (CLOCK_MONOTONIC) and
 * virtual (time stands still until the owner advances it, jumping from
 * timer to timer). Timers live in a min-heap ordered by deadline, ties
 * broken by a sequence number so equal deadlines fire in start order: that
 * is what makes virtual-time runs byte-for-byte deterministic.
 *
 * A struct fl_timer is embedded in its owner (libuv style); stop it before
 * freeing the owner. Times are nanoseconds.
 */
#ifndef FAULTLINE_CLOCK_H
#define FAULTLINE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL
#define CLOCK_NEVER   UINT64_MAX

struct fl_clock;
typedef void (*clock_timer_cb)(void *arg);

struct fl_timer {
	uint64_t when;
	uint64_t seq;
	clock_timer_cb cb;
	void *arg;
	size_t heap_idx; /* position in the heap, SIZE_MAX when not armed */
};

/* A virtual clock starting at `start` ns. */
struct fl_clock *clock_new_virtual(uint64_t start);
/* A real clock on CLOCK_MONOTONIC. */
struct fl_clock *clock_new_real(void);
/* Frees the clock; timers still armed are simply forgotten. */
void clock_free(struct fl_clock *clk);

bool clock_is_virtual(const struct fl_clock *clk);
/* Current time. Real clocks read CLOCK_MONOTONIC each call. */
uint64_t clock_now(const struct fl_clock *clk);

/* Initialise a timer (not armed). */
void clock_timer_init(struct fl_timer *t);
/* Arm (or re-arm) t to fire at absolute time `when`. */
void clock_timer_start(struct fl_clock *clk, struct fl_timer *t, uint64_t when, clock_timer_cb cb, void *arg);
/* Disarm; harmless when not armed. */
void clock_timer_stop(struct fl_clock *clk, struct fl_timer *t);
bool clock_timer_armed(const struct fl_timer *t);

/* Earliest armed deadline, or CLOCK_NEVER. */
uint64_t clock_next_deadline(const struct fl_clock *clk);
/*
 * Run every timer whose deadline is <= now, in deadline order (timers that
 * callbacks arm for <= now run too). Returns how many ran.
 */
size_t clock_run_expired(struct fl_clock *clk);
/*
 * Virtual clocks only: run every timer due up to `until` in order, setting
 * now to each timer's deadline before its callback; then now = until.
 * Returns how many ran. `max_timers` bounds the work (0 = no bound) so a
 * runaway scenario stops by itself.
 */
size_t clock_advance(struct fl_clock *clk, uint64_t until, size_t max_timers);
/* Virtual clocks only: jump to the next deadline and run what is due there. */
size_t clock_step(struct fl_clock *clk);

#endif
