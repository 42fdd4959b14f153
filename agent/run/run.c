/*
 * run.c - one run's phases: open, steady state, settle, faults, restore,
 * judge. Everything happens in the event loop: probe timers, the cluster's
 * notification fd, signals, and the run's own deadlines.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "faultline/cmd.h"
#include "faultline/digest.h"
#include "faultline/duration.h"
#include "faultline/live.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/sim.h"
#include "faultline/util.h"
#include "run_int.h"

uint64_t run_now(const struct run *r)
{
	return clock_now(r->clk) - r->t0;
}

void run_progress(struct run *r, const char *fmt, ...)
{
	if (r->opts->progress == NULL && r->opts->live == NULL)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uint64_t t = run_now(r);
	if (r->opts->run_id != NULL) { /* under the agent, several runs share one log */
		char *tagged = xasprintf("run %s: %s", r->opts->run_id, msg);
		snprintf(msg, sizeof(msg), "%s", tagged);
		free(tagged);
	}
	if (r->opts->live != NULL) {
		char *line = xasprintf("[%4llu.%03llus] %s", (unsigned long long)(t / NSEC_PER_SEC),
		                       (unsigned long long)(t % NSEC_PER_SEC / NSEC_PER_MSEC), msg);
		live_log(r->opts->live, line);
		free(line);
		return;
	}
	fprintf(r->opts->progress, "[%4llu.%03llus] %s\n", (unsigned long long)(t / NSEC_PER_SEC),
	        (unsigned long long)(t % NSEC_PER_SEC / NSEC_PER_MSEC), msg);
	fflush(r->opts->progress);
}

static void finish(struct run *r)
{
	if (r->phase >= PH_RESTORE)
		return;
	r->phase = PH_RESTORE;
	run_event_phase(r);
	if (r->loop == NULL)
		return;
	sched_stop(r);
	run_view_stop(r);
	clock_timer_stop(r->clk, &r->phase_timer);
	clock_timer_stop(r->clk, &r->deadline_timer);
	loop_stop(r->loop);
}

void run_stop(struct run *r, enum verdict_reason why, const char *fmt, ...)
{
	if (r->phase >= PH_RESTORE)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	run_progress(r, "aborting: %s", msg);
	r->stop = why;
	r->abort_reason = xstrdup(msg);
	finish(r);
}

void run_maybe_finish(struct run *r)
{
	if (r->phase == PH_FAULTS && r->nopen == 0 && sched_all_done(r)) {
		run_progress(r, "all faults done");
		finish(r);
	}
}

void run_set_fast(struct run *r, bool fast)
{
	for (size_t i = 0; i < r->nprobes; i++)
		probe_set_fast(&r->probes[i], fast);
}

/* A check that costs microseconds can run every 1.5 ms: tcp, and the virtual network. */
static bool can_hunt(const struct probe *p)
{
	return p->ops == &probe_tcp_ops || p->ops == &probe_vnet_ops;
}

/*
 * Once an open trial's target is back Online, a probe that has not seen the
 * service recover yet hunts for it: the service may lag the cluster by
 * anything from nothing to minutes, and the cadence alone would add up to
 * fast_interval to the measured recovery.
 */
void run_update_hunt(struct run *r)
{
	for (size_t i = 0; i < r->nprobes; i++) {
		struct probe *p = &r->probes[i];
		if (!can_hunt(p))
			continue;
		bool want = false;
		uint64_t since = 0;
		for (const struct open_trial *t = r->open; t != NULL; t = t->next)
			if (t->target_back && t->ms[i] != M_DONE) {
				want = true;
				since = t->target_back_at > since ? t->target_back_at : since;
			}
		if (want)
			probe_hunt(p, r->t0 + since);
		else
			probe_hunt_stop(p);
	}
}

bool run_all_probes_up(const struct run *r, const char **which)
{
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].status != PROBE_UP) {
			if (which != NULL)
				*which = r->probes[i].cfg->name;
			return false;
		}
	return true;
}

static void on_settled(void *arg)
{
	struct run *r = arg;
	r->phase = PH_FAULTS;
	r->faults_from = run_now(r);
	run_event_phase(r);
	run_progress(r, "settled; faults begin");
	sched_start(r);
}

static void on_steady_timeout(void *arg)
{
	struct run *r = arg;
	const char *down = "?";
	run_all_probes_up(r, &down);
	size_t i = 0;
	while (i < r->nprobes && strcmp(r->probes[i].cfg->name, down) != 0)
		i++;
	const char *why = i < r->nprobes && r->probes[i].reason[0] ? r->probes[i].reason : "no successful check";
	char b[32];
	run_stop(r, REASON_NOT_STEADY, "not steady: probe %s is %s after %s (%s); nothing was injected", down,
	         i < r->nprobes ? probe_status_str(r->probes[i].status) : "?",
	         duration_format(r->plan->run.steady_state_ns, b, sizeof(b)), why);
}

static void on_abort_guard(void *arg)
{
	struct abort_guard *g = arg;
	const struct plan_abort *a = &g->run->plan->guards.abort_when[g->index];
	char b[32];
	run_stop(g->run, REASON_GUARD, "guard abort_when: probe %s down for %s", a->probe,
	         duration_format(a->down_for_ns, b, sizeof(b)));
}

static void steady_check(struct run *r)
{
	if (r->phase != PH_STEADY || !run_all_probes_up(r, NULL))
		return;
	char b[32];
	r->phase = PH_SETTLE;
	run_event_phase(r);
	clock_timer_stop(r->clk, &r->phase_timer);
	run_progress(r, "steady: every probe is up; settling for %s",
	             duration_format(r->plan->run.settle_ns, b, sizeof(b)));
	clock_timer_start(r->clk, &r->phase_timer, clock_now(r->clk) + r->plan->run.settle_ns, on_settled, r);
}

static void on_probe_change(struct probe *p, enum probe_status from, enum probe_status to, uint64_t at, void *arg)
{
	(void)from;
	struct run *r = arg;
	size_t idx = p->index;
	const struct plan_guards *g = &r->plan->guards;
	for (size_t i = 0; i < g->nabort; i++) {
		if (g->abort_when[i].probe_idx != idx)
			continue;
		if (to == PROBE_DOWN)
			clock_timer_start(r->clk, &r->guards[i].timer, at + g->abort_when[i].down_for_ns,
			                  on_abort_guard, &r->guards[i]);
		else
			clock_timer_stop(r->clk, &r->guards[i].timer);
	}
	if (r->phase == PH_FAULTS) {
		trial_on_probe_change(r, idx, to, at);
		run_update_hunt(r);
	}
	steady_check(r);
	if (to == PROBE_UP && r->phase == PH_FAULTS)
		sched_kick(r);
}

static void on_probe_check(struct probe *p, enum check_result res, uint64_t started, uint64_t finished, void *arg)
{
	(void)finished;
	struct run *r = arg;
	if (r->phase == PH_FAULTS)
		trial_on_probe_check(r, p->index, res, started);
}

static void record_event(struct run *r, const struct cluster_event *ev)
{
	struct run_record *rec = r->rec;
	XGROW(rec->events, rec->capevents, rec->nevents + 1);
	struct rec_event *re = &rec->events[rec->nevents++];
	/* The backend's own timestamp when it has one: for the simulator that is the ground truth. */
	re->at = ev->at >= r->t0 ? ev->at - r->t0 : run_now(r);
	re->resource = xstrdup(ev->name);
	re->state = ev->state;
	re->node = ev->owner ? xstrdup(ev->owner) : NULL;
}

static void kick_cluster_probes(struct run *r, const struct cluster_event *ev)
{
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].ops == &probe_cluster_ops)
			probe_cluster_event(&r->probes[i], ev->name, ev->state);
}

/*
 * A state change of an open trial's target is the moment the service may
 * have changed too: every probe checks now instead of waiting for its next
 * tick. A service that answers as soon as the cluster says Online is then
 * measured within microseconds; one that comes up later is still found by
 * the fast cadence.
 */
static void kick_service_probes(struct run *r, const char *resource)
{
	bool target = false;
	for (const struct open_trial *t = r->open; t != NULL && !target; t = t->next)
		target = strcmp(t->resource, resource) == 0;
	for (size_t i = 0; target && i < r->nprobes; i++)
		if (r->probes[i].ops != &probe_cluster_ops)
			probe_check_now(&r->probes[i]);
}

/* A node fault's group changed: its trials learn, and the service probes look now. */
static void trial_on_group_event_kick(struct run *r, const struct cluster_event *ev)
{
	bool target = false;
	for (const struct open_trial *t = r->open; t != NULL && !target; t = t->next)
		target = t->group_mode && strcmp(t->group, ev->name) == 0;
	trial_on_event(r, ev);
	for (size_t i = 0; target && i < r->nprobes; i++)
		if (r->probes[i].ops != &probe_cluster_ops)
			probe_check_now(&r->probes[i]);
	if (target)
		run_update_hunt(r);
}

static void on_cluster_event(const struct cluster_event *ev, void *arg)
{
	struct run *r = arg;
	if (ev->kind == CLUSTER_EV_RESOURCE && watch_find(r, ev->name) != NULL) {
		record_event(r, ev);
		if (r->phase == PH_FAULTS)
			trial_on_event(r, ev);
		kick_cluster_probes(r, ev);
		if (r->phase == PH_FAULTS) {
			kick_service_probes(r, ev->name);
			run_update_hunt(r);
		}
	}
	if (ev->kind == CLUSTER_EV_GROUP && r->phase == PH_FAULTS)
		trial_on_group_event_kick(r, ev);
	if (ev->kind == CLUSTER_EV_NODE && r->phase == PH_FAULTS)
		trial_node_settle_all(r); /* a node reached its state: its group-less trials look now */
	if (ev->kind == CLUSTER_EV_RESYNC && r->phase == PH_FAULTS)
		trial_on_resync(r);
	if (ev->kind == CLUSTER_EV_RESYNC) /* events may be lost: ask the backend again */
		for (size_t i = 0; i < r->nprobes; i++)
			if (r->probes[i].ops == &probe_cluster_ops) {
				for (size_t k = 0; k < r->cpctx[i].n; k++)
					r->cpctx[i].seen[k] = RES_UNKNOWN;
				probe_check_now(&r->probes[i]);
			}
}

static void on_cluster_fd(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	struct run *r = arg;
	struct fl_err e;
	if (r->cl->ops->drain(r->cl, on_cluster_event, r, &e) < 0)
		run_stop(r, REASON_BACKEND_ERROR, "cluster events: %s", e.msg);
	if (r->phase == PH_FAULTS)
		sched_kick(r);
}

static void on_signal(int signo, void *arg)
{
	struct run *r = arg;
	if (signo == SIGWINCH) { /* the terminal was resized: repaint to its new size at once */
		if (r->phase < PH_RESTORE)
			run_view_draw(r);
		return;
	}
	run_stop(r, REASON_SIGNAL, "received %s", strsignal(signo));
}

static void on_deadline(void *arg)
{
	struct run *r = arg;
	char b[32];
	run_stop(r, REASON_DEADLINE, "run deadline of %s reached with faults still pending",
	         duration_format(r->plan->run.deadline_ns, b, sizeof(b)));
}

/* Only node faults use selector i: it picks nodes, not resources. */
static bool node_only_selector(const struct plan *p, size_t i)
{
	bool node = false;
	for (size_t k = 0; k < p->nfaults; k++) {
		if (p->faults[k].target_idx != i)
			continue;
		if (!plan_action_is_node(p->faults[k].action))
			return false;
		node = true;
	}
	for (size_t k = 0; k < p->nprobes; k++)
		if ((p->probes[k].kind->caps & PROBE_CAP_CLUSTER) && p->probes[k].cluster_idx == i)
			return false;
	for (size_t k = 0; k < p->nslos; k++)
		if (p->slos[k].target_idx == i)
			return false;
	return node;
}

/* Resolve every selector against the cluster as it is now. */
static int resolve_selectors(struct run *r)
{
	const struct plan *p = r->plan;
	r->sels = xcalloc(p->nselectors ? p->nselectors : 1, sizeof(*r->sels));
	for (size_t i = 0; i < p->nselectors; i++) {
		struct fl_err e;
		if (node_only_selector(p, i))
			continue; /* node faults resolve it against nodes (run_node.c) */
		if (select_resolve(&p->selectors[i], p->guards.protect, &r->initial, p->seed, &r->sels[i], &e) < 0) {
			run_stop(r, REASON_INVALID, "%s", e.msg);
			return -1;
		}
	}
	return 0;
}

static const struct probe_ops *ops_for(struct run *r, const struct plan_probe *pp)
{
	/* In virtual time the simulator's endpoints are simulated too. */
	if (r->opts->virtual_time && (pp->kind->caps & PROBE_CAP_NETWORK))
		return &probe_vnet_ops;
	return pp->kind;
}

static void record_probe(struct run *r, size_t i)
{
	const struct plan_probe *pp = &r->plan->probes[i];
	struct rec_probe *rp = &r->rec->probes[i];
	rp->name = xstrdup(pp->name);
	rp->kind = xstrdup(pp->kind->name);
	rp->target = xstrdup(probe_config_target(pp));
}

static int make_probes(struct run *r)
{
	const struct plan *p = r->plan;
	r->nprobes = p->nprobes;
	r->probes = xcalloc(p->nprobes ? p->nprobes : 1, sizeof(*r->probes));
	r->cpctx = xcalloc(p->nprobes ? p->nprobes : 1, sizeof(*r->cpctx));
	r->rec->probes = xcalloc(p->nprobes ? p->nprobes : 1, sizeof(*r->rec->probes));
	r->rec->nprobes = p->nprobes;
	for (size_t i = 0; i < p->nprobes; i++) {
		const struct plan_probe *pp = &p->probes[i];
		record_probe(r, i);
		if (r->opts->virtual_time && (pp->kind->caps & PROBE_CAP_REAL_TIME)) {
			/* A real process cannot live on a clock that jumps hours in a millisecond. */
			run_stop(r, REASON_INVALID,
			         "probe \"%s\": %s probes run real processes and cannot run in "
			         "virtual time; rehearse with cluster, tcp or http probes",
			         pp->name, pp->kind->name);
			return -1;
		}
		void *ctx = NULL;
		if (pp->kind->caps & PROBE_CAP_CLUSTER) {
			const struct selection *sel = &r->sels[pp->cluster_idx];
			r->cpctx[i].cl = r->cl;
			r->cpctx[i].n = sel->n;
			r->cpctx[i].resources = xcalloc(sel->n ? sel->n : 1, sizeof(char *));
			r->cpctx[i].seen = xcalloc(sel->n ? sel->n : 1, sizeof(int));
			for (size_t k = 0; k < sel->n; k++)
				r->cpctx[i].seen[k] = RES_UNKNOWN;
			for (size_t k = 0; k < sel->n; k++)
				r->cpctx[i].resources[k] = sel->items[k]->name;
			ctx = &r->cpctx[i];
			if (sel->protected_skipped > 0) /* never silently: the probe sees less than the selector says */
				run_progress(
				    r,
				    "probe %s: %zu resource(s) of selector %s are protected by guards.protect and "
				    "not watched",
				    pp->name, sel->protected_skipped, p->selectors[pp->cluster_idx].name);
		} else if (r->opts->virtual_time) {
			ctx = r->cl;
		}
		struct fl_err e;
		struct probe *pr = &r->probes[i];
		if (probe_init(pr, ops_for(r, pp), pp, r->loop, r->clk, ctx, &e) < 0) {
			run_stop(r, REASON_INVALID, "%s", e.msg);
			return -1;
		}
		pr->index = i;
		pr->rec = &r->rec->probes[i];
		pr->rec_origin = r->t0; /* the record's times are run-relative, real clock or virtual */
		pr->listener.changed = on_probe_change;
		pr->listener.checked = on_probe_check;
		pr->listener.arg = r;
	}
	return 0;
}

static void fill_identity(struct run *r)
{
	const struct plan *p = r->plan;
	struct run_record *rec = r->rec;
	rec->plan_name = xstrdup(p->name);
	rec->plan_path = xstrdup(p->path);
	rec->plan_sha256 = sha256_file_hex(p->path);
	rec->plan_description = p->description ? xstrdup(p->description) : NULL;
	rec->seed = p->seed;
	rec->backend = xstrdup(p->cluster.backend);
	rec->version = xstrdup(FAULTLINE_VERSION);
	rec->dry_run = r->opts->dry_run;
	rec->virtual_time = r->opts->virtual_time;
	rec->started_wall = wall_now_ns();
}

/*
 * What this cluster instance declared it can do (an exec adapter's hello)
 * may be less than its backend's static caps, checked before the run.
 */
static int check_instance_caps(struct run *r)
{
	struct fl_diag d;
	diag_init(&d, r->plan->path);
	int rc = plan_check_caps(r->plan, r->plan->cluster.backend, &r->cl->caps, &d);
	if (rc < 0) {
		diag_sort(&d);
		char *first = diag_format(&d, 0);
		const char *adapter = r->plan->cluster.command ? r->plan->cluster.command[0] : NULL;
		run_stop(r, REASON_INVALID, "%s%s%s: the cluster does not offer what the plan needs: %s%s",
		         r->plan->cluster.backend, adapter ? " adapter " : "", adapter ? adapter : "", first,
		         d.n > 1 ? " (and more)" : "");
		free(first);
	}
	diag_fini(&d);
	return rc;
}

static int open_cluster(struct run *r)
{
	struct cluster_config cfg;
	plan_cluster_config(r->plan, &cfg);
	cfg.seed = r->plan->seed;
	cfg.sim_endpoints = !r->opts->virtual_time && !r->opts->dry_run;
	struct fl_err e;
	r->cl = cluster_open(&cfg, r->clk, &e);
	if (r->cl == NULL) {
		run_stop(r, REASON_BACKEND_ERROR, "backend %s: %s", r->plan->cluster.backend, e.msg);
		return -1;
	}
	if (check_instance_caps(r) < 0)
		return -1;
	if (r->cl->ops->snapshot(r->cl, &r->initial, &e) < 0) {
		run_stop(r, REASON_BACKEND_ERROR, "backend %s: cannot list the cluster: %s", r->plan->cluster.backend,
		         e.msg);
		return -1;
	}
	int fd = r->cl->ops->notify_fd(r->cl);
	if (fd >= 0)
		loop_io_start(r->loop, &r->cluster_io, fd, EPOLLIN, on_cluster_fd, r);
	return 0;
}

static int setup(struct run *r)
{
	const struct plan *p = r->plan;
	struct fl_err e;
	r->clk = r->opts->virtual_time ? clock_new_virtual(0) : clock_new_real();
	r->t0 = clock_now(r->clk);
	r->loop = loop_new(r->clk, &e);
	if (r->loop == NULL) {
		run_stop(r, REASON_ENVIRONMENT, "event loop: %s", e.msg);
		return -1;
	}
	clock_timer_init(&r->phase_timer);
	clock_timer_init(&r->live_timer);
	clock_timer_init(&r->deadline_timer);
	r->faults = xcalloc(p->nfaults ? p->nfaults : 1, sizeof(*r->faults));
	for (size_t i = 0; i < p->nfaults; i++) {
		r->faults[i].f = &p->faults[i];
		r->faults[i].run = r;
		rng_init(&r->faults[i].rng, p->seed, rng_salt(p->faults[i].name));
		clock_timer_init(&r->faults[i].timer);
	}
	r->guards = xcalloc(p->guards.nabort ? p->guards.nabort : 1, sizeof(*r->guards));
	for (size_t i = 0; i < p->guards.nabort; i++) {
		clock_timer_init(&r->guards[i].timer);
		r->guards[i].run = r;
		r->guards[i].index = i;
	}
	if (open_cluster(r) < 0 || run_journal_begin(r) < 0 || resolve_selectors(r) < 0 || node_resolve(r) < 0)
		return -1;
	watch_build(r);
	if (r->opts->dry_run)
		return 0;
	return make_probes(r);
}

static void start(struct run *r)
{
	char b[32];
	int sigs[] = {SIGINT, SIGTERM, SIGWINCH};
	struct fl_err e;
	if (loop_signal_start(r->loop, &r->sig, sigs, r->opts->live != NULL ? 3 : 2, on_signal, r, &e) < 0) {
		run_stop(r, REASON_ENVIRONMENT, "signals: %s", e.msg);
		return;
	}
	if (run_hook_before(r) < 0 || r->phase >= PH_RESTORE) /* failed, or a signal came while it ran */
		return;
	r->phase = PH_STEADY;
	run_event_phase(r);
	run_progress(r, "plan %s: %zu fault(s), %zu probe(s), backend %s%s; waiting up to %s for steady state",
	             r->plan->name, r->plan->nfaults, r->nprobes, r->plan->cluster.backend,
	             r->opts->virtual_time ? " (virtual time)" : "",
	             duration_format(r->plan->run.steady_state_ns, b, sizeof(b)));
	clock_timer_start(r->clk, &r->phase_timer, clock_now(r->clk) + r->plan->run.steady_state_ns, on_steady_timeout,
	                  r);
	clock_timer_start(r->clk, &r->deadline_timer, clock_now(r->clk) + r->plan->run.deadline_ns, on_deadline, r);
	for (size_t i = 0; i < r->nprobes; i++)
		probe_start(&r->probes[i]);
	r->probes_started = true;
	run_view_start(r);
	if (r->nprobes == 0) /* nothing to wait for */
		steady_check(r);
}

static void teardown(struct run *r)
{
	if (r->loop != NULL)
		run_cmd_fini(r);
	run_undo_free(r);
	for (size_t i = 0; r->probes != NULL && i < r->nprobes; i++)
		probe_fini(&r->probes[i]);
	free(r->probes);
	for (size_t i = 0; r->cpctx != NULL && i < r->nprobes; i++) {
		free(r->cpctx[i].resources);
		free(r->cpctx[i].seen);
	}
	free(r->cpctx);
	for (size_t i = 0; r->guards != NULL && i < r->plan->guards.nabort; i++)
		clock_timer_stop(r->clk, &r->guards[i].timer);
	free(r->guards);
	sched_stop(r);
	free(r->faults);
	for (size_t i = 0; r->sels != NULL && i < r->plan->nselectors; i++)
		selection_fini(&r->sels[i]);
	free(r->sels);
	for (size_t i = 0; i < r->ntouched; i++) {
		free(r->touched[i].resource);
		free(r->touched[i].group);
		free(r->touched[i].owner);
	}
	free(r->touched);
	cluster_undo_fini(&r->undo);
	node_free(r);
	free(r->watch);
	cluster_snapshot_free(&r->initial);
	if (r->loop != NULL) {
		loop_io_stop(r->loop, &r->cluster_io);
		loop_signal_stop(r->loop, &r->sig);
	}
	cluster_close(r->cl);
	loop_free(r->loop);
	clock_free(r->clk);
	free(r->abort_reason);
}

int run_execute(const struct plan *p, const struct run_opts *o, struct run_record *rec)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.plan = p;
	r.opts = o;
	r.rec = rec;
	r.stop = REASON_PASSED;
	fill_identity(&r);
	bool restore_failed = false;
	if (setup(&r) == 0) {
		if (o->dry_run) {
			sched_dry_run(&r);
		} else {
			start(&r);
			if (r.phase < PH_RESTORE)
				loop_run(r.loop);
		}
	}
	if (!o->dry_run && r.cl != NULL) {
		trial_abort_all(&r);
		uint64_t now = clock_now(r.clk);
		for (size_t i = 0; i < r.nprobes; i++) {
			probe_stop(&r.probes[i]);
			probe_account(&r.probes[i], now);
		}
		if (r.stop != REASON_PASSED)
			run_cmd_fini(&r); /* stopped early: restore now, not after the commands' timeouts */
		else
			run_cmd_settle(&r); /* exec faults and after_trial hooks still running end first */
		int restored = run_restore_touched(&r);
		restore_failed = restored < 0;
		char *unsteady = restored == 0 ? run_steady_after(&r) : NULL;
		run_hook_after_restore(&r, restored == 0);
		slo_judge(p, rec);
		run_steady_record(&r, unsteady);
		free(unsteady);
	}
	if (r.abort_reason != NULL)
		rec->abort_reason = xstrdup(r.abort_reason);
	verdict_judge(rec, r.stop, restore_failed);
	run_journal_end(&r, rec->exit_code);
	rec->duration_ns = r.clk ? run_now(&r) : 0;
	int code = rec->exit_code;
	teardown(&r);
	return code;
}
