/*
 * probe.c - what every probe shares: cadence, deadline, thresholds, history.
 *
 * Checks start at a fixed rate (last start + cadence), never two at once;
 * a check that outlives its timeout is cancelled and counted as a failure.
 * The status only changes after `failures` consecutive failures or
 * `successes` consecutive successes, and every change is recorded with the
 * time that makes recovery measurable: the first failing check's start for
 * an outage, the deciding check's end for a recovery.
 */
#include "faultline/probe.h"

#include <stdio.h>
#include <string.h>

#include "faultline/log.h"
#include "faultline/rtprio.h"
#include "faultline/util.h"

int probe_init(struct probe *p, const struct probe_ops *ops, const struct plan_probe *cfg, struct loop *loop,
               struct fl_clock *clk, void *ctx, struct fl_err *e)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops != NULL ? ops : cfg->kind;
	p->cfg = cfg;
	p->loop = loop;
	p->clk = clk;
	p->ctx = ctx;
	p->status = PROBE_UNKNOWN;
	clock_timer_init(&p->tick);
	clock_timer_init(&p->deadline);
	if (p->ops == NULL)
		return err_set(e, "probe \"%s\": unknown kind", cfg->name);
	if (p->ops->init(p, e) < 0)
		return err_wrap(e, "probe \"%s\"", cfg->name);
	return 0;
}

void probe_fini(struct probe *p)
{
	probe_stop(p);
	if (p->ops != NULL && p->ops->fini != NULL)
		p->ops->fini(p);
}

uint64_t probe_hunt_gap(uint64_t elapsed, uint64_t cap)
{
	uint64_t gap = elapsed / PROBE_HUNT_RATIO;
	if (gap < PROBE_HUNT_MIN_NS)
		gap = PROBE_HUNT_MIN_NS;
	return gap < cap ? gap : cap;
}

/* A hunt measures a recovery to the millisecond: on a real clock it holds real-time priority. */
static void set_hunting(struct probe *p, bool on)
{
	if (p->hunting == on)
		return;
	p->hunting = on;
	if (clock_is_virtual(p->clk))
		return;
	if (on)
		rtprio_hold();
	else
		rtprio_release();
}

static uint64_t base_cadence(const struct probe *p)
{
	/* Down, or a fault is open: look closely. */
	if (p->fast || p->status == PROBE_DOWN)
		return p->cfg->fast_interval_ns;
	return p->cfg->interval_ns;
}

const char *probe_status_str(enum probe_status s)
{
	static const char *const names[] = {"unknown", "up", "down", "error"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

uint64_t probe_cadence(const struct probe *p)
{
	uint64_t c = base_cadence(p);
	if (!p->hunting)
		return c;
	return probe_hunt_gap(p->last_start > p->hunt_since ? p->last_start - p->hunt_since : 0, c);
}

static void record_change(struct probe *p, enum probe_status to, uint64_t at, const char *reason)
{
	enum probe_status from = p->status;
	probe_account(p, at);
	p->status = to;
	if (p->rec != NULL) {
		struct rec_probe *r = p->rec;
		r->changes = xreallocarray(r->changes, r->nchanges + 1, sizeof(*r->changes));
		r->changes[r->nchanges].at = at > p->rec_origin ? at - p->rec_origin : 0;
		r->changes[r->nchanges].status = to;
		r->changes[r->nchanges].reason = reason ? xstrdup(reason) : NULL;
		r->nchanges++;
	}
	log_info("probe %s: %s -> %s%s%s", p->cfg->name, probe_status_str(from), probe_status_str(to),
	         reason ? ": " : "", reason ? reason : "");
	if (p->listener.changed != NULL)
		p->listener.changed(p, from, to, at, p->listener.arg);
}

void probe_account(struct probe *p, uint64_t now)
{
	if (p->rec != NULL && now > p->status_since) {
		uint64_t d = now - p->status_since;
		switch (p->status) {
		case PROBE_UP:
			p->rec->up_ns += d;
			break;
		case PROBE_DOWN:
			p->rec->down_ns += d;
			break;
		case PROBE_ERROR:
			p->rec->error_ns += d;
			break;
		default:
			p->rec->unknown_ns += d;
			break;
		}
	}
	if (now > p->status_since)
		p->status_since = now;
}

static void schedule_next(struct probe *p);

static void on_deadline(void *arg)
{
	struct probe *p = arg;
	if (!p->in_flight)
		return;
	p->ops->cancel(p);
	char reason[64];
	snprintf(reason, sizeof(reason), "no answer within %llu ms",
	         (unsigned long long)(p->cfg->timeout_ns / NSEC_PER_MSEC));
	probe_check_done(p, CHECK_FAIL, reason);
}

static void on_tick(void *arg)
{
	struct probe *p = arg;
	if (!p->running || p->in_flight)
		return;
	uint64_t now = clock_now(p->clk);
	p->in_flight = true;
	p->check_started = now;
	p->last_start = now;
	clock_timer_start(p->clk, &p->deadline, now + p->cfg->timeout_ns, on_deadline, p);
	p->ops->start(p); /* may complete synchronously */
}

uint64_t probe_grid_align(uint64_t next, uint64_t cadence)
{
	uint64_t g = cadence / PROBE_GRID_DIV;
	if (g < PROBE_GRID_MIN_NS || next % g == 0)
		return next;
	return next - next % g + g;
}

static void schedule_next(struct probe *p)
{
	if (!p->running)
		return;
	uint64_t now = clock_now(p->clk);
	uint64_t c = probe_cadence(p), next = p->last_start + c;
	/*
	 * On a real clock, steady checks (the interval: no fault open, not
	 * down) share grid points so that one timer wake serves many probes;
	 * virtual time has no wakes to save. The fast cadence and a hunt stay
	 * exact: they are measuring a recovery.
	 */
	if (!p->hunting && !p->fast && p->status != PROBE_DOWN && !clock_is_virtual(p->clk))
		next = probe_grid_align(next, c);
	clock_timer_start(p->clk, &p->tick, next > now ? next : now, on_tick, p);
}

void probe_check_done(struct probe *p, enum check_result r, const char *reason)
{
	if (!p->in_flight)
		return;
	uint64_t now = clock_now(p->clk);
	p->in_flight = false;
	clock_timer_stop(p->clk, &p->deadline);
	if (p->rec != NULL) {
		p->rec->checks++;
		if (r == CHECK_FAIL)
			p->rec->failures++;
		else if (r == CHECK_ERROR)
			p->rec->errors++;
	}
	if (reason != NULL)
		snprintf(p->reason, sizeof(p->reason), "%s", reason);
	log_debug("probe %s: check %llu.%06llu -> %llu.%06llu ms: %s%s%s", p->cfg->name,
	          (unsigned long long)(p->check_started / NSEC_PER_MSEC),
	          (unsigned long long)(p->check_started % NSEC_PER_MSEC), (unsigned long long)(now / NSEC_PER_MSEC),
	          (unsigned long long)(now % NSEC_PER_MSEC),
	          r == CHECK_OK     ? "ok"
	          : r == CHECK_FAIL ? "fail"
	                            : "error",
	          reason ? ": " : "", reason ? reason : "");
	if (p->listener.checked != NULL)
		p->listener.checked(p, r, p->check_started, now, p->listener.arg);
	switch (r) {
	case CHECK_OK:
		p->streak_fail = 0;
		if (++p->streak_ok >= p->cfg->successes && p->status != PROBE_UP)
			record_change(p, PROBE_UP, now, NULL);
		break;
	case CHECK_FAIL:
		if (p->streak_fail++ == 0)
			p->first_fail_at = p->check_started;
		p->streak_ok = 0;
		if (p->streak_fail >= p->cfg->failures && p->status != PROBE_DOWN)
			record_change(p, PROBE_DOWN, p->first_fail_at, reason);
		break;
	case CHECK_ERROR:
		p->streak_ok = p->streak_fail = 0;
		if (p->status != PROBE_ERROR)
			record_change(p, PROBE_ERROR, now, reason);
		break;
	}
	if (p->hunting && p->status == PROBE_UP)
		set_hunting(p, false); /* found: the recovery is measured */
	if (p->kick_pending && p->running) {
		/* Something changed while this check ran: its answer may already be stale. */
		p->kick_pending = false;
		clock_timer_start(p->clk, &p->tick, now, on_tick, p);
		return;
	}
	schedule_next(p);
}

void probe_start(struct probe *p)
{
	if (p->running)
		return;
	p->running = true;
	p->status_since = clock_now(p->clk);
	clock_timer_start(p->clk, &p->tick, clock_now(p->clk), on_tick, p);
}

void probe_stop(struct probe *p)
{
	if (!p->running)
		return;
	p->running = false;
	set_hunting(p, false);
	clock_timer_stop(p->clk, &p->tick);
	clock_timer_stop(p->clk, &p->deadline);
	if (p->in_flight) {
		p->ops->cancel(p);
		p->in_flight = false;
	}
}

void probe_check_now(struct probe *p)
{
	if (!p->running)
		return;
	if (p->in_flight) {
		p->kick_pending = true; /* check again as soon as this one ends */
		return;
	}
	clock_timer_stop(p->clk, &p->tick);
	on_tick(p);
}

void probe_hunt(struct probe *p, uint64_t since)
{
	if (!p->running || (p->status == PROBE_UP && p->streak_fail == 0))
		return;
	if (p->hunting && p->hunt_since == since)
		return;
	set_hunting(p, true);
	p->hunt_since = since;
	if (!p->in_flight)
		schedule_next(p);
}

void probe_hunt_stop(struct probe *p)
{
	if (!p->hunting)
		return;
	set_hunting(p, false);
	if (p->running && !p->in_flight)
		schedule_next(p);
}

void probe_set_fast(struct probe *p, bool fast)
{
	if (p->fast == fast)
		return;
	p->fast = fast;
	if (p->running && !p->in_flight)
		schedule_next(p);
}
