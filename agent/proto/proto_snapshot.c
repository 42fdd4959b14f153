/*
 * proto_snapshot.c - decoding the answer to "list" (nodes, groups,
 * resources) into a struct cluster_snapshot, strictly.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "proto_int.h"

static const struct pj *get_array(const struct pj *o, const char *key, struct fl_err *e)
{
	const struct pj *v = pj_get(o, key);
	if (v == NULL)
		return err_set(e, "column %zu: missing key \"%s\"", o->col, key), NULL;
	if (v->type != PJ_ARR)
		return err_set(e, "column %zu: \"%s\" must be an array, not %s", v->col, key, pj_type_str(v->type)),
		       NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i].type != PJ_OBJ)
			return err_set(e, "column %zu: \"%s\" must hold objects, not %s", v->items[i].col, key,
			               pj_type_str(v->items[i].type)),
			       NULL;
	return v;
}

static int get_state(const struct pj *o, bool group, int *st, struct fl_err *e)
{
	char *s;
	if (proto_get_str(o, "state", true, false, &s, e) < 0)
		return -1;
	*st = group ? group_state_parse(s) : res_state_parse_exact(s);
	int rc = 0;
	if (*st == -2)
		rc = err_set(e, "column %zu: unknown %s state \"%s\"", pj_get(o, "state")->col,
		             group ? "group" : "resource", s);
	free(s);
	return rc;
}

static int decode_nodes(const struct pj *a, struct cluster_snapshot *s, struct fl_err *e)
{
	static const char *const keys[] = {"name", "up", "paused", NULL};
	s->nodes = xcalloc(a->n ? a->n : 1, sizeof(*s->nodes));
	/* Count each element before filling it: on error, cluster_snapshot_free frees the partial one. */
	for (size_t i = 0; i < a->n; i++) {
		s->nnodes = i + 1;
		const struct pj *o = &a->items[i];
		struct cluster_node *n = &s->nodes[i];
		const struct pj *up = pj_get(o, "up");
		if (proto_keys_check(o, keys, e) < 0 || proto_get_str(o, "name", true, false, &n->name, e) < 0)
			return -1;
		if (up == NULL || up->type != PJ_BOOL)
			return err_set(e, "column %zu: node \"%s\": \"up\" must be a boolean", o->col, n->name);
		n->up = up->b;
		const struct pj *paused = pj_get(o, "paused"); /* version 2; absent: not paused (or cannot tell) */
		if (paused != NULL && paused->type != PJ_BOOL)
			return err_set(e, "column %zu: node \"%s\": \"paused\" must be a boolean", paused->col,
			               n->name);
		n->paused = paused != NULL && paused->b;
	}
	return 0;
}

static int decode_groups(const struct pj *a, struct cluster_snapshot *s, struct fl_err *e)
{
	static const char *const keys[] = {"name", "owner", "state", NULL};
	s->groups = xcalloc(a->n ? a->n : 1, sizeof(*s->groups));
	/* Count each element before filling it: on error, cluster_snapshot_free frees the partial one. */
	for (size_t i = 0; i < a->n; i++) {
		s->ngroups = i + 1;
		const struct pj *o = &a->items[i];
		struct cluster_group *g = &s->groups[i];
		int st;
		if (proto_keys_check(o, keys, e) < 0 || proto_get_str(o, "name", true, false, &g->name, e) < 0 ||
		    proto_get_str(o, "owner", false, true, &g->owner, e) < 0 || get_state(o, true, &st, e) < 0)
			return -1;
		g->state = (enum group_state)st;
	}
	return 0;
}

static int decode_deps(const struct pj *o, struct cluster_resource *r, struct fl_err *e)
{
	const struct pj *d = pj_get(o, "deps");
	if (d == NULL)
		return 0;
	if (d->type != PJ_ARR)
		return err_set(e, "column %zu: \"deps\" must be an array of names", d->col);
	r->deps = xcalloc(d->n ? d->n : 1, sizeof(char *));
	for (; r->ndeps < d->n; r->ndeps++) {
		if (d->items[r->ndeps].type != PJ_STR)
			return err_set(e, "column %zu: \"deps\" must be an array of names", d->items[r->ndeps].col);
		r->deps[r->ndeps] = xstrdup(d->items[r->ndeps].s);
	}
	return 0;
}

static int decode_resources(const struct pj *a, struct cluster_snapshot *s, struct fl_err *e)
{
	static const char *const keys[] = {"name", "type", "group", "owner", "state", "deps", NULL};
	s->resources = xcalloc(a->n ? a->n : 1, sizeof(*s->resources));
	/* Count each element before filling it: on error, cluster_snapshot_free frees the partial one. */
	for (size_t i = 0; i < a->n; i++) {
		s->nresources = i + 1;
		const struct pj *o = &a->items[i];
		struct cluster_resource *r = &s->resources[i];
		int st;
		if (proto_keys_check(o, keys, e) < 0 || proto_get_str(o, "name", true, false, &r->name, e) < 0 ||
		    proto_get_str(o, "type", false, false, &r->type, e) < 0 ||
		    proto_get_str(o, "group", false, false, &r->group, e) < 0 ||
		    proto_get_str(o, "owner", false, true, &r->owner, e) < 0 || get_state(o, false, &st, e) < 0 ||
		    decode_deps(o, r, e) < 0)
			return -1;
		r->state = (enum res_state)st;
		if (r->type == NULL)
			r->type = xstrdup("");
		if (r->group == NULL)
			r->group = xstrdup("");
	}
	return 0;
}

int proto_snapshot_decode(const struct pj *o, struct cluster_snapshot *s, struct fl_err *e)
{
	const struct pj *a;
	if ((a = get_array(o, "nodes", e)) == NULL || decode_nodes(a, s, e) < 0)
		return err_wrap(e, "nodes");
	if ((a = get_array(o, "groups", e)) == NULL || decode_groups(a, s, e) < 0)
		return err_wrap(e, "groups");
	if ((a = get_array(o, "resources", e)) == NULL || decode_resources(a, s, e) < 0)
		return err_wrap(e, "resources");
	return 0;
}
