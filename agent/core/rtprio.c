/* rtprio.c - a counted SCHED_FIFO hold (rtprio.h says when and why). */
#include "faultline/rtprio.h"

#include <sched.h>
#include <stdlib.h>

static unsigned holds;
static int state; /* 0 normal, 1 SCHED_FIFO, -1 not allowed or turned off */

static void set(bool on)
{
	if (state < 0 || (state == 1) == on)
		return;
	if (on && getenv("FAULTLINE_NO_RT") != NULL)
		return; /* asked again on the next hold: the bench switches it per pass */
	struct sched_param sp = {.sched_priority = on ? 1 : 0};
	if (sched_setscheduler(0, (on ? SCHED_FIFO : SCHED_OTHER) | SCHED_RESET_ON_FORK, &sp) == 0)
		state = on ? 1 : 0;
	else if (on)
		state = -1; /* not allowed: do not ask again */
}

void rtprio_hold(void)
{
	if (holds++ == 0)
		set(true);
}

void rtprio_release(void)
{
	if (holds == 0)
		return;
	if (--holds == 0)
		set(false);
}

bool rtprio_active(void)
{
	return state == 1;
}
