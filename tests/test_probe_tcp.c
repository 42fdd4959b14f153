/* test_probe_tcp.c - the tcp probe and the core on a real clock against loopback listeners. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>

#include "probe_fixture.h"

static void setup_tcp(struct pf *f, unsigned port)
{
	pf_setup(f, false, &probe_tcp_ops);
	f->cfg.host = "127.0.0.1";
	f->cfg.port = port;
	cr_assert_eq(pf_init(f, NULL, NULL), 0, "%s", f->err.msg);
}

Test(probe_tcp, listener_is_up)
{
	unsigned port;
	int lfd = pf_listen(&port, 16);
	cr_assert_geq(lfd, 0);
	struct pf f;
	setup_tcp(&f, port);
	probe_start(&f.p);
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	cr_expect_eq(f.checks[0].r, CHECK_OK);
	cr_expect_eq(f.p.status, PROBE_UP);
	cr_assert_eq(f.nchanges, 1);
	cr_expect_eq(f.changes[0].from, PROBE_UNKNOWN);
	cr_expect_eq(f.changes[0].to, PROBE_UP);
	pf_teardown(&f);
	close(lfd);
}

Test(probe_tcp, closed_listener_is_down_then_back_up)
{
	unsigned port;
	int lfd = pf_listen(&port, 16);
	cr_assert_geq(lfd, 0);
	struct pf f;
	setup_tcp(&f, port);
	f.cfg.interval_ns = MS(200);
	probe_start(&f.p);
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	close(lfd);
	cr_assert_eq(pf_run_checks(&f, 2, 900), 2);
	cr_expect_eq(f.checks[1].r, CHECK_FAIL);
	cr_expect_str_eq(f.checks[1].reason, "connect: Connection refused");
	cr_assert_eq(f.nchanges, 2);
	cr_expect_eq(f.changes[1].to, PROBE_DOWN);
	cr_expect_eq(f.changes[1].at, f.checks[1].started);
	cr_expect_str_eq(f.changes[1].reason, "connect: Connection refused");
	/* Down: the fast cadence (10 ms) instead of the interval (200 ms). */
	lfd = pf_listen(&port, 16);
	cr_assert_eq(pf_run_checks(&f, 3, 900), 3);
	uint64_t gap = f.checks[2].started - f.checks[1].started;
	cr_expect(gap >= MS(10) && gap < MS(150), "gap %llu ns", (unsigned long long)gap);
	pf_teardown(&f);
	close(lfd);
}

Test(probe_tcp, three_failures_needed)
{
	struct pf f;
	pf_setup(&f, false, &probe_tcp_ops);
	f.cfg.host = "127.0.0.1";
	f.cfg.port = pf_closed_port();
	f.cfg.failures = 3;
	f.cfg.interval_ns = MS(10);
	cr_assert_eq(pf_init(&f, NULL, NULL), 0, "%s", f.err.msg);
	probe_start(&f.p);
	cr_assert_eq(pf_run_checks(&f, 2, 900), 2);
	cr_expect_eq(f.nchanges, 0);
	cr_expect_eq(f.p.status, PROBE_UNKNOWN);
	cr_assert_eq(pf_run_checks(&f, 3, 900), 3);
	cr_assert_eq(f.nchanges, 1);
	cr_expect_eq(f.changes[0].to, PROBE_DOWN);
	cr_expect_eq(f.changes[0].at, f.checks[0].started, "the outage starts at the first failing check");
	for (size_t i = 0; i < 3; i++)
		cr_expect_str_eq(f.checks[i].reason, "connect: Connection refused");
	pf_teardown(&f);
}

/* Fill a backlog-0 listener's accept queue so further SYNs are dropped. */
static int fill_backlog(unsigned port, int *fds, size_t n)
{
	struct sockaddr_in a = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	for (size_t i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || (connect(fds[i], (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS))
			return -1;
	}
	usleep(20000); /* let the handshakes settle into the queue */
	return 0;
}

Test(probe_tcp, no_answer_is_a_timeout)
{
	unsigned port;
	int lfd = pf_listen(&port, 0);
	cr_assert_geq(lfd, 0);
	int fds[4];
	cr_assert_eq(fill_backlog(port, fds, 4), 0);
	struct pf f;
	setup_tcp(&f, port);
	uint64_t t0 = pf_wall_ms();
	probe_start(&f.p);
	cr_assert_eq(pf_run_checks(&f, 1, 900), 1);
	cr_expect_eq(f.checks[0].r, CHECK_FAIL);
	cr_expect_str_eq(f.checks[0].reason, "no answer within 100 ms");
	uint64_t took = pf_wall_ms() - t0;
	cr_expect(took >= 100 && took < 300, "took %llu ms", (unsigned long long)took);
	cr_expect_eq(f.p.status, PROBE_DOWN);
	pf_teardown(&f);
	for (size_t i = 0; i < 4; i++)
		close(fds[i]);
	close(lfd);
}
