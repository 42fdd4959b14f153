/*
 * pacemaker.c - the "pacemaker" backend: cluster_ops glue.
 *
 * State comes from `crm_mon -1 --output-as=xml` (pacemaker_xml.c), kept as
 * the last read. Changes are found by comparing each read with the one
 * before and queued as events for drain. What triggers a read:
 *   - a CIB diff notification (pacemaker_watch.c's thread writes efd), so
 *     every operation result is seen ~6 ms + one crm_mon (~20 ms) after it
 *     happens; the events carry the notification's time;
 *   - without notifications (not built in, signon refused, connection
 *     lost), a timerfd every 250 ms (~13 ms CPU per crm_mon: ~5 % of a core);
 *   - each action, on the drain right after the CLI call (pcmk_kick), so a
 *     state the cluster leaves within milliseconds (the failure before the
 *     restart) is not missed, and is dated after the call returned.
 * Events are dated by the first notification after the last read began,
 * else by the end of the read that found them: never before the change.
 * notify_fd is an epoll fd holding efd and the timerfd. resource_state
 * answers from the last read when it is fresh (notifications keep it
 * fresh), else reads again. The reads notifications and the timer ask for
 * run in the background (pacemaker_read.c); the calls of actions, snapshots
 * and stale resource_state answers block for their duration, bounded by the
 * plan's cluster timeout.
 */
#include <errno.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../exec/exec.h"
#include "faultline/clock.h"
#include "faultline/log.h"
#include "faultline/util.h"
#include "pacemaker.h"
#include "pacemaker_int.h"

#define B(c)         ((struct pcmk_backend *)(c)->impl)
#define FRESH_NOTIFY (1000 * NSEC_PER_MSEC) /* safety net if a notification is lost */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

const struct cluster_resource *pcmk_find(const struct pcmk_backend *b, const char *name)
{
	return cluster_snapshot_resource(&b->cur.snap, name);
}

static void queue(struct pcmk_backend *b, enum cluster_event_kind k, const char *name, const char *owner, int state,
                  uint64_t at)
{
	XGROW(b->q, b->capq, b->nq + 1);
	b->q[b->nq++] = (struct pcmk_event){k, xstrdup(name), owner ? xstrdup(owner) : NULL, state, at};
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Queue what changed from ost to nst, dated at. A resource online in both
 * reads that started again in between (its operation history says so: a
 * restart or a move wholly between two polls) gets the stop it went through,
 * dated `since` (the earliest it can have happened: the previous read).
 */
static void diff(struct pcmk_backend *b, const struct pcmk_status *ost, const struct pcmk_status *nst, uint64_t at,
                 uint64_t since)
{
	const struct cluster_snapshot *old = &ost->snap, *now = &nst->snap;
	for (size_t i = 0; i < now->nresources; i++) {
		const struct cluster_resource *n = &now->resources[i], *o = cluster_snapshot_resource(old, n->name);
		bool again = o != NULL && o->state == RES_ONLINE && n->state == RES_ONLINE &&
		             pcmk_status_restarted(ost, nst, n->name);
		if (again)
			queue(b, CLUSTER_EV_RESOURCE, n->name, NULL, RES_OFFLINE, since);
		if (again || o == NULL || o->state != n->state || !same(o->owner, n->owner))
			queue(b, CLUSTER_EV_RESOURCE, n->name, n->owner, n->state, at);
	}
	for (size_t i = 0; i < now->ngroups; i++) {
		const struct cluster_group *n = &now->groups[i], *o = NULL;
		for (size_t k = 0; k < old->ngroups && o == NULL; k++)
			if (strcmp(old->groups[k].name, n->name) == 0)
				o = &old->groups[k];
		if (o == NULL || o->state != n->state || !same(o->owner, n->owner))
			queue(b, CLUSTER_EV_GROUP, n->name, n->owner, n->state, at);
	}
}

static void wake(struct pcmk_backend *b)
{
	uint64_t one = 1;
	if (write(b->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("pacemaker: eventfd write");
}

void pcmk_kick(struct pcmk_backend *b)
{
	b->kick = true;
	wake(b);
}

int pcmk_refresh(struct pcmk_backend *b, uint64_t at, struct fl_err *e)
{
	/*
	 * A read of our own sees every change notified before it starts: drop
	 * that notification's time, or the next drain would date later changes
	 * by it (events before their cause).
	 */
	if (at == 0 && b->watch != NULL)
		pcmk_watch_take_time(b->watch);
	struct pcmk_out o;
	char *argv[] = {"crm_mon", "-1", "--output-as=xml", NULL};
	uint64_t started = mono_ns();
	if (pcmk_cli_run(argv, b->tmo, &o, e) < 0)
		return -1;
	int rc = pcmk_apply(b, o.out, o.nout, at, started, e);
	if (rc < 0 && o.status != 0)
		err_set(e, "crm_mon: exit %d: %s", o.status, o.err[0] ? o.err : "(no message)");
	pcmk_out_fini(&o);
	return rc;
}

int pcmk_apply(struct pcmk_backend *b, const char *xml, size_t len, uint64_t at, uint64_t started, struct fl_err *e)
{
	if (started < b->cur_started)
		return 0; /* a read begun after this one is applied already */
	struct pcmk_status st;
	if (pcmk_xml_parse(xml, len, &st, e) < 0)
		return -1;
	/* the engine's clock is CLOCK_MONOTONIC when real; a virtual one has its own time */
	uint64_t now = clock_now(b->clk);
	size_t before = b->nq;
	/* not before the last read ended: what it found is dated by then, keep events in order */
	if (at != 0 && at < b->cur_at)
		at = b->cur_at;
	bool real = !clock_is_virtual(b->clk);
	if (b->cur_at != 0)
		diff(b, &b->cur, &st, at && real ? at : now, real ? b->cur_at : now);
	pcmk_status_fini(&b->cur);
	b->cur = st;
	b->cur_at = mono_ns();
	b->cur_started = started;
	if (b->nq > before)
		wake(b);
	return 0;
}

static void start_polling(struct pcmk_backend *b, const char *why)
{
	struct itimerspec its = {.it_interval = {0, PCMK_POLL_NS}, .it_value = {0, PCMK_POLL_NS}};
	timerfd_settime(b->tfd, 0, &its, NULL);
	log_info("pacemaker: %s; polling crm_mon every %llu ms", why,
	         (unsigned long long)(PCMK_POLL_NS / NSEC_PER_MSEC));
}

static int setup_fds(struct pcmk_backend *b, struct fl_err *e)
{
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	b->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b->efd < 0 || b->tfd < 0 || b->epfd < 0)
		return err_setsys(e, "pacemaker: eventfd/timerfd/epoll");
	struct epoll_event ev = {.events = EPOLLIN};
	if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->efd, &ev) < 0 || epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->tfd, &ev) < 0)
		return err_setsys(e, "pacemaker: epoll_ctl");
	return 0;
}

static void ops_close(struct cluster *c)
{
	struct pcmk_backend *b = B(c);
	if (b == NULL)
		return;
	pcmk_watch_stop(b->watch);
	pcmk_read_fini(b);
	int fds[] = {b->efd, b->tfd, b->epfd};
	for (size_t i = 0; i < ARRAY_LEN(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	pcmk_status_fini(&b->cur);
	for (size_t i = 0; i < b->nq; i++) {
		free(b->q[i].name);
		free(b->q[i].owner);
	}
	free(b->q);
	pcmk_act_fini(b);
	free(b);
	c->impl = NULL;
}

static int ops_open(struct cluster *c, const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e)
{
	struct pcmk_backend *b = xcalloc(1, sizeof(*b));
	b->clk = clk;
	b->tmo = cfg->timeout_ns ? cfg->timeout_ns : PCMK_DEFAULT_TMO;
	b->efd = b->tfd = b->epfd = b->rd.fd = b->rd.tfd = -1;
	c->impl = b;
	xmlInitParser(); /* before a second thread may use libxml2 */
	if (setup_fds(b, e) < 0 || pcmk_read_init(b, e) < 0 || pcmk_refresh(b, 0, e) < 0)
		goto fail;
	if (!b->cur.have_dc) {
		err_set(e, "crm_mon: the cluster has no DC (elected controller) yet; actions would hang");
		goto fail;
	}
	struct fl_err we;
	const char *force = getenv("FAULTLINE_PCMK_POLL");
	if (force != NULL && force[0] == '1')
		start_polling(b, "FAULTLINE_PCMK_POLL=1");
	else if ((b->watch = pcmk_watch_start(b->efd, &we)) == NULL)
		start_polling(b, we.msg);
	else
		log_info("pacemaker: CIB notifications on");
	return 0;
fail:
	ops_close(c);
	return -1;
}

static int deep_copy(const struct cluster_snapshot *s, struct cluster_snapshot *out);

static int ops_snapshot(struct cluster *c, struct cluster_snapshot *out, struct fl_err *e)
{
	if (pcmk_refresh(B(c), 0, e) < 0)
		return -1;
	return deep_copy(&B(c)->cur.snap, out);
}

static int ops_resource_state(struct cluster *c, const char *resource, enum res_state *state, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	uint64_t fresh = b->watch && !pcmk_watch_lost(b->watch) ? FRESH_NOTIFY : PCMK_POLL_NS;
	if (mono_ns() - b->cur_at > fresh && pcmk_refresh(b, 0, e) < 0)
		return -1;
	const struct cluster_resource *r = pcmk_find(b, resource);
	if (r == NULL)
		return err_set(e, "resource \"%s\": not in crm_mon's output", resource);
	*state = r->state;
	return 0;
}

static int ops_notify_fd(struct cluster *c)
{
	return B(c)->epfd;
}

static int ops_drain(struct cluster *c, cluster_event_cb cb, void *arg, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	uint64_t n;
	bool tick = read(b->tfd, &n, sizeof(n)) == sizeof(n);
	if (read(b->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return err_setsys(e, "pacemaker: eventfd read");
	uint64_t at = pcmk_watch_take_time(b->watch);
	bool lost = pcmk_watch_lost(b->watch);
	if (lost) {
		pcmk_watch_stop(b->watch);
		b->watch = NULL;
		start_polling(b, "CIB connection lost");
		cb(&(struct cluster_event){.kind = CLUSTER_EV_RESYNC}, arg);
	}
	bool kick = b->kick;
	b->kick = false;
	if ((tick || at || lost || kick) && pcmk_read_start(b, at, e) < 0)
		return -1;
	if (pcmk_read_pump(b, e) < 0)
		return -1;
	int delivered = 0;
	for (size_t i = 0; i < b->nq; i++, delivered++) {
		struct pcmk_event *q = &b->q[i];
		cb(&(struct cluster_event){q->kind, q->name, q->owner, q->state, q->at}, arg);
	}
	for (size_t i = 0; i < b->nq; i++) {
		free(b->q[i].name);
		free(b->q[i].owner);
	}
	b->nq = 0;
	return delivered;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int deep_copy(const struct cluster_snapshot *s, struct cluster_snapshot *out)
{
	memset(out, 0, sizeof(*out)); /* the vote count is quorum_votes' to add */
	out->nnodes = s->nnodes;
	out->ngroups = s->ngroups;
	out->nresources = s->nresources;
	out->quorum_known = s->quorum_known;
	out->quorum = s->quorum;
	out->nodes = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(*out->nodes));
	out->groups = xcalloc(s->ngroups ? s->ngroups : 1, sizeof(*out->groups));
	out->resources = xcalloc(s->nresources ? s->nresources : 1, sizeof(*out->resources));
	for (size_t i = 0; i < s->nnodes; i++)
		out->nodes[i] = (struct cluster_node){xstrdup(s->nodes[i].name), s->nodes[i].up, s->nodes[i].paused,
		                                      s->nodes[i].votes};
	for (size_t i = 0; i < s->ngroups; i++)
		out->groups[i] = (struct cluster_group){xstrdup(s->groups[i].name), dup_or_null(s->groups[i].owner),
		                                        s->groups[i].state};
	for (size_t i = 0; i < s->nresources; i++) {
		const struct cluster_resource *r = &s->resources[i];
		struct cluster_resource *d = &out->resources[i];
		*d = (struct cluster_resource){
		    xstrdup(r->name), xstrdup(r->type), dup_or_null(r->group), dup_or_null(r->owner), r->state, NULL,
		    r->ndeps};
		d->deps = xcalloc(r->ndeps ? r->ndeps : 1, sizeof(char *));
		for (size_t k = 0; k < r->ndeps; k++)
			d->deps[k] = xstrdup(r->deps[k]);
	}
	return 0;
}

static uint64_t ops_staleness(struct cluster *c)
{
	struct pcmk_backend *b = B(c);
	uint64_t read = b->cur_at > b->cur_started ? b->cur_at - b->cur_started : 0;
	bool polling = b->watch == NULL || pcmk_watch_lost(b->watch);
	return read + (polling ? PCMK_POLL_NS : 0);
}

const struct cluster_ops pacemaker_cluster_ops = {
    .name = "pacemaker",
    .plan_keys = CLUSTER_KEY_NODE_CMD, /* node_down / node_up: the plan's commands (a crash has no API) */
    .caps = {.ops = CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE | CLUSTER_OP_MOVE_GROUP |
                    CLUSTER_OP_OFFLINE_DESTINATION | CLUSTER_OP_NODE_PAUSE,
             .offline_flags = PCMK_OFFLINE_FLAGS,
             .notify = true},
    .open = ops_open,
    .close = ops_close,
    .snapshot = ops_snapshot,
    .resource_state = ops_resource_state,
    .fail = pcmk_fail,
    .offline = pcmk_offline,
    .online = pcmk_online,
    .move_group = pcmk_move_group,
    .notify_fd = ops_notify_fd,
    .drain = ops_drain,
    .staleness_ns = ops_staleness,
    .undo_plan = pcmk_undo_plan,
    .undo = pcmk_undo,
    .undo_left = pcmk_undo_left,
    .quorum_votes = pcmk_quorum_votes,
    .settle = pcmk_settle,
    .node_down = exec_node_command_down,
    .node_up = exec_node_command_up,
    .node_pause = pcmk_node_pause,
    .node_resume = pcmk_node_resume,
};
