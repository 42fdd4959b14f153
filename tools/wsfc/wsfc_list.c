/*
 * wsfc_list.c - the answer to "list": ClusterOpenEnum over nodes, groups
 * and resources, then each object's state, owner, type and dependencies.
 * The Win32 state numbers are the protocol's (cluster.h copies ClusApi.h).
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "wsfc.h"

#define NAME_MAX_CCH 1024

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

/* ClusterEnum until ERROR_NO_MORE_ITEMS; names longer than NAME_MAX_CCH are an error, not truncated. */
static int enum_names(struct wsfc *w, DWORD type, struct names *out, struct fl_err *e)
{
	HCLUSENUM h = w->f.ClusterOpenEnum(w->hc, type);
	if (h == NULL)
		return err_set(e, "ClusterOpenEnum(0x%lx): error %lu", (unsigned long)type,
		               (unsigned long)GetLastError());
	wchar_t name[NAME_MAX_CCH];
	int rc = 0;
	for (DWORD i = 0;; i++) {
		DWORD kind, cch = NAME_MAX_CCH;
		DWORD r = w->f.ClusterEnum(h, i, &kind, name, &cch);
		if (r == ERROR_NO_MORE_ITEMS)
			break;
		if (r != ERROR_SUCCESS) {
			rc = err_set(e, "ClusterEnum(0x%lx, %lu): error %lu", (unsigned long)type, (unsigned long)i,
			             (unsigned long)r);
			break;
		}
		XGROW(out->v, out->cap, out->n + 1);
		out->v[out->n++] = wsfc_utf8(name);
	}
	w->f.ClusterCloseEnum(h);
	return rc;
}

static void list_nodes(struct wsfc *w, struct names *ns, struct cluster_snapshot *s)
{
	s->nodes = xcalloc(ns->n ? ns->n : 1, sizeof(*s->nodes));
	for (size_t i = 0; i < ns->n; i++, s->nnodes++) {
		wchar_t *wn = wsfc_wide(ns->v[i]);
		HNODE h = w->f.OpenClusterNode(w->hc, wn);
		free(wn);
		CLUSTER_NODE_STATE st = h ? w->f.GetClusterNodeState(h) : ClusterNodeStateUnknown;
		if (h)
			w->f.CloseClusterNode(h);
		s->nodes[i].name = xstrdup(ns->v[i]);
		s->nodes[i].up = st == ClusterNodeUp || st == ClusterNodePaused;
		s->nodes[i].paused = st == ClusterNodePaused;
	}
}

static void list_groups(struct wsfc *w, struct names *ns, struct cluster_snapshot *s)
{
	s->groups = xcalloc(ns->n ? ns->n : 1, sizeof(*s->groups));
	for (size_t i = 0; i < ns->n; i++, s->ngroups++) {
		struct cluster_group *g = &s->groups[i];
		wchar_t *wn = wsfc_wide(ns->v[i]), node[NAME_MAX_CCH] = L"";
		DWORD cch = NAME_MAX_CCH;
		HGROUP h = w->f.OpenClusterGroup(w->hc, wn);
		free(wn);
		g->name = xstrdup(ns->v[i]);
		g->state = h ? (enum group_state)w->f.GetClusterGroupState(h, node, &cch) : GRP_UNKNOWN;
		g->owner = node[0] ? wsfc_utf8(node) : NULL;
		if (h)
			w->f.CloseClusterGroup(h);
	}
}

static char *resource_type(struct wsfc *w, HRESOURCE h)
{
	wchar_t type[NAME_MAX_CCH] = L"";
	DWORD got = 0;
	if (w->f.ClusterResourceControl(h, NULL, CLUSCTL_RESOURCE_GET_RESOURCE_TYPE, NULL, 0, type, sizeof(type) - 2,
	                                &got) != ERROR_SUCCESS)
		type[0] = L'\0';
	return wsfc_utf8(type);
}

static void resource_deps(struct wsfc *w, HRESOURCE h, struct cluster_resource *r)
{
	HRESENUM en = w->f.ClusterResourceOpenEnum(h, CLUSTER_RESOURCE_ENUM_DEPENDS);
	size_t cap = 0;
	wchar_t name[NAME_MAX_CCH];
	for (DWORD i = 0; en != NULL; i++) {
		DWORD kind, cch = NAME_MAX_CCH;
		if (w->f.ClusterResourceEnum(en, i, &kind, name, &cch) != ERROR_SUCCESS)
			break; /* ERROR_NO_MORE_ITEMS, or a list we cannot read: flattened deps are best effort */
		XGROW(r->deps, cap, r->ndeps + 1);
		r->deps[r->ndeps++] = wsfc_utf8(name);
	}
	if (en)
		w->f.ClusterResourceCloseEnum(en);
}

static void list_resources(struct wsfc *w, struct names *ns, struct cluster_snapshot *s)
{
	s->resources = xcalloc(ns->n ? ns->n : 1, sizeof(*s->resources));
	for (size_t i = 0; i < ns->n; i++, s->nresources++) {
		struct cluster_resource *r = &s->resources[i];
		wchar_t *wn = wsfc_wide(ns->v[i]), node[NAME_MAX_CCH] = L"", group[NAME_MAX_CCH] = L"";
		DWORD ncch = NAME_MAX_CCH, gcch = NAME_MAX_CCH;
		HRESOURCE h = w->f.OpenClusterResource(w->hc, wn);
		free(wn);
		r->name = xstrdup(ns->v[i]);
		r->state = h ? (enum res_state)w->f.GetClusterResourceState(h, node, &ncch, group, &gcch) : RES_UNKNOWN;
		r->owner = node[0] ? wsfc_utf8(node) : NULL;
		r->group = wsfc_utf8(group);
		r->type = h ? resource_type(w, h) : xstrdup("");
		if (h) {
			resource_deps(w, h, r);
			w->f.CloseClusterResource(h);
		}
	}
}

int wsfc_list(void *arg, struct cluster_snapshot *out, struct fl_err *e)
{
	struct wsfc *w = arg;
	struct names nodes = {0}, groups = {0}, res = {0};
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (enum_names(w, CLUSTER_ENUM_NODE, &nodes, e) == 0 && enum_names(w, CLUSTER_ENUM_GROUP, &groups, e) == 0 &&
	    enum_names(w, CLUSTER_ENUM_RESOURCE, &res, e) == 0) {
		list_nodes(w, &nodes, out);
		list_groups(w, &groups, out);
		list_resources(w, &res, out);
		rc = 0;
	}
	names_free(&nodes);
	names_free(&groups);
	names_free(&res);
	return rc;
}
