/*
 * adapter_sim.c - the simulator served over the exec protocol
 * (`faultline sim-adapter`): a "sim" cluster on a REAL clock with its own
 * loop, its loopback endpoints open, answering requests through the shared
 * proto_serve_line and streaming every transition as an event line.
 *
 * Peers: on stdio, one peer (stdin/stdout) and the adapter ends at its EOF.
 * With --listen, every connection to the Unix socket is a peer with its own
 * hello, all of them get the events, and the simulated cluster outlives
 * them (and the faultline that drove it) until SIGTERM/SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "faultline/adapter_sim.h"
#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/proto.h"
#include "faultline/util.h"

struct adapter;

struct peer {
	struct adapter *a;
	int in, out;
	struct proto_reader rd;
	struct loop_io io;
	struct peer *next;
};

struct adapter {
	struct fl_clock *clk;
	struct loop *loop;
	struct cluster *cl;
	struct proto_hello hello;
	uint64_t t0;
	struct loop_io ev_io, listen_io;
	struct loop_signal sig;
	int listen_fd;
	bool stdio; /* the adapter ends with its only peer */
	struct peer *peers;
};

/* A whole line to a peer; a peer that cannot take it is dropped by its next read. */
static void peer_send(struct peer *p, const char *line)
{
	size_t n = strlen(line), off = 0;
	while (off < n) {
		ssize_t w = write(p->out, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_debug("sim-adapter: peer gone: %s", strerror(errno));
			return;
		}
		off += (size_t)w;
	}
}

static void peer_free(struct peer *p)
{
	struct adapter *a = p->a;
	for (struct peer **pp = &a->peers; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	loop_io_stop(a->loop, &p->io);
	proto_reader_fini(&p->rd);
	if (p->in > STDERR_FILENO)
		close(p->in);
	free(p);
	if (a->stdio)
		loop_stop(a->loop);
}

/* The adapter ops: the cluster's own, behind the protocol's signatures. */
static int a_list(void *arg, struct cluster_snapshot *out, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->snapshot(c, out, e);
}
static int a_state(void *arg, const char *res, enum res_state *st, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	int rc = c->ops->resource_state(c, res, st, e);
	*code = rc < 0 ? WIN_ERROR_RESOURCE_NOT_FOUND : WIN_ERROR_SUCCESS;
	return rc;
}
static int a_fail(void *arg, const char *res, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->fail(c, res, code, e);
}
static int a_offline(void *arg, const char *res, unsigned flags, const char *dest, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->offline(c, res, flags, dest, code, e);
}
static int a_online(void *arg, const char *res, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->online(c, res, code, e);
}
static int a_move(void *arg, const char *group, const char *node, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->move_group(c, group, node, code, e);
}
static int a_node_down(void *arg, const char *node, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->node_down(c, node, code, e);
}
static int a_node_up(void *arg, const char *node, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->node_up(c, node, code, e);
}
static int a_node_pause(void *arg, const char *node, bool drain, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->node_pause(c, node, drain, code, e);
}
static int a_node_resume(void *arg, const char *node, enum node_failback failback, long *code, struct fl_err *e)
{
	struct cluster *c = arg;
	return c->ops->node_resume(c, node, failback, code, e);
}
static const struct proto_adapter_ops sim_adapter_ops = {
    .list = a_list,
    .state = a_state,
    .fail = a_fail,
    .offline = a_offline,
    .online = a_online,
    .move = a_move,
    .node_down = a_node_down,
    .node_up = a_node_up,
    .node_pause = a_node_pause,
    .node_resume = a_node_resume,
};

static void on_peer(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io, (void)events;
	struct peer *p = arg;
	char buf[65536];
	ssize_t n = read(p->in, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		peer_free(p);
		return;
	}
	proto_reader_feed(&p->rd, buf, (size_t)n);
	const char *line;
	size_t len;
	struct fl_err e;
	int rc;
	while ((rc = proto_reader_next(&p->rd, &line, &len, &e)) == 1) {
		char *out = proto_serve_line(&sim_adapter_ops, p->a->cl, &p->a->hello, line, len);
		if (out != NULL) /* NULL: a blank line, no request */
			peer_send(p, out);
		free(out);
	}
	if (rc < 0) {
		char *out = proto_serve_error(&e);
		peer_send(p, out);
		free(out);
		log_warnx("sim-adapter: %s; dropping the peer", e.msg);
		peer_free(p);
	}
}

static int peer_add(struct adapter *a, int in, int out, struct fl_err *e)
{
	struct peer *p = xcalloc(1, sizeof(*p));
	p->a = a;
	p->in = in;
	p->out = out;
	proto_reader_init(&p->rd, PROTO_MAX_LINE);
	if (loop_io_start(a->loop, &p->io, in, EPOLLIN, on_peer, p) < 0) {
		proto_reader_fini(&p->rd);
		free(p);
		return err_setsys(e, "sim-adapter: watching the peer");
	}
	p->next = a->peers;
	a->peers = p;
	char *hello = proto_hello_encode(&a->hello);
	peer_send(p, hello);
	free(hello);
	return 0;
}

static void on_event(const struct cluster_event *ev, void *arg)
{
	struct adapter *a = arg;
	struct proto_event pe = {.kind = ev->kind,
	                         .name = (char *)ev->name,
	                         .owner = (char *)ev->owner,
	                         .state = ev->state,
	                         .at_ms = (int64_t)((ev->at - a->t0) / NSEC_PER_MSEC)};
	char *line = proto_event_encode(&pe);
	for (struct peer *p = a->peers; p; p = p->next)
		peer_send(p, line);
	free(line);
}

static void on_cluster(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io, (void)events;
	struct adapter *a = arg;
	struct fl_err e;
	if (a->cl->ops->drain(a->cl, on_event, a, &e) < 0)
		log_warnx("sim-adapter: events: %s", e.msg);
}

static void on_accept(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io, (void)events;
	struct adapter *a = arg;
	int fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	struct fl_err e;
	if (fd < 0)
		log_warn("sim-adapter: accept");
	else if (peer_add(a, fd, fd, &e) < 0)
		log_warnx("%s", e.msg), close(fd);
}

static void on_signal(int signo, void *arg)
{
	(void)signo;
	loop_stop(((struct adapter *)arg)->loop);
}

static int listen_on(struct adapter *a, const char *path, struct fl_err *e)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path))
		return err_set(e, "sim-adapter: socket path \"%s\": too long", path);
	strcpy(sun.sun_path, path);
	a->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (a->listen_fd < 0)
		return err_setsys(e, "sim-adapter: socket");
	unlink(path); /* a stale socket from a previous server */
	if (bind(a->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(a->listen_fd, 8) < 0)
		return err_setsys(e, "sim-adapter: %s", path);
	if (loop_io_start(a->loop, &a->listen_io, a->listen_fd, EPOLLIN, on_accept, a) < 0)
		return err_setsys(e, "sim-adapter: watching %s", path);
	return 0;
}

static int adapter_start(struct adapter *a, const struct adapter_sim_opts *o, struct fl_err *e)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	struct cluster_config cfg = {
	    .backend = "sim", .topology = o->topology, .seed = o->seed, .sim_endpoints = o->endpoints};
	a->clk = clock_new_real();
	a->t0 = clock_now(a->clk);
	if ((a->loop = loop_new(a->clk, e)) == NULL || (a->cl = cluster_open(&cfg, a->clk, e)) == NULL)
		return -1;
	a->hello = (struct proto_hello){.version = PROTO_VERSION,
	                                .ops = PROTO_CAN_LIST | PROTO_CAN_STATE | PROTO_CAN_FAIL | PROTO_CAN_OFFLINE |
	                                       PROTO_CAN_ONLINE | PROTO_CAN_MOVE | PROTO_CAN_OFFLINE_DESTINATION |
	                                       PROTO_CAN_EVENTS | PROTO_CAN_NODE_OPS,
	                                .offline_flags = OFFLINE_ALL_FLAGS};
	const char *slash = strrchr(o->topology, '/');
	a->hello.cluster = xstrdup(slash ? slash + 1 : o->topology);
	char *dot = strrchr(a->hello.cluster, '.');
	if (dot && dot != a->hello.cluster)
		*dot = '\0'; /* "sql-3node.yaml" names cluster "sql-3node" */
	if (loop_io_start(a->loop, &a->ev_io, a->cl->ops->notify_fd(a->cl), EPOLLIN, on_cluster, a) < 0)
		return err_setsys(e, "sim-adapter: watching the simulator");
	if (loop_signal_start(a->loop, &a->sig, sigs, 2, on_signal, a, e) < 0)
		return -1;
	if (o->listen_path)
		return listen_on(a, o->listen_path, e);
	a->stdio = true;
	return peer_add(a, STDIN_FILENO, STDOUT_FILENO, e);
}

static void adapter_fini(struct adapter *a, const char *listen_path)
{
	a->stdio = false;
	while (a->peers)
		peer_free(a->peers);
	if (a->loop) {
		loop_io_stop(a->loop, &a->ev_io);
		loop_io_stop(a->loop, &a->listen_io);
		loop_signal_stop(a->loop, &a->sig);
	}
	if (a->listen_fd >= 0) {
		close(a->listen_fd);
		unlink(listen_path);
	}
	cluster_close(a->cl);
	loop_free(a->loop);
	clock_free(a->clk);
	free(a->hello.cluster);
}

int adapter_sim_serve(const struct adapter_sim_opts *o, struct fl_err *e)
{
	struct adapter a = {.listen_fd = -1};
	signal(SIGPIPE, SIG_IGN); /* a peer that went away is an EPIPE, handled */
	int rc = adapter_start(&a, o, e);
	if (rc == 0) {
		enum loop_exit x = loop_run(a.loop);
		if (x == LOOP_EXIT_ERROR)
			rc = err_set(e, "sim-adapter: event loop failed");
	}
	adapter_fini(&a, o->listen_path);
	return rc;
}
