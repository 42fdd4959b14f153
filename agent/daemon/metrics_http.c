/*
 * metrics_http.c - GET /metrics over HTTP with libmicrohttpd, on our loop.
 *
 * MHD runs in "external select" mode with epoll: its epoll descriptor is
 * one loop_io of ours, and MHD_run is called when it is readable and when
 * MHD_get_timeout says a connection times out. No thread, so the registry
 * needs no lock: a scrape sees the agent between two callbacks.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "faultline/clock.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/metrics.h"
#include "faultline/util.h"

/*
 * Limits: a scrape is one short request, so anything idle this long is
 * closed; the totals are far above what scrapers need and far below the
 * descriptors the agent has (RLIMIT_NOFILE 1024 by default).
 */
#define METRICS_HTTP_IDLE_S     3u
#define METRICS_HTTP_MAX_CONN   256u
#define METRICS_HTTP_MAX_PER_IP 128u

struct metrics_http {
	struct MHD_Daemon *d;
	struct metrics *m;
	struct loop *loop;
	struct loop_io io;
	struct fl_timer timer;
	unsigned port;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	struct metrics_http *h = cls;
	(void)version, (void)upload, (void)upload_len, (void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, xstrdup("only GET\n"), 9, "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, xstrdup("see /metrics\n"), 13, "text/plain");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return MHD_NO;
	metrics_render(h->m, f);
	fclose(f);
	return reply(c, MHD_HTTP_OK, buf, len, "text/plain; version=0.0.4; charset=utf-8");
}

static void on_timer(void *arg);

/* MHD's own messages (one per refused connection, say): debug only, or a local user could flood the log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("metrics: %s", buf);
}

/* Let MHD work, then wake up again when its next connection timeout is due. */
static void drive(struct metrics_http *h)
{
	MHD_run(h->d);
	MHD_UNSIGNED_LONG_LONG ms;
	struct fl_clock *clk = loop_clock(h->loop);
	if (MHD_get_timeout(h->d, &ms) == MHD_YES)
		clock_timer_start(clk, &h->timer, clock_now(clk) + (uint64_t)ms * 1000000ULL, on_timer, h);
	else
		clock_timer_stop(clk, &h->timer);
}

static void on_timer(void *arg)
{
	drive(arg);
}

static void on_ready(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io, (void)events;
	drive(arg);
}

/* "1.2.3.4:port" or "[::1]:port", numeric only (no DNS in the agent); port 0 = any. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, struct fl_err *e)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(addr, ':');
	char *end = NULL;
	unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (colon == NULL || colon[1] == '\0' || *end != '\0' || port > 65535)
		return err_set(e, "metrics address \"%s\": expected ADDR:PORT with a port from 0 to 65535", addr);
	char *host = xstrndup(addr, (size_t)(colon - addr));
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	int rc = 0;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1)
		v4->sin_family = AF_INET, v4->sin_port = htons((uint16_t)port);
	else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1)
		v6->sin6_family = AF_INET6, v6->sin6_port = htons((uint16_t)port);
	else
		rc = err_set(e, "metrics address \"%s\": expected a numeric IP address and a port", addr);
	free(host);
	return rc;
}

static unsigned bound_port(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (i == NULL || getsockname(i->listen_fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

struct metrics_http *metrics_http_start(struct loop *l, struct metrics *m, const char *addr, struct fl_err *e)
{
	struct sockaddr_storage ss;
	if (parse_addr(addr, &ss, e) < 0)
		return NULL;
	struct metrics_http *h = xcalloc(1, sizeof(*h));
	h->m = m;
	h->loop = l;
	clock_timer_init(&h->timer);
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                        MHD_OPTION_CONNECTION_TIMEOUT, METRICS_HTTP_IDLE_S, MHD_OPTION_CONNECTION_LIMIT,
	                        METRICS_HTTP_MAX_CONN, MHD_OPTION_PER_IP_CONNECTION_LIMIT, METRICS_HTTP_MAX_PER_IP,
	                        MHD_OPTION_LISTEN_BACKLOG_SIZE, 128u, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	                        MHD_OPTION_END);
	const union MHD_DaemonInfo *i = h->d ? MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (h->d == NULL || i == NULL) {
		err_set(e, "metrics: cannot listen on %s (in use, or not a local address?)", addr);
		goto fail;
	}
	if (loop_io_start(l, &h->io, i->epoll_fd, EPOLLIN, on_ready, h) < 0) {
		err_setsys(e, "metrics: watching the server");
		goto fail;
	}
	h->port = bound_port(h->d);
	return h;
fail:
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	free(h);
	return NULL;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	loop_io_stop(h->loop, &h->io);
	clock_timer_stop(loop_clock(h->loop), &h->timer);
	MHD_stop_daemon(h->d);
	free(h);
}

unsigned metrics_http_port(const struct metrics_http *h)
{
	return h->port;
}
