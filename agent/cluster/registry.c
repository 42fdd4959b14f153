/*
 * registry.c - the list of cluster backends, cluster_open/close, and the
 * names of states and offline flags shared by every backend.
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

static const struct {
	int state;
	const char *name;
} res_names[] = {
    {RES_UNKNOWN, "unknown"},
    {RES_INHERITED, "inherited"},
    {RES_INITIALIZING, "initializing"},
    {RES_ONLINE, "online"},
    {RES_OFFLINE, "offline"},
    {RES_FAILED, "failed"},
    {RES_PENDING, "pending"},
    {RES_ONLINE_PENDING, "online-pending"},
    {RES_OFFLINE_PENDING, "offline-pending"},
};

const char *res_state_str(enum res_state s)
{
	for (size_t i = 0; i < ARRAY_LEN(res_names); i++)
		if (res_names[i].state == (int)s)
			return res_names[i].name;
	return "unknown";
}

const char *group_state_str(enum group_state s)
{
	switch (s) {
	case GRP_ONLINE:
		return "online";
	case GRP_OFFLINE:
		return "offline";
	case GRP_FAILED:
		return "failed";
	case GRP_PARTIAL_ONLINE:
		return "partial-online";
	case GRP_PENDING:
		return "pending";
	case GRP_UNKNOWN:
		break;
	}
	return "unknown";
}

/* "online-pending" and "online_pending" both name RES_ONLINE_PENDING. */
int res_state_parse(const char *s)
{
	char buf[32];
	size_t n = strlen(s);
	if (n >= sizeof(buf))
		return -2;
	for (size_t i = 0; i <= n; i++)
		buf[i] = s[i] == '_' ? '-' : s[i];
	for (size_t i = 0; i < ARRAY_LEN(res_names); i++)
		if (strcmp(res_names[i].name, buf) == 0)
			return res_names[i].state;
	return -2;
}

const char *const offline_flag_names[] = {
    "ignore_resource_status",
    "return_to_source_node_on_error",
    "queue_enabled",
    "returning_to_source_node_because_of_error",
    "due_to_embedded_failure",
    "ignore_network_connectivity",
    "do_not_update_persistent_state",
    NULL,
};

const char *offline_flag_str(unsigned flag)
{
	for (size_t i = 0; i < ARRAY_LEN(offline_flag_names) - 1; i++)
		if (flag == 1u << i)
			return offline_flag_names[i];
	return NULL;
}

unsigned offline_flag_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(offline_flag_names) - 1; i++)
		if (strcmp(offline_flag_names[i], name) == 0)
			return 1u << i;
	return 0;
}
