/*
 * bench_overhead.c - what N TCP probes at 1 s cadence cost, for N on a
 * curve (100 / 1,000 / 5,000 in full): a generated plan with N probes
 * against N loopback listeners (a child process that accepts and closes),
 * run by the real `faultline run` for about S seconds.
 *
 * Per N:
 *  - steady CPU: the run's CPU time (/proc/PID/schedstat, ns) over a window
 *    after start-up and before the one fault, divided by the window's wall
 *    time: % of one core, and per check (N checks a second);
 *  - whole-run CPU (wait4: start-up, plan load, the fault trial included);
 *  - timer wakes a second in the window (voluntary context switches);
 *  - peak RSS (VmHWM at the end of the window: includes the shared
 *    libraries' pages; not wait4's ru_maxrss, which counts the address
 *    space the child was spawned from) and RssAnon (its own memory).
 * Then the fitted growth: log-log slope of steady CPU over N (1 = linear)
 * and the linear slope of peak RSS (bytes per probe).
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/util.h"

extern char **environ;

/* Child: n listeners, ports written to wfd, accept-and-close until the parent closes rfd. */
static void listeners(unsigned n, int wfd, int rfd)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = rfd};
	epoll_ctl(ep, EPOLL_CTL_ADD, rfd, &ev);
	for (unsigned i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0 ||
		    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
			_exit(1);
		uint16_t port = ntohs(a.sin_port);
		if (write(wfd, &port, sizeof(port)) != sizeof(port))
			_exit(1);
		ev.data.fd = fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	close(wfd);
	for (;;) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < k; i++) {
			if (evs[i].data.fd == rfd)
				_exit(0);
			int c;
			while ((c = accept(evs[i].data.fd, NULL, NULL)) >= 0)
				close(c);
		}
	}
}

static char *plan_text(unsigned n, unsigned seconds, const uint16_t *ports)
{
	unsigned at = seconds > 3 ? seconds - 2 : 1;
	char *y =
	    xasprintf("version: 1\nname: bench-overhead\ncluster: { backend: sim, topology: small-topology.yaml }\n"
	              "select:\n  app: { name: '^App$' }\nfaults:\n"
	              "  - { name: fail-app, action: fail, target: app, at: %us, recovery_timeout: 5s }\n"
	              "run: { settle: 1s, steady_state: 10s, deadline: 10m }\nprobes:\n",
	              at);
	size_t len = strlen(y), cap = len + (size_t)n * 96 + 1;
	y = xrealloc(y, cap);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(
		    y + len, cap - len,
		    "  p%u: { tcp: '127.0.0.1:%u', interval: 1s, fast_interval: 1s, timeout: 500ms }\n", i, ports[i]);
	return y;
}

struct ovh_point {
	unsigned n;
	double wall, cpu;      /* whole run: s */
	double win_s, win_cpu; /* steady window: s */
	double wakes;          /* voluntary context switches a second in the window */
	double maxrss_mib, anon_mib;
};

static void sleep_until(uint64_t t)
{
	uint64_t now = bench_now();
	if (t <= now)
		return;
	struct timespec ts = {(time_t)((t - now) / 1000000000ULL), (long)((t - now) % 1000000000ULL)};
	while (nanosleep(&ts, &ts) < 0)
		;
}

static int run_faultline(const struct bench *b, const char *plan, unsigned seconds, struct ovh_point *pt,
                         struct fl_err *e)
{
	char *argv[] = {(char *)b->faultline, "run", "--quiet", (char *)plan, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	uint64_t t0 = bench_now();
	pid_t pid;
	int rc = posix_spawn(&pid, b->faultline, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return err_set(e, "%s: cannot start: %s", b->faultline, strerror(rc));
	/* The window: after start-up and the first checks, before the fault at S-2 s. */
	double w1 = seconds > 10 ? 5 : 1.5, w2 = seconds > 10 ? seconds - 3 : seconds - 1.5;
	sleep_until(t0 + (uint64_t)(w1 * 1e9));
	uint64_t c1 = bench_proc_cpu_ns(pid), a1 = bench_now();
	long v1 = bench_proc_status_kb(pid, "voluntary_ctxt_switches");
	sleep_until(t0 + (uint64_t)(w2 * 1e9));
	uint64_t c2 = bench_proc_cpu_ns(pid), a2 = bench_now();
	long v2 = bench_proc_status_kb(pid, "voluntary_ctxt_switches");
	pt->anon_mib = (double)bench_proc_status_kb(pid, "RssAnon") / 1024;
	pt->maxrss_mib = (double)bench_proc_status_kb(pid, "VmHWM") / 1024;
	pt->win_s = (double)(a2 - a1) / 1e9;
	pt->win_cpu = (double)(c2 - c1) / 1e9;
	pt->wakes = (double)(v2 - v1) / pt->win_s;
	struct rusage ru;
	int st;
	if (wait4(pid, &st, 0, &ru) < 0)
		return err_setsys(e, "wait4");
	pt->wall = (double)(bench_now() - t0) / 1e9;
	pt->cpu = bench_ru_cpu(&ru);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, "faultline run %s: exit status %d", plan, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

/* One point of the curve: listeners in a child, the plan, the run. */
static int measure(struct bench *b, unsigned n, struct ovh_point *pt, struct fl_err *e)
{
	int down[2], up[2];
	if (pipe(down) < 0 || pipe(up) < 0)
		return err_setsys(e, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return err_setsys(e, "fork");
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		listeners(n, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	uint16_t *ports = xcalloc(n, sizeof(*ports));
	size_t got = 0;
	ssize_t r;
	while (got < n * sizeof(*ports) && (r = read(up[0], (char *)ports + got, n * sizeof(*ports) - got)) > 0)
		got += (size_t)r;
	close(up[0]);
	int rc = -1;
	char path[512];
	snprintf(path, sizeof(path), "%s/overhead-%u.yaml", b->workdir, n);
	if (got != n * sizeof(*ports)) {
		err_set(e, "listener child failed");
	} else {
		char *y = plan_text(n, b->size.ovh_seconds, ports);
		rc = bench_write_file(path, y, strlen(y), e);
		free(y);
		if (rc == 0)
			rc = bench_write_small_topology(b, e);
		if (rc == 0)
			rc = run_faultline(b, path, b->size.ovh_seconds, pt, e);
	}
	close(down[1]); /* the child exits */
	waitpid(pid, NULL, 0);
	free(ports);
	pt->n = n;
	return rc;
}

static void point_rows(struct bench *b, const struct ovh_point *pt, bool targets)
{
	char m[96], note[160];
	double pct = 100 * pt->win_cpu / pt->win_s, checks = (double)pt->n * pt->win_s;
	snprintf(note, sizeof(note), "steady window %.1f s; whole run %.1f s, %.2f s CPU = %.2f %%", pt->win_s,
	         pt->wall, pt->cpu, 100 * pt->cpu / pt->wall);
	snprintf(m, sizeof(m), "%u probes at 1 s: CPU, %% of one core", pt->n);
	bench_row(b, "overhead", m, pct, "%", targets ? BENCH_LT : BENCH_NONE, 2, note);
	snprintf(m, sizeof(m), "%u probes at 1 s: CPU per check", pt->n);
	bench_row(b, "overhead", m, pt->win_cpu * 1e6 / checks, "us", BENCH_NONE, 0,
	          "all of the process's CPU / checks");
	snprintf(m, sizeof(m), "%u probes at 1 s: timer wakes", pt->n);
	bench_row(b, "overhead", m, pt->wakes, "/s", BENCH_NONE, 0, "voluntary context switches in the window");
	snprintf(m, sizeof(m), "%u probes at 1 s: peak RSS", pt->n);
	bench_row(b, "overhead", m, pt->maxrss_mib, "MiB", targets ? BENCH_LT : BENCH_NONE, 16,
	          "VmHWM at the window's end, shared libraries' pages included");
	snprintf(m, sizeof(m), "%u probes at 1 s: own memory (RssAnon)", pt->n);
	bench_row(b, "overhead", m, pt->anon_mib, "MiB", BENCH_NONE, 0, NULL);
}

int bench_overhead(struct bench *b, struct fl_err *e)
{
	struct ovh_point pts[3];
	double x[3], cpu[3], rss[3];
	for (int i = 0; i < 3; i++) {
		if (measure(b, b->size.ovh_probes[i], &pts[i], e) < 0)
			return -1;
		point_rows(b, &pts[i], i == 1);
		x[i] = pts[i].n;
		cpu[i] = pts[i].win_cpu / pts[i].win_s;
		rss[i] = pts[i].maxrss_mib;
	}
	char note[96];
	snprintf(note, sizeof(note), "%u / %u / %u probes; 1 = linear", pts[0].n, pts[1].n, pts[2].n);
	bench_row(b, "overhead", "growth: CPU over probes, log-log slope", bench_loglog_slope(x, cpu, 3), "", BENCH_LE,
	          1.1, note);
	bench_row(b, "overhead", "growth: peak RSS per probe (linear fit)", bench_lin_slope(x, rss, 3) * 1048576, "B",
	          BENCH_NONE, 0, NULL);
	return 0;
}
