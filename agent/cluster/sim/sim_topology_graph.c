/*
 * sim_topology_graph.c - the dependency graph rules WSFC enforces: no
 * cycles (reported with their path) and no chain deeper than 100. One
 * iterative depth-first walk does both, so a 10,000-resource topology costs
 * O(resources + edges) and no recursion depth.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "sim_topology_int.h"

enum { WHITE, GREY, BLACK };

struct frame {
	size_t v, next;
};

struct walk {
	struct topo_ctx *c;
	size_t *const *adj;
	const size_t *nadj;
	unsigned char *color;
	size_t *depth;    /* longest provider chain below v, in edges */
	size_t *stackpos; /* v's index in the stack while grey */
	struct frame *stack;
	size_t sp;
};

/* stack[from..sp) and back to its first: rotate so the first-defined resource leads. */
static void report_cycle(struct walk *w, size_t from)
{
	const struct sim_resource_def *res = w->c->t->resources;
	size_t len = w->sp - from, lead = from;
	for (size_t i = from; i < w->sp; i++)
		if (w->stack[i].v < w->stack[lead].v)
			lead = i;
	char *path = xstrdup("");
	for (size_t j = 0; j <= len; j++) {
		size_t v = w->stack[from + (lead - from + j) % len].v;
		char *next = xasprintf("%s%s\"%s\"", path, j ? " -> " : "", res[v].name);
		free(path);
		path = next;
	}
	diag_add(w->c->d, res[w->stack[lead].v].pos, "dependency cycle: %s", path);
	free(path);
}

static void push(struct walk *w, size_t v)
{
	w->color[v] = GREY;
	w->stackpos[v] = w->sp;
	w->stack[w->sp++] = (struct frame){v, 0};
}

static void walk_from(struct walk *w, size_t root)
{
	push(w, root);
	while (w->sp > 0) {
		struct frame *f = &w->stack[w->sp - 1];
		if (f->next == w->nadj[f->v]) {
			size_t v = f->v;
			w->color[v] = BLACK;
			w->sp--;
			if (w->sp > 0 && w->depth[v] + 1 > w->depth[w->stack[w->sp - 1].v])
				w->depth[w->stack[w->sp - 1].v] = w->depth[v] + 1;
			continue;
		}
		size_t p = w->adj[f->v][f->next++];
		if (w->color[p] == WHITE)
			push(w, p);
		else if (w->color[p] == GREY)
			report_cycle(w, w->stackpos[p]);
		else if (w->depth[p] + 1 > w->depth[f->v])
			w->depth[f->v] = w->depth[p] + 1;
	}
}

void topo_check_graph(struct topo_ctx *c, size_t *const *adj, const size_t *nadj)
{
	size_t n = c->t->nresources;
	struct walk w = {.c = c, .adj = adj, .nadj = nadj};
	w.color = xcalloc(n, 1);
	w.depth = xcalloc(n, sizeof(*w.depth));
	w.stackpos = xcalloc(n, sizeof(*w.stackpos));
	w.stack = xcalloc(n, sizeof(*w.stack));
	for (size_t v = 0; v < n; v++)
		if (w.color[v] == WHITE)
			walk_from(&w, v);
	/* Report where the chain first gets too deep, not at every resource above it. */
	for (size_t v = 0; v < n; v++)
		if (w.depth[v] == TOPO_MAX_DEPTH + 1)
			diag_add(c->d, c->t->resources[v].pos,
			         "resource \"%s\": dependency chain is %d deep, the maximum is %d",
			         c->t->resources[v].name ? c->t->resources[v].name : "?", TOPO_MAX_DEPTH + 1,
			         TOPO_MAX_DEPTH);
	free(w.color);
	free(w.depth);
	free(w.stackpos);
	free(w.stack);
}
