/*
 * exec.c - the "exec" backend: a cluster behind an adapter process that
 * speaks the JSON-lines protocol (docs/exec-protocol.md) on its stdin and
 * stdout, e.g. `ssh admin@node1 faultline-wsfc.exe`.
 *
 * Calls are synchronous with a deadline (cluster_config.timeout_ns): send
 * the request, read lines until the answer with its id arrives. Events that
 * come in meanwhile are queued; notify_fd is an epoll set holding the
 * adapter's socket and an eventfd raised while the queue is non-empty, so
 * the run's loop wakes for events read during a call as well as for new
 * bytes. A timed-out call leaves the session usable: its late answer (an
 * id below the current one) is dropped. An adapter that goes away, or
 * sends a malformed or oversized line, ends the session: every later call
 * fails with the same reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "exec.h"
#include "exec_int.h"
#include "faultline/clock.h"
#include "faultline/duration.h"
#include "faultline/log.h"
#include "faultline/proto.h"
#include "faultline/util.h"

#define EXEC_DEFAULT_TIMEOUT (10 * NSEC_PER_SEC)
#define EXEC_STOP_GRACE      (1 * NSEC_PER_SEC)

struct exec_event {
	struct cluster_event ev; /* name and owner owned here */
};

struct exec_backend {
	char *who; /* "adapter \"cmd args\"" for every message */
	struct exec_child ch;
	struct proto_reader rd;
	struct proto_hello hello;
	struct fl_clock *clk;
	uint64_t timeout_ns;
	uint64_t next_id;
	int epfd, evfd;
	struct exec_event *q;
	size_t nq, capq;
	char *dead; /* why the session is over, or NULL */
};

static char *describe(char *const *argv)
{
	char buf[160];
	size_t n = 0;
	for (size_t i = 0; argv[i] != NULL && n < sizeof(buf) - 4; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", argv[i]);
	if (n >= sizeof(buf) - 4)
		memcpy(buf + sizeof(buf) - 4, "...", 4);
	return xasprintf("adapter \"%s\"", buf);
}

/* The session is over; e carries the reason (kept for every later call). */
static int kill_session(struct exec_backend *x, struct fl_err *e)
{
	if (x->dead == NULL) {
		x->dead = xstrdup(e->msg);
		if (x->ch.fd >= 0)
			epoll_ctl(x->epfd, EPOLL_CTL_DEL, x->ch.fd, NULL);
		uint64_t one = 1; /* wake the loop so drain reports it */
		if (write(x->evfd, &one, sizeof(one)) < 0)
			log_warn("exec: eventfd");
	}
	return -1;
}

static int gone(struct exec_backend *x, const char *during, struct fl_err *e)
{
	char why[128];
	exec_child_why(&x->ch, EXEC_STOP_GRACE, why, sizeof(why));
	err_set(e, "%s: %s %s", x->who, why, during);
	return kill_session(x, e);
}

static void queue_event(struct exec_backend *x, const struct proto_event *pe)
{
	XGROW(x->q, x->capq, x->nq + 1);
	struct cluster_event *ev = &x->q[x->nq++].ev;
	ev->kind = pe->kind;
	ev->name = pe->name ? xstrdup(pe->name) : NULL;
	ev->owner = pe->owner ? xstrdup(pe->owner) : NULL;
	ev->state = pe->state;
	ev->at = clock_now(x->clk); /* our clock: the adapter's at_ms is on another machine's */
	uint64_t one = 1;
	if (write(x->evfd, &one, sizeof(one)) < 0)
		log_warn("exec: eventfd");
}

/*
 * The next message before the deadline: 1 with m filled, 0 if none came in
 * time, -1 when the session ended (e says why).
 */
static int next_msg(struct exec_backend *x, struct proto_msg *m, uint64_t deadline, const char *during,
                    struct fl_err *e)
{
	for (;;) {
		const char *line;
		size_t len;
		int rc = proto_reader_next(&x->rd, &line, &len, e);
		if (rc < 0)
			return err_wrap(e, "%s: %s", x->who, during), kill_session(x, e);
		if (rc == 1 && len == 0)
			continue; /* blank lines are allowed */
		if (rc == 1) {
			if (proto_msg_decode(line, len, m, e) == 0)
				return 1;
			return err_wrap(e, "%s: line %zu", x->who, x->rd.lineno), kill_session(x, e);
		}
		char buf[65536];
		size_t n;
		struct fl_err re;
		rc = exec_child_read(&x->ch, buf, sizeof(buf), &n, deadline, &re);
		if (rc == 0)
			return 0;
		if (rc < 0)
			return gone(x, during, e);
		proto_reader_feed(&x->rd, buf, n);
	}
}

/* An event, or the late answer to a call that timed out: anything else is a protocol error. */
static int take_aside(struct exec_backend *x, struct proto_msg *m, struct fl_err *e)
{
	int rc = 0;
	if (m->kind == PROTO_MSG_EVENT)
		queue_event(x, &m->ev);
	else if (m->kind == PROTO_MSG_HELLO)
		rc = err_set(e, "%s: line %zu: a second hello", x->who, x->rd.lineno);
	else if (m->resp.id == 0 || m->resp.id >= x->next_id)
		rc = err_set(e, "%s: line %zu: an answer to request %llu, which was never sent", x->who, x->rd.lineno,
		             (unsigned long long)m->resp.id);
	else
		log_debug("%s: late answer to request %llu dropped", x->who, (unsigned long long)m->resp.id);
	proto_msg_fini(m);
	return rc < 0 ? kill_session(x, e) : 0;
}

/* Send rq and wait for its answer (in rs, owned by the caller: proto_msg_fini). */
static int call(struct exec_backend *x, struct proto_request *rq, struct proto_msg *rs, struct fl_err *e)
{
	if (x->dead)
		return err_set(e, "%s", x->dead);
	rq->id = x->next_id++;
	const char *op = proto_op_str(rq->op);
	char during[64];
	snprintf(during, sizeof(during), "while answering \"%s\"", op);
	uint64_t deadline = exec_now() + x->timeout_ns;
	char *line = proto_request_encode(rq);
	int rc = exec_child_write(&x->ch, line, strlen(line), deadline, e);
	free(line);
	if (rc < 0)
		return err_wrap(e, "%s: sending \"%s\"", x->who, op), gone(x, during, e);
	for (;;) {
		rc = next_msg(x, rs, deadline, during, e);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			char d[32];
			return err_set(e, "%s: no answer to \"%s\" within %s", x->who, op,
			               duration_format(x->timeout_ns, d, sizeof(d)));
		}
		if (rs->kind == PROTO_MSG_RESPONSE && rs->resp.id == rq->id)
			break;
		if (take_aside(x, rs, e) < 0)
			return -1;
	}
	if (proto_response_check(&rs->resp, rq->op, e) < 0) {
		proto_msg_fini(rs);
		return err_wrap(e, "%s", x->who), kill_session(x, e);
	}
	return 0;
}

/* A cluster operation: accepted (0) or refused (-1), with the adapter's code either way. */
static int act(struct cluster *c, struct proto_request *rq, long *code, struct fl_err *e)
{
	struct exec_backend *x = c->impl;
	struct proto_msg m;
	*code = -1;
	if (call(x, rq, &m, e) < 0)
		return -1;
	*code = m.resp.code;
	int rc = m.resp.ok ? 0 : err_set(e, "%s (%ld)", m.resp.error, m.resp.code);
	proto_msg_fini(&m);
	return rc;
}

static int read_hello(struct exec_backend *x, struct fl_err *e)
{
	struct proto_msg m;
	int rc = next_msg(x, &m, exec_now() + x->timeout_ns, "before its hello", e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		char d[32];
		return err_set(e, "%s: no hello within %s", x->who, duration_format(x->timeout_ns, d, sizeof(d)));
	}
	if (m.kind != PROTO_MSG_HELLO) {
		proto_msg_fini(&m);
		return err_set(e, "%s: line 1: expected the hello", x->who);
	}
	x->hello = m.hello;
	m.hello.cluster = NULL;
	proto_msg_fini(&m);
	if ((x->hello.ops & (PROTO_CAN_LIST | PROTO_CAN_STATE)) != (PROTO_CAN_LIST | PROTO_CAN_STATE))
		return err_set(e, "%s: does not offer both \"list\" and \"state\", which faultline needs", x->who);
	return 0;
}

/* The adapter's hello narrows the backend's caps to what it declared. */
static struct cluster_caps hello_caps(const struct proto_hello *h)
{
	static const struct {
		unsigned can, op;
	} map[] = {
	    {PROTO_CAN_FAIL, CLUSTER_OP_FAIL},
	    {PROTO_CAN_OFFLINE, CLUSTER_OP_OFFLINE},
	    {PROTO_CAN_ONLINE, CLUSTER_OP_ONLINE},
	    {PROTO_CAN_MOVE, CLUSTER_OP_MOVE_GROUP},
	    {PROTO_CAN_OFFLINE_DESTINATION, CLUSTER_OP_OFFLINE_DESTINATION},
	};
	struct cluster_caps caps = {.offline_flags = h->offline_flags & OFFLINE_ALL_FLAGS,
	                            .notify = (h->ops & PROTO_CAN_EVENTS) != 0};
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (h->ops & map[i].can)
			caps.ops |= map[i].op;
	/* A node fault needs its undo too: node_down with node_up, node_pause with node_resume. */
	if ((h->ops & (PROTO_CAN_NODE_DOWN | PROTO_CAN_NODE_UP)) == (PROTO_CAN_NODE_DOWN | PROTO_CAN_NODE_UP))
		caps.ops |= CLUSTER_OP_NODE_DOWN;
	if ((h->ops & (PROTO_CAN_NODE_PAUSE | PROTO_CAN_NODE_RESUME)) == (PROTO_CAN_NODE_PAUSE | PROTO_CAN_NODE_RESUME))
		caps.ops |= CLUSTER_OP_NODE_PAUSE;
	return caps;
}

static void backend_free(struct exec_backend *x)
{
	if (x == NULL)
		return;
	exec_child_stop(&x->ch, EXEC_STOP_GRACE);
	for (size_t i = 0; i < x->nq; i++) {
		free((char *)x->q[i].ev.name);
		free((char *)x->q[i].ev.owner);
	}
	free(x->q);
	if (x->epfd >= 0)
		close(x->epfd);
	if (x->evfd >= 0)
		close(x->evfd);
	proto_reader_fini(&x->rd);
	free(x->hello.cluster);
	free(x->dead);
	free(x->who);
	free(x);
}

static int watch(struct exec_backend *x, struct fl_err *e)
{
	x->epfd = epoll_create1(EPOLL_CLOEXEC);
	x->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->epfd < 0 || x->evfd < 0)
		return err_setsys(e, "exec: epoll/eventfd");
	struct epoll_event a = {.events = EPOLLIN}, b = {.events = EPOLLIN};
	if (epoll_ctl(x->epfd, EPOLL_CTL_ADD, x->evfd, &a) < 0 || epoll_ctl(x->epfd, EPOLL_CTL_ADD, x->ch.fd, &b) < 0)
		return err_setsys(e, "exec: epoll_ctl");
	return 0;
}

int exec_open(struct cluster *c, const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e)
{
	if (cfg->command == NULL || cfg->command[0] == NULL)
		return err_set(e, "%s: no command given", c->ops->name);
	struct exec_backend *x = xcalloc(1, sizeof(*x));
	x->who = describe(cfg->command);
	x->ch.fd = x->ch.pidfd = x->epfd = x->evfd = -1;
	x->clk = clk;
	x->timeout_ns = cfg->timeout_ns ? cfg->timeout_ns : EXEC_DEFAULT_TIMEOUT;
	x->next_id = 1;
	proto_reader_init(&x->rd, PROTO_MAX_LINE);
	if (exec_child_start(&x->ch, cfg->command, cfg->workdir, e) < 0) {
		err_wrap(e, "%s", x->who);
		goto fail;
	}
	if (watch(x, e) < 0 || read_hello(x, e) < 0)
		goto fail;
	/* The hello narrows what the backend could ever do (everything for exec, ClusAPI's reach for wsfc). */
	struct cluster_caps h = hello_caps(&x->hello);
	c->caps.ops &= h.ops;
	c->caps.offline_flags &= h.offline_flags;
	c->caps.notify = c->caps.notify && h.notify;
	c->impl = x;
	log_debug("%s: cluster \"%s\", protocol version %d", x->who, x->hello.cluster, x->hello.version);
	return 0;
fail:
	backend_free(x);
	return -1;
}

void exec_close(struct cluster *c)
{
	backend_free(c->impl);
	c->impl = NULL;
}

int exec_snapshot(struct cluster *c, struct cluster_snapshot *out, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_LIST};
	struct proto_msg m;
	if (call(c->impl, &rq, &m, e) < 0)
		return -1;
	int rc = 0;
	if (!m.resp.ok) {
		rc = err_set(e, "%s (%ld)", m.resp.error, m.resp.code);
	} else {
		*out = *m.resp.snap; /* hand the lists over */
		memset(m.resp.snap, 0, sizeof(*m.resp.snap));
	}
	proto_msg_fini(&m);
	return rc;
}

int exec_resource_state(struct cluster *c, const char *resource, enum res_state *state, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_STATE, .resource = (char *)resource};
	struct proto_msg m;
	if (call(c->impl, &rq, &m, e) < 0)
		return -1;
	*state = m.resp.state;
	int rc = m.resp.ok ? 0 : err_set(e, "%s (%ld)", m.resp.error, m.resp.code);
	proto_msg_fini(&m);
	return rc;
}

int exec_fail(struct cluster *c, const char *resource, long *code, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_FAIL, .resource = (char *)resource};
	return act(c, &rq, code, e);
}

int exec_offline(struct cluster *c, const char *resource, unsigned flags, const char *destination, long *code,
                 struct fl_err *e)
{
	struct proto_request rq = {
	    .op = PROTO_OP_OFFLINE, .resource = (char *)resource, .flags = flags, .node = (char *)destination};
	return act(c, &rq, code, e);
}

int exec_online(struct cluster *c, const char *resource, long *code, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_ONLINE, .resource = (char *)resource};
	return act(c, &rq, code, e);
}

int exec_move_group(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_MOVE, .group = (char *)group, .node = (char *)node};
	return act(c, &rq, code, e);
}

/* node_down / node_up: the plan's commands when it gives them (explicit wins), else the adapter's op. */
int exec_node_down(struct cluster *c, const char *node, long *code, struct fl_err *e)
{
	if (c->node_down_command != NULL)
		return exec_node_command_down(c, node, code, e);
	struct proto_request rq = {.op = PROTO_OP_NODE_DOWN, .node = (char *)node};
	return act(c, &rq, code, e);
}

int exec_node_up(struct cluster *c, const char *node, long *code, struct fl_err *e)
{
	if (c->node_up_command != NULL)
		return exec_node_command_up(c, node, code, e);
	struct proto_request rq = {.op = PROTO_OP_NODE_UP, .node = (char *)node};
	return act(c, &rq, code, e);
}

int exec_node_pause(struct cluster *c, const char *node, bool drain, long *code, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_NODE_PAUSE, .node = (char *)node, .drain = drain};
	return act(c, &rq, code, e);
}

int exec_node_resume(struct cluster *c, const char *node, enum node_failback failback, long *code, struct fl_err *e)
{
	struct proto_request rq = {.op = PROTO_OP_NODE_RESUME, .node = (char *)node, .failback = failback};
	return act(c, &rq, code, e);
}

int exec_notify_fd(struct cluster *c)
{
	return ((struct exec_backend *)c->impl)->epfd;
}

/* Read what the adapter has sent so far (no waiting) and set aside every message. */
static int pump(struct exec_backend *x, struct fl_err *e)
{
	for (;;) {
		struct proto_msg m;
		int rc = next_msg(x, &m, 0, "between calls", e);
		if (rc <= 0)
			return rc;
		if (take_aside(x, &m, e) < 0)
			return -1;
	}
}

int exec_drain(struct cluster *c, cluster_event_cb cb, void *arg, struct fl_err *e)
{
	struct exec_backend *x = c->impl;
	uint64_t count;
	if (read(x->evfd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return err_setsys(e, "exec: eventfd read");
	if (x->dead == NULL)
		pump(x, e);
	/*
	 * A callback may call the adapter, which queues the events that come in
	 * meanwhile: the queue grows (and may move) under us. Take one event at
	 * a time, by value, until it is empty; those are delivered now too.
	 */
	size_t n = 0;
	while (n < x->nq) {
		struct cluster_event ev = x->q[n++].ev;
		cb(&ev, arg);
		free((char *)ev.name);
		free((char *)ev.owner);
	}
	x->nq = 0;
	if (x->dead != NULL)
		return err_set(e, "%s", x->dead);
	return (int)n;
}

const struct cluster_ops exec_cluster_ops = {
    .name = "exec",
    .plan_keys = CLUSTER_KEY_COMMAND | CLUSTER_KEY_NODE_CMD,
    .plan_needs = CLUSTER_KEY_COMMAND,
    /* Everything an adapter may declare: the hello narrows it at open. */
    .caps = {.ops = CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE | CLUSTER_OP_MOVE_GROUP |
                    CLUSTER_OP_OFFLINE_DESTINATION | CLUSTER_OP_NODE_DOWN | CLUSTER_OP_NODE_PAUSE,
             .offline_flags = OFFLINE_ALL_FLAGS,
             .notify = true},
    .open = exec_open,
    .close = exec_close,
    .snapshot = exec_snapshot,
    .resource_state = exec_resource_state,
    .fail = exec_fail,
    .offline = exec_offline,
    .online = exec_online,
    .move_group = exec_move_group,
    .notify_fd = exec_notify_fd,
    .drain = exec_drain,
    .node_down = exec_node_down,
    .node_up = exec_node_up,
    .node_pause = exec_node_pause,
    .node_resume = exec_node_resume,
};
