/* test_agent_sched.c - cron, @every, zones with DST, windows, blackouts, jitter, missed runs. */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "faultline/agent_sched.h"

#define JAN1_2024 1704067200LL /* Monday 00:00 UTC */
#define HOUR      3600LL
#define DAY       86400LL

static struct plan_schedule sched(const char *cron, const char *tz)
{
	struct plan_schedule s;
	memset(&s, 0, sizeof(s));
	size_t off;
	const char *why;
	cr_assert_eq(plan_parse_cron(cron, &s.cron, &off, &why), 0, "%s", cron);
	s.present = true;
	s.timezone = (char *)tz;
	return s;
}

/* How many times s fires in [from, to). */
static int count_fires(const struct plan_schedule *s, int64_t from, int64_t to, int64_t *first)
{
	int n = 0;
	for (int64_t t = agent_sched_next(s, from - 1); t != AGENT_SCHED_NONE && t < to; t = agent_sched_next(s, t)) {
		if (n++ == 0 && first != NULL)
			*first = t;
		cr_assert(n < 100000, "runaway");
	}
	return n;
}

Test(agent_sched, cron_fields_utc)
{
	struct plan_schedule s = sched("30 2 * * *", "UTC");
	cr_assert_eq(agent_sched_next(&s, JAN1_2024), JAN1_2024 + 2 * HOUR + 30 * 60);
	cr_assert_eq(agent_sched_next(&s, JAN1_2024 + 2 * HOUR + 30 * 60), JAN1_2024 + DAY + 2 * HOUR + 30 * 60);
}

Test(agent_sched, a_week_of_business_hours_in_milliseconds)
{
	struct plan_schedule s = sched("*/15 9-17 * * mon-fri", "UTC");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int64_t first = 0;
	int n = count_fires(&s, JAN1_2024, JAN1_2024 + 7 * DAY, &first);
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert_eq(n, 5 * 9 * 4);
	cr_assert_eq(first, JAN1_2024 + 9 * HOUR);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert_lt(ms, 2000.0, "a week took %.1f ms", ms);
}

Test(agent_sched, restricted_day_fields_are_ored)
{
	/* The 13th, or any Friday: Jan 2024 has Fridays 5, 12, 19, 26 and the 13th. */
	struct plan_schedule s = sched("0 0 13 * fri", "UTC");
	cr_assert_eq(count_fires(&s, JAN1_2024, JAN1_2024 + 31 * DAY, NULL), 5);
	struct plan_schedule s2 = sched("0 0 13 * *", "UTC");
	cr_assert_eq(count_fires(&s2, JAN1_2024, JAN1_2024 + 31 * DAY, NULL), 1);
}

Test(agent_sched, every_is_aligned_to_the_epoch)
{
	struct plan_schedule s = sched("@every 6h", "Europe/Paris");
	cr_assert_eq(agent_sched_next(&s, JAN1_2024 + 1000), JAN1_2024 + 6 * HOUR);
	cr_assert_eq(agent_sched_next(&s, JAN1_2024 + 6 * HOUR), JAN1_2024 + 12 * HOUR);
	struct plan_schedule s2 = sched("@every 2s", "UTC");
	cr_assert_eq(agent_sched_next(&s2, 101), 102);
}

Test(agent_sched, never_matching_gives_none)
{
	struct plan_schedule s = sched("0 0 30 feb *", "UTC");
	cr_assert_eq(agent_sched_next(&s, JAN1_2024), AGENT_SCHED_NONE);
}

Test(agent_sched, local_time_in_a_named_zone)
{
	struct tm tm;
	cr_assert_eq(agent_sched_local("Asia/Kolkata", JAN1_2024, &tm), 0);
	cr_assert_eq(tm.tm_hour, 5);
	cr_assert_eq(tm.tm_min, 30);
	cr_assert_eq(tm.tm_gmtoff, 5 * 3600 + 1800);
	struct plan_schedule s = sched("0 9 * * *", "Asia/Kolkata");
	cr_assert_eq(agent_sched_next(&s, JAN1_2024), JAN1_2024 + 3 * HOUR + 30 * 60);
}

Test(agent_sched, spring_forward_fires_once_after_the_gap)
{
	/* Paris 2024-03-31: 02:00 CET becomes 03:00 CEST; 02:30 does not exist. */
	struct plan_schedule s = sched("30 2 * * *", "Europe/Paris");
	int64_t t = agent_sched_next(&s, 1711800000);      /* 2024-03-30 12:00 UTC */
	cr_assert_eq(t, 1711846800);                       /* 03:00 CEST = 01:00 UTC */
	cr_assert_eq(agent_sched_next(&s, t), 1711931400); /* 2024-04-01 02:30 CEST */
}

Test(agent_sched, fall_back_fires_the_repeated_time_once)
{
	/* Paris 2024-10-27: 03:00 CEST becomes 02:00 CET; 02:30 happens twice. */
	struct plan_schedule s = sched("30 2 * * *", "Europe/Paris");
	int64_t t = agent_sched_next(&s, 1729944000);      /* 2024-10-26 12:00 UTC */
	cr_assert_eq(t, 1729989000);                       /* 02:30 CEST = 00:30 UTC */
	cr_assert_eq(agent_sched_next(&s, t), 1730079000); /* 2024-10-28 02:30 CET */
}

Test(agent_sched, hourly_over_dst_days_follows_the_local_clock)
{
	struct plan_schedule s = sched("0 * * * *", "America/New_York");
	cr_assert_eq(count_fires(&s, 1710046800, 1710129600, NULL), 23); /* 2024-03-10 has 23 hours */
	cr_assert_eq(count_fires(&s, 1730606400, 1730696400, NULL), 24); /* 2024-11-03: 25 hours, 1:00 once */
}

Test(agent_sched, window_crossing_midnight)
{
	struct plan_schedule s = sched("0 * * * *", "UTC");
	s.has_window = true;
	s.window = (struct plan_window){.start_min = 22 * 60, .end_min = 4 * 60};
	int64_t first = 0;
	cr_assert_eq(count_fires(&s, JAN1_2024 + 12 * HOUR, JAN1_2024 + 36 * HOUR, &first), 6); /* 22 23 0 1 2 3 */
	cr_assert_eq(first, JAN1_2024 + 22 * HOUR);
}

Test(agent_sched, blackouts_skip_fire_times)
{
	struct plan_schedule s = sched("0 * * * *", "Europe/Paris");
	struct plan_window b[2] = {{.start_min = 12 * 60, .end_min = 14 * 60}, {.start_min = 23 * 60, .end_min = 60}};
	s.blackouts = b;
	s.nblackouts = 2;
	/* Paris is UTC+1 in January: local 12:00, 13:00, 23:00, 00:00 are skipped. */
	cr_assert_eq(count_fires(&s, JAN1_2024, JAN1_2024 + DAY, NULL), 20);
	cr_assert_eq(agent_sched_next(&s, JAN1_2024 + 10 * HOUR), JAN1_2024 + 13 * HOUR); /* 14:00 local */
	cr_assert(!agent_sched_allowed(&s, JAN1_2024 + 11 * HOUR + 59 * 60));
}

Test(agent_sched, jitter_is_seeded_and_bounded)
{
	struct plan_schedule s = sched("@every 1h", "UTC");
	s.jitter_ns = 30ULL * 1000000000ULL;
	uint64_t a = agent_sched_jitter(&s, 42, "nightly", JAN1_2024);
	cr_assert_eq(agent_sched_jitter(&s, 42, "nightly", JAN1_2024), a);
	bool differs = false;
	for (int i = 1; i <= 24; i++) {
		uint64_t j = agent_sched_jitter(&s, 42, "nightly", JAN1_2024 + i * HOUR);
		cr_assert_lt(j, s.jitter_ns);
		differs |= j != a;
	}
	cr_assert(differs);
	cr_assert_neq(agent_sched_jitter(&s, 43, "nightly", JAN1_2024), a);
	s.jitter_ns = 0;
	cr_assert_eq(agent_sched_jitter(&s, 42, "nightly", JAN1_2024), 0);
}

Test(agent_sched, missed_runs_skip_or_run_once)
{
	struct plan_schedule s = sched("0 3 * * *", "UTC");
	int64_t last = JAN1_2024 + 3 * HOUR, now = JAN1_2024 + 2 * DAY + 12 * HOUR; /* two runs missed */
	s.missed = MISSED_SKIP;
	cr_assert_eq(agent_sched_first(&s, last, now), JAN1_2024 + 3 * DAY + 3 * HOUR);
	s.missed = MISSED_RUN_ONCE;
	cr_assert_eq(agent_sched_first(&s, last, now), now);
	cr_assert_eq(agent_sched_first(&s, 0, now), JAN1_2024 + 3 * DAY + 3 * HOUR, "never ran: nothing missed");
	cr_assert_eq(agent_sched_first(&s, now - HOUR, now), JAN1_2024 + 3 * DAY + 3 * HOUR, "nothing missed");
	struct plan_window b = {.start_min = 11 * 60, .end_min = 13 * 60};
	s.blackouts = &b;
	s.nblackouts = 1;
	cr_assert_eq(agent_sched_first(&s, last, now), JAN1_2024 + 3 * DAY + 3 * HOUR, "now is in a blackout");
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Blackouts covering the whole day (issue 18): the search used to step
 * `@every 1s` through five years, resetting TZ at each step, and the agent
 * hung at start-up. Now: none at once; and one free minute a day is found
 * in a few steps, not one per second.
 */
Test(agent_sched, whole_day_blackouts_give_none_at_once, .timeout = 10)
{
	struct plan_schedule s = sched("@every 1s", "Europe/Paris");
	struct plan_window b[2] = {{.start_min = 0, .end_min = 12 * 60}, {.start_min = 12 * 60, .end_min = 0}};
	s.blackouts = b;
	s.nblackouts = 2;
	double t0 = cpu_s();
	cr_assert_eq(agent_sched_next(&s, JAN1_2024), AGENT_SCHED_NONE);
	s.cron = sched("* * * * *", "Europe/Paris").cron;
	cr_assert_eq(agent_sched_next(&s, JAN1_2024), AGENT_SCHED_NONE);
	cr_assert_lt(cpu_s() - t0, 0.1, "took %.3f s", cpu_s() - t0);
	b[1].end_min = 23 * 60 + 59; /* 23:59 local stays free */
	s.cron = sched("@every 1s", "Europe/Paris").cron;
	t0 = cpu_s();
	cr_assert_eq(agent_sched_next(&s, JAN1_2024), JAN1_2024 + 22 * HOUR + 59 * 60); /* 23:59 in Paris */
	cr_assert_eq(count_fires(&s, JAN1_2024, JAN1_2024 + 30 * DAY, NULL), 30 * 60);
	cr_assert_lt(cpu_s() - t0, 0.5, "took %.3f s", cpu_s() - t0);
}
