/*
 * control.c - the control socket server (control.h).
 *
 * Non-blocking throughout: accept on readiness, read until a newline (or
 * 4 KiB), answer through the callback, write the reply, close. Each
 * connection is dropped at its deadline whatever it is doing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/control.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/util.h"

#define CONN_DEADLINE_NS (2 * NSEC_PER_SEC)
#define MAX_REQUEST      4096

struct conn {
	struct control *ctl;
	struct loop_io io;
	struct fl_timer deadline;
	char in[MAX_REQUEST];
	size_t nin;
	char *out;
	size_t nout, sent;
	struct conn *next;
};

struct control {
	struct loop *loop;
	char *path;
	int fd;
	struct loop_io io;
	control_request_cb cb;
	void *arg;
	struct conn *conns;
};

bool control_peer_allowed(uid_t peer, uid_t self)
{
	return peer == self || peer == 0;
}

static void conn_close(struct conn *c)
{
	struct control *ctl = c->ctl;
	for (struct conn **p = &ctl->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	loop_io_stop(ctl->loop, &c->io);
	clock_timer_stop(loop_clock(ctl->loop), &c->deadline);
	close(c->io.fd);
	free(c->out);
	free(c);
}

static void on_deadline(void *arg)
{
	conn_close(arg);
}

static void conn_write(struct conn *c)
{
	while (c->sent < c->nout) {
		ssize_t n = send(c->io.fd, c->out + c->sent, c->nout - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->sent += (size_t)n;
	}
	conn_close(c);
}

/* A whole line is in: send reply (taken). */
static void conn_reply(struct conn *c, char *reply)
{
	c->out = xasprintf("%s\n", reply);
	free(reply);
	c->nout = strlen(c->out);
	loop_io_modify(c->ctl->loop, &c->io, EPOLLOUT);
	conn_write(c);
}

static void conn_read(struct conn *c)
{
	ssize_t n = recv(c->io.fd, c->in + c->nin, sizeof(c->in) - 1 - c->nin, 0);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->nin += (size_t)n;
	c->in[c->nin] = '\0';
	char *nl = memchr(c->in, '\n', c->nin);
	if (nl == NULL && c->nin < sizeof(c->in) - 1)
		return;
	if (nl != NULL)
		*nl = '\0';
	if (memchr(c->in, '\0', nl ? (size_t)(nl - c->in) : c->nin) != NULL) /* strict: no NUL inside a request */
		conn_reply(c, xstrdup("{\"ok\":false,\"error\":\"control: the request contains a NUL byte\"}"));
	else
		conn_reply(c, c->ctl->cb(c->in, c->ctl->arg));
}

static void on_conn(struct loop_io *io, uint32_t events, void *arg)
{
	struct conn *c = arg;
	(void)io;
	if (c->out != NULL)
		conn_write(c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(c);
}

static bool peer_ok(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
		log_warn("control: SO_PEERCRED");
		return false;
	}
	if (control_peer_allowed(cr.uid, geteuid()))
		return true;
	log_warnx("control: refused a connection from uid %u (pid %d): only uid %u and root may control the agent",
	          (unsigned)cr.uid, (int)cr.pid, (unsigned)geteuid());
	return false;
}

static void on_accept(struct loop_io *io, uint32_t events, void *arg)
{
	struct control *ctl = arg;
	(void)io, (void)events;
	int fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (!peer_ok(fd)) {
		close(fd);
		return;
	}
	struct conn *c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	clock_timer_init(&c->deadline);
	if (loop_io_start(ctl->loop, &c->io, fd, EPOLLIN, on_conn, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = ctl->conns;
	ctl->conns = c;
	struct fl_clock *clk = loop_clock(ctl->loop);
	clock_timer_start(clk, &c->deadline, clock_now(clk) + CONN_DEADLINE_NS, on_deadline, c);
}

static int fill_addr(struct sockaddr_un *sa, const char *path, struct fl_err *e)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return err_set(e, "control socket %s: path too long (at most %zu bytes)", path,
		               sizeof(sa->sun_path) - 1);
	strcpy(sa->sun_path, path);
	return 0;
}

/* Bind with mode 0600 from the start: no window where others could connect. */
static int listen_on(const char *path, struct fl_err *e)
{
	struct sockaddr_un sa;
	if (fill_addr(&sa, path, e) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_setsys(e, "control socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return err_set(e, "control socket %s: another agent is listening there", path);
	}
	unlink(path); /* stale: nobody answered */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
		err_setsys(e, "control socket %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

struct control *control_start(struct loop *l, const char *path, control_request_cb cb, void *arg, struct fl_err *e)
{
	int fd = listen_on(path, e);
	if (fd < 0)
		return NULL;
	struct control *ctl = xcalloc(1, sizeof(*ctl));
	ctl->loop = l;
	ctl->path = xstrdup(path);
	ctl->fd = fd;
	ctl->cb = cb;
	ctl->arg = arg;
	if (loop_io_start(l, &ctl->io, fd, EPOLLIN, on_accept, ctl) < 0) {
		err_setsys(e, "control socket %s: watching it", path);
		control_stop(ctl);
		return NULL;
	}
	return ctl;
}

void control_stop(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->conns != NULL)
		conn_close(ctl->conns);
	loop_io_stop(ctl->loop, &ctl->io);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
