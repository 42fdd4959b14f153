/*
 * cluster_names.c - the names of resource, group and node states, of offline flags
 * and of node failback types,
 * one table each, for plans, reports and the adapter protocol alike.
 *
 * In core/ because the backends, the protocol, plans and reports all need
 * them and they need nothing: in agent/cluster/ they would make the
 * protocol (which the exec backend uses) depend on the backends' folder.
 * Portable C: faultline-wsfc.exe links it too. The
 * names travel on the wire (docs/exec-protocol.md), so they are fixed by
 * the protocol version: test_proto.c pins every one of them, and renaming
 * one here fails it.
 */
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/util.h"

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

static const struct {
	int state;
	const char *name;
} grp_names[] = {
    {GRP_UNKNOWN, "unknown"}, {GRP_ONLINE, "online"},   {GRP_OFFLINE, "offline"},
    {GRP_FAILED, "failed"},   {GRP_PENDING, "pending"}, {GRP_PARTIAL_ONLINE, "partial-online"},
};

const char *res_state_str(enum res_state s)
{
	for (size_t i = 0; i < ARRAY_LEN(res_names); i++)
		if (res_names[i].state == (int)s)
			return res_names[i].name;
	return "unknown";
}

int res_state_parse_exact(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(res_names); i++)
		if (strcmp(res_names[i].name, s) == 0)
			return res_names[i].state;
	return -2;
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
	return res_state_parse_exact(buf);
}

const char *group_state_str(enum group_state s)
{
	for (size_t i = 0; i < ARRAY_LEN(grp_names); i++)
		if (grp_names[i].state == (int)s)
			return grp_names[i].name;
	return "unknown";
}

int group_state_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(grp_names); i++)
		if (strcmp(grp_names[i].name, s) == 0)
			return grp_names[i].state;
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

static const char *const node_names[] = {"up", "down", "paused", "joining"}; /* NODE_UP .. NODE_JOINING */

const char *node_state_str(enum node_state s)
{
	return s >= NODE_UP && (size_t)s < ARRAY_LEN(node_names) ? node_names[s] : "unknown";
}

int node_state_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(node_names); i++)
		if (strcmp(node_names[i], s) == 0)
			return (int)i;
	return strcmp(s, "unknown") == 0 ? NODE_UNKNOWN : -2;
}

/* Index = enum node_failback (CLUSTER_NODE_RESUME_FAILBACK_TYPE). */
const char *const node_failback_names[] = {"none", "immediate", "policy", NULL};
