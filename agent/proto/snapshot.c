/*
 * snapshot.c - freeing and searching a struct cluster_snapshot. Apart from
 * registry.c because it is portable: faultline-wsfc.exe links it too.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cluster_snapshot_free(struct cluster_snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nnodes; i++)
		free(s->nodes[i].name);
	for (size_t i = 0; i < s->ngroups; i++) {
		free(s->groups[i].name);
		free(s->groups[i].owner);
	}
	for (size_t i = 0; i < s->nresources; i++) {
		struct cluster_resource *r = &s->resources[i];
		free(r->name);
		free(r->type);
		free(r->group);
		free(r->owner);
		free_strv(r->deps, r->ndeps);
	}
	free(s->nodes);
	free(s->groups);
	free(s->resources);
	memset(s, 0, sizeof(*s));
}

const struct cluster_resource *cluster_snapshot_resource(const struct cluster_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->nresources; i++)
		if (strcmp(s->resources[i].name, name) == 0)
			return &s->resources[i];
	return NULL;
}

const struct cluster_node *cluster_snapshot_node(const struct cluster_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (strcmp(s->nodes[i].name, name) == 0)
			return &s->nodes[i];
	return NULL;
}
