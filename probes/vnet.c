/*
 * vnet.c - tcp and http probes in virtual time.
 *
 * A virtual-time run cannot open real sockets (no time passes for them), so
 * a probe aimed at a simulated resource's endpoint asks the simulator
 * instead: the endpoint answers exactly while its resource's service is
 * ready (Online, then its ready_after lag), which is what the real listener
 * does in a real-time run. A probe aimed at
 * anything else is a configuration error in virtual time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/probe.h"
#include "faultline/sim.h"
#include "faultline/util.h"

struct vnet {
	struct cluster *cl;
	struct sim *sim;
	char *resource;
};

static int vnet_init(struct probe *p, struct fl_err *e)
{
	struct cluster *cl = p->ctx;
	struct sim *sim = cl ? sim_from_cluster(cl) : NULL;
	if (sim == NULL)
		return err_set(e, "virtual time works only with the simulator backend");
	char want[300];
	snprintf(want, sizeof(want), "%s:%u", p->cfg->host, p->cfg->port);
	struct cluster_snapshot s;
	sim_snapshot(sim, &s);
	const char *found = NULL;
	for (size_t i = 0; i < s.nresources && found == NULL; i++) {
		const struct sim_resource_def *d = sim_resource_def(sim, s.resources[i].name);
		if (d != NULL && d->endpoint != NULL && strcmp(d->endpoint, want) == 0)
			found = d->name;
	}
	cluster_snapshot_free(&s);
	if (found == NULL)
		return err_set(e,
		               "%s is not the endpoint of any simulated resource; in virtual time only those can be "
		               "probed",
		               want);
	struct vnet *v = xcalloc(1, sizeof(*v));
	v->cl = cl;
	v->sim = sim;
	v->resource = xstrdup(found);
	p->impl = v;
	return 0;
}

static void vnet_start(struct probe *p)
{
	struct vnet *v = p->impl;
	enum res_state st = sim_resource_state(v->sim, v->resource);
	if (st == RES_ONLINE && sim_cluster_ready(v->cl, v->resource, NULL)) {
		probe_check_done(p, CHECK_OK, NULL);
		return;
	}
	char reason[300];
	if (st == RES_ONLINE)
		snprintf(reason, sizeof(reason),
		         "connect: Connection refused (simulated: \"%s\" is Online, its service not ready yet)",
		         v->resource);
	else
		snprintf(reason, sizeof(reason), "connect: Connection refused (simulated: \"%s\" is %s)", v->resource,
		         res_state_str(st));
	probe_check_done(p, CHECK_FAIL, reason);
}

static void vnet_cancel(struct probe *p)
{
	(void)p;
}

static void vnet_fini(struct probe *p)
{
	struct vnet *v = p->impl;
	if (v == NULL)
		return;
	free(v->resource);
	free(v);
	p->impl = NULL;
}

const struct probe_ops probe_vnet_ops = {
    .name = "vnet",
    .init = vnet_init,
    .start = vnet_start,
    .cancel = vnet_cancel,
    .fini = vnet_fini,
};
