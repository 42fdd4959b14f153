/*
 * plan_names.c - duplicate names in a list (faults, slos), found by sorting
 * instead of comparing each entry with every earlier one: a 1 MiB plan of
 * 5,000 faults took seconds that way.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "plan_int.h"

struct entry {
	const char *name;
	size_t idx;
};

static int by_name_then_index(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

void plan_check_dup_names(struct pctx *c, const struct ydoc_node *list, const char *kind,
                          bool (*loaded)(size_t i, void *arg), void *arg)
{
	struct entry *v = xcalloc(list->nitems ? list->nitems : 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < list->nitems; i++) {
		const struct ydoc_node *name = ydoc_get(list->items[i], "name");
		if (name != NULL && name->kind == YDOC_SCALAR)
			v[n++] = (struct entry){name->str, i};
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name_then_index);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(v[i].name, v[first].name) != 0) {
			first = i;
			continue;
		}
		if (!loaded(v[i].idx, arg))
			continue;
		const struct ydoc_node *dup = ydoc_get(list->items[v[i].idx], "name");
		const struct ydoc_node *orig = ydoc_get(list->items[v[first].idx], "name");
		diag_add(c->d, dup->pos, "duplicate %s name \"%s\" (first defined at %u:%u)", kind, v[i].name,
		         orig->pos.line, orig->pos.col);
	}
	free(v);
}
