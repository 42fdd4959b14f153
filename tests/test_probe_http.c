/* test_probe_http.c - the http probe against a canned HTTP server on 127.0.0.1. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "faultline/regex.h"
#include "faultline/util.h"
#include "probe_fixture.h"

/* Answers every connection with the same bytes, after an optional delay. */
struct srv {
	int lfd;
	unsigned port;
	int stop[2];
	pthread_t th;
	char *resp;
	unsigned delay_ms;
	unsigned served;
};

static void srv_answer(struct srv *s, int fd)
{
	char req[4096];
	size_t n = 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	while (n < sizeof(req) - 1 && poll(&pfd, 1, 500) == 1) {
		ssize_t r = read(fd, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	struct pollfd st = {.fd = s->stop[0], .events = POLLIN};
	if (s->delay_ms > 0 && poll(&st, 1, (int)s->delay_ms) != 0)
		return; /* stopping */
	size_t len = strlen(s->resp);
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, s->resp + off, len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	s->served++;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	for (int i = 0; i < 100; i++) {
		struct pollfd pfd[2] = {{.fd = s->lfd, .events = POLLIN}, {.fd = s->stop[0], .events = POLLIN}};
		if (poll(pfd, 2, 2000) <= 0 || pfd[1].revents != 0)
			break;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		srv_answer(s, fd);
		close(fd);
	}
	return NULL;
}

static void srv_start(struct srv *s, int code, const char *status, const char *headers, const char *body)
{
	memset(s, 0, sizeof(*s));
	s->lfd = pf_listen(&s->port, 16);
	cr_assert_geq(s->lfd, 0);
	cr_assert_eq(pipe(s->stop), 0);
	s->resp = xasprintf("HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n%s", code, status,
	                    strlen(body), headers, body);
}

static void srv_run(struct srv *s)
{
	cr_assert_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_stop(struct srv *s)
{
	cr_assert_eq(write(s->stop[1], "x", 1), 1);
	pthread_join(s->th, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	free(s->resp);
}

static void setup_http(struct pf *f, unsigned port, const char *body_re)
{
	pf_setup(f, false, &probe_http_ops);
	f->cfg.host = "127.0.0.1";
	f->cfg.port = port;
	f->cfg.url = xasprintf("http://127.0.0.1:%u/health", port);
	f->cfg.timeout_ns = MS(1500); /* roomy: curl's first transfer is slow under valgrind */
	if (body_re != NULL) {
		char msg[128];
		size_t off;
		f->cfg.expect_body = regex_compile(body_re, &off, msg, sizeof(msg));
		cr_assert_not_null(f->cfg.expect_body, "%s", msg);
	}
	cr_assert_eq(pf_init(f, NULL, NULL), 0, "%s", f->err.msg);
	probe_start(&f->p);
}

static void teardown_http(struct pf *f)
{
	pf_teardown(f);
	free(f->cfg.url);
	regex_free(f->cfg.expect_body);
}

/* One check against a server answering code/body; asserts result and reason. */
static void expect_one(int code, const char *status, const char *headers, const char *body, unsigned expect_status,
                       const char *re, enum check_result r, const char *reason)
{
	struct srv s;
	srv_start(&s, code, status, headers, body);
	srv_run(&s);
	struct pf f;
	setup_http(&f, s.port, re);
	f.cfg.expect_status = expect_status;
	cr_assert_eq(pf_run_checks(&f, 1, 3000), 1);
	cr_expect_eq(f.checks[0].r, r);
	cr_expect_str_eq(f.checks[0].reason, reason);
	cr_expect_eq(f.p.status, r == CHECK_OK ? PROBE_UP : PROBE_DOWN);
	teardown_http(&f);
	srv_stop(&s);
	cr_expect_eq(s.served, 1);
}

Test(probe_http, ok_with_matching_body_is_up)
{
	expect_one(200, "OK", "", "status: ok\n", 0, "^status: ok$", CHECK_OK, "");
}

Test(probe_http, any_2xx_is_ok_by_default)
{
	expect_one(204, "No Content", "", "", 0, NULL, CHECK_OK, "");
}

Test(probe_http, status_503_is_down)
{
	expect_one(503, "Service Unavailable", "", "busy", 0, NULL, CHECK_FAIL, "HTTP 503");
}

Test(probe_http, body_mismatch_is_down)
{
	expect_one(200, "OK", "", "status: degraded\n", 0, "status: ok", CHECK_FAIL,
	           "body does not match /status: ok/");
}

Test(probe_http, expect_status_is_exact)
{
	expect_one(200, "OK", "", "fine", 204, NULL, CHECK_FAIL, "HTTP 200");
}

Test(probe_http, expect_status_may_be_non_2xx)
{
	expect_one(418, "I'm a teapot", "", "short and stout", 418, "stout", CHECK_OK, "");
}

Test(probe_http, redirects_are_not_followed)
{
	expect_one(301, "Moved Permanently", "Location: http://127.0.0.1:1/elsewhere\r\n", "", 0, NULL, CHECK_FAIL,
	           "HTTP 301");
}

/* The 64 KiB limit is for matching expect.body only (issue 18: a 200 with a big body counted as DOWN). */
Test(probe_http, body_over_64k_fails_only_an_expect_body)
{
	char *big = xmalloc(70001);
	memset(big, 'a', 70000);
	big[70000] = '\0';
	expect_one(200, "OK", "", big, 0, "^a", CHECK_FAIL, "body over 64 KiB (the limit for expect.body)");
	expect_one(200, "OK", "", big, 0, NULL, CHECK_OK, "");
	free(big);
}

Test(probe_http, connection_refused_is_down)
{
	struct pf f;
	setup_http(&f, pf_closed_port(), NULL);
	cr_assert_eq(pf_run_checks(&f, 1, 3000), 1);
	cr_expect_eq(f.checks[0].r, CHECK_FAIL);
	cr_expect_str_eq(f.checks[0].reason, "connect: Connection refused");
	cr_expect_eq(f.p.status, PROBE_DOWN);
	teardown_http(&f);
}

Test(probe_http, slow_server_times_out_without_blocking)
{
	struct srv s;
	srv_start(&s, 200, "OK", "", "late");
	s.delay_ms = 1500;
	srv_run(&s);
	struct pf f;
	setup_http(&f, s.port, NULL);
	f.cfg.timeout_ns = MS(100);
	uint64_t t0 = pf_wall_ms();
	cr_assert_eq(pf_run_checks(&f, 1, 3000), 1);
	uint64_t took = pf_wall_ms() - t0;
	cr_expect_eq(f.checks[0].r, CHECK_FAIL);
	cr_expect_str_eq(f.checks[0].reason, "no answer within 100 ms");
	cr_expect(took >= 100 && took < 1000, "took %llu ms", (unsigned long long)took);
	cr_expect_eq(f.checks[0].finished - f.checks[0].started >= MS(100), 1);
	teardown_http(&f);
	srv_stop(&s);
	cr_expect_eq(s.served, 0);
}

Test(probe_http, every_check_is_a_fresh_request)
{
	struct srv s;
	srv_start(&s, 200, "OK", "", "ok");
	srv_run(&s);
	struct pf f;
	setup_http(&f, s.port, "ok");
	f.cfg.interval_ns = MS(20);
	cr_assert_eq(pf_run_checks(&f, 3, 3000), 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_eq(f.checks[i].r, CHECK_OK);
	cr_expect_eq(f.nchanges, 1);
	teardown_http(&f);
	srv_stop(&s);
	cr_expect_eq(s.served, 3);
}

Test(probe_http, probes_of_a_loop_share_one_multi)
{
	struct srv up, down;
	srv_start(&up, 200, "OK", "", "ok");
	srv_start(&down, 500, "Internal Server Error", "", "oops");
	srv_run(&up);
	srv_run(&down);
	struct pf f;
	setup_http(&f, up.port, NULL);
	struct plan_probe cfg2 = f.cfg;
	cfg2.name = "q";
	cfg2.port = down.port;
	cfg2.url = xasprintf("http://127.0.0.1:%u/", down.port);
	struct probe q;
	cr_assert_eq(probe_init(&q, NULL, &cfg2, f.loop, f.clk, NULL, &f.err), 0, "%s", f.err.msg);
	q.listener = f.p.listener;
	probe_start(&q);
	cr_assert_eq(pf_run_checks(&f, 2, 3000), 2);
	cr_expect_eq(f.p.status, PROBE_UP);
	cr_expect_eq(q.status, PROBE_DOWN);
	cr_expect_str_eq(q.reason, "HTTP 500");
	probe_fini(&q);
	free(cfg2.url);
	teardown_http(&f);
	srv_stop(&up);
	srv_stop(&down);
}

Test(probe_http, only_http_and_https)
{
	struct pf f;
	pf_setup(&f, false, &probe_http_ops);
	f.cfg.url = "ftp://127.0.0.1/file";
	cr_expect_eq(pf_init(&f, NULL, NULL), -1);
	cr_expect_str_eq(f.err.msg, "probe \"p\": only http:// and https:// URLs are supported");
	pf_teardown(&f);
}
