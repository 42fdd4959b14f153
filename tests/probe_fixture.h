/*
 * probe_fixture.h - one probe on its own loop, with every check and state
 * change logged so tests can assert exact results, reasons and times.
 * Probe configs are built in C (no YAML); loop runs are bounded both in
 * iterations and in real time.
 */
#ifndef FAULTLINE_TEST_PROBE_FIXTURE_H
#define FAULTLINE_TEST_PROBE_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/loop.h"
#include "faultline/plan.h"
#include "faultline/probe.h"

#define MS(x)      ((uint64_t)(x)*NSEC_PER_MSEC)
#define PF_LOG_MAX 64

struct pf_check {
	enum check_result r;
	uint64_t started, finished;
	char reason[256];
};

struct pf_change {
	enum probe_status from, to;
	uint64_t at;
	char reason[256];
};

struct pf {
	struct fl_clock *clk;
	struct loop *loop;
	struct plan_probe cfg;
	struct probe p;
	bool inited;
	struct pf_check checks[PF_LOG_MAX];
	size_t nchecks;
	struct pf_change changes[PF_LOG_MAX];
	size_t nchanges;
	struct fl_err err;
};

static inline void pf_on_change(struct probe *p, enum probe_status from, enum probe_status to, uint64_t at, void *arg)
{
	struct pf *f = arg;
	if (f->nchanges == PF_LOG_MAX)
		return;
	struct pf_change *c = &f->changes[f->nchanges++];
	c->from = from;
	c->to = to;
	c->at = at;
	snprintf(c->reason, sizeof(c->reason), "%s", to == PROBE_UP ? "" : p->reason);
}

static inline void pf_on_check(struct probe *p, enum check_result r, uint64_t started, uint64_t finished, void *arg)
{
	struct pf *f = arg;
	if (f->nchecks == PF_LOG_MAX)
		return;
	struct pf_check *c = &f->checks[f->nchecks++];
	c->r = r;
	c->started = started;
	c->finished = finished;
	snprintf(c->reason, sizeof(c->reason), "%s", r == CHECK_OK ? "" : p->reason);
}

/* A loop on a real (virt false) or virtual clock at 0, and a config with test-sized defaults. */
static inline void pf_setup(struct pf *f, bool virt, const struct probe_ops *kind)
{
	memset(f, 0, sizeof(*f));
	f->clk = virt ? clock_new_virtual(0) : clock_new_real();
	f->loop = loop_new(f->clk, &f->err);
	f->cfg.name = "p";
	f->cfg.kind = kind;
	f->cfg.interval_ns = MS(50);
	f->cfg.fast_interval_ns = MS(10);
	f->cfg.timeout_ns = MS(100);
	f->cfg.failures = 1;
	f->cfg.successes = 1;
}

/* probe_init with the kind's ops (NULL: by cfg.kind); the listener logs into f. */
static inline int pf_init(struct pf *f, const struct probe_ops *ops, void *ctx)
{
	f->inited = true;
	int rc = probe_init(&f->p, ops, &f->cfg, f->loop, f->clk, ctx, &f->err);
	f->p.listener.changed = pf_on_change;
	f->p.listener.checked = pf_on_check;
	f->p.listener.arg = f;
	return rc;
}

static inline uint64_t pf_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until n checks were logged or max_ms of real time passed. */
static inline size_t pf_run_checks(struct pf *f, size_t n, uint64_t max_ms)
{
	uint64_t end = pf_wall_ms() + max_ms;
	for (int i = 0; i < 100000 && f->nchecks < n && pf_wall_ms() < end; i++)
		if (loop_run_once(f->loop) <= 0)
			break;
	return f->nchecks;
}

static inline void pf_teardown(struct pf *f)
{
	if (f->inited)
		probe_fini(&f->p);
	loop_free(f->loop);
	clock_free(f->clk);
}

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static inline int pf_listen(unsigned *port, int backlog)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* A loopback port with nothing listening (bound, then closed). */
static inline unsigned pf_closed_port(void)
{
	unsigned port = 0;
	int fd = pf_listen(&port, 1);
	close(fd);
	return port;
}

#endif
