/*
 * registry.c - the list of cluster backends, cluster_open/close. The names
 * of states and offline flags they share are core/cluster_names.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "faultline/cluster.h"
#include "faultline/sim.h"
#include "faultline/util.h"
#include "pacemaker/pacemaker.h"

/* Every backend a plan can name; adding one is its file and a line here. */
static const struct cluster_ops *const backends[] = {
    &sim_cluster_ops,
    &pacemaker_cluster_ops,
    &exec_cluster_ops,
    &wsfc_cluster_ops,
};

const struct cluster_ops *cluster_backend(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_LEN(backends); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

const char *cluster_backend_names(void)
{
	static char names[128];
	if (names[0] == '\0')
		for (size_t i = 0, off = 0; i < ARRAY_LEN(backends) && off < sizeof(names); i++)
			off +=
			    (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", i ? " " : "", backends[i]->name);
	return names;
}

const struct cluster_ops *cluster_backend_at(size_t i)
{
	return i < ARRAY_LEN(backends) ? backends[i] : NULL;
}

struct cluster *cluster_open(const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e)
{
	const struct cluster_ops *ops = cluster_backend(cfg->backend);
	if (ops == NULL) {
		err_set(e, "cluster backend \"%s\": unknown (known: %s)", cfg->backend ? cfg->backend : "",
		        cluster_backend_names());
		return NULL;
	}
	struct cluster *c = xcalloc(1, sizeof(*c));
	c->ops = ops;
	c->caps = ops->caps;
	if (ops->open(c, cfg, clk, e) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

void cluster_close(struct cluster *c)
{
	if (c == NULL)
		return;
	c->ops->close(c);
	free(c);
}
