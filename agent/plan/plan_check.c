/*
 * plan_check.c - cross-references between sections (targets, probes,
 * `after` chains) and what a backend can do.
 *
 * Runs after every section is loaded, walking the document again for the
 * positions of the referring values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/sim.h"
#include "faultline/util.h"
#include "plan_int.h"

enum ref_kind { REF_SELECTOR, REF_PROBE, REF_FAULT };

static const char *const ref_words[] = {"selector", "probe", "fault"};

/* Names sorted (then by position) so each reference resolves in O(log n): 1 MiB plans have thousands. */
struct name_ix {
	const char *name;
	size_t idx;
};

struct plan_refs {
	struct name_ix *v[3];
	size_t n[3];
};

static int ix_cmp(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const char *name_at(const struct plan *p, enum ref_kind k, size_t i)
{
	return k == REF_SELECTOR ? p->selectors[i].name : k == REF_PROBE ? p->probes[i].name : p->faults[i].name;
}

static void refs_build(const struct plan *p, struct plan_refs *r)
{
	for (int k = REF_SELECTOR; k <= REF_FAULT; k++) {
		size_t n = k == REF_SELECTOR ? p->nselectors : k == REF_PROBE ? p->nprobes : p->nfaults;
		r->v[k] = xcalloc(n ? n : 1, sizeof(*r->v[k]));
		r->n[k] = 0;
		for (size_t i = 0; i < n; i++)
			if (name_at(p, (enum ref_kind)k, i) != NULL)
				r->v[k][r->n[k]++] = (struct name_ix){name_at(p, (enum ref_kind)k, i), i};
		qsort(r->v[k], r->n[k], sizeof(*r->v[k]), ix_cmp);
	}
}

/* The first definition of name, as plan_find_* would answer. */
static size_t find(const struct pctx *c, enum ref_kind k, const char *name)
{
	const struct name_ix *v = c->refs->v[k];
	size_t lo = 0, hi = c->refs->n[k];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->refs->n[k] && strcmp(v[lo].name, name) == 0 ? v[lo].idx : PLAN_NONE;
}

/* NULL-terminated borrowed list of the names of kind k, for suggestions. */
static const char **names_of(const struct plan *p, enum ref_kind k)
{
	size_t n = k == REF_SELECTOR ? p->nselectors : k == REF_PROBE ? p->nprobes : p->nfaults;
	const char **v = xcalloc(n + 1, sizeof(*v));
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = k == REF_SELECTOR ? p->selectors[i].name
		                : k == REF_PROBE  ? p->probes[i].name
		                                  : p->faults[i].name;
		if (s != NULL)
			v[j++] = s;
	}
	return v;
}

/* Resolve the name in map[key] (already loaded into `name`); report if unknown. */
/* Resolve name (written at node v, under key) to an index, or report it with a suggestion. */
static size_t resolve_at(struct pctx *c, const struct ydoc_node *v, const char *key, const char *name, enum ref_kind k,
                         const char *who)
{
	if (name == NULL)
		return PLAN_NONE;
	size_t i = find(c, k, name);
	if (i != PLAN_NONE)
		return i;
	const char **names = names_of(c->p, k);
	const char *s = plan_suggest(name, names);
	if (s != NULL)
		diag_add(c->d, v->pos, "%s: unknown %s \"%s\" in %s; did you mean \"%s\"?", who, ref_words[k], name,
		         key, s);
	else
		diag_add(c->d, v->pos, "%s: unknown %s \"%s\" in %s", who, ref_words[k], name, key);
	free(names);
	return PLAN_NONE;
}

static size_t resolve(struct pctx *c, const struct ydoc_node *map, const char *key, const char *name, enum ref_kind k,
                      const char *who)
{
	return resolve_at(c, ydoc_get(map, key), key, name, k, who);
}

/*
 * `after` loops, in linear time: each fault has at most one `after`, so
 * one walk per unvisited fault, marking the path, finds every loop once.
 * A loop is reported once, at its last fault in the document.
 */
static void report_loop(struct pctx *c, const struct ydoc_node *list, const size_t *path, size_t from, size_t n)
{
	const struct plan *p = c->p;
	size_t last = path[from];
	for (size_t k = from; k < n; k++)
		if (path[k] > last)
			last = path[k];
	const struct ydoc_node *v = ydoc_get(list->items[last], "after");
	if (n - from == 1)
		diag_add(c->d, v->pos, "fault \"%s\": after refers to the fault itself", p->faults[last].name);
	else
		diag_add(c->d, v->pos, "fault \"%s\": after chain loops back to this fault (a loop of %zu faults)",
		         p->faults[last].name, n - from);
}

static void check_loops(struct pctx *c, const struct ydoc_node *list)
{
	const struct plan *p = c->p;
	enum { NEW, ON_PATH, DONE };
	unsigned char *st = xcalloc(p->nfaults ? p->nfaults : 1, 1);
	size_t *path = xcalloc(p->nfaults ? p->nfaults : 1, sizeof(*path)),
	       *pos = xcalloc(p->nfaults ? p->nfaults : 1, sizeof(*pos));
	for (size_t i = 0; i < p->nfaults; i++) {
		size_t n = 0, cur = i;
		while (cur != PLAN_NONE && st[cur] == NEW && p->faults[cur].name != NULL) {
			st[cur] = ON_PATH;
			pos[cur] = n;
			path[n++] = cur;
			cur = p->faults[cur].after_idx;
		}
		if (cur != PLAN_NONE && st[cur] == ON_PATH)
			report_loop(c, list, path, pos[cur], n);
		for (size_t k = 0; k < n; k++)
			st[path[k]] = DONE;
	}
	free(st);
	free(path);
	free(pos);
}

static void check_faults(struct pctx *c)
{
	const struct ydoc_node *list = ydoc_get(c->doc->root, "faults");
	struct plan *p = c->p;
	for (size_t i = 0; i < p->nfaults; i++) {
		struct plan_fault *f = &p->faults[i];
		if (f->name == NULL)
			continue;
		char who[300];
		snprintf(who, sizeof(who), "fault \"%s\"", f->name);
		const struct ydoc_node *n = list->items[i];
		f->target_idx = resolve(c, n, "target", f->target, REF_SELECTOR, who);
		f->after_idx = resolve(c, n, "after", f->after, REF_FAULT, who);
		uint64_t span = (uint64_t)(f->repeat.count - 1);
		if (f->repeat.every_ns != 0 && span > (UINT64_MAX - f->at_ns) / f->repeat.every_ns)
			diag_add(c->d, n->pos, "%s: schedule overflows (at + count x every is too long)", who);
	}
	check_loops(c, list);
}

static void check_probes(struct pctx *c)
{
	const struct ydoc_node *map = ydoc_get(c->doc->root, "probes");
	for (size_t i = 0; i < c->p->nprobes; i++) {
		struct plan_probe *pr = &c->p->probes[i];
		char who[300];
		snprintf(who, sizeof(who), "probe \"%s\"", pr->name);
		pr->cluster_idx = resolve(c, map->pairs[i].value, "cluster", pr->cluster, REF_SELECTOR, who);
	}
}

static void check_slos(struct pctx *c)
{
	const struct ydoc_node *list = ydoc_get(c->doc->root, "slo");
	for (size_t i = 0; i < c->p->nslos; i++) {
		struct plan_slo *s = &c->p->slos[i];
		if (s->name == NULL)
			continue;
		char who[300];
		snprintf(who, sizeof(who), "slo \"%s\"", s->name);
		s->probe_idx = resolve(c, list->items[i], "probe", s->probe, REF_PROBE, who);
		s->target_idx = resolve(c, list->items[i], "target", s->target, REF_SELECTOR, who);
		const struct ydoc_node *fl = ydoc_get(list->items[i], "faults");
		s->fault_idx = s->nfaults ? xcalloc(s->nfaults, sizeof(*s->fault_idx)) : NULL;
		for (size_t k = 0; k < s->nfaults; k++)
			s->fault_idx[k] = resolve_at(c, fl->items[k], "faults", s->faults[k], REF_FAULT, who);
	}
}

static void check_guards(struct pctx *c)
{
	const struct ydoc_node *g = ydoc_get(c->doc->root, "guards");
	const struct ydoc_node *list = g ? ydoc_get(g, "abort_when") : NULL;
	for (size_t i = 0; i < c->p->guards.nabort; i++) {
		struct plan_abort *a = &c->p->guards.abort_when[i];
		a->probe_idx = resolve(c, list->items[i], "probe", a->probe, REF_PROBE, "abort_when");
	}
}

/* With a simulated topology at hand, destinations must be its nodes. */
static void check_destinations(struct pctx *c)
{
	const struct sim_topology *t = c->topo;
	const struct ydoc_node *list = ydoc_get(c->doc->root, "faults");
	for (size_t i = 0; t != NULL && i < c->p->nfaults; i++) {
		const struct plan_fault *f = &c->p->faults[i];
		if (f->destination == NULL)
			continue;
		bool found = false;
		for (size_t k = 0; k < t->nnodes && !found; k++)
			found = strcmp(t->nodes[k].name, f->destination) == 0;
		/* At the destination itself, not at the fault's first line. */
		const struct ydoc_node *v =
		    list != NULL && i < list->nitems ? ydoc_get(list->items[i], "destination") : NULL;
		if (!found)
			diag_add(c->d, v != NULL ? v->pos : f->pos,
			         "fault \"%s\": destination \"%s\" is not a node of topology \"%s\"", f->name,
			         f->destination, c->p->cluster.topology);
	}
}

void plan_check_refs(struct pctx *c)
{
	struct plan_refs refs;
	refs_build(c->p, &refs);
	c->refs = &refs;
	check_destinations(c);
	check_faults(c);
	check_probes(c);
	check_slos(c);
	check_guards(c);
	plan_check_nodes(c);
	c->refs = NULL;
	for (int k = REF_SELECTOR; k <= REF_FAULT; k++)
		free(refs.v[k]);
}

static bool unsupported(struct fl_diag *d, const struct plan_fault *f, const char *backend, const char *what)
{
	diag_add(d, f->pos, "fault \"%s\": backend \"%s\" does not support %s", f->name, backend, what);
	return false;
}

int plan_check_caps(const struct plan *p, const char *backend, const struct cluster_caps *caps, struct fl_diag *d)
{
	static const unsigned ops[] = {CLUSTER_OP_FAIL,       CLUSTER_OP_OFFLINE,   CLUSTER_OP_ONLINE,
	                               CLUSTER_OP_MOVE_GROUP, CLUSTER_OP_NODE_DOWN, CLUSTER_OP_NODE_DOWN,
	                               CLUSTER_OP_NODE_PAUSE, CLUSTER_OP_NODE_PAUSE};
	bool ok = true;
	char what[192];
	/* A node crash on a real cluster is the plan's configured commands (cluster_open adds the same). */
	const struct cluster_ops *o = cluster_backend(backend);
	unsigned avail = caps->ops;
	if (p->cluster.node_down_command != NULL && p->cluster.node_up_command != NULL && o != NULL &&
	    (o->plan_keys & CLUSTER_KEY_NODE_CMD))
		avail |= CLUSTER_OP_NODE_DOWN;
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct plan_fault *f = &p->faults[i];
		if (f->action == PLAN_EXEC)
			continue; /* runs a command: no backend involved */
		if (!(avail & ops[f->action])) {
			snprintf(what, sizeof(what), "action \"%s\"%s", plan_action_str(f->action),
			         ops[f->action] == CLUSTER_OP_NODE_DOWN && o != NULL &&
			                 (o->plan_keys & CLUSTER_KEY_NODE_CMD)
			             ? " (no cluster API crashes a node: give cluster.node_down_command and "
			               "node_up_command)"
			             : "");
			ok = unsupported(d, f, backend, what);
			continue;
		}
		for (unsigned b = 0; offline_flag_names[b] != NULL; b++) {
			if ((f->flags & (1u << b)) && !(caps->offline_flags & (1u << b))) {
				snprintf(what, sizeof(what), "offline flag \"%s\"", offline_flag_names[b]);
				ok = unsupported(d, f, backend, what);
			}
		}
		if (f->action == PLAN_OFFLINE && f->destination != NULL && !(avail & CLUSTER_OP_OFFLINE_DESTINATION))
			ok = unsupported(d, f, backend, "a destination for offline");
	}
	return ok ? 0 : -1;
}
