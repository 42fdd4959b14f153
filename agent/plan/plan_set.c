/*
 * plan_set.c - `run --set PATH=VALUE` and `--seed N`: change the plan's
 * YAML tree before the plan is read from it, so an override goes through
 * exactly the checks the file's own value would. PATH walks maps by key
 * and sequences by an item's `name` (or its 0-based index):
 * run.deadline=2h, faults.fail-sql.repeat.count=10, seed=9.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "plan_int.h"

static void *keep(struct plan_set_mem *m, void *p)
{
	m->ptrs = xreallocarray(m->ptrs, m->n + 1, sizeof(*m->ptrs));
	m->ptrs[m->n++] = p;
	return p;
}

void plan_set_mem_fini(struct plan_set_mem *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->ptrs[i]);
	free(m->ptrs);
	memset(m, 0, sizeof(*m));
}

static struct ydoc_node *scalar(struct plan_set_mem *m, const char *s, struct src_pos pos)
{
	struct ydoc_node *n = keep(m, xcalloc(1, sizeof(*n)));
	n->kind = YDOC_SCALAR;
	n->style = YDOC_PLAIN;
	n->pos = pos;
	n->str = keep(m, xstrdup(s));
	n->len = strlen(s);
	return n;
}

/* The child of n named seg: a map's key, or a sequence item by its name or index. */
static struct ydoc_node *child(const struct ydoc_node *n, const char *seg)
{
	if (n->kind == YDOC_MAP)
		return ydoc_get(n, seg);
	if (n->kind != YDOC_SEQ)
		return NULL;
	for (size_t i = 0; i < n->nitems; i++) {
		const struct ydoc_node *name = ydoc_get(n->items[i], "name");
		if (name != NULL && name->kind == YDOC_SCALAR && strcmp(name->str, seg) == 0)
			return n->items[i];
	}
	char *end;
	unsigned long k = strtoul(seg, &end, 10);
	return *seg != '\0' && *end == '\0' && k < n->nitems ? n->items[k] : NULL;
}

/* Set map[key] = value: replace a scalar, or add the key. */
static int set_key(struct ydoc_node *map, const char *key, const char *value, const char *set, struct plan_set_mem *m,
                   struct fl_diag *d)
{
	for (size_t i = 0; i < map->npairs; i++) {
		struct ydoc_pair *pr = &map->pairs[i];
		if (strcmp(pr->key->str, key) != 0)
			continue;
		if (pr->value->kind != YDOC_SCALAR)
			return diag_add(d, pr->value->pos, "--set %s: \"%s\" is a %s; set its keys one by one", set,
			                key, ydoc_kind_str(pr->value));
		pr->value = scalar(m, value, pr->value->pos);
		return 0;
	}
	struct ydoc_pair *pairs = keep(m, xcalloc(map->npairs + 1, sizeof(*pairs)));
	memcpy(pairs, map->pairs, map->npairs * sizeof(*pairs));
	pairs[map->npairs] = (struct ydoc_pair){scalar(m, key, map->pos), scalar(m, value, map->pos)};
	map->pairs = pairs;
	map->npairs++;
	return 0;
}

static int apply_one(struct ydoc *doc, const char *set, struct plan_set_mem *m, struct fl_diag *d)
{
	const char *eq = strchr(set, '=');
	if (eq == NULL || eq == set)
		return diag_add(d, (struct src_pos){0, 0}, "--set %s: expected PATH=VALUE, like run.deadline=2h", set);
	if (doc->root == NULL || doc->root->kind != YDOC_MAP)
		return diag_add(d, (struct src_pos){0, 0}, "--set %s: the plan is not a mapping", set);
	char *path = xstrndup(set, (size_t)(eq - set));
	struct ydoc_node *n = doc->root;
	char *seg = path, *dot;
	int rc = 0;
	while ((dot = strchr(seg, '.')) != NULL) {
		*dot = '\0';
		struct ydoc_node *next = child(n, seg);
		if (next == NULL) {
			const char *where = seg == path ? "the plan" : path; /* path is cut at the previous segment */
			if (seg != path)
				seg[-1] = '\0';
			rc = n->kind == YDOC_SEQ
			         ? diag_add(d, n->pos, "--set %s: %s has no item named \"%s\" (nor that index)", set,
			                    where, seg)
			     : n->kind == YDOC_MAP
			         ? diag_add(d, n->pos, "--set %s: %s has no key \"%s\"", set, where, seg)
			         : diag_add(d, n->pos, "--set %s: %s is a scalar", set, where);
			break;
		}
		n = next;
		seg = dot + 1;
	}
	if (rc == 0 && n->kind != YDOC_MAP)
		rc = diag_add(d, n->pos, "--set %s: \"%s\" must be a key of a mapping, not of a %s", set, seg,
		              ydoc_kind_str(n));
	if (rc == 0)
		rc = set_key(n, seg, eq + 1, set, m, d);
	free(path);
	return rc;
}

int plan_apply_sets(struct ydoc *doc, const char *const *sets, size_t n, struct plan_set_mem *m, struct fl_diag *d)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		rc |= apply_one(doc, sets[i], m, d);
	return rc;
}
