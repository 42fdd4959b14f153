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

static char **argv_dup(char *const *argv)
{
	if (argv == NULL)
		return NULL;
	size_t n = 0;
	while (argv[n] != NULL)
		n++;
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(argv[i]);
	return out;
}

static void free_commands(struct cluster *c)
{
	for (char **v = c->node_down_command; v != NULL && *v != NULL; v++)
		free(*v);
	for (char **v = c->node_up_command; v != NULL && *v != NULL; v++)
		free(*v);
	free(c->node_down_command);
	free(c->node_up_command);
	free(c->workdir);
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
	c->workdir = cfg->workdir != NULL ? xstrdup(cfg->workdir) : NULL;
	if (ops->plan_keys & CLUSTER_KEY_NODE_CMD) {
		c->node_down_command = argv_dup(cfg->node_down_command);
		c->node_up_command = argv_dup(cfg->node_up_command);
		c->node_command_timeout_ns = cfg->node_command_timeout_ns;
	}
	if (ops->open(c, cfg, clk, e) < 0) {
		free_commands(c);
		free(c);
		return NULL;
	}
	/* A node crash is the configured commands' (after open: an adapter's hello narrows the rest). */
	if (c->node_down_command != NULL && c->node_up_command != NULL)
		c->caps.ops |= CLUSTER_OP_NODE_DOWN;
	return c;
}

void cluster_close(struct cluster *c)
{
	if (c == NULL)
		return;
	c->ops->close(c);
	free_commands(c);
	free(c);
}
