/*
 * rtprio.h - real-time priority while something timing-critical is pending.
 *
 * Measured on a 2-CPU VM beside two busy loops: a timer wake under the
 * normal scheduler is p99 17 ms late (max 27 ms); under SCHED_FIFO the same
 * wake is p99 0.04 ms late. So while an injection is near (run_sched.c) or a
 * probe hunts for a service that the cluster says is Online (probe.c), the
 * process holds SCHED_FIFO priority 1, and drops it when the last hold goes.
 *
 * Best effort: without the right (root, CAP_SYS_NICE or RLIMIT_RTPRIO) or
 * with FAULTLINE_NO_RT set, holds count but change nothing. Taken with
 * SCHED_RESET_ON_FORK, so commands and exec probes never inherit it.
 * One thread: not thread-safe.
 */
#ifndef FAULTLINE_RTPRIO_H
#define FAULTLINE_RTPRIO_H

#include <stdbool.h>

void rtprio_hold(void);
void rtprio_release(void);
/* True while the process runs at real-time priority. */
bool rtprio_active(void);

#endif
