/*
 * run_watch.c - the resources a run watches: everything its selectors
 * picked, and every resource in the groups of those (a failover moves the
 * whole group). Kept as a name-sorted index into the initial snapshot, so
 * each cluster event is classified in O(log n) even on a 10,000-resource
 * cluster, and the current owner comes from the events already seen
 * instead of a fresh snapshot per injection.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "run_int.h"

static int by_name(const void *a, const void *b)
{
	const struct cluster_resource *x = *(const struct cluster_resource *const *)a;
	const struct cluster_resource *y = *(const struct cluster_resource *const *)b;
	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void watch_build(struct run *r)
{
	/* The groups of every picked resource, sorted for bsearch. */
	size_t ng = 0, cap = 0;
	const char **groups = NULL;
	const char **names = NULL;
	size_t nn = 0, capn = 0;
	for (size_t s = 0; s < r->plan->nselectors; s++)
		for (size_t i = 0; i < r->sels[s].n; i++) {
			const struct cluster_resource *res = r->sels[s].items[i];
			XGROW(names, capn, nn + 1);
			names[nn++] = res->name;
			if (res->group != NULL) {
				XGROW(groups, cap, ng + 1);
				groups[ng++] = res->group;
			}
		}
	if (ng > 1)
		qsort(groups, ng, sizeof(*groups), cmp_str);
	if (nn > 1)
		qsort(names, nn, sizeof(*names), cmp_str);
	bool all = run_has_node_faults(r->plan); /* a node fault can move any group: watch them all */
	r->watch = xcalloc(r->initial.nresources ? r->initial.nresources : 1, sizeof(*r->watch));
	r->nwatch = 0;
	for (size_t i = 0; i < r->initial.nresources; i++) {
		const struct cluster_resource *res = &r->initial.resources[i];
		bool picked = nn && bsearch(&res->name, names, nn, sizeof(*names), cmp_str) != NULL;
		bool grouped = ng && res->group && bsearch(&res->group, groups, ng, sizeof(*groups), cmp_str) != NULL;
		if (picked || grouped || all)
			r->watch[r->nwatch++] = res;
	}
	if (r->nwatch > 1)
		qsort(r->watch, r->nwatch, sizeof(*r->watch), by_name);
	free(groups);
	free(names);
}

const struct cluster_resource *watch_find(const struct run *r, const char *name)
{
	struct cluster_resource key = {.name = (char *)name};
	const struct cluster_resource *k = &key;
	const struct cluster_resource *const *hit =
	    r->nwatch ? bsearch(&k, r->watch, r->nwatch, sizeof(*r->watch), by_name) : NULL;
	return hit ? *hit : NULL;
}

const char *watch_owner(const struct run *r, const char *name)
{
	/* The latest event for it says where it is; before any, the initial snapshot does. */
	for (size_t i = r->rec->nevents; i > 0; i--)
		if (strcmp(r->rec->events[i - 1].resource, name) == 0 && r->rec->events[i - 1].node != NULL)
			return r->rec->events[i - 1].node;
	const struct cluster_resource *res = watch_find(r, name);
	return res ? res->owner : NULL;
}
