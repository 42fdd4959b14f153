/*
 * sim_new.c - bring a topology to life: resolve names to indices once,
 * check what the engine relies on (dependencies in the same group, no
 * cycles, known nodes), and set the initial states.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faultline/util.h"
#include "sim_impl.h"

#define SIM_MAX_DEPTH 100

static int name_order(const void *a, const void *b)
{
	const struct sim_resource_def *ra = *(const struct sim_resource_def *const *)a;
	const struct sim_resource_def *rb = *(const struct sim_resource_def *const *)b;
	return strcmp(ra->name, rb->name);
}

/* by_name: indices sorted by name, for bsearch (10,000-resource topologies). */
static int index_names(struct sim *s, struct fl_err *e)
{
	const struct sim_resource_def **defs = xcalloc(s->nres, sizeof(*defs));
	for (size_t i = 0; i < s->nres; i++)
		defs[i] = &s->topo->resources[i];
	qsort(defs, s->nres, sizeof(*defs), name_order);
	s->by_name = xcalloc(s->nres, sizeof(size_t));
	for (size_t i = 0; i < s->nres; i++)
		s->by_name[i] = (size_t)(defs[i] - s->topo->resources);
	free(defs);
	for (size_t i = 1; i < s->nres; i++)
		if (strcmp(s->res[s->by_name[i]].def->name, s->res[s->by_name[i - 1]].def->name) == 0)
			return err_set(e, "resource \"%s\": defined twice", s->res[s->by_name[i]].def->name);
	return 0;
}

static const struct sim *grp_sort_sim; /* qsort has no argument; building is single-threaded */

static int grp_order(const void *a, const void *b)
{
	const struct sim *s = grp_sort_sim;
	return strcmp(s->grp[*(const size_t *)a].def->name, s->grp[*(const size_t *)b].def->name);
}

/*
 * grp_by_name: for sim_find_grp's bsearch. Without it each resource's group
 * was a linear search: 100,000 resources in 10,000 groups spent 5 s of a
 * 6 s rehearsal in strcmp.
 */
static void index_groups(struct sim *s)
{
	s->grp_by_name = xcalloc(s->ngrp ? s->ngrp : 1, sizeof(size_t));
	for (size_t i = 0; i < s->ngrp; i++)
		s->grp_by_name[i] = i;
	grp_sort_sim = s;
	qsort(s->grp_by_name, s->ngrp, sizeof(size_t), grp_order);
	grp_sort_sim = NULL;
}

static size_t node_index(const struct sim *s, const char *name, const char *what, const char *obj, struct fl_err *e)
{
	size_t n = sim_find_node(s, name);
	if (n == SIM_NONE)
		err_set(e, "%s \"%s\": unknown node \"%s\"", what, obj, name);
	return n;
}

static void add_dependent(struct sim_res *p, size_t dependent)
{
	for (size_t i = 0; i < p->ndependents; i++)
		if (p->dependents[i] == dependent)
			return;
	p->dependents = xreallocarray(p->dependents, p->ndependents + 1, sizeof(size_t));
	p->dependents[p->ndependents++] = dependent;
}

/*
 * Pacemaker groups are ordered and colocated: each member needs the member
 * before it (Pacemaker Explained, "Groups"). Modelled as one more
 * dependency, so members start first-last and stop last-first.
 */
static void group_chain(struct sim *s, struct sim_res *r)
{
	const struct sim_grp *g = &s->grp[r->group];
	size_t k = 0;
	while (k < g->nres && g->res[k] != r->idx)
		k++;
	if (k == 0 || k == g->nres)
		return;
	size_t prev = g->res[k - 1];
	for (size_t i = 0; i < r->ndeps; i++)
		if (r->deps[i].n == 1 && r->deps[i].idx[0] == prev)
			return;
	r->deps = xreallocarray(r->deps, r->ndeps + 1, sizeof(*r->deps));
	r->deps[r->ndeps].idx = xcalloc(1, sizeof(size_t));
	r->deps[r->ndeps].idx[0] = prev;
	r->deps[r->ndeps++].n = 1;
	add_dependent(&s->res[prev], r->idx);
}

static int resolve_deps(struct sim *s, struct sim_res *r, struct fl_err *e)
{
	const struct sim_resource_def *d = r->def;
	r->deps = xcalloc(d->ndeps + 1, sizeof(*r->deps));
	r->ndeps = d->ndeps;
	for (size_t i = 0; i < d->ndeps; i++) {
		r->deps[i].idx = xcalloc(d->deps[i].nany, sizeof(size_t));
		r->deps[i].n = d->deps[i].nany;
		for (size_t j = 0; j < d->deps[i].nany; j++) {
			struct sim_res *p = sim_find_res(s, d->deps[i].any[j]);
			if (p == NULL)
				return err_set(e, "resource \"%s\": depends on unknown resource \"%s\"", d->name,
				               d->deps[i].any[j]);
			if (p->group != r->group)
				return err_set(e, "resource \"%s\": depends on \"%s\" in another group", d->name,
				               p->def->name);
			r->deps[i].idx[j] = p->idx;
			add_dependent(p, r->idx);
		}
	}
	if (sim_pcmk(s))
		group_chain(s, r);
	return 0;
}

/* Depth-first walk: 1 = on the current path, 2 = done. */
static int check_chain(struct sim *s, size_t i, unsigned char *mark, size_t depth, struct fl_err *e)
{
	if (mark[i] == 2)
		return 0;
	if (mark[i] == 1)
		return err_set(e, "resource \"%s\": dependency cycle", s->res[i].def->name);
	if (depth > SIM_MAX_DEPTH)
		return err_set(e, "resource \"%s\": dependency chain deeper than %d", s->res[i].def->name,
		               SIM_MAX_DEPTH);
	mark[i] = 1;
	struct sim_res *r = &s->res[i];
	for (size_t a = 0; a < r->ndeps; a++)
		for (size_t b = 0; b < r->deps[a].n; b++)
			if (check_chain(s, r->deps[a].idx[b], mark, depth + 1, e) < 0)
				return -1;
	mark[i] = 2;
	return 0;
}

static int init_res(struct sim *s, size_t i, struct fl_err *e)
{
	struct sim_res *r = &s->res[i];
	r->sim = s;
	r->def = &s->topo->resources[i];
	r->idx = i;
	r->state = RES_OFFLINE;
	r->persist = r->target = !r->def->start_offline;
	r->why = "online";
	clock_timer_init(&r->op_timer);
	clock_timer_init(&r->retry_timer);
	clock_timer_init(&r->react_timer);
	clock_timer_init(&r->detect_timer);
	clock_timer_init(&r->expire_timer);
	rng_init(&r->rng, s->seed, rng_salt(r->def->name));
	struct sim_grp *g = r->def->group ? sim_find_grp(s, r->def->group) : NULL;
	if (g == NULL)
		return err_set(e, "resource \"%s\": unknown group \"%s\"", r->def->name,
		               r->def->group ? r->def->group : "");
	r->group = g->idx;
	g->res = xreallocarray(g->res, g->nres + 1, sizeof(size_t));
	g->res[g->nres++] = i;
	r->broken = xcalloc(s->nnodes, sizeof(bool));
	r->banned = xcalloc(s->nnodes, sizeof(bool));
	r->failcount = xcalloc(s->nnodes, sizeof(uint32_t));
	for (size_t j = 0; j < r->def->nbroken_on; j++) {
		size_t n = node_index(s, r->def->broken_on[j], "resource", r->def->name, e);
		if (n == SIM_NONE)
			return -1;
		r->broken[n] = true;
	}
	if (r->def->npossible == 0)
		return 0;
	r->possible = xcalloc(s->nnodes, sizeof(bool));
	for (size_t j = 0; j < r->def->npossible; j++) {
		size_t n = node_index(s, r->def->possible[j], "resource", r->def->name, e);
		if (n == SIM_NONE)
			return -1;
		r->possible[n] = true;
	}
	return 0;
}

static void add_order(struct sim_grp *g, size_t n)
{
	for (size_t i = 0; i < g->norder; i++)
		if (g->order[i] == n)
			return;
	g->order[g->norder++] = n;
}

static int init_grp(struct sim *s, size_t i, struct fl_err *e)
{
	struct sim_grp *g = &s->grp[i];
	const struct sim_group_def *d = &s->topo->groups[i];
	g->sim = s;
	g->def = d;
	g->idx = i;
	g->rts_source = SIM_NONE;
	g->prefer = g->avoid = SIM_NONE;
	clock_timer_init(&g->failback_timer);
	clock_timer_init(&g->online_timer);
	g->possible = xcalloc(s->nnodes, sizeof(bool));
	g->exhausted = xcalloc(s->nnodes, sizeof(bool));
	g->order = xcalloc(s->nnodes, sizeof(size_t));
	for (size_t j = 0; j < d->npossible; j++) {
		size_t n = node_index(s, d->possible[j], "group", d->name, e);
		if (n == SIM_NONE)
			return -1;
		g->possible[n] = true;
	}
	for (size_t n = 0; d->npossible == 0 && n < s->nnodes; n++)
		g->possible[n] = true;
	return 0;
}

/*
 * Once the members are known: a node qualifies only if it is a possible
 * owner of every resource of the group (WS "Choosing the destination
 * node"); the failover order is the preferred owners, then the others.
 */
static int order_grp(struct sim *s, struct sim_grp *g, struct fl_err *e)
{
	const struct sim_group_def *d = g->def;
	for (size_t i = 0; i < g->nres; i++) {
		const struct sim_res *r = &s->res[g->res[i]];
		for (size_t n = 0; r->possible && n < s->nnodes; n++)
			g->possible[n] = g->possible[n] && r->possible[n];
	}
	for (size_t j = 0; j < d->npreferred; j++) {
		size_t n = node_index(s, d->preferred[j], "group", d->name, e);
		if (n == SIM_NONE)
			return -1;
		if (g->possible[n])
			add_order(g, n);
	}
	for (size_t n = 0; n < s->nnodes; n++)
		if (g->possible[n])
			add_order(g, n);
	return 0;
}

/* The initial owner: as configured, else the first up node in failover order. */
static int place_grp(struct sim *s, struct sim_grp *g, struct fl_err *e)
{
	g->owner = SIM_NONE;
	if (g->def->owner) {
		g->owner = node_index(s, g->def->owner, "group", g->def->name, e);
		if (g->owner != SIM_NONE && !g->possible[g->owner])
			return err_set(e, "group \"%s\": owner \"%s\" is not a possible owner of every member",
			               g->def->name, g->def->owner);
		return g->owner == SIM_NONE ? -1 : 0;
	}
	for (size_t j = 0; j < g->norder && g->owner == SIM_NONE; j++)
		if (s->node_up[g->order[j]])
			g->owner = g->order[j];
	if (g->owner == SIM_NONE)
		return err_set(e, "group \"%s\": no possible owner is up", g->def->name);
	return 0;
}

/* Initial state: Online where the persistent state and the providers allow it. */
static bool initially_online(struct sim *s, size_t i, unsigned char *seen)
{
	struct sim_res *r = &s->res[i];
	if (seen[i])
		return r->state == RES_ONLINE;
	seen[i] = 1;
	bool ok = r->persist && sim_node_hosts(s, s->grp[r->group].owner);
	for (size_t a = 0; ok && a < r->ndeps; a++) {
		bool any = false;
		for (size_t b = 0; b < r->deps[a].n; b++)
			any = initially_online(s, r->deps[a].idx[b], seen) || any;
		ok = any;
	}
	r->state = ok ? RES_ONLINE : RES_OFFLINE;
	return ok;
}

static void initial_states(struct sim *s)
{
	unsigned char *seen = xcalloc(s->nres, 1);
	for (size_t i = 0; i < s->nres; i++)
		initially_online(s, i, seen);
	free(seen);
	for (size_t i = 0; i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		size_t online = 0;
		for (size_t j = 0; j < g->nres; j++)
			online += s->res[g->res[j]].state == RES_ONLINE;
		g->state = online == 0 ? GRP_OFFLINE : online == g->nres ? GRP_ONLINE : GRP_PARTIAL_ONLINE;
	}
}

static int build(struct sim *s, struct fl_err *e)
{
	const struct sim_topology *t = s->topo;
	if (t->nnodes == 0)
		return err_set(e, "topology has no nodes");
	sim_node_init(s);
	for (size_t i = 0; i < s->ngrp; i++)
		if (init_grp(s, i, e) < 0)
			return -1;
	index_groups(s);
	for (size_t i = 0; i < s->nres; i++)
		if (init_res(s, i, e) < 0)
			return -1;
	for (size_t i = 0; i < s->ngrp; i++)
		if (order_grp(s, &s->grp[i], e) < 0 || place_grp(s, &s->grp[i], e) < 0)
			return -1;
	if (index_names(s, e) < 0)
		return -1;
	for (size_t i = 0; i < s->nres; i++)
		if (resolve_deps(s, &s->res[i], e) < 0)
			return -1;
	unsigned char *mark = xcalloc(s->nres, 1);
	int rc = 0;
	for (size_t i = 0; i < s->nres && rc == 0; i++)
		rc = check_chain(s, i, mark, 0, e);
	free(mark);
	if (rc == 0)
		initial_states(s);
	return rc;
}

struct sim *sim_new(const struct sim_topology *t, struct fl_clock *clk, uint64_t seed, struct fl_err *e)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	s->topo = t;
	s->clk = clk;
	s->seed = seed;
	s->t0 = clock_now(clk);
	s->wall_epoch_s = clock_is_virtual(clk) ? 0 : (int64_t)time(NULL);
	s->nres = t->nresources;
	s->ngrp = t->ngroups;
	s->nnodes = t->nnodes;
	s->res = xcalloc(s->nres, sizeof(*s->res));
	s->grp = xcalloc(s->ngrp, sizeof(*s->grp));
	s->node_up = xcalloc(s->nnodes, sizeof(bool));
	s->memo_ok = xcalloc(s->nres, sizeof(bool));
	s->memo_set = xcalloc(s->nres, sizeof(bool));
	if (build(s, e) < 0)
		goto fail;
	return s;
fail:
	err_wrap(e, "topology \"%s\"", t->name ? t->name : "(unnamed)");
	sim_free(s);
	return NULL;
}

static void free_res(struct sim *s, struct sim_res *r)
{
	if (r->def == NULL)
		return; /* never initialised: sim_new failed before it */
	clock_timer_stop(s->clk, &r->op_timer);
	clock_timer_stop(s->clk, &r->retry_timer);
	clock_timer_stop(s->clk, &r->react_timer);
	clock_timer_stop(s->clk, &r->detect_timer);
	clock_timer_stop(s->clk, &r->expire_timer);
	free(r->banned);
	free(r->failcount);
	for (size_t j = 0; j < r->ndeps; j++)
		free(r->deps[j].idx);
	free(r->deps);
	free(r->dependents);
	free(r->broken);
	free(r->possible);
	free(r->restarts);
}

void sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nres; i++)
		free_res(s, &s->res[i]);
	for (size_t i = 0; i < s->ngrp; i++) {
		struct sim_grp *g = &s->grp[i];
		if (g->def) {
			clock_timer_stop(s->clk, &g->failback_timer);
			clock_timer_stop(s->clk, &g->online_timer);
		}
		free(g->onlines);
		free(g->res);
		free(g->possible);
		free(g->order);
		free(g->exhausted);
		free(g->failovers);
	}
	sim_trace_free(s);
	for (size_t i = 0; i < s->nstrs; i++)
		free(s->strs[i]);
	free(s->strs);
	free(s->res);
	free(s->grp);
	free(s->by_name);
	free(s->grp_by_name);
	sim_node_fini(s);
	free(s->node_up);
	free(s->memo_ok);
	free(s->memo_set);
	free(s);
}

void sim_set_wall_epoch(struct sim *s, int64_t unix_s)
{
	s->wall_epoch_s = unix_s;
}
