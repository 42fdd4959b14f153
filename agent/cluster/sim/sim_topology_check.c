/*
 * sim_topology_check.c - checks that need the whole topology: unique names,
 * references to nodes and resources, WSFC's dependency rules (same group,
 * no cycles, depth <= 100) and endpoint addresses. Positions come from the
 * YAML nodes the loader kept, so every message points at the offending value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "sim_endpoint.h"
#include "sim_topology_int.h"

/* Open-addressing name -> index table: 10,000 resources must not cost O(n^2). */
struct names {
	const char **key;
	size_t *idx;
	size_t cap;
};

static size_t hash_str(const char *s)
{
	size_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void names_init(struct names *m, size_t n)
{
	m->cap = 16;
	while (m->cap < n * 2)
		m->cap *= 2;
	m->key = xcalloc(m->cap, sizeof(*m->key));
	m->idx = xcalloc(m->cap, sizeof(*m->idx));
}

static void names_fini(struct names *m)
{
	free(m->key);
	free(m->idx);
}

static size_t names_slot(const struct names *m, const char *k)
{
	size_t i = hash_str(k) & (m->cap - 1);
	while (m->key[i] && strcmp(m->key[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Index of k, or SIZE_MAX. */
static size_t names_find(const struct names *m, const char *k)
{
	size_t i = names_slot(m, k);
	return m->key[i] ? m->idx[i] : SIZE_MAX;
}

/* Insert k -> idx; returns the earlier index if k was already there. */
static size_t names_add(struct names *m, const char *k, size_t idx)
{
	size_t i = names_slot(m, k);
	if (m->key[i])
		return m->idx[i];
	m->key[i] = k;
	m->idx[i] = idx;
	return SIZE_MAX;
}

struct checker {
	struct topo_ctx *c;
	struct names nodes, groups, res;
	size_t **adj; /* provider indices of each resource, for the graph walk */
	size_t *nadj;
};

static struct src_pos name_pos(const struct ydoc_node *def, struct src_pos fallback)
{
	const struct ydoc_node *v = def && def->kind == YDOC_MAP ? ydoc_get(def, "name") : NULL;
	return v ? v->pos : fallback;
}

static void index_names(struct checker *k)
{
	struct sim_topology *t = k->c->t;
	names_init(&k->nodes, t->nnodes);
	names_init(&k->groups, t->ngroups);
	names_init(&k->res, t->nresources);
	for (size_t i = 0; i < t->nnodes; i++) {
		size_t first;
		if (t->nodes[i].name && (first = names_add(&k->nodes, t->nodes[i].name, i)) != SIZE_MAX)
			diag_add(k->c->d, name_pos(k->c->nnode[i], t->nodes[i].pos),
			         "duplicate node name \"%s\" (first defined at line %u)", t->nodes[i].name,
			         t->nodes[first].pos.line);
	}
	for (size_t i = 0; i < t->ngroups; i++) {
		size_t first;
		if (t->groups[i].name && (first = names_add(&k->groups, t->groups[i].name, i)) != SIZE_MAX)
			diag_add(k->c->d, name_pos(k->c->gnode[i], t->groups[i].pos),
			         "duplicate group name \"%s\" (first defined at line %u)", t->groups[i].name,
			         t->groups[first].pos.line);
	}
	for (size_t i = 0; i < t->nresources; i++) {
		size_t first;
		if (t->resources[i].name && (first = names_add(&k->res, t->resources[i].name, i)) != SIZE_MAX)
			diag_add(k->c->d, name_pos(k->c->rnode[i], t->resources[i].pos),
			         "duplicate resource name \"%s\" (first defined at line %u)", t->resources[i].name,
			         t->resources[first].pos.line);
	}
}

/* A node reference: report "key: no node named X (did you mean Y?)". */
static bool check_node_ref(struct checker *k, const struct ydoc_node *v, const char *key)
{
	if (v->kind != YDOC_SCALAR || v->len == 0 || names_find(&k->nodes, v->str) != SIZE_MAX)
		return true;
	const struct sim_topology *t = k->c->t;
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < t->nnodes; i++) {
		size_t dist = t->nodes[i].name ? str_distance(v->str, t->nodes[i].name, 2) : 3;
		if (dist < bestd)
			bestd = dist, best = t->nodes[i].name;
	}
	if (best)
		diag_add(k->c->d, v->pos, "%s: no node named \"%s\" (did you mean \"%s\"?)", key, v->str, best);
	else
		diag_add(k->c->d, v->pos, "%s: no node named \"%s\"", key, v->str);
	return false;
}

static void check_node_list(struct checker *k, const struct ydoc_node *def, const char *key)
{
	const struct ydoc_node *v = ydoc_get(def, key);
	if (v == NULL)
		return;
	if (v->kind == YDOC_SCALAR)
		check_node_ref(k, v, key);
	for (size_t i = 0; v->kind == YDOC_SEQ && i < v->nitems; i++)
		check_node_ref(k, v->items[i], key);
}

static void check_groups(struct checker *k)
{
	const struct sim_topology *t = k->c->t;
	for (size_t gi = 0; gi < t->ngroups; gi++) {
		const struct ydoc_node *def = k->c->gnode[gi];
		const struct sim_group_def *g = &t->groups[gi];
		check_node_list(k, def, "preferred_owners");
		check_node_list(k, def, "possible_owners");
		const struct ydoc_node *v = ydoc_get(def, "owner");
		if (v == NULL || g->owner == NULL || !check_node_ref(k, v, "owner") || g->npossible == 0)
			continue;
		bool possible = false;
		for (size_t i = 0; i < g->npossible && !possible; i++)
			possible = strcmp(g->possible[i], g->owner) == 0;
		if (!possible)
			diag_add(k->c->d, v->pos, "owner: \"%s\" is not one of the group's possible_owners", g->owner);
	}
}

/* One name in depends_on: it must exist, be in the same group, and becomes an edge. */
static void check_dep_ref(struct checker *k, size_t ri, const struct ydoc_node *v)
{
	const struct sim_topology *t = k->c->t;
	if (v->kind != YDOC_SCALAR || v->len == 0)
		return;
	size_t pi = names_find(&k->res, v->str);
	if (pi == SIZE_MAX) {
		const char *best = NULL;
		size_t bestd = 3;
		for (size_t i = 0; i < t->nresources; i++) {
			if (k->c->rgroup[i] != k->c->rgroup[ri] || t->resources[i].name == NULL)
				continue;
			size_t dist = str_distance(v->str, t->resources[i].name, 2);
			if (dist < bestd)
				bestd = dist, best = t->resources[i].name;
		}
		if (best)
			diag_add(k->c->d, v->pos, "depends_on: no resource named \"%s\" (did you mean \"%s\"?)", v->str,
			         best);
		else
			diag_add(k->c->d, v->pos, "depends_on: no resource named \"%s\"", v->str);
		return;
	}
	if (k->c->rgroup[pi] != k->c->rgroup[ri]) {
		const char *pg = t->groups[k->c->rgroup[pi]].name, *rg = t->groups[k->c->rgroup[ri]].name;
		diag_add(k->c->d, v->pos,
		         "depends_on: \"%s\" is in group \"%s\", but dependencies must stay within one group (\"%s\")",
		         v->str, pg ? pg : "?", rg ? rg : "?");
		return;
	}
	k->adj[ri] = xreallocarray(k->adj[ri], k->nadj[ri] + 1, sizeof(**k->adj));
	k->adj[ri][k->nadj[ri]++] = pi;
}

static void check_resources(struct checker *k)
{
	const struct sim_topology *t = k->c->t;
	for (size_t ri = 0; ri < t->nresources; ri++) {
		const struct ydoc_node *def = k->c->rnode[ri];
		check_node_list(k, def, "broken_on");
		check_node_list(k, def, "possible_owners");
		const struct ydoc_node *v = ydoc_get(def, "depends_on");
		if (v == NULL)
			continue;
		if (v->kind == YDOC_SCALAR)
			check_dep_ref(k, ri, v);
		for (size_t i = 0; v->kind == YDOC_SEQ && i < v->nitems; i++) {
			const struct ydoc_node *it = v->items[i];
			if (it->kind == YDOC_SCALAR)
				check_dep_ref(k, ri, it);
			for (size_t j = 0; it->kind == YDOC_SEQ && j < it->nitems; j++)
				check_dep_ref(k, ri, it->items[j]);
		}
	}
}

static void check_endpoints(struct checker *k)
{
	const struct sim_topology *t = k->c->t;
	for (size_t ri = 0; ri < t->nresources; ri++) {
		const struct sim_resource_def *r = &t->resources[ri];
		if (r->endpoint == NULL)
			continue;
		const struct ydoc_node *v = ydoc_get(k->c->rnode[ri], "endpoint");
		struct fl_err e;
		uint32_t ip;
		uint16_t port;
		if (sim_endpoint_parse(r->endpoint, &ip, &port, &e) < 0) {
			diag_add(k->c->d, v->pos, "endpoint %s", e.msg);
			continue;
		}
		for (size_t j = 0; j < ri && port != 0; j++)
			if (t->resources[j].endpoint && strcmp(t->resources[j].endpoint, r->endpoint) == 0) {
				diag_add(k->c->d, v->pos, "endpoint \"%s\" is already used by resource \"%s\"",
				         r->endpoint, t->resources[j].name ? t->resources[j].name : "?");
				break;
			}
	}
}

void topo_check_refs(struct topo_ctx *c)
{
	struct checker k = {.c = c};
	size_t n = c->t->nresources;
	k.adj = xcalloc(n, sizeof(*k.adj));
	k.nadj = xcalloc(n, sizeof(*k.nadj));
	index_names(&k);
	check_groups(&k);
	check_resources(&k);
	check_endpoints(&k);
	topo_check_graph(c, k.adj, k.nadj);
	for (size_t i = 0; i < n; i++)
		free(k.adj[i]);
	free(k.adj);
	free(k.nadj);
	names_fini(&k.nodes);
	names_fini(&k.groups);
	names_fini(&k.res);
}
