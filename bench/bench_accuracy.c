/*
 * bench_accuracy.c - how close faultline's TCP-probe recovery time is to
 * the truth, next to the shell loops SREs use today.
 *
 * The bench drives the simulator itself, in real time, with real loopback
 * endpoints: each of `lanes` resources has its own port and its own TCP
 * probe (faultline's probe core, fast_interval 20 ms). A trial fails the
 * resource (FailClusterResource), switches its probe to fast cadence and,
 * in the same instant, spawns two bash poll loops on the same port (every
 * 100 ms and every 1 s). The truth is the simulator's recorded Online
 * transition (sim_trace), which is when the endpoint starts listening.
 * Each lane has two faultline probes on the port: one that only polls at
 * fast_interval, and one that is also checked at once when the cluster
 * reports the resource Online, which is what the run engine does. The
 * error of each method is its recovery time minus the true one. CPU: the
 * loops' own (wait4), and for faultline this thread's CPU over the phase
 * (probe, loop, simulator and spawning: an upper bound).
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

enum { PR_POLL, PR_EVENT, NPROBE };
enum { SH_FAST, SH_SLOW, NSHELL };
#define NMETHOD (NPROBE + NSHELL)
static const char *const shell_sleep[NSHELL] = {"0.1", "1"};
static const char *const shell_label[NSHELL] = {"shell loop 100 ms", "shell loop 1 s"};

struct acc;

struct lane {
	struct acc *a;
	char resource[32];
	int port;
	struct plan_probe cfg;
	struct probe probe[NPROBE]; /* PR_POLL: cadence only; PR_EVENT: also kicked by cluster events */
	uint64_t up_at[NPROBE];     /* recovery seen by each, 0 until seen */
	bool saw_down[NPROBE];
	struct fl_timer next;
	bool open;    /* a trial is running */
	uint64_t inj; /* injection time (clock ns) */
	pid_t pid[NSHELL];
	uint64_t sh_end[NSHELL];
};

struct acc {
	struct fl_clock *clk;
	struct loop *loop;
	struct cluster *cl;
	struct sim *sim;
	struct lane *lanes;
	unsigned nlanes, want, started, done, lost;
	struct rng rng;
	double *err[NMETHOD];  /* ms, per method: the two probes, shell 100 ms, shell 1 s */
	double *truth;         /* true recovery, ms */
	double cpu_sh[NSHELL]; /* s */
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

/* The first Online transition of the resource after t: the ground truth. */
static uint64_t truth_after(const struct acc *a, const char *resource, uint64_t t)
{
	size_t n;
	const struct sim_transition *tr = sim_trace(a->sim, &n);
	for (size_t i = 0; i < n; i++)
		if (tr[i].obj == SIM_OBJ_RESOURCE && tr[i].at >= t && tr[i].to == RES_ONLINE &&
		    strcmp(tr[i].name, resource) == 0)
			return tr[i].at;
	return 0;
}

static double ms(uint64_t a, uint64_t b)
{
	return ((double)a - (double)b) / 1e6;
}

static void lane_finish(struct lane *l)
{
	struct acc *a = l->a;
	if (!l->open || l->up_at[PR_POLL] == 0 || l->up_at[PR_EVENT] == 0 || l->pid[SH_FAST] > 0 || l->pid[SH_SLOW] > 0)
		return;
	uint64_t truth = truth_after(a, l->resource, l->inj);
	for (int k = 0; k < NPROBE; k++)
		probe_set_fast(&l->probe[k], false);
	if (truth == 0) {
		a->lost++;
	} else {
		size_t k = a->done++;
		a->truth[k] = ms(truth, l->inj);
		for (int m = 0; m < NPROBE; m++)
			a->err[m][k] = ms(l->up_at[m], truth);
		for (int s = 0; s < NSHELL; s++)
			a->err[NPROBE + s][k] = ms(l->sh_end[s], truth);
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
	if (sim_fail(a->sim, l->resource, &code, &e) < 0) {
		fprintf(stderr, "bench: %s: %s\n", l->resource, e.msg);
		a->lost++;
		lane_schedule(l);
		return;
	}
	a->started++;
	l->open = true;
	for (int k = 0; k < NPROBE; k++) {
		l->saw_down[k] = false;
		l->up_at[k] = 0;
		probe_set_fast(&l->probe[k], true);
	}
	for (int s = 0; s < NSHELL; s++)
		l->pid[s] = spawn_loop(l->port, shell_sleep[s]);
}

/* Varied gaps, so injections land at every phase of the 1 s probe cadence and of the other lanes. */
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
	struct lane *l = arg;
	int k = p == &l->probe[PR_POLL] ? PR_POLL : PR_EVENT;
	if (!l->open || at < l->inj)
		return;
	if (to == PROBE_DOWN)
		l->saw_down[k] = true;
	else if (to == PROBE_UP && l->saw_down[k] && l->up_at[k] == 0) {
		l->up_at[k] = at;
		lane_finish(l);
	}
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

static void on_event(const struct cluster_event *ev, void *arg)
{
	struct acc *a = arg;
	if (ev->kind != CLUSTER_EV_RESOURCE || ev->state != RES_ONLINE)
		return;
	for (unsigned i = 0; i < a->nlanes; i++)
		if (strcmp(a->lanes[i].resource, ev->name) == 0)
			probe_check_now(&a->lanes[i].probe[PR_EVENT]);
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

/* Lanes of one resource each: restart in place, never fail over, varied online times. */
static int write_topology(struct acc *a, const char *path, struct fl_err *e)
{
	char *y = xstrdup("# Generated by bench_accuracy.c\nname: bench-accuracy\nnodes: [node-a, node-b]\ngroups:\n");
	for (unsigned i = 0; i < a->nlanes; i++) {
		struct lane *l = &a->lanes[i];
		char *more = xasprintf("%s  - name: lane-%u\n    preferred_owners: [node-a, node-b]\n    resources:\n"
		                       "      - name: %s\n        type: Generic Service\n"
		                       "        restart_action: restart\n        restart_threshold: 4000000000\n"
		                       "        restart_delay: 50ms\n        online_time: {min: 20ms, max: 480ms}\n"
		                       "        endpoint: 127.0.0.1:%d\n",
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
	                             .kind = PROBE_KIND_TCP,
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
	for (unsigned i = 0; i < a->nlanes; i++)
		for (int k = 0; k < NPROBE; k++) {
			struct probe *p = &a->lanes[i].probe[k];
			if (probe_init(p, &probe_tcp_ops, &a->lanes[i].cfg, a->loop, a->clk, NULL, e) < 0)
				return -1;
			p->listener = (struct probe_listener){.changed = probe_changed, .arg = &a->lanes[i]};
			probe_start(p);
		}
	return 0;
}

static void acc_fini(struct acc *a)
{
	for (unsigned i = 0; a->lanes && i < a->nlanes; i++) {
		struct lane *l = &a->lanes[i];
		clock_timer_stop(a->clk, &l->next);
		for (int k = 0; k < NPROBE; k++)
			if (l->probe[k].ops != NULL) {
				probe_stop(&l->probe[k]);
				probe_fini(&l->probe[k]);
			}
		for (int s = 0; s < NSHELL; s++)
			if (l->pid[s] > 0) {
				kill(l->pid[s], SIGKILL);
				waitpid(l->pid[s], NULL, 0);
			}
	}
	free(a->lanes);
	for (int m = 0; m < NMETHOD; m++)
		free(a->err[m]);
	free(a->truth);
}

static void add_method_rows(struct bench *b, struct acc *a, int m, const char *label)
{
	char name[96];
	size_t n = a->done;
	bool target = m == PR_EVENT;
	snprintf(name, sizeof(name), "%s error p50", label);
	bench_row(b, "accuracy", name, bench_pct(a->err[m], n, 50), "ms", BENCH_NONE, 0, NULL);
	snprintf(name, sizeof(name), "%s error p99", label);
	bench_row(b, "accuracy", name, bench_pct(a->err[m], n, 99), "ms", target ? BENCH_LE : BENCH_NONE, 2, NULL);
	snprintf(name, sizeof(name), "%s error max", label);
	bench_row(b, "accuracy", name, bench_max(a->err[m], n), "ms", BENCH_NONE, 0, NULL);
}

static void add_rows(struct bench *b, struct acc *a, double cpu_fl)
{
	static const char *label[NMETHOD] = {"faultline tcp, 20 ms polling only",
	                                     "faultline tcp, as the engine runs it", "shell loop 100 ms",
	                                     "shell loop 1 s"};
	double n = a->done ? a->done : 1;
	bench_row(b, "accuracy", "trials measured", a->done, "", BENCH_NONE, 0, a->lost ? "some trials lost" : NULL);
	bench_row(b, "accuracy", "true recovery p50", bench_pct(a->truth, a->done, 50), "ms", BENCH_NONE, 0, NULL);
	for (int m = 0; m < NMETHOD; m++)
		add_method_rows(b, a, m, label[m]);
	double fl99 = bench_pct(a->err[PR_EVENT], a->done, 99), sh99 = bench_pct(a->err[NPROBE + SH_SLOW], a->done, 99);
	double fl50 = bench_pct(a->err[PR_EVENT], a->done, 50), sh50 = bench_pct(a->err[NPROBE + SH_SLOW], a->done, 50);
	bench_row(b, "accuracy", "error ratio shell 1 s / faultline, p50", sh50 / (fl50 > 0 ? fl50 : 1e-3), "x",
	          BENCH_GE, 50, NULL);
	bench_row(b, "accuracy", "error ratio shell 1 s / faultline, p99", sh99 / (fl99 > 0 ? fl99 : 1e-3), "x",
	          BENCH_GE, 50, NULL);
	bench_row(b, "accuracy", "CPU per trial, faultline (upper bound)", cpu_fl * 1e3 / n, "ms", BENCH_LE,
	          a->cpu_sh[SH_FAST] * 1e3 / n,
	          "bench thread: 2 probes + simulator + spawning the loops; target = the 100 ms loop");
	for (int s = 0; s < NSHELL; s++) {
		char name[96];
		snprintf(name, sizeof(name), "CPU per trial, %s", shell_label[s]);
		bench_row(b, "accuracy", name, a->cpu_sh[s] * 1e3 / n, "ms", BENCH_NONE, 0, NULL);
	}
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
	a->sim = sim_from_cluster(a->cl);
	struct loop_io cio = {0};
	struct loop_signal sig = {0};
	int chld = SIGCHLD;
	if (loop_io_start(a->loop, &cio, a->cl->ops->notify_fd(a->cl), EPOLLIN, on_cluster_fd, a) < 0 ||
	    loop_signal_start(a->loop, &sig, &chld, 1, on_sigchld, a, e) < 0 || probes_start(a, e) < 0) {
		if (e->msg[0] == '\0')
			err_setsys(e, "bench: loop setup");
		return -1;
	}
	for (unsigned i = 0; i < a->nlanes; i++)
		lane_schedule(&a->lanes[i]);
	uint64_t cpu0 = bench_thread_cpu();
	/* Bounded: 5 s per trial per lane is far beyond the slowest (0.5 s outage + 1 s loop). */
	uint64_t limit = clock_now(a->clk) + (uint64_t)(a->want / a->nlanes + 2) * 5 * NSEC_PER_SEC;
	loop_run_until(a->loop, limit, 0);
	double cpu_fl = (double)(bench_thread_cpu() - cpu0) / 1e9;
	loop_io_stop(a->loop, &cio);
	add_rows(b, a, cpu_fl);
	return 0;
}

int bench_accuracy(struct bench *b, struct fl_err *e)
{
	struct acc a = {.nlanes = b->size.acc_lanes, .want = b->size.acc_trials};
	rng_init(&a.rng, 7, rng_salt("accuracy"));
	a.lanes = xcalloc(a.nlanes, sizeof(*a.lanes));
	for (int m = 0; m < NMETHOD; m++)
		a.err[m] = xcalloc(a.want, sizeof(double));
	a.truth = xcalloc(a.want, sizeof(double));
	int rc = -1;
	if ((a.clk = clock_new_real()) == NULL || (a.loop = loop_new(a.clk, e)) == NULL)
		goto out;
	for (unsigned i = 0; i < a.nlanes; i++)
		if (lane_init(&a, &a.lanes[i], i, e) < 0)
			goto out;
	rc = acc_run(b, &a, e);
out:
	acc_fini(&a);
	cluster_close(a.cl);
	loop_free(a.loop);
	clock_free(a.clk);
	return rc;
}
