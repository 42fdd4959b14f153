/*
 * bench_overhead.c - what N TCP probes at 1 s cadence cost: a generated
 * plan with N probes against N loopback listeners (a child process that
 * accepts and closes), run by the real `faultline run` for about S
 * seconds. CPU % of one core and peak RSS of that process, from wait4.
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

static char *plan_text(const struct bench *b, const uint16_t *ports)
{
	unsigned n = b->size.ovh_probes, at = b->size.ovh_seconds > 3 ? b->size.ovh_seconds - 2 : 1;
	char *y =
	    xasprintf("version: 1\nname: bench-overhead\ncluster: { backend: sim, topology: small-topology.yaml }\n"
	              "select:\n  app: { name: '^App$' }\nfaults:\n"
	              "  - { name: fail-app, action: fail, target: app, at: %us, recovery_timeout: 5s }\n"
	              "run: { settle: 1s, steady_state: 10s, deadline: 10m }\nprobes:\n",
	              at);
	for (unsigned i = 0; i < n; i++) {
		char *more =
		    xasprintf("%s  p%u: { tcp: '127.0.0.1:%u', interval: 1s, fast_interval: 1s, timeout: 500ms }\n", y,
		              i, ports[i]);
		free(y);
		y = more;
	}
	return y;
}

static int run_faultline(const struct bench *b, const char *plan, struct rusage *ru, double *wall, struct fl_err *e)
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
	int st;
	if (wait4(pid, &st, 0, ru) < 0)
		return err_setsys(e, "wait4");
	*wall = (double)(bench_now() - t0) / 1e9;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, "faultline run %s: exit status %d", plan, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static int measure(struct bench *b, const uint16_t *ports, struct fl_err *e)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/overhead.yaml", b->workdir);
	char *y = plan_text(b, ports);
	int rc = bench_write_file(path, y, strlen(y), e);
	free(y);
	if (rc == 0)
		rc = bench_write_small_topology(b, e);
	struct rusage ru;
	double wall = 1;
	if (rc < 0 || run_faultline(b, path, &ru, &wall, e) < 0)
		return -1;
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	             (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	char note[96];
	snprintf(note, sizeof(note), "%u probes, %.1f s run, %.2f s CPU", b->size.ovh_probes, wall, cpu);
	bench_row(b, "overhead", "faultline CPU, % of one core", 100 * cpu / wall, "%", BENCH_LT, 2, note);
	bench_row(b, "overhead", "faultline peak RSS", (double)ru.ru_maxrss / 1024, "MiB", BENCH_LT, 16, NULL);
	return 0;
}

int bench_overhead(struct bench *b, struct fl_err *e)
{
	unsigned n = b->size.ovh_probes;
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
	int rc = got == n * sizeof(*ports) ? measure(b, ports, e) : err_set(e, "listener child failed");
	close(down[1]); /* the child exits */
	waitpid(pid, NULL, 0);
	free(ports);
	return rc;
}
