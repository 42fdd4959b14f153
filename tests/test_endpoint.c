/* test_endpoint.c - loopback endpoints: real connects on 127.0.0.1, bound to port 0. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../agent/cluster/sim/sim_endpoint.h"

static struct sim_endpoints *eps;

static void setup(void)
{
	struct fl_err e = {0};
	eps = sim_endpoints_new(&e);
	cr_assert_not_null(eps, "%s", e.msg);
}

static void teardown(void)
{
	sim_endpoints_free(eps);
}

TestSuite(endpoint, .init = setup, .fini = teardown);

static int open_any(const char *resource)
{
	struct fl_err e = {0};
	cr_assert_eq(sim_endpoint_open(eps, resource, "127.0.0.1:0", &e), 0, "%s", e.msg);
	int port = sim_endpoint_port(eps, resource);
	cr_assert_gt(port, 0);
	return port;
}

/* Connect with a 2 s receive bound, so no test can hang. Returns fd or -1 with errno. */
static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Send a request, read the whole answer (the server closes). */
static void request(int port, const char *req, char *out, size_t cap)
{
	int fd = dial(port);
	cr_assert_geq(fd, 0, "connect: %s", strerror(errno));
	cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	size_t n = 0;
	for (int i = 0; i < 64 && n < cap - 1; i++) {
		ssize_t r = recv(fd, out + n, cap - 1 - n, 0);
		cr_assert_geq(r, 0, "recv: %s", strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
}

Test(endpoint, answers_health_with_the_resource_name)
{
	int port = open_any("SQL Server (MSSQLSERVER)");
	char buf[1024];
	request(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", buf, sizeof(buf));
	cr_assert_str_eq(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 53\r\n"
	                      "Connection: close\r\n\r\n{\"status\":\"ok\",\"resource\":\"SQL Server (MSSQLSERVER)\"}");
}

Test(endpoint, escapes_the_name_as_json)
{
	int port = open_any("File Server (\\\\FS01) \"x\"");
	char buf[1024];
	request(port, "GET /health HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	const char *body = strstr(buf, "\r\n\r\n");
	cr_assert_not_null(body);
	cr_assert_str_eq(body + 4, "{\"status\":\"ok\",\"resource\":\"File Server (\\\\\\\\FS01) \\\"x\\\"\"}");
}

Test(endpoint, other_paths_are_404)
{
	int port = open_any("R");
	char buf[1024];
	request(port, "GET /healthz HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	cr_assert_str_eq(buf, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
	                      "Connection: close\r\n\r\nnot found\n");
	request(port, "POST /health HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	cr_assert(strncmp(buf, "HTTP/1.1 404 ", 13) == 0, "%s", buf);
}

Test(endpoint, closed_endpoint_refuses_connections)
{
	int port = open_any("R");
	char buf[256];
	request(port, "GET /health HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	cr_assert(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0);
	sim_endpoint_close(eps, "R");
	cr_assert_eq(sim_endpoint_port(eps, "R"), -1);
	cr_assert_eq(dial(port), -1);
	cr_assert_eq(errno, ECONNREFUSED);
}

Test(endpoint, close_resets_unanswered_connections)
{
	int port = open_any("R");
	int fd = dial(port);
	cr_assert_geq(fd, 0);
	/* Half a request: the server holds the connection waiting for the rest. */
	cr_assert_eq(send(fd, "GET /hea", 8, 0), 8);
	sim_endpoint_close(eps, "R");
	char c;
	cr_assert_eq(recv(fd, &c, 1, 0), -1);
	cr_assert_eq(errno, ECONNRESET);
	close(fd);
}

Test(endpoint, reopens_on_the_same_port)
{
	int port = open_any("R");
	sim_endpoint_close(eps, "R");
	char addr[32];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	struct fl_err e = {0};
	cr_assert_eq(sim_endpoint_open(eps, "R", addr, &e), 0, "%s", e.msg);
	cr_assert_eq(sim_endpoint_port(eps, "R"), port);
	char buf[256];
	request(port, "GET /health HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	cr_assert(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0);
}

Test(endpoint, refuses_non_loopback_and_double_open)
{
	struct fl_err e = {0};
	cr_assert_eq(sim_endpoint_open(eps, "R", "10.0.0.1:80", &e), -1);
	cr_assert_str_eq(
	    e.msg,
	    "endpoint for resource \"R\": \"10.0.0.1:80\": not a loopback address (only 127.0.0.0/8 is allowed)");
	cr_assert_eq(sim_endpoint_open(eps, "R", "0.0.0.0:0", &e), -1);
	open_any("R");
	cr_assert_eq(sim_endpoint_open(eps, "R", "127.0.0.1:0", &e), -1);
	cr_assert_str_eq(e.msg, "endpoint for resource \"R\": already open");
}

Test(endpoint, reports_a_port_in_use)
{
	int port = open_any("A");
	char addr[32];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	struct fl_err e = {0};
	cr_assert_eq(sim_endpoint_open(eps, "B", addr, &e), -1);
	cr_assert_eq(e.sys, EADDRINUSE);
	char want[256];
	snprintf(want, sizeof(want), "endpoint \"%s\" for resource \"B\": bind: %s", addr, strerror(EADDRINUSE));
	cr_assert_str_eq(e.msg, want);
	cr_assert_eq(sim_endpoint_port(eps, "B"), -1);
}

Test(endpoint, unknown_resource_is_a_no_op)
{
	sim_endpoint_close(eps, "nobody");
	cr_assert_eq(sim_endpoint_port(eps, "nobody"), -1);
}

Test(endpoint, free_closes_everything_with_clients_connected)
{
	int port = open_any("R");
	open_any("S");
	int fd = dial(port);
	cr_assert_geq(fd, 0);
	cr_assert_eq(send(fd, "GET", 3, 0), 3);
	sim_endpoints_free(eps);
	eps = NULL;
	char c;
	cr_assert_eq(recv(fd, &c, 1, 0), -1);
	cr_assert_eq(errno, ECONNRESET);
	close(fd);
	cr_assert_eq(dial(port), -1);
	cr_assert_eq(errno, ECONNREFUSED);
}

Test(endpoint_parse, accepts_loopback_only)
{
	struct fl_err e = {0};
	uint32_t ip;
	uint16_t port;
	cr_assert_eq(sim_endpoint_parse("127.0.0.1:14330", &ip, &port, &e), 0);
	cr_assert_eq(ip, 0x7f000001u);
	cr_assert_eq(port, 14330);
	cr_assert_eq(sim_endpoint_parse("127.1.2.3:0", &ip, &port, &e), 0);
	cr_assert_eq(ip, 0x7f010203u);
	const char *bad[] = {"127.0.0.1",    "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1:65536", "128.0.0.1:80",
	                     "localhost:80", "[::1]:80",   "127.1:80",     "127.0.0.1:1x",    ":80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sim_endpoint_parse(bad[i], &ip, &port, &e), -1, "%s", bad[i]);
	sim_endpoint_parse("127.0.0.1", &ip, &port, &e);
	cr_assert_str_eq(e.msg, "\"127.0.0.1\": expected A.B.C.D:PORT");
}
