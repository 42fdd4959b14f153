/*
 * test_agent_fire.c - the agent's schedule timer on a wall clock the test
 * sets: a forward jump fires the missed run once, not once per missed
 * period; a backward jump fires nothing and the agent still looks again
 * within a minute. Paused, so a due plan is logged and skipped instead of
 * starting a child run; the monotonic clock is virtual.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../agent/daemon/agent_int.h"
#include "faultline/agent_sched.h"
#include "faultline/plan.h"

#define T0 1000000000LL /* Unix s, a multiple of the plan's 2 s period */

static int64_t wall_s; /* what the agent's wall clock says */

static int64_t test_wall_ns(void)
{
	return wall_s * (int64_t)NSEC_PER_SEC;
}

struct fire_bench {
	struct agent a;
	struct agent_opts o;
	struct agent_plan ap;
	char dir[64];
};

static void setup(struct fire_bench *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "/tmp/faultline-fire-XXXXXX");
	cr_assert_not_null(mkdtemp(b->dir));
	struct fl_diag d;
	diag_init(&d, "quick.yaml");
	b->ap.plan = plan_load("tests/data/agent/plans/quick.yaml", &d); /* @every 2s, no jitter */
	diag_fini(&d);
	cr_assert_not_null(b->ap.plan);
	b->ap.cluster_key = "sim:topo";
	b->ap.last_exit = -1;
	b->o.state_dir = b->dir;
	b->a.o = &b->o;
	b->a.clk = clock_new_virtual(0);
	clock_timer_init(&b->a.tick);
	b->a.wall_ns = test_wall_ns;
	b->a.paused = true;
	b->a.set.items = &b->ap;
	b->a.set.n = 1;
	wall_s = T0;
	agent_plan_first(&b->ap, wall_s);
	cr_assert_eq(b->ap.next, T0 + 2);
}

static void teardown(struct fire_bench *b)
{
	clock_timer_stop(b->a.clk, &b->a.tick);
	clock_free(b->a.clk);
	plan_free(b->ap.plan);
	char *path = NULL;
	cr_assert_geq(asprintf(&path, "%s/last-run", b->dir), 0);
	unlink(path);
	free(path);
	rmdir(b->dir);
}

Test(agent_fire, fires_when_due_then_waits_for_the_next)
{
	struct fire_bench b;
	setup(&b);
	wall_s = T0 + 1;
	agent_reschedule(&b.a);
	cr_assert_eq(b.ap.last_run, 0, "not due yet");
	wall_s = T0 + 2;
	agent_reschedule(&b.a);
	cr_assert_eq(b.ap.last_run, T0 + 2);
	cr_assert_eq(b.ap.next, T0 + 4);
	teardown(&b);
}

Test(agent_fire, no_burst_after_a_clock_jump_forward)
{
	struct fire_bench b;
	setup(&b);
	wall_s = T0 + 2;
	agent_reschedule(&b.a);
	cr_assert_eq(b.ap.last_run, T0 + 2);
	wall_s = T0 + 3600; /* the clock is set an hour ahead: 1799 fire times were skipped */
	agent_reschedule(&b.a);
	cr_assert_eq(b.ap.last_run, T0 + 4, "the first missed fire time fires, once");
	cr_assert_eq(b.ap.next, T0 + 3602, "the next one is after now, not the next missed one");
	agent_reschedule(&b.a); /* the timer would call it again at once */
	cr_assert_eq(b.ap.last_run, T0 + 4, "no second fire at the same wall time");
	teardown(&b);
}

Test(agent_fire, a_clock_set_back_fires_nothing_and_looks_again_within_a_minute)
{
	struct fire_bench b;
	setup(&b);
	wall_s = T0 + 2;
	agent_reschedule(&b.a);
	wall_s = T0 - 3600;
	agent_reschedule(&b.a);
	cr_assert_eq(b.ap.last_run, T0 + 2);
	cr_assert_eq(b.ap.next, T0 + 4, "the schedule keeps its next fire time");
	cr_assert(clock_timer_armed(&b.a.tick));
	cr_assert_eq(b.a.tick.when - clock_now(b.a.clk), 60 * NSEC_PER_SEC + NSEC_PER_MSEC);
	teardown(&b);
}
