/* sim_snapshot.c - the simulator's state as a struct cluster_snapshot (all copies). */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "sim_impl.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void copy_resource(const struct sim *s, const struct sim_res *r, struct cluster_resource *out)
{
	const struct sim_grp *g = &s->grp[r->group];
	out->name = xstrdup(r->def->name);
	out->type = xstrdup(r->def->type ? r->def->type : "");
	out->group = xstrdup(g->def->name);
	out->owner = dup_or_null(sim_node_name(s, g->owner));
	out->state = r->state;
	for (size_t i = 0; i < r->ndeps; i++)
		out->ndeps += r->deps[i].n;
	out->deps = xcalloc(out->ndeps, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < r->ndeps; i++)
		for (size_t j = 0; j < r->deps[i].n; j++)
			out->deps[k++] = xstrdup(s->res[r->deps[i].idx[j]].def->name);
}

void sim_snapshot(const struct sim *s, struct cluster_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	out->nnodes = s->nnodes;
	out->nodes = xcalloc(s->nnodes, sizeof(*out->nodes));
	for (size_t i = 0; i < s->nnodes; i++) {
		out->nodes[i].name = xstrdup(s->topo->nodes[i].name);
		out->nodes[i].up = s->node_up[i];
		out->nodes[i].paused = s->node_st[i] == NODE_PAUSED;
	}
	out->quorum_known = true;
	out->quorum = s->quorum;
	out->votes_witness = s->topo->witness ? 1 : 0;
	out->ngroups = s->ngrp;
	out->groups = xcalloc(s->ngrp, sizeof(*out->groups));
	for (size_t i = 0; i < s->ngrp; i++) {
		out->groups[i].name = xstrdup(s->grp[i].def->name);
		out->groups[i].owner = dup_or_null(sim_node_name(s, s->grp[i].owner));
		out->groups[i].state = s->grp[i].state;
	}
	out->nresources = s->nres;
	out->resources = xcalloc(s->nres, sizeof(*out->resources));
	for (size_t i = 0; i < s->nres; i++)
		copy_resource(s, &s->res[i], &out->resources[i]);
}
