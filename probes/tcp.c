/*
 * tcp.c - the TCP probe: a non-blocking connect under a deadline.
 *
 * Up means the three-way handshake completed. The address is numeric
 * (resolved once before the run, never in the loop), and the connection is
 * closed with RST (SO_LINGER 0) so a 20 ms cadence leaves no TIME_WAIT
 * sockets behind on either side.
 *
 * Cost: a peer as near as loopback has answered (SYN-ACK or RST) before
 * connect() returns EINPROGRESS, so one zero-timeout poll() settles the
 * check there and then: socket, connect, poll, setsockopt(SO_LINGER), close
 * when it connected (poll says POLLOUT alone: there is no error to read);
 * socket, connect, poll, getsockopt(SO_ERROR), close when it failed. Only a
 * check still in progress after that goes through the event loop (epoll
 * add, wait, del).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultline/loop.h"
#include "faultline/probe.h"
#include "faultline/util.h"

struct tcp_probe {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct loop_io io;
	int fd;
};

static int tcp_init(struct probe *p, struct fl_err *e)
{
	struct tcp_probe *t = xcalloc(1, sizeof(*t));
	t->fd = -1;
	p->impl = t;
	char port[16];
	snprintf(port, sizeof(port), "%u", p->cfg->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(p->cfg->host, port, &hints, &res);
	if (rc != 0)
		return err_set(e, "cannot resolve \"%s\": %s", p->cfg->host, gai_strerror(rc));
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* connected: reset it (RST, no TIME_WAIT); a refused or failed socket has no connection to reset. */
static void tcp_close(struct probe *p, bool connected)
{
	struct tcp_probe *t = p->impl;
	if (t->fd < 0)
		return;
	loop_io_stop(p->loop, &t->io);
	if (connected) {
		struct linger lg = {1, 0};
		setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(t->fd);
	t->fd = -1;
}

/* The connect has an answer: read it, close, report. */
static void tcp_finish(struct probe *p)
{
	struct tcp_probe *t = p->impl;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	tcp_close(p, soerr == 0);
	if (soerr == 0) {
		probe_check_done(p, CHECK_OK, NULL);
		return;
	}
	char reason[128];
	snprintf(reason, sizeof(reason), "connect: %s", strerror(soerr));
	probe_check_done(p, CHECK_FAIL, reason);
}

static void tcp_ready(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	tcp_finish(arg);
}

static void tcp_start(struct probe *p)
{
	struct tcp_probe *t = p->impl;
	char reason[128];
	t->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		/* Out of descriptors is our problem, not the service's. */
		snprintf(reason, sizeof(reason), "socket: %s", strerror(errno));
		probe_check_done(p, CHECK_ERROR, reason);
		return;
	}
	if (connect(t->fd, (struct sockaddr *)&t->addr, t->addrlen) == 0) {
		tcp_close(p, true);
		probe_check_done(p, CHECK_OK, NULL);
		return;
	}
	if (errno != EINPROGRESS) {
		snprintf(reason, sizeof(reason), "connect: %s", strerror(errno));
		tcp_close(p, false);
		probe_check_done(p, CHECK_FAIL, reason);
		return;
	}
	struct pollfd pfd = {.fd = t->fd, .events = POLLOUT};
	if (poll(&pfd, 1, 0) == 1) {
		if (pfd.revents == POLLOUT) { /* connected: no error to read */
			tcp_close(p, true);
			probe_check_done(p, CHECK_OK, NULL);
			return;
		}
		tcp_finish(p);
		return;
	}
	if (loop_io_start(p->loop, &t->io, t->fd, EPOLLOUT, tcp_ready, p) < 0) {
		snprintf(reason, sizeof(reason), "epoll_ctl: %s", strerror(errno));
		tcp_close(p, false);
		probe_check_done(p, CHECK_ERROR, reason);
	}
}

static void tcp_cancel(struct probe *p)
{
	tcp_close(p, true); /* it may have connected since: reset to be sure */
}

static void tcp_fini(struct probe *p)
{
	if (p->impl == NULL)
		return;
	tcp_close(p, true);
	free(p->impl);
	p->impl = NULL;
}

const struct probe_ops probe_tcp_ops = {
    .name = "tcp",
    .target = PROBE_TARGET_HOSTPORT,
    .caps = PROBE_CAP_NETWORK,
    .summary = "TCP connect to %s",
    .init = tcp_init,
    .start = tcp_start,
    .cancel = tcp_cancel,
    .fini = tcp_fini,
};
