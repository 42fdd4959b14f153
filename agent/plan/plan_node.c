/*
 * plan_node.c - plan checks for node faults: their selector picks nodes,
 * and the quorum guard.
 *
 * The guard plays the plan's node faults in order against the sim topology
 * (each `after` fault right after the one it follows, the others at their
 * `at`): a node_down or node_pause that would leave no majority of quorum
 * votes, or a group with no possible owner that is up and not paused, is
 * refused at the fault's position unless guards.allow_quorum_loss is true.
 * The run checks again against the live cluster before each injection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/sim.h"
#include "faultline/util.h"
#include "plan_int.h"

static bool check_selector(struct pctx *c, const struct ydoc_node *fnode, const struct plan_fault *f)
{
	const struct selector *s = &c->p->selectors[f->target_idx];
	if (s->node_re != NULL && s->name_re == NULL && s->group_re == NULL && s->type_re == NULL && s->state == -2)
		return true;
	const struct ydoc_node *v = ydoc_get(fnode, "target");
	diag_add(c->d, v ? v->pos : fnode->pos,
	         "fault \"%s\": action \"%s\" picks nodes: selector \"%s\" must use node (and may use exclude "
	         "and pick), not name, group, type or state",
	         f->name, plan_action_str(f->action), s->name);
	return false;
}

struct guard {
	struct pctx *c;
	const struct sim_topology *t;
	const char **names;
	bool *down, *paused;
	size_t *pick;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * When each fault starts, roughly: its `at`, right after the estimate of
 * the fault it follows (walked once per chain, so long `after` chains stay
 * linear; a loop, reported elsewhere, is cut where it closes).
 */
static void estimates(const struct plan *p, uint64_t *est)
{
	unsigned char *st = xcalloc(p->nfaults + 1, 1); /* 0 unknown, 1 on the walk, 2 done */
	size_t *stack = xcalloc(p->nfaults + 1, sizeof(size_t));
	for (size_t i = 0; i < p->nfaults; i++) {
		size_t top = 0, k = i;
		while (k != PLAN_NONE && st[k] == 0) {
			st[k] = 1;
			stack[top++] = k;
			k = p->faults[k].after_idx;
		}
		while (top > 0) {
			size_t j = stack[--top], a = p->faults[j].after_idx;
			est[j] = a != PLAN_NONE && st[a] == 2 ? sat_add(est[a], sat_add(p->faults[j].at_ns, 1))
			                                      : p->faults[j].at_ns;
			st[j] = 2;
		}
	}
	free(stack);
	free(st);
}

static bool node_in(const struct sim_topology *t, char *const *list, size_t n, size_t node)
{
	if (n == 0)
		return true; /* empty = every node */
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], t->nodes[node].name) == 0)
			return true;
	return false;
}

/* A group with no possible owner that is up and not paused, or NULL. */
static const char *ownerless_group(const struct guard *g)
{
	const struct sim_topology *t = g->t;
	for (size_t k = 0; k < t->ngroups; k++) {
		const struct sim_group_def *gd = &t->groups[k];
		bool any = false;
		for (size_t n = 0; n < t->nnodes && !any; n++) {
			bool ok = !g->down[n] && !g->paused[n] && node_in(t, gd->possible, gd->npossible, n);
			for (size_t r = 0; ok && r < t->nresources; r++) {
				const struct sim_resource_def *rd = &t->resources[r];
				if (rd->group && strcmp(rd->group, gd->name) == 0)
					ok = node_in(t, rd->possible, rd->npossible, n);
			}
			any = ok;
		}
		if (!any)
			return gd->name;
	}
	return NULL;
}

/* Apply fault f to the node states; false once it crossed the line (reported). */
static bool play(struct guard *g, const struct plan_fault *f)
{
	struct pctx *c = g->c;
	const struct sim_topology *t = g->t;
	const struct selector *s = &c->p->selectors[f->target_idx];
	size_t n = 0;
	struct fl_err e;
	if (select_resolve_nodes(s, c->p->guards.protect, g->names, t->nnodes, c->p->seed, g->pick, &n, &e) < 0) {
		diag_add(c->d, f->pos, "fault \"%s\": %s in topology \"%s\"", f->name, e.msg, t->name);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = g->pick[i];
		g->down[k] = f->action == PLAN_NODE_DOWN ? true : f->action == PLAN_NODE_UP ? false : g->down[k];
		g->paused[k] = f->action == PLAN_NODE_PAUSE    ? true
		               : f->action == PLAN_NODE_RESUME ? false
		                                               : g->paused[k];
	}
	if (c->p->guards.allow_quorum_loss || (f->action != PLAN_NODE_DOWN && f->action != PLAN_NODE_PAUSE))
		return true;
	size_t witness = t->witness ? 1 : 0, votes = witness;
	for (size_t k = 0; k < t->nnodes; k++)
		votes += !g->down[k];
	if (votes < cluster_quorum_majority((unsigned)(t->nnodes + witness))) {
		char who[256];
		size_t len = 0;
		who[0] = '\0';
		for (size_t k = 0; k < t->nnodes && len < sizeof(who); k++)
			if (g->down[k])
				len += (size_t)snprintf(who + len, sizeof(who) - len, "%s%s", len ? ", " : "",
				                        g->names[k]);
		diag_add(c->d, f->pos,
		         "fault \"%s\": quorum guard: with %s down only %zu of %zu quorum votes remain in topology "
		         "\"%s\" (a majority is needed): the cluster would lose quorum; set "
		         "guards.allow_quorum_loss: true to allow it",
		         f->name, who, votes, t->nnodes + witness, t->name);
		return false;
	}
	const char *grp = ownerless_group(g);
	if (grp != NULL) {
		diag_add(c->d, f->pos,
		         "fault \"%s\": quorum guard: group \"%s\" would have no possible owner left that is up and "
		         "not paused; set guards.allow_quorum_loss: true to allow it",
		         f->name, grp);
		return false;
	}
	return true;
}

static int by_estimate(const void *a, const void *b, void *arg)
{
	const uint64_t *est = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return est[x] != est[y] ? (est[x] > est[y]) - (est[x] < est[y]) : (x > y) - (x < y);
}

static void quorum_guard(struct pctx *c, const bool *valid)
{
	const struct plan *p = c->p;
	const struct sim_topology *t = c->topo;
	struct guard g = {.c = c, .t = t};
	g.names = xcalloc(t->nnodes + 1, sizeof(*g.names));
	g.down = xcalloc(t->nnodes + 1, sizeof(bool));
	g.paused = xcalloc(t->nnodes + 1, sizeof(bool));
	g.pick = xcalloc(t->nnodes + 1, sizeof(size_t));
	for (size_t k = 0; k < t->nnodes; k++) {
		g.names[k] = t->nodes[k].name;
		g.down[k] = t->nodes[k].down;
	}
	uint64_t *est = xcalloc(p->nfaults + 1, sizeof(*est));
	size_t *order = xcalloc(p->nfaults + 1, sizeof(*order)), n = 0;
	estimates(p, est);
	for (size_t i = 0; i < p->nfaults; i++)
		if (valid[i])
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), by_estimate, est);
	for (size_t i = 0; i < n && play(&g, &p->faults[order[i]]); i++)
		;
	free(order);
	free(est);
	free(g.names);
	free(g.down);
	free(g.paused);
	free(g.pick);
}

void plan_check_nodes(struct pctx *c)
{
	const struct ydoc_node *list = ydoc_get(c->doc->root, "faults");
	bool any = false;
	bool *valid = xcalloc(c->p->nfaults + 1, sizeof(bool));
	for (size_t i = 0; list != NULL && i < c->p->nfaults; i++) {
		const struct plan_fault *f = &c->p->faults[i];
		if (f->name == NULL || !plan_action_is_node(f->action) || f->target_idx == PLAN_NONE)
			continue;
		valid[i] = check_selector(c, list->items[i], f);
		any = any || valid[i];
	}
	if (any && c->topo != NULL)
		quorum_guard(c, valid);
	free(valid);
}
