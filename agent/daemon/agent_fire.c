/*
 * agent_fire.c - the schedule timer: start each plan's run when it is due,
 * honouring pause, per-cluster concurrency (queue or skip) and stop.
 *
 * The timer is re-armed to the earliest start but never more than a minute
 * ahead: schedules are wall-clock times and the wall clock can be set, so
 * the agent looks again at least once a minute.
 */
#include <string.h>
#include <time.h>

#include "agent_int.h"
#include "faultline/agent_sched.h"
#include "faultline/log.h"
#include "faultline/util.h"

#define TICK_MAX_NS (60 * NSEC_PER_SEC)

int64_t agent_wall(void)
{
	return wall_now_ns() / (int64_t)NSEC_PER_SEC;
}

/* The schedule's clock: the wall clock, unless a test brought its own to set it back and forth. */
static int64_t wall_ns(const struct agent *a)
{
	return a->wall_ns != NULL ? a->wall_ns() : wall_now_ns();
}

static void set_start(struct agent_plan *ap)
{
	if (ap->next == AGENT_SCHED_NONE)
		return;
	ap->start_ns = (uint64_t)ap->next * NSEC_PER_SEC +
	               agent_sched_jitter(&ap->plan->schedule, ap->plan->seed, ap->plan->name, ap->next);
}

void agent_plan_first(struct agent_plan *ap, int64_t now)
{
	ap->next = agent_sched_first(&ap->plan->schedule, ap->last_run, now);
	set_start(ap);
	if (ap->next == AGENT_SCHED_NONE)
		log_warnx("plan %s: schedule \"%s\" never fires within five years", ap->plan->name,
		          ap->plan->schedule.cron_text);
}

static void start_or_hold(struct agent *a, struct agent_plan *ap, int64_t fire)
{
	const char *name = ap->plan->name;
	if (!agent_cluster_busy(a, ap)) {
		ap->queued = false;
		agent_child_start(a, ap, fire);
	} else if (ap->plan->schedule.concurrency == CONCURRENCY_SKIP) {
		log_info("plan %s: due, skipped: a run is in progress on its cluster %s (concurrency: skip)", name,
		         ap->cluster_key);
	} else if (ap->queued) {
		log_info("plan %s: due, dropped: already queued behind a run on its cluster %s", name, ap->cluster_key);
	} else {
		ap->queued = true;
		log_info("plan %s: due, queued: a run is in progress on its cluster %s (concurrency: queue)", name,
		         ap->cluster_key);
	}
}

static void fire(struct agent *a, struct agent_plan *ap, int64_t now)
{
	int64_t due = ap->next;
	ap->last_run = due;
	ap->next = agent_sched_next(&ap->plan->schedule, due > now ? due : now); /* no burst after a clock jump */
	set_start(ap);
	agent_state_save(a->o->state_dir, &a->set);
	if (a->paused)
		log_info("plan %s: due, skipped: chaos is paused", ap->plan->name);
	else
		start_or_hold(a, ap, due);
}

static void on_tick(void *arg)
{
	struct agent *a = arg;
	agent_reschedule(a);
}

void agent_reschedule(struct agent *a)
{
	if (a->stopping)
		return;
	uint64_t now_ns = (uint64_t)wall_ns(a), wake = now_ns + TICK_MAX_NS;
	for (size_t i = 0; i < a->set.n; i++) {
		struct agent_plan *ap = &a->set.items[i];
		if (ap->next != AGENT_SCHED_NONE && ap->start_ns <= now_ns)
			fire(a, ap, (int64_t)(now_ns / NSEC_PER_SEC));
		if (ap->next != AGENT_SCHED_NONE && ap->start_ns < wake)
			wake = ap->start_ns;
	}
	uint64_t mono = clock_now(a->clk);
	clock_timer_start(a->clk, &a->tick, mono + (wake > now_ns ? wake - now_ns : 0) + NSEC_PER_MSEC, on_tick, a);
}

void agent_run_finished(struct agent *a)
{
	if (a->stopping) {
		if (a->runs == NULL)
			loop_stop(a->loop);
		return;
	}
	/*
	 * Least recently served first, per cluster: directory order starved the
	 * plans sorted last (one never ran in a 20-minute soak).
	 */
	for (;;) {
		struct agent_plan *oldest = NULL;
		for (size_t i = 0; i < a->set.n && !a->paused; i++) {
			struct agent_plan *ap = &a->set.items[i];
			if (ap->queued && (oldest == NULL || ap->served < oldest->served) && !agent_cluster_busy(a, ap))
				oldest = ap;
		}
		if (oldest == NULL)
			return;
		log_info("plan %s: its cluster is free: starting the queued run", oldest->plan->name);
		oldest->queued = false; /* started or failed (and logged): either way no longer queued */
		agent_child_start(a, oldest, wall_ns(a) / (int64_t)NSEC_PER_SEC);
	}
}
