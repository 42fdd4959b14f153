/*
 * cluster.c - the cluster-state probe: up when every watched resource is
 * Online. The engine calls probe_check_now() on each change notification
 * for a watched resource, so with an event-driven backend a state change is
 * seen when it happens; the cadence only matters as a safety net (and is
 * the whole mechanism for backends that cannot notify).
 */
#include <stdio.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/probe.h"

static int cluster_init(struct probe *p, struct fl_err *e)
{
	const struct cluster_probe_ctx *c = p->ctx;
	if (c == NULL || c->cl == NULL)
		return err_set(e, "no cluster to watch");
	if (c->n == 0)
		return err_set(e, "its selector matches no resource");
	return 0;
}

static void cluster_start(struct probe *p)
{
	const struct cluster_probe_ctx *c = p->ctx;
	for (size_t i = 0; i < c->n; i++) {
		enum res_state st = c->seen != NULL ? (enum res_state)c->seen[i] : RES_UNKNOWN;
		struct fl_err e;
		char reason[300];
		if (st == RES_UNKNOWN && c->cl->ops->resource_state(c->cl, c->resources[i], &st, &e) < 0) {
			snprintf(reason, sizeof(reason), "\"%.100s\": %.180s", c->resources[i], e.msg);
			probe_check_done(p, CHECK_ERROR, reason);
			return;
		}
		if (st != RES_ONLINE) {
			snprintf(reason, sizeof(reason), "\"%s\" is %s", c->resources[i], res_state_str(st));
			probe_check_done(p, CHECK_FAIL, reason);
			return;
		}
	}
	probe_check_done(p, CHECK_OK, NULL);
}

static void cluster_cancel(struct probe *p)
{
	(void)p; /* checks are synchronous */
}

void probe_cluster_event(struct probe *p, const char *resource, int state)
{
	struct cluster_probe_ctx *c = p->ctx;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->resources[i], resource) == 0) {
			if (c->seen != NULL)
				c->seen[i] = state;
			probe_check_now(p);
			return;
		}
}

const struct probe_ops probe_cluster_ops = {
    .name = "cluster",
    .target = PROBE_TARGET_SELECTOR,
    .caps = PROBE_CAP_CLUSTER,
    .summary = "state of the resources of selector %s",
    .init = cluster_init,
    .start = cluster_start,
    .cancel = cluster_cancel,
    .fini = NULL,
};
