/*
 * agent_sched.h - when the agent runs a plan: pure functions of a plan's
 * `schedule:` and a wall-clock time, so a week of schedule is tested in
 * milliseconds.
 *
 * Times are Unix seconds (UTC) except jitter, in nanoseconds. Cron fields
 * are matched against local time in the schedule's zone:
 *   - a local time skipped by a forward DST change fires once, at the first
 *     instant after the change (as cronie does);
 *   - a local time repeated by a backward change fires once, the first time.
 * `@every D` fires at the multiples of D since the Unix epoch, whatever the
 * zone, so restarts do not move it.
 * The window and blackouts judge the nominal fire time (before jitter): a
 * fire time outside the window or inside a blackout is skipped, not deferred.
 */
#ifndef FAULTLINE_AGENT_SCHED_H
#define FAULTLINE_AGENT_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "faultline/plan.h"

#define AGENT_SCHED_NONE INT64_MIN /* no fire time within the search horizon */

/*
 * Local time of t in zone tz ("UTC" or an IANA name). Uses TZ and tzset,
 * restoring TZ after: single-threaded callers only. 0, or -1 when t does
 * not convert.
 */
int agent_sched_local(const char *tz, int64_t t, struct tm *tm);

/*
 * The first time strictly after `after` (whole seconds) that the cron
 * expression matches in tz, or AGENT_SCHED_NONE if there is none within
 * five years (e.g. "0 0 30 2 *").
 */
int64_t agent_sched_cron_next(const struct plan_cron *c, const char *tz, int64_t after);

/* True if a run may start at t: inside the window (if any), outside every blackout. */
bool agent_sched_allowed(const struct plan_schedule *s, int64_t t);

/* The first allowed fire time strictly after `after`, or AGENT_SCHED_NONE. */
int64_t agent_sched_next(const struct plan_schedule *s, int64_t after);

/*
 * The start delay of the run due at `fire`: in [0, jitter), a function of
 * the plan's seed, its name and the fire time only (same inputs, same delay).
 */
uint64_t agent_sched_jitter(const struct plan_schedule *s, uint64_t seed, const char *name, int64_t fire);

/*
 * When the agent, starting at `now`, should first fire a plan last fired
 * at `last` (0 = never). With `missed: run_once`, a fire time missed in
 * (last, now] gives `now` itself if now is allowed; otherwise (and with
 * `skip`) the next fire time after now.
 */
int64_t agent_sched_first(const struct plan_schedule *s, int64_t last, int64_t now);

#endif
