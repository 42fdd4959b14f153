/*
 * plan_select.c - the `select:` section: named selectors over resources.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/regex.h"
#include "faultline/util.h"
#include "plan_int.h"

static const char *const sel_keys[] = {"name", "group", "type", "node", "state", "exclude", "pick", NULL};

static void pick_error(struct pctx *c, const struct ydoc_node *n)
{
	if (n->kind == YDOC_SCALAR)
		diag_add(c->d, n->pos, "expected all, {count: N} or {percent: P}, got \"%s\"", n->str);
	else
		diag_add(c->d, n->pos, "expected all, {count: N} or {percent: P}, got a %s", ydoc_kind_str(n));
}

static void load_pick(struct pctx *c, const struct ydoc_node *n, struct selector *s, const char *who)
{
	static const char *const keys[] = {"count", "percent", NULL};
	if (n->kind == YDOC_SCALAR && strcmp(n->str, "all") == 0) {
		s->pick = PICK_ALL;
		return;
	}
	if (n->kind != YDOC_MAP || n->npairs == 0) {
		pick_error(c, n);
		return;
	}
	char where[300];
	snprintf(where, sizeof(where), "pick of %.280s", who);
	plan_keys(c, n, keys, where);
	const struct ydoc_node *cnt = ydoc_get(n, "count"), *pct = ydoc_get(n, "percent");
	uint64_t v;
	if (cnt != NULL && pct != NULL)
		diag_add(c->d, pct->pos, "pick takes count or percent, not both");
	else if (cnt != NULL && plan_get_uint(c, cnt, 1, 1000000, &v)) {
		s->pick = PICK_COUNT;
		s->pick_count = (unsigned)v;
	} else if (pct != NULL && plan_get_percent(c, pct, &s->pick_percent))
		s->pick = PICK_PERCENT;
}

static void load_state(struct pctx *c, const struct ydoc_node *n, struct selector *s)
{
	if (n->kind != YDOC_SCALAR) {
		diag_add(c->d, n->pos, "expected a resource state, got a %s", ydoc_kind_str(n));
		return;
	}
	int st = res_state_parse(n->str);
	if (st == -2)
		diag_add(c->d, n->pos,
		         "unknown resource state \"%s\" (expected online, offline, failed, pending, "
		         "online_pending, offline_pending, initializing or inherited)",
		         n->str);
	else
		s->state = st;
}

static void load_one(struct pctx *c, const struct ydoc_node *key, const struct ydoc_node *n, struct selector *s)
{
	char who[300];
	snprintf(who, sizeof(who), "selector \"%s\"", key->str);
	s->name = xstrdup(key->str);
	s->state = -2;
	s->pick = PICK_ALL;
	s->pos = key->pos;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, sel_keys, who);
	struct {
		const char *key;
		struct fl_regex **re;
	} res[] = {{"name", &s->name_re},
	           {"group", &s->group_re},
	           {"type", &s->type_re},
	           {"node", &s->node_re},
	           {"exclude", &s->exclude_re}};
	bool any = false;
	for (size_t i = 0; i < ARRAY_LEN(res); i++) {
		const struct ydoc_node *v = ydoc_get(n, res[i].key);
		if (v == NULL)
			continue;
		any = any || i < 4;
		plan_get_regex(c, v, who, res[i].key, res[i].re);
	}
	if (!any)
		diag_add(c->d, n->pos, "%s has no filter: give at least one of name, group, type or node", who);
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "state")) != NULL)
		load_state(c, v, s);
	if ((v = ydoc_get(n, "pick")) != NULL)
		load_pick(c, v, s, who);
}

void plan_load_selectors(struct pctx *c, const struct ydoc_node *n)
{
	if (!plan_is_map(c, n))
		return;
	if (n->npairs == 0) {
		diag_add(c->d, n->pos, "select needs at least one selector");
		return;
	}
	struct plan *p = c->p;
	p->selectors = xcalloc(n->npairs, sizeof(*p->selectors));
	for (size_t i = 0; i < n->npairs; i++)
		load_one(c, n->pairs[i].key, n->pairs[i].value, &p->selectors[p->nselectors++]);
}

size_t plan_find_selector(const struct plan *p, const char *name)
{
	for (size_t i = 0; name != NULL && i < p->nselectors; i++)
		if (strcmp(p->selectors[i].name, name) == 0)
			return i;
	return PLAN_NONE;
}

const struct selector *plan_selector(const struct plan *p, const char *name)
{
	size_t i = plan_find_selector(p, name);
	return i == PLAN_NONE ? NULL : &p->selectors[i];
}
