/*
 * sim_topology.c - load a simulator topology (nodes, groups, resources and
 * their WSFC policy properties) from YAML. This file reads the structure;
 * sim_topology_value.c reads scalars, sim_topology_check.c checks names,
 * references and the dependency graph. See docs/topology-format.md.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "sim_topology_int.h"

static const char *const top_keys[] = {"name",  "description", "timezone_offset", "policy",    "pacemaker",
                                       "nodes", "groups",      "witness",         "join_time", NULL};
static const char *const pcmk_keys[] = {"reaction_time", "online_reaction_time", "fail_increment", NULL};
static const char *const policies[] = {"wsfc", "pacemaker", NULL};
static const char *const node_keys[] = {"name", "down", NULL};
static const char *const group_keys[] = {"name",
                                         "description",
                                         "preferred_owners",
                                         "possible_owners",
                                         "failover_threshold",
                                         "failover_period",
                                         "auto_failback",
                                         "failback_window",
                                         "owner",
                                         "location",
                                         "resources",
                                         NULL};
static const char *const window_keys[] = {"start", "end", NULL};
static const char *const res_keys[] = {"name",
                                       "type",
                                       "description",
                                       "depends_on",
                                       "restart_action",
                                       "restart_threshold",
                                       "restart_period",
                                       "restart_delay",
                                       "retry_period_on_failure",
                                       "pending_timeout",
                                       "online_time",
                                       "offline_time",
                                       "locked",
                                       "initial",
                                       "possible_owners",
                                       "broken_on",
                                       "endpoint",
                                       "ready_after",
                                       "monitor_interval",
                                       "migration_threshold",
                                       "failure_timeout",
                                       "stickiness",
                                       NULL};
static const char *const restart_actions[] = {"none", "restart", "failover", NULL};
static const char *const failbacks[] = {"prevent", "allow", NULL};
static const char *const initials[] = {"online", "offline", NULL};

void sim_resource_def_defaults(struct sim_resource_def *r)
{
	memset(r, 0, sizeof(*r));
	r->restart_action = SIM_RESTART_FAILOVER;
	r->restart_threshold = 1; /* KB 947712, see wsfc-semantics.md */
	r->restart_period_ns = 15 * 60 * 1000000000ULL;
	r->restart_delay_ns = 500 * 1000000ULL;
	r->retry_period_ns = 3600 * 1000000000ULL;
	r->pending_timeout_ns = 180 * 1000000000ULL;
}

void sim_group_def_defaults(struct sim_group_def *g)
{
	memset(g, 0, sizeof(*g));
	g->failover_threshold = UINT32_MAX; /* nodes - 1 */
	g->failover_period_ns = 6 * 3600 * 1000000000ULL;
	g->auto_failback = 0;
	g->failback_start_hour = -1;
	g->failback_end_hour = -1;
}

static void load_node(struct topo_ctx *c, const struct ydoc_node *n)
{
	struct sim_topology *t = c->t;
	XGROW(t->nodes, c->ncap, t->nnodes + 1);
	XGROW(c->nnode, c->nncap, t->nnodes + 1);
	struct sim_node_def *nd = &t->nodes[t->nnodes];
	memset(nd, 0, sizeof(*nd));
	nd->pos = n->pos;
	c->nnode[t->nnodes++] = n;
	if (n->kind == YDOC_SCALAR) {
		topo_str(c, n, "nodes", &nd->name);
		return;
	}
	if (topo_want(c, n, "nodes", YDOC_MAP) < 0)
		return;
	topo_check_keys(c, n, node_keys);
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "name")) != NULL)
		topo_str(c, v, "name", &nd->name);
	else
		topo_missing(c, n, "node", "name");
	if ((v = ydoc_get(n, "down")) != NULL)
		topo_bool(c, v, "down", &nd->down);
}

/* online_time / offline_time / reaction_time: fixed, {min, max} or {median, p95[, max]} (dist.h). */
static void load_range(struct topo_ctx *c, const struct ydoc_node *n, const char *key, struct dist *out)
{
	dist_parse(n, key, out, c->d);
}

/* depends_on: [a, [b, c]] = a AND (b OR c). */
static void load_deps(struct topo_ctx *c, const struct ydoc_node *n, struct sim_resource_def *r)
{
	if (ydoc_is_null(n))
		return;
	if (n->kind == YDOC_SCALAR) {
		r->deps = xcalloc(1, sizeof(*r->deps));
		if (topo_names(c, n, "depends_on", &r->deps[0].any, &r->deps[0].nany) == 0)
			r->ndeps = 1;
		else
			free(r->deps[0].any), free(r->deps), r->deps = NULL;
		return;
	}
	if (topo_want(c, n, "depends_on", YDOC_SEQ) < 0)
		return;
	r->deps = xcalloc(n->nitems, sizeof(*r->deps));
	for (size_t i = 0; i < n->nitems; i++) {
		struct sim_dep *dep = &r->deps[r->ndeps];
		const struct ydoc_node *it = n->items[i];
		if (it->kind == YDOC_SEQ && it->nitems == 0) {
			diag_add(c->d, it->pos, "depends_on: an OR-set needs at least one resource");
			continue;
		}
		if (it->kind == YDOC_MAP) {
			topo_want(c, it, "depends_on", YDOC_SEQ);
			continue;
		}
		topo_names(c, it, "depends_on", &dep->any, &dep->nany);
		if (dep->nany > 0)
			r->ndeps++;
		else
			free(dep->any), dep->any = NULL;
	}
}

static void load_res_policy(struct topo_ctx *c, const struct ydoc_node *n, struct sim_resource_def *r)
{
	const struct ydoc_node *v;
	uint64_t u;
	int i;
	if ((v = ydoc_get(n, "restart_action")) != NULL && topo_enum(c, v, "restart_action", restart_actions, &i) == 0)
		r->restart_action = (enum sim_restart_action)i;
	if ((v = ydoc_get(n, "restart_threshold")) != NULL &&
	    topo_uint(c, v, "restart_threshold", 0, UINT32_MAX, &u) == 0)
		r->restart_threshold = (uint32_t)u;
	if ((v = ydoc_get(n, "restart_period")) != NULL)
		topo_dur(c, v, "restart_period", &r->restart_period_ns);
	if ((v = ydoc_get(n, "restart_delay")) != NULL)
		topo_dur(c, v, "restart_delay", &r->restart_delay_ns);
	if ((v = ydoc_get(n, "retry_period_on_failure")) != NULL) {
		if (v->kind == YDOC_SCALAR && strcmp(v->str, "never") == 0)
			r->retry_period_ns = SIM_NEVER;
		else if (topo_dur(c, v, "retry_period_on_failure", &r->retry_period_ns) == 0 &&
		         r->retry_period_ns < r->restart_period_ns)
			diag_add(c->d, v->pos,
			         "retry_period_on_failure: %s is shorter than restart_period (WSFC minimum)", v->str);
	}
	if ((v = ydoc_get(n, "pending_timeout")) != NULL &&
	    topo_dur(c, v, "pending_timeout", &r->pending_timeout_ns) == 0 && r->pending_timeout_ns == 0)
		diag_add(c->d, v->pos, "pending_timeout: must be greater than 0");
}

/* A Pacemaker score: an integer, INFINITY or -INFINITY (+-1000000). */
static int topo_score(struct topo_ctx *c, const struct ydoc_node *n, const char *key, int64_t *out)
{
	if (n->kind != YDOC_SCALAR)
		return diag_add(c->d, n->pos, "%s: expected a score (integer, INFINITY or -INFINITY)", key);
	const char *s = n->str;
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, "INFINITY") == 0) {
		*out = neg ? -1000000 : 1000000;
		return 0;
	}
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > 1000000)
		return diag_add(c->d, n->pos, "%s: \"%s\" is not a score (an integer within +-1000000, or INFINITY)",
		                key, n->str);
	*out = neg ? -v : v;
	return 0;
}

/* Pacemaker meta-attributes (policy: pacemaker; ignored by the WSFC policy). */
static void load_res_pcmk(struct topo_ctx *c, const struct ydoc_node *n, struct sim_resource_def *r)
{
	const struct ydoc_node *v;
	uint64_t u;
	if ((v = ydoc_get(n, "migration_threshold")) != NULL &&
	    topo_uint(c, v, "migration_threshold", 0, UINT32_MAX, &u) == 0)
		r->migration_threshold = (uint32_t)u;
	if ((v = ydoc_get(n, "monitor_interval")) != NULL)
		topo_dur(c, v, "monitor_interval", &r->monitor_interval_ns);
	if ((v = ydoc_get(n, "failure_timeout")) != NULL)
		topo_dur(c, v, "failure_timeout", &r->failure_timeout_ns);
	if ((v = ydoc_get(n, "stickiness")) != NULL)
		topo_score(c, v, "stickiness", &r->stickiness);
}

static void load_res_sim(struct topo_ctx *c, const struct ydoc_node *n, struct sim_resource_def *r)
{
	const struct ydoc_node *v;
	int i;
	if ((v = ydoc_get(n, "online_time")) != NULL)
		load_range(c, v, "online_time", &r->online_time);
	if ((v = ydoc_get(n, "offline_time")) != NULL)
		load_range(c, v, "offline_time", &r->offline_time);
	if ((v = ydoc_get(n, "locked")) != NULL)
		topo_bool(c, v, "locked", &r->locked);
	if ((v = ydoc_get(n, "initial")) != NULL && topo_enum(c, v, "initial", initials, &i) == 0)
		r->start_offline = i == 1;
	if ((v = ydoc_get(n, "possible_owners")) != NULL)
		topo_names(c, v, "possible_owners", &r->possible, &r->npossible);
	if ((v = ydoc_get(n, "broken_on")) != NULL)
		topo_names(c, v, "broken_on", &r->broken_on, &r->nbroken_on);
	if ((v = ydoc_get(n, "endpoint")) != NULL)
		topo_str(c, v, "endpoint", &r->endpoint);
	if ((v = ydoc_get(n, "ready_after")) != NULL && dist_parse(v, "ready_after", &r->ready_after, c->d) == 0 &&
	    ydoc_get(n, "endpoint") == NULL)
		diag_add(c->d, v->pos, "ready_after: needs an endpoint (it delays when the endpoint starts listening)");
}

static void load_resource(struct topo_ctx *c, const struct ydoc_node *n, size_t gi)
{
	if (topo_want(c, n, "resources", YDOC_MAP) < 0)
		return;
	struct sim_topology *t = c->t;
	XGROW(t->resources, c->rcap, t->nresources + 1);
	XGROW(c->rnode, c->rncap, t->nresources + 1);
	XGROW(c->rgroup, c->rgcap, t->nresources + 1);
	struct sim_resource_def *r = &t->resources[t->nresources];
	sim_resource_def_defaults(r);
	r->pos = n->pos;
	c->rnode[t->nresources] = n;
	c->rgroup[t->nresources++] = gi;
	if (t->groups[gi].name)
		r->group = xstrdup(t->groups[gi].name);
	topo_check_keys(c, n, res_keys);
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "name")) != NULL)
		topo_str(c, v, "name", &r->name);
	else
		topo_missing(c, n, "resource", "name");
	if ((v = ydoc_get(n, "type")) != NULL)
		topo_str(c, v, "type", &r->type);
	else
		topo_missing(c, n, "resource", "type");
	if ((v = ydoc_get(n, "depends_on")) != NULL)
		load_deps(c, v, r);
	load_res_policy(c, n, r);
	load_res_sim(c, n, r);
	load_res_pcmk(c, n, r);
}

static void load_window(struct topo_ctx *c, const struct ydoc_node *n, struct sim_group_def *g)
{
	if (topo_want(c, n, "failback_window", YDOC_MAP) < 0)
		return;
	topo_check_keys(c, n, window_keys);
	const struct ydoc_node *s = ydoc_get(n, "start"), *e = ydoc_get(n, "end");
	if (s == NULL || e == NULL) {
		topo_missing(c, n, "failback_window", s == NULL ? "start" : "end");
		return;
	}
	uint64_t hs, he;
	if (topo_uint(c, s, "failback_window.start", 0, 23, &hs) == 0 &&
	    topo_uint(c, e, "failback_window.end", 0, 23, &he) == 0) {
		g->failback_start_hour = (int)hs;
		g->failback_end_hour = (int)he;
	}
}

/* location: {node: score, ...} (policy: pacemaker); nodes must be defined above. */
static void load_location(struct topo_ctx *c, const struct ydoc_node *n, struct sim_group_def *g)
{
	if (topo_want(c, n, "location", YDOC_MAP) < 0)
		return;
	g->location = xcalloc(n->npairs ? n->npairs : 1, sizeof(*g->location));
	for (size_t i = 0; i < n->npairs; i++) {
		const struct ydoc_node *k = n->pairs[i].key;
		bool known = false;
		for (size_t j = 0; j < c->t->nnodes && !known; j++)
			known = c->t->nodes[j].name && strcmp(c->t->nodes[j].name, k->str) == 0;
		if (!known) {
			diag_add(c->d, k->pos, "location: unknown node \"%s\"", k->str);
			continue;
		}
		struct sim_location *l = &g->location[g->nlocation];
		if (topo_score(c, n->pairs[i].value, "location", &l->score) == 0) {
			l->node = xstrdup(k->str);
			g->nlocation++;
		}
	}
}

static void load_group_policy(struct topo_ctx *c, const struct ydoc_node *n, struct sim_group_def *g)
{
	const struct ydoc_node *v;
	uint64_t u;
	int i;
	if ((v = ydoc_get(n, "preferred_owners")) != NULL)
		topo_names(c, v, "preferred_owners", &g->preferred, &g->npreferred);
	if ((v = ydoc_get(n, "possible_owners")) != NULL)
		topo_names(c, v, "possible_owners", &g->possible, &g->npossible);
	if ((v = ydoc_get(n, "failover_threshold")) != NULL &&
	    topo_uint(c, v, "failover_threshold", 0, UINT32_MAX, &u) == 0)
		g->failover_threshold = (uint32_t)u;
	if ((v = ydoc_get(n, "failover_period")) != NULL)
		topo_dur(c, v, "failover_period", &g->failover_period_ns);
	if ((v = ydoc_get(n, "auto_failback")) != NULL && topo_enum(c, v, "auto_failback", failbacks, &i) == 0) {
		g->auto_failback = i;
		if (i == 1 && ydoc_get(n, "preferred_owners") == NULL)
			diag_add(c->d, v->pos, "auto_failback: allow needs preferred_owners to fail back to");
	}
	if ((v = ydoc_get(n, "location")) != NULL)
		load_location(c, v, g);
	if ((v = ydoc_get(n, "failback_window")) != NULL)
		load_window(c, v, g);
	if ((v = ydoc_get(n, "owner")) != NULL)
		topo_str(c, v, "owner", &g->owner);
}

static void load_group(struct topo_ctx *c, const struct ydoc_node *n)
{
	if (topo_want(c, n, "groups", YDOC_MAP) < 0)
		return;
	struct sim_topology *t = c->t;
	size_t gi = t->ngroups;
	XGROW(t->groups, c->gcap, gi + 1);
	XGROW(c->gnode, c->gncap, gi + 1);
	struct sim_group_def *g = &t->groups[gi];
	sim_group_def_defaults(g);
	g->pos = n->pos;
	c->gnode[t->ngroups++] = n;
	topo_check_keys(c, n, group_keys);
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "name")) != NULL)
		topo_str(c, v, "name", &g->name);
	else
		topo_missing(c, n, "group", "name");
	load_group_policy(c, n, g);
	if ((v = ydoc_get(n, "resources")) == NULL || ydoc_is_null(v) || topo_want(c, v, "resources", YDOC_SEQ) < 0)
		return;
	for (size_t i = 0; i < v->nitems; i++)
		load_resource(c, v->items[i], gi);
}

static void load_top(struct topo_ctx *c, const struct ydoc_node *root)
{
	if (topo_want(c, root, "topology", YDOC_MAP) < 0)
		return;
	topo_check_keys(c, root, top_keys);
	const struct ydoc_node *v;
	if ((v = ydoc_get(root, "name")) != NULL)
		topo_str(c, v, "name", &c->t->name);
	else
		topo_missing(c, root, "topology", "name");
	if ((v = ydoc_get(root, "timezone_offset")) != NULL)
		topo_utc_offset(c, v, "timezone_offset", &c->t->utc_offset_min);
	int pol;
	if ((v = ydoc_get(root, "policy")) != NULL && topo_enum(c, v, "policy", policies, &pol) == 0)
		c->t->policy = (enum sim_policy)pol;
	c->t->pcmk_fail_increment = 2; /* crm_resource --fail on Pacemaker 2.1.5 (../shared/pacemaker.md) */
	if ((v = ydoc_get(root, "pacemaker")) != NULL && topo_want(c, v, "pacemaker", YDOC_MAP) == 0) {
		const struct ydoc_node *w;
		uint64_t u;
		topo_check_keys(c, v, pcmk_keys);
		if ((w = ydoc_get(v, "reaction_time")) != NULL)
			load_range(c, w, "reaction_time", &c->t->pcmk_reaction);
		if ((w = ydoc_get(v, "online_reaction_time")) != NULL)
			load_range(c, w, "online_reaction_time", &c->t->pcmk_online_reaction);
		if ((w = ydoc_get(v, "fail_increment")) != NULL &&
		    topo_uint(c, w, "fail_increment", 1, 1000000, &u) == 0)
			c->t->pcmk_fail_increment = (uint32_t)u;
	}
	if ((v = ydoc_get(root, "witness")) != NULL)
		topo_bool(c, v, "witness", &c->t->witness);
	if ((v = ydoc_get(root, "join_time")) != NULL)
		topo_dur(c, v, "join_time", &c->t->join_time_ns);
	if ((v = ydoc_get(root, "nodes")) == NULL)
		topo_missing(c, root, "topology", "nodes");
	else if (topo_want(c, v, "nodes", YDOC_SEQ) == 0 && v->nitems == 0)
		diag_add(c->d, v->pos, "nodes: a cluster needs at least one node");
	else
		for (size_t i = 0; v->kind == YDOC_SEQ && i < v->nitems; i++)
			load_node(c, v->items[i]);
	if ((v = ydoc_get(root, "groups")) == NULL)
		topo_missing(c, root, "topology", "groups");
	else if (!ydoc_is_null(v) && topo_want(c, v, "groups", YDOC_SEQ) == 0)
		for (size_t i = 0; i < v->nitems; i++)
			load_group(c, v->items[i]);
}

struct sim_topology *sim_topology_load(const char *path, struct fl_diag *d)
{
	size_t before = d->n + d->dropped;
	struct ydoc *doc = ydoc_load_file(path, NULL, d);
	if (doc == NULL)
		return NULL;
	struct topo_ctx c = {.d = d, .t = xcalloc(1, sizeof(struct sim_topology))};
	c.t->path = xstrdup(path);
	load_top(&c, doc->root);
	topo_check_refs(&c);
	free(c.nnode);
	free(c.gnode);
	free(c.rnode);
	free(c.rgroup);
	ydoc_free(doc);
	if (d->n + d->dropped > before) {
		diag_sort(d);
		sim_topology_free(c.t);
		return NULL;
	}
	return c.t;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_resource(struct sim_resource_def *r)
{
	free(r->name);
	free(r->type);
	free(r->group);
	for (size_t i = 0; i < r->ndeps; i++)
		free_strv(r->deps[i].any, r->deps[i].nany);
	free(r->deps);
	free_strv(r->broken_on, r->nbroken_on);
	free_strv(r->possible, r->npossible);
	free(r->endpoint);
}

void sim_topology_free(struct sim_topology *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nnodes; i++)
		free(t->nodes[i].name);
	for (size_t i = 0; i < t->ngroups; i++) {
		struct sim_group_def *g = &t->groups[i];
		free(g->name);
		free_strv(g->preferred, g->npreferred);
		free_strv(g->possible, g->npossible);
		free(g->owner);
		for (size_t j = 0; j < g->nlocation; j++)
			free(g->location[j].node);
		free(g->location);
	}
	for (size_t i = 0; i < t->nresources; i++)
		free_resource(&t->resources[i]);
	free(t->nodes);
	free(t->groups);
	free(t->resources);
	free(t->name);
	free(t->path);
	free(t);
}
