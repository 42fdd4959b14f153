/*
 * test_sim_live.c - endpoints follow Online (real connects on 127.0.0.1),
 * determinism of the trace, and a 10,000-resource topology for six hours.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultline/cluster.h"
#include "port_fixture.h"
#include "sim_fixture.h"

/* 0 if connected and got "HTTP/1.x 200", -1 with errno if refused. */
static int health(int port, char *status, size_t cap)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	const char *req = "GET /health HTTP/1.0\r\n\r\n";
	cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	ssize_t n = recv(fd, status, cap - 1, 0);
	close(fd);
	cr_assert_gt(n, 0);
	status[n] = '\0';
	char *eol = strchr(status, '\r');
	if (eol)
		*eol = '\0';
	return 0;
}

Test(sim_live, endpoint_listens_exactly_while_online)
{
	char path[] = "/tmp/faultline-sim-live-XXXXXX";
	int tfd = mkstemp(path);
	cr_assert_geq(tfd, 0);
	int port = (int)free_port();
	FILE *f = fdopen(tfd, "w");
	fprintf(f,
	        "name: live\nnodes: [n1, n2]\ngroups:\n  - name: G\n    resources:\n"
	        "      - name: Web\n        type: Generic Service\n        online_time: 1s\n"
	        "        endpoint: 127.0.0.1:%d\n",
	        port);
	fclose(f);
	struct fl_clock *clk = clock_new_virtual(0);
	struct cluster_config cfg = {.backend = "sim", .topology = path, .seed = 3, .sim_endpoints = true};
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	unlink(path);
	cr_assert_not_null(c, "%s", e.msg);
	char status[256];
	cr_assert_eq(health(port, status, sizeof(status)), 0, "Online at start: listening");
	cr_assert(strstr(status, " 200") != NULL, "%s", status);
	long code;
	cr_assert_eq(c->ops->fail(c, "Web", &code, &e), 0);
	cr_assert_eq(health(port, status, sizeof(status)), -1, "Failed: refused");
	cr_assert_eq(errno, ECONNREFUSED);
	clock_advance(clk, MS(1000), 100); /* restart at 0.5 s, still online-pending */
	cr_assert_eq(health(port, status, sizeof(status)), -1);
	clock_advance(clk, MS(1600), 100);
	cr_assert_eq(sim_resource_state(sim_from_cluster(c), "Web"), RES_ONLINE);
	cr_assert_eq(health(port, status, sizeof(status)), 0, "Online again: listening");
	cr_assert_eq(c->ops->move_group(c, "G", "n2", &code, &e), 0);
	clock_advance(clk, MS(1600), 100); /* offline at once, online-pending on n2 until 2.6 s */
	cr_assert_eq(health(port, status, sizeof(status)), -1);
	clock_advance(clk, MS(3000), 100);
	cr_assert_eq(health(port, status, sizeof(status)), 0);
	cluster_close(c);
	cr_assert_eq(health(port, status, sizeof(status)), -1, "closed with the cluster");
	clock_free(clk);
}

/* When the service became ready, or 0 while it is not. */
static uint64_t ready_at(struct cluster *c, const char *resource)
{
	uint64_t t = 0;
	return sim_cluster_ready(c, resource, &t) ? t : 0;
}

/* A one-resource topology with an endpoint that lags Online by ready_after; returns the open cluster. */
static struct cluster *lagging(struct fl_clock *clk, int port, const char *ready_after, uint64_t seed)
{
	char path[] = "/tmp/faultline-sim-ready-XXXXXX";
	int tfd = mkstemp(path);
	cr_assert_geq(tfd, 0);
	FILE *f = fdopen(tfd, "w");
	fprintf(f,
	        "name: ready\nnodes: [n1]\ngroups:\n  - name: G\n    resources:\n"
	        "      - name: Web\n        type: Generic Service\n        online_time: 1s\n"
	        "        restart_action: restart\n        restart_threshold: 100\n"
	        "        endpoint: 127.0.0.1:%d\n        ready_after: %s\n",
	        port, ready_after);
	fclose(f);
	struct cluster_config cfg = {.backend = "sim", .topology = path, .seed = seed, .sim_endpoints = true};
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	unlink(path);
	cr_assert_not_null(c, "%s", e.msg);
	return c;
}

Test(sim_live, endpoint_listens_ready_after_online)
{
	int port = (int)free_port();
	struct fl_clock *clk = clock_new_virtual(SEC(5));
	struct cluster *c = lagging(clk, port, "300ms", 3);
	char status[256];
	cr_assert_eq(health(port, status, sizeof(status)), 0, "Online at start: the service is up already");
	cr_assert_eq(ready_at(c, "Web"), SEC(5));
	long code;
	struct fl_err e;
	cr_assert_eq(c->ops->fail(c, "Web", &code, &e), 0);
	cr_assert_eq(ready_at(c, "Web"), 0);
	clock_advance(clk, SEC(5) + MS(1500), 100); /* restart delay 500 ms + online_time 1 s */
	cr_assert_eq(sim_resource_state(sim_from_cluster(c), "Web"), RES_ONLINE);
	cr_assert_eq(health(port, status, sizeof(status)), -1, "Online, but the service lags");
	cr_assert_eq(errno, ECONNREFUSED);
	clock_advance(clk, SEC(5) + MS(1799), 100);
	cr_assert_eq(health(port, status, sizeof(status)), -1, "1 ms before ready");
	cr_assert_eq(ready_at(c, "Web"), 0);
	clock_advance(clk, SEC(5) + MS(1800), 100);
	cr_assert_eq(health(port, status, sizeof(status)), 0, "ready_after 300 ms after Online: listening");
	cr_assert_eq(ready_at(c, "Web"), SEC(5) + MS(1800));
	cluster_close(c);
	clock_free(clk);
}

Test(sim_live, leaving_online_cancels_the_pending_open)
{
	int port = (int)free_port();
	struct fl_clock *clk = clock_new_virtual(SEC(1));
	struct cluster *c = lagging(clk, port, "300ms", 3);
	long code;
	struct fl_err e;
	cr_assert_eq(c->ops->fail(c, "Web", &code, &e), 0);
	clock_advance(clk, SEC(1) + MS(1600), 100); /* Online at 2.5 s, ready at 2.8 s */
	cr_assert_eq(c->ops->fail(c, "Web", &code, &e), 0, "%s", e.msg);
	clock_advance(clk, SEC(1) + MS(1900), 100);
	char status[256];
	cr_assert_eq(health(port, status, sizeof(status)), -1, "failed again before ready: never opened");
	cr_assert_eq(ready_at(c, "Web"), 0);
	cluster_close(c);
	clock_free(clk);
}

/* Uniform lags: drawn per Online, within the bounds, the same for the same seed. */
static void uniform_lags(uint64_t seed, uint64_t lag[4])
{
	int port = (int)free_port();
	struct fl_clock *clk = clock_new_virtual(SEC(1));
	struct cluster *c = lagging(clk, port, "{min: 0ms, max: 2s}", seed);
	long code;
	struct fl_err e;
	for (int i = 0; i < 4; i++) {
		uint64_t t0 = clock_now(clk);
		cr_assert_eq(c->ops->fail(c, "Web", &code, &e), 0, "%s", e.msg);
		clock_advance(clk, t0 + MS(4000), 100);
		uint64_t at = ready_at(c, "Web");
		cr_assert_neq(at, 0);
		lag[i] = at - (t0 + MS(1500));
		cr_assert_leq(lag[i], SEC(2));
	}
	cluster_close(c);
	clock_free(clk);
}

Test(sim_live, ready_after_drawn_per_online_from_the_seed)
{
	uint64_t a[4], b[4], c[4];
	uniform_lags(11, a);
	uniform_lags(11, b);
	uniform_lags(12, c);
	cr_assert_arr_eq(a, b, sizeof(a), "same seed, same lags");
	cr_assert(a[0] != a[1] && a[1] != a[2] && a[2] != a[3], "a new lag for every Online");
	cr_assert(memcmp(a, c, sizeof(a)) != 0, "another seed, other lags");
}

/* The SQL FCI: two failures of SQL Server, six hours of virtual time. */
static void sql_scenario(uint64_t seed, struct fx *f)
{
	struct fl_diag d;
	diag_init(&d, "plans/clusters/sql-3node.yaml");
	struct sim_topology *t = sim_topology_load("plans/clusters/sql-3node.yaml", &d);
	cr_assert_not_null(t);
	diag_fini(&d);
	fx_start(f, t, seed);
	cr_assert_eq(sim_fail(f->s, "SQL Server (MSSQLSERVER)", &f->code, &f->err), 0);
	fx_run(f, SEC(60));
	cr_assert_eq(sim_fail(f->s, "SQL Server (MSSQLSERVER)", &f->code, &f->err), 0);
	fx_run(f, SEC(6 * 3600));
}

Test(sim_live, same_seed_same_trace_other_seed_only_times)
{
	struct fx a, b, c;
	sql_scenario(42, &a);
	sql_scenario(42, &b);
	sql_scenario(43, &c);
	char *ta = fx_trace(&a), *tb = fx_trace(&b), *tc = fx_trace(&c);
	cr_assert_str_eq(ta, tb);
	cr_assert_str_neq(ta, tc, "the SQL Server online_time range is drawn from the seed");
	size_t na, nc;
	const struct sim_transition *xa = sim_trace(a.s, &na), *xc = sim_trace(c.s, &nc);
	cr_assert_eq(na, nc);
	size_t differ = 0;
	for (size_t i = 0; i < na; i++) {
		cr_assert_str_eq(xa[i].name, xc[i].name);
		cr_assert_eq(xa[i].from, xc[i].from);
		cr_assert_eq(xa[i].to, xc[i].to);
		cr_assert_str_eq(xa[i].node, xc[i].node);
		cr_assert_str_eq(xa[i].why, xc[i].why);
		differ += xa[i].at != xc[i].at;
	}
	cr_assert_gt(differ, 0);
	cr_assert_str_eq(sim_group_owner(a.s, "SQL Server (MSSQLSERVER)"), "node-b");
	free(ta);
	free(tb);
	free(tc);
	fx_end(&a);
	fx_end(&b);
	fx_end(&c);
}

Test(sim_live, ten_thousand_resources_six_hours)
{
	struct sim_topology *t = fx_topology("n1,n2,n3");
	char name[64], dep[64];
	for (int g = 0; g < 1000; g++) {
		snprintf(name, sizeof(name), "g%d", g);
		fx_group(t, name, "n1,n2,n3");
		for (int r = 0; r < 10; r++) {
			char res[64];
			snprintf(res, sizeof(res), "g%d-r%d", g, r);
			snprintf(dep, sizeof(dep), "g%d-r%d", g, r - 1);
			fx_res(t, name, res, r ? dep : "", MS(100 + 10 * r), MS(50));
		}
	}
	struct fx f;
	fx_start(&f, t, 9);
	for (int g = 0; g < 1000; g += 10) {
		snprintf(name, sizeof(name), "g%d-r0", g);
		cr_assert_eq(sim_fail(f.s, name, &f.code, &f.err), 0);
	}
	fx_run(&f, SEC(6 * 3600));
	size_t n;
	sim_trace(f.s, &n);
	/* Per failed provider: fail (2), 9 dependents down (18), restart (4), 9 dependents up (36). */
	cr_assert_eq(n, 100 * 60, "got %zu", n);
	for (int g = 0; g < 1000; g += 10) {
		snprintf(name, sizeof(name), "g%d", g);
		cr_assert_eq(sim_group_state(f.s, name), GRP_ONLINE);
	}
	fx_end(&f);
}
