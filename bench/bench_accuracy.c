/*
 * bench_accuracy.c - how close faultline's TCP-probe recovery time is to
 * the moment the service really answers again, when the service lags the
 * cluster's Online (ready_after), next to the shell loops SREs use today.
 *
 * The bench drives the simulator itself, in real time, with real loopback
 * endpoints: each of `lanes` resources has its own port, restarts in place
 * after a failure, and its endpoint starts listening ready_after a lag
 * drawn per Online from {min: 0ms, max: 2s}. The truth is the clock time at
 * which that listener opened (sim_cluster_ready), which does not come
 * from any probe.
 *
 * Two passes over the same lanes, one run:
 *  1. faultline alone, as the engine runs it: a TCP probe (fast cadence
 *     20 ms while the trial is open) that is checked at once when the
 *     cluster reports the resource Online and then hunts (probe_hunt) until
 *     the service answers. Its error, and the bench thread's CPU over the
 *     pass divided by the time trials were open (thread CPU: probe,
 *     simulator, loop; the endpoint thread is not counted and does not
 *     probe): an upper bound for one open trial's probing cost.
 *  2. the comparisons, on the same kind of trials: the bare 20 ms cadence
 *     (no event kick, no hunt), and `until (exec 3<>/dev/tcp/...)` bash
 *     loops every 100 ms and every 1 s; their CPU from wait4.
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench.h"
#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/loop.h"
#include "faultline/plan.h"
#include "faultline/probe.h"
#include "faultline/rng.h"
#include "faultline/sim.h"
#include "faultline/util.h"

extern char **environ;

enum { M_ENGINE, M_POLL, M_SH_FAST, M_SH_SLOW, NMETHOD };
#define NSHELL 2
static const char *const shell_sleep[NSHELL] = {"0.1", "1"};
static const char *const method_label[NMETHOD] = {"faultline tcp, as the engine runs it (kick + hunt)",
                                                  "faultline tcp, 20 ms polling only", "shell loop 100 ms",
                                                  "shell loop 1 s"};

struct acc;

struct lane {
	struct acc *a;
	char resource[32];
	int port;
	struct plan_probe cfg;
	struct probe probe; /* pass 1: kicked and hunting; pass 2: cadence only */
	uint64_t up_at;     /* recovery seen by the probe, 0 until seen */
	bool saw_down;
	struct fl_timer next;
	bool open;    /* a trial is running */
	uint64_t inj; /* injection time (clock ns) */
	uint64_t online_at;
	pid_t pid[NSHELL];
	uint64_t sh_end[NSHELL];
};

struct acc {
	struct fl_clock *clk;
	struct loop *loop;
	struct cluster *cl;
	struct lane *lanes;
	unsigned nlanes, want, started, done, lost;
	bool shells; /* pass 2 */
	struct rng rng;
	double *err[NMETHOD]; /* ms */
	size_t nerr[NMETHOD];
	double *lag; /* truth - Online, ms */
	size_t nlag;
	double open_s;         /* sum of trial durations, pass 1 */
	uint64_t checks;       /* probe checks, pass 1 */
	double cpu_sh[NSHELL]; /* s */
	unsigned sh_trials;
};

static void lane_schedule(struct lane *l);

static pid_t spawn_loop(int port, const char *sleep_s)
{
	char script[160];
	snprintf(script, sizeof(script), "until (exec 3<>/dev/tcp/127.0.0.1/%d) 2>/dev/null; do sleep %s; done", port,
	         sleep_s);
	char *argv[] = {"bash", "-c", script, NULL};
	posix_spawnattr_t at;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none); /* the loop blocks SIGCHLD; bash must not inherit that */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	pid_t pid;
	int rc = posix_spawnp(&pid, "bash", NULL, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	return rc == 0 ? pid : -1;
}

static double ms(uint64_t a, uint64_t b)
{
	return ((double)a - (double)b) / 1e6;
}

static void add_err(struct acc *a, int m, double v)
{
	a->err[m][a->nerr[m]++] = v;
}

static void lane_finish(struct lane *l)
{
	struct acc *a = l->a;
	if (!l->open || l->up_at == 0 || l->pid[0] > 0 || l->pid[1] > 0)
		return;
	l->open = false;
	uint64_t truth = 0;
	sim_cluster_ready(a->cl, l->resource, &truth);
	probe_set_fast(&l->probe, false);
	probe_hunt_stop(&l->probe);
	if (truth == 0 || truth < l->inj || l->online_at == 0) {
		a->lost++;
	} else {
		a->done++;
		if (!a->shells) {
			add_err(a, M_ENGINE, ms(l->up_at, truth));
			a->lag[a->nlag++] = ms(truth, l->online_at);
			a->open_s += ms(l->up_at, l->inj) / 1e3;
		} else {
			add_err(a, M_POLL, ms(l->up_at, truth));
			for (int s = 0; s < NSHELL; s++)
				add_err(a, M_SH_FAST + s, ms(l->sh_end[s], truth));
			a->sh_trials++;
		}
	}
	if (a->done + a->lost >= a->want)
		loop_stop(a->loop);
	else
		lane_schedule(l);
}

static void lane_inject(void *arg)
{
	struct lane *l = arg;
	struct acc *a = l->a;
	struct fl_err e;
	long code;
	l->inj = clock_now(a->clk);
	if (a->cl->ops->fail(a->cl, l->resource, &code, &e) < 0) {
		fprintf(stderr, "bench: %s: %s\n", l->resource, e.msg);
		a->lost++;
		lane_schedule(l);
		return;
	}
	a->started++;
	l->open = true;
	l->saw_down = false;
	l->up_at = 0;
	l->online_at = 0;
	probe_set_fast(&l->probe, true);
	for (int s = 0; a->shells && s < NSHELL; s++)
		l->pid[s] = spawn_loop(l->port, shell_sleep[s]);
}

/* Varied gaps, so injections land at every phase of the cadences and of the other lanes. */
static void lane_schedule(struct lane *l)
{
	struct acc *a = l->a;
	if (a->started >= a->want)
		return;
	uint64_t gap = rng_range(&a->rng, 150, 650) * NSEC_PER_MSEC;
	clock_timer_start(a->clk, &l->next, clock_now(a->clk) + gap, lane_inject, l);
}

static void probe_changed(struct probe *p, enum probe_status from, enum probe_status to, uint64_t at, void *arg)
{
	(void)from;
	(void)p;
	struct lane *l = arg;
	if (!l->open || at < l->inj)
		return;
	if (to == PROBE_DOWN)
		l->saw_down = true;
	else if (to == PROBE_UP && l->saw_down && l->up_at == 0) {
		l->up_at = at;
		lane_finish(l);
	}
}

static void probe_checked(struct probe *p, enum check_result r, uint64_t started, uint64_t finished, void *arg)
{
	(void)p;
	(void)r;
	(void)started;
	(void)finished;
	struct lane *l = arg;
	l->a->checks++;
}

static void reaped(struct acc *a, pid_t pid, const struct rusage *ru)
{
	uint64_t now = clock_now(a->clk);
	double cpu = (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
	             (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
	for (unsigned i = 0; i < a->nlanes; i++)
		for (int s = 0; s < NSHELL; s++)
			if (a->lanes[i].pid[s] == pid) {
				a->lanes[i].pid[s] = 0;
				a->lanes[i].sh_end[s] = now;
				a->cpu_sh[s] += cpu;
				lane_finish(&a->lanes[i]);
				return;
			}
}

static void on_sigchld(int signo, void *arg)
{
	(void)signo;
	struct rusage ru;
	pid_t pid;
	int st;
	while ((pid = wait4(-1, &st, WNOHANG, &ru)) > 0)
		reaped(arg, pid, &ru);
}

/* What the run engine does on a target's Online: check at once, then hunt until the service answers. */
static void on_event(const struct cluster_event *ev, void *arg)
{
	struct acc *a = arg;
	if (ev->kind != CLUSTER_EV_RESOURCE || ev->state != RES_ONLINE)
		return;
	for (unsigned i = 0; i < a->nlanes; i++) {
		struct lane *l = &a->lanes[i];
		if (strcmp(l->resource, ev->name) != 0 || !l->open)
			continue;
		l->online_at = ev->at;
		if (a->shells)
			continue; /* pass 2: the bare cadence */
		probe_check_now(&l->probe);
		if (l->up_at == 0)
			probe_hunt(&l->probe, ev->at);
	}
}

static void on_cluster_fd(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	struct acc *a = arg;
	struct fl_err e;
	if (a->cl->ops->drain(a->cl, on_event, a, &e) < 0)
		fprintf(stderr, "bench: cluster events: %s\n", e.msg);
}

/* Lanes of one resource each: restart in place, never fail over, the service lagging Online by 0-2 s. */
static int write_topology(struct acc *a, const char *path, struct fl_err *e)
{
	char *y = xstrdup("# Generated by bench_accuracy.c\nname: bench-accuracy\nnodes: [node-a, node-b]\ngroups:\n");
	for (unsigned i = 0; i < a->nlanes; i++) {
		struct lane *l = &a->lanes[i];
		char *more = xasprintf("%s  - name: lane-%u\n    preferred_owners: [node-a, node-b]\n    resources:\n"
		                       "      - name: %s\n        type: Generic Service\n"
		                       "        restart_action: restart\n        restart_threshold: 4000000000\n"
		                       "        restart_delay: 50ms\n        online_time: {min: 20ms, max: 480ms}\n"
		                       "        endpoint: 127.0.0.1:%d\n        ready_after: {min: 0ms, max: 2s}\n",
		                       y, i, l->resource, l->port);
		free(y);
		y = more;
	}
	int rc = bench_write_file(path, y, strlen(y), e);
	free(y);
	return rc;
}

static int lane_init(struct acc *a, struct lane *l, unsigned i, struct fl_err *e)
{
	l->a = a;
	snprintf(l->resource, sizeof(l->resource), "svc-%u", i);
	if ((l->port = bench_free_port()) < 0)
		return err_setsys(e, "no free loopback port");
	l->cfg = (struct plan_probe){.name = l->resource,
	                             .kind = &probe_tcp_ops,
	                             .host = "127.0.0.1",
	                             .port = (unsigned)l->port,
	                             .interval_ns = NSEC_PER_SEC,
	                             .fast_interval_ns = 20 * NSEC_PER_MSEC,
	                             .timeout_ns = 250 * NSEC_PER_MSEC,
	                             .failures = 1,
	                             .successes = 1};
	clock_timer_init(&l->next);
	return 0;
}

static int probes_start(struct acc *a, struct fl_err *e)
{
	for (unsigned i = 0; i < a->nlanes; i++) {
		struct probe *p = &a->lanes[i].probe;
		if (probe_init(p, &probe_tcp_ops, &a->lanes[i].cfg, a->loop, a->clk, NULL, e) < 0)
			return -1;
		p->listener =
		    (struct probe_listener){.changed = probe_changed, .checked = probe_checked, .arg = &a->lanes[i]};
		probe_start(p);
	}
	return 0;
}

static void lanes_stop(struct acc *a)
{
	for (unsigned i = 0; a->lanes && i < a->nlanes; i++) {
		struct lane *l = &a->lanes[i];
		clock_timer_stop(a->clk, &l->next);
		if (l->probe.ops != NULL) {
			probe_stop(&l->probe);
			probe_fini(&l->probe);
			l->probe.ops = NULL;
		}
		for (int s = 0; s < NSHELL; s++)
			if (l->pid[s] > 0) {
				kill(l->pid[s], SIGKILL);
				waitpid(l->pid[s], NULL, 0);
				l->pid[s] = 0;
			}
		l->open = false;
	}
}

/* One pass: `want` trials over the lanes; returns the bench thread's CPU seconds. */
static double acc_pass(struct acc *a, bool shells, unsigned want, struct fl_err *e)
{
	a->shells = shells;
	a->want = want;
	a->started = a->done = a->lost = 0;
	if (probes_start(a, e) < 0)
		return -1;
	for (unsigned i = 0; i < a->nlanes; i++)
		lane_schedule(&a->lanes[i]);
	uint64_t cpu0 = bench_thread_cpu();
	/* Bounded: 6 s per trial per lane is far beyond the slowest (0.5 s restart + 2 s lag + 1 s loop). */
	uint64_t limit = clock_now(a->clk) + (uint64_t)(want / a->nlanes + 2) * 6 * NSEC_PER_SEC;
	loop_run_until(a->loop, limit, 0);
	double cpu = (double)(bench_thread_cpu() - cpu0) / 1e9;
	lanes_stop(a);
	return cpu;
}

static void add_method_rows(struct bench *b, struct acc *a, int m)
{
	char name[112];
	size_t n = a->nerr[m];
	bool target = m == M_ENGINE;
	snprintf(name, sizeof(name), "%s error p50", method_label[m]);
	bench_row(b, "accuracy", name, bench_pct(a->err[m], n, 50), "ms", BENCH_NONE, 0, NULL);
	snprintf(name, sizeof(name), "%s error p99", method_label[m]);
	bench_row(b, "accuracy", name, bench_pct(a->err[m], n, 99), "ms", target ? BENCH_LE : BENCH_NONE, 2, NULL);
	snprintf(name, sizeof(name), "%s error max", method_label[m]);
	bench_row(b, "accuracy", name, bench_max(a->err[m], n), "ms", BENCH_NONE, 0, NULL);
}

static void add_rows(struct bench *b, struct acc *a, double cpu_fl)
{
	char note[160];
	snprintf(note, sizeof(note), "pass 1 (faultline alone): %zu trials; pass 2 (comparisons): %u trials%s",
	         a->nerr[M_ENGINE], a->sh_trials, a->lost ? "; some trials lost" : "");
	bench_row(b, "accuracy", "trials measured", (double)a->nerr[M_ENGINE], "", BENCH_NONE, 0, note);
	bench_row(b, "accuracy", "service lag after Online (truth) p50", bench_pct(a->lag, a->nlag, 50), "ms",
	          BENCH_NONE, 0, "ready_after {min: 0ms, max: 2s}, drawn per trial");
	bench_row(b, "accuracy", "service lag after Online (truth) max", bench_max(a->lag, a->nlag), "ms", BENCH_NONE,
	          0, NULL);
	for (int m = 0; m < NMETHOD; m++)
		add_method_rows(b, a, m);
	size_t nf = a->nerr[M_ENGINE], ns = a->nerr[M_SH_SLOW];
	double fl50 = bench_pct(a->err[M_ENGINE], nf, 50), fl99 = bench_pct(a->err[M_ENGINE], nf, 99);
	double sh50 = bench_pct(a->err[M_SH_SLOW], ns, 50), sh99 = bench_pct(a->err[M_SH_SLOW], ns, 99);
	bench_row(b, "accuracy", "error ratio shell 1 s / faultline, p50", sh50 / (fl50 > 0 ? fl50 : 1e-3), "x",
	          BENCH_GE, 50, NULL);
	bench_row(b, "accuracy", "error ratio shell 1 s / faultline, p99", sh99 / (fl99 > 0 ? fl99 : 1e-3), "x",
	          BENCH_GE, 50, NULL);
	double pct = a->open_s > 0 ? cpu_fl / a->open_s * 100 : 0;
	bench_row(b, "accuracy", "faultline CPU per open trial (upper bound)", pct, "% core", BENCH_LE, 3,
	          "pass 1 bench-thread CPU (probes, simulator, loop) / sum of open-trial time");
	bench_row(b, "accuracy", "faultline CPU per check (pass 1, everything)",
	          a->checks ? cpu_fl * 1e6 / (double)a->checks : 0, "us", BENCH_NONE, 0, NULL);
	double n = a->sh_trials ? a->sh_trials : 1;
	for (int s = 0; s < NSHELL; s++) {
		char name[96];
		snprintf(name, sizeof(name), "CPU per trial, %s", method_label[M_SH_FAST + s]);
		bench_row(b, "accuracy", name, a->cpu_sh[s] * 1e3 / n, "ms", BENCH_NONE, 0, NULL);
	}
	bench_row(b, "accuracy", "CPU per trial, faultline", a->nerr[M_ENGINE] ? cpu_fl * 1e3 / (double)nf : 0, "ms",
	          BENCH_NONE, 0, NULL);
}

static int acc_run(struct bench *b, struct acc *a, struct fl_err *e)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/accuracy-topology.yaml", b->workdir);
	if (write_topology(a, path, e) < 0)
		return -1;
	struct cluster_config cfg = {.backend = "sim", .topology = path, .seed = 7, .sim_endpoints = true};
	if ((a->cl = cluster_open(&cfg, a->clk, e)) == NULL)
		return -1;
	struct loop_io cio = {0};
	struct loop_signal sig = {0};
	int chld = SIGCHLD;
	if (loop_io_start(a->loop, &cio, a->cl->ops->notify_fd(a->cl), EPOLLIN, on_cluster_fd, a) < 0 ||
	    loop_signal_start(a->loop, &sig, &chld, 1, on_sigchld, a, e) < 0) {
		if (e->msg[0] == '\0')
			err_setsys(e, "bench: loop setup");
		return -1;
	}
	double cpu_fl = acc_pass(a, false, b->size.acc_trials, e);
	if (cpu_fl < 0 || acc_pass(a, true, b->size.acc_trials / 2 > 0 ? b->size.acc_trials / 2 : 1, e) < 0) {
		loop_io_stop(a->loop, &cio);
		loop_signal_stop(a->loop, &sig);
		return -1;
	}
	loop_io_stop(a->loop, &cio);
	loop_signal_stop(a->loop, &sig);
	add_rows(b, a, cpu_fl);
	return 0;
}

int bench_accuracy(struct bench *b, struct fl_err *e)
{
	struct acc a = {.nlanes = b->size.acc_lanes};
	rng_init(&a.rng, 7, rng_salt("accuracy"));
	a.lanes = xcalloc(a.nlanes, sizeof(*a.lanes));
	for (int m = 0; m < NMETHOD; m++)
		a.err[m] = xcalloc(b->size.acc_trials + 1, sizeof(double));
	a.lag = xcalloc(b->size.acc_trials + 1, sizeof(double));
	int rc = -1;
	if ((a.clk = clock_new_real()) == NULL || (a.loop = loop_new(a.clk, e)) == NULL)
		goto out;
	for (unsigned i = 0; i < a.nlanes; i++)
		if (lane_init(&a, &a.lanes[i], i, e) < 0)
			goto out;
	rc = acc_run(b, &a, e);
out:
	lanes_stop(&a);
	free(a.lanes);
	cluster_close(a.cl);
	loop_free(a.loop);
	clock_free(a.clk);
	for (int m = 0; m < NMETHOD; m++)
		free(a.err[m]);
	free(a.lag);
	return rc;
}
