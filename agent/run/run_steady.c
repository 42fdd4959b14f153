/*
 * run_steady.c - steady state after the restore (Chaos Toolkit's
 * steady-state hypothesis checked again after the method, Litmus'
 * end-of-test probes): once the restore has put the cluster back, every
 * probe must pass its `successes` consecutive checks within
 * run.steady_state, or the run fails "not steady after restore", naming
 * the probe. The checks are not part of the run's record (availability,
 * timelines end with the faults phase); the verdict is one more SLO row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/util.h"
#include "run_int.h"

#define STEADY_POLL_NS (100 * NSEC_PER_MSEC)

struct after {
	struct run *r;
	unsigned *ok; /* consecutive successful checks since the restore, per probe */
};

static void after_changed(struct probe *p, enum probe_status from, enum probe_status to, uint64_t at, void *arg)
{
	(void)p, (void)from, (void)to, (void)at, (void)arg;
}

static void after_checked(struct probe *p, enum check_result res, uint64_t started, uint64_t finished, void *arg)
{
	(void)started, (void)finished;
	struct after *a = arg;
	unsigned *ok = &a->ok[p->index];
	if (res != CHECK_OK)
		*ok = 0;
	else if (*ok < p->cfg->successes)
		(*ok)++;
}

static size_t first_not_up(const struct after *a)
{
	for (size_t i = 0; i < a->r->nprobes; i++)
		if (a->ok[i] < a->r->probes[i].cfg->successes)
			return i;
	return SIZE_MAX;
}

static void on_poll(void *arg)
{
	(void)arg; /* only wakes the loop */
}

static void add_failure(struct run *r, const char *detail)
{
	struct run_record *rec = r->rec;
	rec->slos = xreallocarray(rec->slos, rec->nslos + 1, sizeof(*rec->slos));
	struct rec_slo *s = &rec->slos[rec->nslos++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("steady-after-restore");
	s->kind = xstrdup("steady_state");
	s->verdict = SLO_FAIL;
	s->detail = xstrdup(detail);
}

char *run_steady_after(struct run *r)
{
	if (!r->probes_started || r->nprobes == 0 || r->plan->guards.restore == RESTORE_NEVER || r->loop == NULL)
		return NULL;
	struct after a = {.r = r, .ok = xcalloc(r->nprobes, sizeof(unsigned))};
	for (size_t i = 0; i < r->nprobes; i++) {
		struct probe *p = &r->probes[i];
		p->rec = NULL; /* the run's record ends with the faults phase */
		p->listener = (struct probe_listener){.changed = after_changed, .checked = after_checked, .arg = &a};
		probe_set_fast(p, true);
		probe_start(p);
	}
	uint64_t start = clock_now(r->clk), deadline = start + r->plan->run.steady_state_ns;
	struct fl_timer poll;
	clock_timer_init(&poll);
	while (first_not_up(&a) != SIZE_MAX && clock_now(r->clk) < deadline) {
		uint64_t now = clock_now(r->clk);
		clock_timer_start(r->clk, &poll, now + STEADY_POLL_NS < deadline ? now + STEADY_POLL_NS : deadline,
		                  on_poll, NULL);
		loop_run_once(r->loop);
	}
	clock_timer_stop(r->clk, &poll);
	for (size_t i = 0; i < r->nprobes; i++)
		probe_stop(&r->probes[i]);
	size_t bad = first_not_up(&a);
	char b[32];
	char *why = NULL;
	if (bad == SIZE_MAX) {
		run_progress(r, "steady after restore: every probe up after %s",
		             duration_human(clock_now(r->clk) - start, b, sizeof(b)));
	} else {
		const struct probe *p = &r->probes[bad];
		why = xasprintf("not steady after restore: probe %s is not up after %s (%s)", p->cfg->name,
		                duration_format(r->plan->run.steady_state_ns, b, sizeof(b)),
		                p->reason[0] ? p->reason : "no successful check");
		run_progress(r, "%s", why);
	}
	free(a.ok);
	return why;
}

void run_steady_record(struct run *r, const char *why)
{
	if (why != NULL)
		add_failure(r, why);
}
