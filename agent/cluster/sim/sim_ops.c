/*
 * sim_ops.c - the simulator behind struct cluster_ops ("sim" backend):
 * loads the topology, queues every recorded transition as an event behind
 * an eventfd, and keeps loopback endpoints open while their resource is
 * Online (when the config asks for endpoints): from Online plus the
 * resource's ready_after lag, drawn per Online from a stream seeded by the
 * run's seed and the resource's name, until it leaves Online.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/log.h"
#include "faultline/rng.h"
#include "faultline/util.h"
#include "sim_endpoint.h"
#include "sim_impl.h"

/*
 * One per resource of the topology: is its service ready (Online for its
 * ready_after lag), and since when. Kept in virtual time too, where the
 * virtual network (probes/vnet.c) answers from it; with real endpoints the
 * listener opens and closes with it.
 */
struct sim_ready {
	struct sim_backend *b;
	const struct sim_resource_def *def;
	struct fl_timer timer;
	struct rng rng;
	bool ready;
	uint64_t ready_at; /* clock time it became ready (the listener opened) */
};

struct sim_backend {
	struct sim_topology *topo;
	struct sim *sim;
	struct fl_clock *clk;
	int efd;
	size_t delivered; /* trace entries already drained */
	struct sim_endpoints *eps;
	struct sim_ready *ready; /* [topo->nresources] */
};

static void endpoint_open(void *arg)
{
	struct sim_ready *r = arg;
	struct fl_err e;
	if (r->b->eps != NULL && sim_endpoint_open(r->b->eps, r->def->name, r->def->endpoint, &e) < 0) {
		log_warnx("sim resource \"%s\": endpoint %s: %s", r->def->name, r->def->endpoint, e.msg);
		return;
	}
	r->ready = true;
	r->ready_at = clock_now(r->b->clk);
}

static void endpoint_follow(struct sim_backend *b, const char *resource, bool online)
{
	const struct sim_resource_def *d = sim_resource_def(b->sim, resource);
	if (d == NULL || d->endpoint == NULL)
		return;
	struct sim_ready *r = &b->ready[d - b->topo->resources];
	clock_timer_stop(b->clk, &r->timer);
	if (!online) {
		if (b->eps != NULL)
			sim_endpoint_close(b->eps, resource);
		r->ready = false;
		return;
	}
	uint64_t lag = dist_sample(&d->ready_after, &r->rng);
	if (lag == 0)
		endpoint_open(r);
	else
		clock_timer_start(b->clk, &r->timer, clock_now(b->clk) + lag, endpoint_open, r);
}

static void on_transition(const struct sim_transition *tr, void *arg)
{
	struct sim_backend *b = arg;
	if (tr->obj == SIM_OBJ_RESOURCE && (tr->to == RES_ONLINE) != (tr->from == RES_ONLINE))
		endpoint_follow(b, tr->name, tr->to == RES_ONLINE);
	else if (tr->obj == SIM_OBJ_RESOURCE && tr->from == RES_ONLINE && tr->to == RES_ONLINE)
		endpoint_follow(b, tr->name, false); /* sim_crash: the service is dead, the cluster does not know yet */
	uint64_t one = 1;
	if (write(b->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("sim: eventfd write");
}

static void backend_free(struct sim_backend *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; b->ready && i < b->topo->nresources; i++)
		clock_timer_stop(b->clk, &b->ready[i].timer);
	free(b->ready);
	sim_endpoints_free(b->eps); /* closes every listener */
	sim_free(b->sim);
	sim_topology_free(b->topo);
	if (b->efd >= 0)
		close(b->efd);
	free(b);
}

static int load_topology(struct sim_backend *b, const char *path, struct fl_err *e)
{
	struct fl_diag d;
	diag_init(&d, path);
	b->topo = sim_topology_load(path, &d);
	if (b->topo == NULL) {
		char *first = d.n ? diag_format(&d, 0) : xstrdup(path);
		err_set(e, "%s%s", first, d.n > 1 ? " (and more errors)" : "");
		free(first);
	}
	diag_fini(&d);
	return b->topo ? 0 : -1;
}

/* Services of resources Online at start are ready at once: they have been up all along. */
static void ready_init(struct sim_backend *b, uint64_t seed)
{
	b->ready = xcalloc(b->topo->nresources, sizeof(*b->ready));
	for (size_t i = 0; i < b->topo->nresources; i++) {
		const struct sim_resource_def *d = &b->topo->resources[i];
		struct sim_ready *r = &b->ready[i];
		*r = (struct sim_ready){.b = b, .def = d};
		clock_timer_init(&r->timer);
		rng_init(&r->rng, seed, rng_salt("ready_after") ^ rng_salt(d->name));
		r->ready = d->endpoint != NULL && sim_resource_state(b->sim, d->name) == RES_ONLINE;
		r->ready_at = clock_now(b->clk);
	}
}

static int open_endpoints(struct sim_backend *b, struct fl_err *e)
{
	if ((b->eps = sim_endpoints_new(e)) == NULL)
		return -1;
	for (size_t i = 0; i < b->topo->nresources; i++) {
		const struct sim_resource_def *d = &b->topo->resources[i];
		if (b->ready[i].ready && sim_endpoint_open(b->eps, d->name, d->endpoint, e) < 0)
			return err_wrap(e, "resource \"%s\"", d->name);
	}
	return 0;
}

static int ops_open(struct cluster *c, const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e)
{
	struct sim_backend *b = xcalloc(1, sizeof(*b));
	b->clk = clk;
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0) {
		err_setsys(e, "sim: eventfd");
		goto fail;
	}
	if (cfg->topology == NULL) {
		err_set(e, "sim: no topology given");
		goto fail;
	}
	if (load_topology(b, cfg->topology, e) < 0)
		goto fail;
	if ((b->sim = sim_new(b->topo, clk, cfg->seed, e)) == NULL)
		goto fail;
	ready_init(b, cfg->seed);
	if (cfg->sim_endpoints && open_endpoints(b, e) < 0)
		goto fail;
	sim_set_observer(b->sim, on_transition, b);
	c->impl = b;
	return 0;
fail:
	backend_free(b);
	return -1;
}

static void ops_close(struct cluster *c)
{
	backend_free(c->impl);
	c->impl = NULL;
}

static struct sim *S(struct cluster *c)
{
	return ((struct sim_backend *)c->impl)->sim;
}

static int ops_snapshot(struct cluster *c, struct cluster_snapshot *out, struct fl_err *e)
{
	(void)e;
	sim_snapshot(S(c), out);
	return 0;
}

static int ops_resource_state(struct cluster *c, const char *resource, enum res_state *state, struct fl_err *e)
{
	*state = sim_resource_state(S(c), resource);
	if (*state == RES_UNKNOWN)
		return err_set(e, "resource \"%s\": not found (%d)", resource, WIN_ERROR_RESOURCE_NOT_FOUND);
	return 0;
}

static int ops_fail(struct cluster *c, const char *resource, long *code, struct fl_err *e)
{
	return sim_fail(S(c), resource, code, e);
}

static int ops_offline(struct cluster *c, const char *resource, unsigned flags, const char *destination, long *code,
                       struct fl_err *e)
{
	return sim_offline(S(c), resource, flags, destination, code, e);
}

static int ops_online(struct cluster *c, const char *resource, long *code, struct fl_err *e)
{
	return sim_online(S(c), resource, code, e);
}

static int ops_move_group(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e)
{
	return sim_move_group(S(c), group, node, 0, code, e);
}

static int ops_node_down(struct cluster *c, const char *node, long *code, struct fl_err *e)
{
	return sim_node_down(S(c), node, code, e);
}

static int ops_node_up(struct cluster *c, const char *node, long *code, struct fl_err *e)
{
	return sim_node_up(S(c), node, code, e);
}

static int ops_node_pause(struct cluster *c, const char *node, bool drain, long *code, struct fl_err *e)
{
	return sim_node_pause(S(c), node, drain, code, e);
}

static int ops_node_resume(struct cluster *c, const char *node, enum node_failback failback, long *code,
                           struct fl_err *e)
{
	return sim_node_resume(S(c), node, failback, code, e);
}

static int ops_notify_fd(struct cluster *c)
{
	return ((struct sim_backend *)c->impl)->efd;
}

static int ops_drain(struct cluster *c, cluster_event_cb cb, void *arg, struct fl_err *e)
{
	(void)e;
	struct sim_backend *b = c->impl;
	uint64_t count;
	if (read(b->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return err_setsys(e, "sim: eventfd read");
	size_t n, now;
	sim_trace(b->sim, &n); /* what is pending now; later ones come with the next wake-up */
	int delivered = 0;
	for (; b->delivered < n; b->delivered++) {
		/* Re-read each time: a callback may act on the cluster, which grows (moves) the trace. */
		const struct sim_transition *t = &sim_trace(b->sim, &now)[b->delivered];
		if (t->obj == SIM_OBJ_NODE && t->from == t->to)
			continue;
		struct cluster_event ev = {
		    .kind = t->obj == SIM_OBJ_RESOURCE ? CLUSTER_EV_RESOURCE
		            : t->obj == SIM_OBJ_GROUP  ? CLUSTER_EV_GROUP
		                                       : CLUSTER_EV_NODE,
		    .name = t->name,
		    .owner = t->obj == SIM_OBJ_NODE ? NULL : t->node,
		    .state = t->to,
		    .at = t->at,
		};
		cb(&ev, arg);
		delivered++;
	}
	return delivered;
}

const struct cluster_ops sim_cluster_ops = {
    .name = "sim",
    .plan_keys = CLUSTER_KEY_TOPOLOGY,
    .plan_needs = CLUSTER_KEY_TOPOLOGY,
    .virtual_time = true,
    .caps = {.ops = CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE | CLUSTER_OP_MOVE_GROUP |
                    CLUSTER_OP_OFFLINE_DESTINATION | CLUSTER_OP_NODE_DOWN | CLUSTER_OP_NODE_PAUSE,
             .offline_flags = OFFLINE_ALL_FLAGS,
             .notify = true},
    .open = ops_open,
    .close = ops_close,
    .snapshot = ops_snapshot,
    .resource_state = ops_resource_state,
    .fail = ops_fail,
    .offline = ops_offline,
    .online = ops_online,
    .move_group = ops_move_group,
    .notify_fd = ops_notify_fd,
    .drain = ops_drain,
    .node_down = ops_node_down,
    .node_up = ops_node_up,
    .node_pause = ops_node_pause,
    .node_resume = ops_node_resume,
};

struct sim *sim_from_cluster(struct cluster *c)
{
	return c && c->ops == &sim_cluster_ops ? S(c) : NULL;
}

bool sim_cluster_ready(struct cluster *c, const char *resource, uint64_t *since)
{
	if (c == NULL || c->ops != &sim_cluster_ops)
		return false;
	struct sim_backend *b = c->impl;
	const struct sim_resource_def *d = sim_resource_def(b->sim, resource);
	if (b->ready == NULL || d == NULL || !b->ready[d - b->topo->resources].ready)
		return false;
	if (since != NULL)
		*since = b->ready[d - b->topo->resources].ready_at;
	return true;
}
