/*
 * agent_sched.c - next fire times of a plan's schedule (agent_sched.h).
 *
 * The cron search walks forward in UTC seconds and reads local time at
 * each candidate, jumping a whole hour or most of a day when the hour or
 * the day cannot match. Jumps land on hour boundaries, where DST changes
 * happen, so a change is never jumped over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/agent_sched.h"
#include "faultline/rng.h"
#include "faultline/util.h"

#define HORIZON_S (5LL * 366 * 86400)

/* Switch TZ for a batch of conversions; zone_leave puts the old one back. */
struct zone {
	char *old;
	bool had, utc;
};

static void zone_enter(struct zone *z, const char *tz)
{
	z->utc = tz == NULL || strcmp(tz, "UTC") == 0;
	if (z->utc)
		return;
	const char *old = getenv("TZ");
	z->had = old != NULL;
	z->old = old ? xstrdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
}

static void zone_leave(struct zone *z)
{
	if (z->utc)
		return;
	if (z->had)
		setenv("TZ", z->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(z->old);
}

static bool zone_tm(const struct zone *z, int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	return (z->utc ? gmtime_r(&tt, tm) : localtime_r(&tt, tm)) != NULL;
}

int agent_sched_local(const char *tz, int64_t t, struct tm *tm)
{
	struct zone z;
	zone_enter(&z, tz);
	bool ok = zone_tm(&z, t, tm);
	zone_leave(&z);
	return ok ? 0 : -1;
}

static bool day_matches(const struct plan_cron *c, const struct tm *tm)
{
	if (!(c->months >> (tm->tm_mon + 1) & 1))
		return false;
	bool md = c->mdays >> tm->tm_mday & 1, wd = c->wdays >> tm->tm_wday & 1;
	if (!c->mday_any && !c->wday_any)
		return md || wd; /* cron ORs the day fields when both are restricted */
	return md && wd;
}

static bool time_matches(const struct plan_cron *c, int hour, int min)
{
	return (c->hours >> hour & 1) && (c->minutes >> min & 1);
}

/* A forward DST change at t skipped local minutes that would have matched. */
static bool gap_matched(const struct plan_cron *c, const struct zone *z, int64_t t, const struct tm *now)
{
	struct tm before;
	if (!zone_tm(z, t - 60, &before) || now->tm_gmtoff <= before.tm_gmtoff)
		return false;
	long skipped = (now->tm_gmtoff - before.tm_gmtoff) / 60;
	int m = before.tm_hour * 60 + before.tm_min;
	for (long i = 1; i <= skipped; i++) {
		int mm = (int)((m + i) % 1440);
		if (mm != now->tm_hour * 60 + now->tm_min && time_matches(c, mm / 60, mm % 60))
			return true;
	}
	return false;
}

/* t shows a local time already shown an offset-change earlier (backward change). */
static bool repeated(const struct zone *z, int64_t t, const struct tm *now)
{
	struct tm earlier;
	if (!zone_tm(z, t - 3 * 3600, &earlier) || earlier.tm_gmtoff <= now->tm_gmtoff)
		return false;
	struct tm first;
	int64_t t1 = t - (earlier.tm_gmtoff - now->tm_gmtoff);
	return zone_tm(z, t1, &first) && first.tm_gmtoff == earlier.tm_gmtoff && first.tm_hour == now->tm_hour &&
	       first.tm_min == now->tm_min;
}

/* Seconds to skip from a non-matching local time; 0 = this minute is a candidate. */
static int64_t skip(const struct plan_cron *c, const struct tm *tm)
{
	int to_hour = 60 - tm->tm_min;
	if (!day_matches(c, tm)) {
		int to_2300 = (23 - tm->tm_hour) * 60 - tm->tm_min;
		return 60LL * (to_2300 > to_hour ? to_2300 : to_hour);
	}
	if (!(c->hours >> tm->tm_hour & 1))
		return 60LL * to_hour;
	return 0;
}

static int64_t cron_search(const struct plan_cron *c, const struct zone *z, int64_t after)
{
	int64_t t = (after / 60 + 1) * 60;
	for (int64_t end = after + HORIZON_S; t <= end;) {
		struct tm tm;
		if (!zone_tm(z, t, &tm))
			return AGENT_SCHED_NONE;
		int64_t s = skip(c, &tm);
		if (s == 0 && time_matches(c, tm.tm_hour, tm.tm_min) && !repeated(z, t, &tm))
			return t;
		if (day_matches(c, &tm) && gap_matched(c, z, t, &tm))
			return t;
		t += s > 0 ? s : 60;
	}
	return AGENT_SCHED_NONE;
}

static int64_t cron_next(const struct plan_cron *c, const struct zone *z, int64_t after)
{
	if (c->every_ns != 0) {
		int64_t every = (int64_t)(c->every_ns / 1000000000ULL); /* whole seconds, >= 1 */
		if (every < 1 || after > INT64_MAX - every)
			return AGENT_SCHED_NONE;
		return (after / every + 1) * every;
	}
	return cron_search(c, z, after);
}

int64_t agent_sched_cron_next(const struct plan_cron *c, const char *tz, int64_t after)
{
	struct zone z;
	zone_enter(&z, tz);
	int64_t t = cron_next(c, &z, after);
	zone_leave(&z);
	return t;
}

static bool allowed(const struct plan_schedule *s, const struct zone *z, int64_t t)
{
	if (!s->has_window && s->nblackouts == 0)
		return true;
	struct tm tm;
	return zone_tm(z, t, &tm) && plan_schedule_allows_minute(s, tm.tm_hour * 60 + tm.tm_min);
}

bool agent_sched_allowed(const struct plan_schedule *s, int64_t t)
{
	struct zone z;
	zone_enter(&z, s->timezone);
	bool ok = allowed(s, &z, t);
	zone_leave(&z);
	return ok;
}

/* t is not allowed: the start of the next local minute that is (within a day), or NONE if none is. */
static int64_t next_allowed_minute(const struct plan_schedule *s, const struct zone *z, int64_t t)
{
	struct tm tm;
	if (!zone_tm(z, t, &tm))
		return AGENT_SCHED_NONE;
	int m = tm.tm_hour * 60 + tm.tm_min;
	for (int i = 1; i <= 1440; i++)
		if (plan_schedule_allows_minute(s, (m + i) % 1440))
			return t - tm.tm_sec + 60LL * i;
	return AGENT_SCHED_NONE;
}

/*
 * The zone is set once for the whole search. A fire time inside a blackout
 * jumps to the next allowed minute, so the search takes a few steps per
 * day whatever the cron step (`@every 1s` would otherwise step by seconds).
 */
int64_t agent_sched_next(const struct plan_schedule *s, int64_t after)
{
	struct zone z;
	zone_enter(&z, s->timezone);
	int64_t found = AGENT_SCHED_NONE;
	for (int64_t t = after, end = after + HORIZON_S; t <= end;) {
		t = cron_next(&s->cron, &z, t);
		if (t == AGENT_SCHED_NONE || allowed(s, &z, t)) {
			found = t;
			break;
		}
		if ((t = next_allowed_minute(s, &z, t)) == AGENT_SCHED_NONE)
			break;
		t--; /* cron_next looks strictly after */
	}
	zone_leave(&z);
	return found;
}

uint64_t agent_sched_jitter(const struct plan_schedule *s, uint64_t seed, const char *name, int64_t fire)
{
	if (s->jitter_ns == 0)
		return 0;
	struct rng r;
	rng_init(&r, seed ^ rng_salt(name), (uint64_t)fire);
	return rng_below(&r, s->jitter_ns);
}

int64_t agent_sched_first(const struct plan_schedule *s, int64_t last, int64_t now)
{
	if (s->missed == MISSED_RUN_ONCE && last > 0) {
		int64_t missed = agent_sched_next(s, last);
		if (missed != AGENT_SCHED_NONE && missed <= now && agent_sched_allowed(s, now))
			return now;
	}
	return agent_sched_next(s, now);
}
