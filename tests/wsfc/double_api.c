/*
 * double_api.c - the ClusAPI functions faultline-wsfc.exe loads, exported
 * by the test double's CLUSAPI.dll with the signatures of Microsoft's
 * documentation (clusdoc.h). Handles are small tagged structs; a wrong or
 * closed one is ERROR_INVALID_HANDLE. Names too long for the caller's
 * buffer are ERROR_MORE_DATA with the size needed, as documented.
 */
#include <stdlib.h>
#include <string.h>

#include "double.h"

#define API DOC_API

enum kind { K_CLUSTER = 0x4b430001, K_RES, K_GROUP, K_NODE, K_ENUM, K_RESENUM };

struct dhandle {
	enum kind kind;
	int idx;
	int items[16]; /* enum: kinds and indexes of what it lists */
	DWORD types[16];
	int n;
};

static DHANDLE new_handle(enum kind k, int idx)
{
	DHANDLE h = calloc(1, sizeof(*h));
	h->kind = k;
	h->idx = idx;
	return h;
}

static bool is(DHANDLE h, enum kind k)
{
	return h != NULL && h->kind == k;
}

static BOOL close_handle(DHANDLE h, enum kind k)
{
	if (!is(h, k)) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return FALSE;
	}
	h->kind = 0;
	free(h);
	return TRUE;
}

static void narrow(const wchar_t *w, char *out, size_t n)
{
	WideCharToMultiByte(CP_UTF8, 0, w ? w : L"(null)", -1, out, (int)n, NULL, NULL);
}

static DWORD copy_name(const wchar_t *s, LPWSTR out, LPDWORD cch)
{
	if (cch == NULL)
		return 0;
	DWORD len = (DWORD)wcslen(s);
	if (out == NULL || *cch <= len) {
		*cch = len;
		return DOC_ERROR_MORE_DATA;
	}
	wcscpy(out, s);
	*cch = len;
	return 0;
}

API DHANDLE WINAPI OpenCluster(LPCWSTR name)
{
	d_init();
	DWORD err = d_injected("OpenCluster");
	if (err == 0 && name != NULL && wcscmp(name, L"SQLCLUS") != 0)
		err = DOC_RPC_S_SERVER_UNAVAILABLE; /* no such cluster on the network */
	if (err) {
		SetLastError(err);
		return NULL;
	}
	return new_handle(K_CLUSTER, 0);
}

API BOOL WINAPI CloseCluster(DHANDLE h)
{
	return close_handle(h, K_CLUSTER);
}

API DHANDLE WINAPI ClusterOpenEnum(DHANDLE hc, DWORD type)
{
	if (!is(hc, K_CLUSTER)) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return NULL;
	}
	DHANDLE h = new_handle(K_ENUM, 0);
	EnterCriticalSection(&d_lock);
	if (type & DOC_ENUM_NODE)
		for (int i = 0; i < d_cl.nnodes; i++, h->n++)
			h->items[h->n] = i, h->types[h->n] = DOC_ENUM_NODE;
	if (type & DOC_ENUM_RESOURCE)
		for (int i = 0; i < d_cl.nres; i++, h->n++)
			h->items[h->n] = i, h->types[h->n] = DOC_ENUM_RESOURCE;
	if (type & DOC_ENUM_GROUP)
		for (int i = 0; i < d_cl.ngroups; i++, h->n++)
			h->items[h->n] = i, h->types[h->n] = DOC_ENUM_GROUP;
	LeaveCriticalSection(&d_lock);
	return h;
}

static const wchar_t *enum_name(DWORD type, int i)
{
	return type == DOC_ENUM_NODE    ? d_cl.nodes[i].name
	       : type == DOC_ENUM_GROUP ? d_cl.groups[i].name
	                                : d_cl.res[i].name;
}

API DWORD WINAPI ClusterEnum(DHANDLE h, DWORD i, LPDWORD type, LPWSTR name, LPDWORD cch)
{
	if (!is(h, K_ENUM))
		return DOC_ERROR_INVALID_HANDLE;
	if (i >= (DWORD)h->n)
		return DOC_ERROR_NO_MORE_ITEMS;
	if (type)
		*type = h->types[i];
	return copy_name(enum_name(h->types[i], h->items[i]), name, cch);
}

API DWORD WINAPI ClusterCloseEnum(DHANDLE h)
{
	return close_handle(h, K_ENUM) ? 0 : DOC_ERROR_INVALID_HANDLE;
}

API DHANDLE WINAPI OpenClusterResource(DHANDLE hc, LPCWSTR name)
{
	int r = is(hc, K_CLUSTER) ? d_find_res(name) : -2;
	if (r < 0) {
		SetLastError(r == -2 ? DOC_ERROR_INVALID_HANDLE : DOC_ERROR_RESOURCE_NOT_FOUND);
		return NULL;
	}
	return new_handle(K_RES, r);
}

API BOOL WINAPI CloseClusterResource(DHANDLE h)
{
	return close_handle(h, K_RES);
}

API int WINAPI GetClusterResourceState(DHANDLE h, LPWSTR node, LPDWORD ncch, LPWSTR group, LPDWORD gcch)
{
	if (!is(h, K_RES)) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return DOC_RES_UNKNOWN;
	}
	DWORD err = d_injected("GetClusterResourceState");
	EnterCriticalSection(&d_lock);
	const struct d_res *r = &d_cl.res[h->idx];
	const struct d_group *g = &d_cl.groups[r->group];
	int st = r->state;
	if (err == 0)
		err = copy_name(d_cl.nodes[g->owner].name, node, ncch);
	if (err == 0)
		err = copy_name(g->name, group, gcch);
	LeaveCriticalSection(&d_lock);
	if (err) {
		SetLastError(err);
		return DOC_RES_UNKNOWN;
	}
	return st;
}

static void name_of_res(DHANDLE h, char *out, size_t n)
{
	narrow(is(h, K_RES) ? d_cl.res[h->idx].name : NULL, out, n);
}

API DWORD WINAPI FailClusterResource(DHANDLE h)
{
	char nm[128];
	name_of_res(h, nm, sizeof(nm));
	DWORD rc = !is(h, K_RES) ? DOC_ERROR_INVALID_HANDLE : d_injected("FailClusterResource");
	if (rc == 0)
		rc = d_fail(h->idx);
	d_log("FailClusterResource %s -> %lu", nm, (unsigned long)rc);
	return rc;
}

API DWORD WINAPI OfflineClusterResourceEx(DHANDLE h, DWORD flags, PBYTE buf, DWORD cb)
{
	char nm[128];
	name_of_res(h, nm, sizeof(nm));
	DWORD rc = !is(h, K_RES) ? DOC_ERROR_INVALID_HANDLE : d_injected("OfflineClusterResourceEx");
	if (rc == 0 && (buf != NULL) != (cb != 0))
		rc = DOC_ERROR_INVALID_PARAMETER;
	if (rc == 0)
		rc = d_offline(h->idx, flags);
	d_log("OfflineClusterResourceEx %s flags=0x%lx -> %lu", nm, (unsigned long)flags, (unsigned long)rc);
	return rc;
}

API DWORD WINAPI OnlineClusterResourceEx(DHANDLE h, DWORD flags, PBYTE buf, DWORD cb)
{
	char nm[128];
	name_of_res(h, nm, sizeof(nm));
	DWORD rc = !is(h, K_RES) ? DOC_ERROR_INVALID_HANDLE : d_injected("OnlineClusterResourceEx");
	if (rc == 0 && (buf != NULL) != (cb != 0))
		rc = DOC_ERROR_INVALID_PARAMETER;
	if (rc == 0)
		rc = d_online(h->idx, flags);
	d_log("OnlineClusterResourceEx %s flags=0x%lx -> %lu", nm, (unsigned long)flags, (unsigned long)rc);
	return rc;
}

API DWORD WINAPI ClusterResourceControl(DHANDLE h, DHANDLE node, DWORD code, LPVOID in, DWORD cbin, LPVOID out,
                                        DWORD cbout, LPDWORD got)
{
	(void)node, (void)in, (void)cbin;
	if (!is(h, K_RES))
		return DOC_ERROR_INVALID_HANDLE;
	if (code != DOC_CTL_GET_RES_TYPE)
		return 1; /* ERROR_INVALID_FUNCTION: the double knows one control code */
	const wchar_t *t = d_cl.res[h->idx].type;
	DWORD need = (DWORD)((wcslen(t) + 1) * sizeof(wchar_t));
	if (got)
		*got = need;
	if (out == NULL || cbout < need)
		return DOC_ERROR_MORE_DATA;
	memcpy(out, t, need);
	return 0;
}

API DHANDLE WINAPI ClusterResourceOpenEnum(DHANDLE h, DWORD type)
{
	if (!is(h, K_RES)) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return NULL;
	}
	DHANDLE e = new_handle(K_RESENUM, 0);
	const struct d_res *r = &d_cl.res[h->idx];
	if (type & DOC_RESOURCE_ENUM_DEPS)
		for (int i = 0; i < r->ndeps; i++, e->n++)
			e->items[e->n] = r->deps[i], e->types[e->n] = DOC_RESOURCE_ENUM_DEPS;
	return e;
}

API DWORD WINAPI ClusterResourceEnum(DHANDLE h, DWORD i, LPDWORD type, LPWSTR name, LPDWORD cch)
{
	if (!is(h, K_RESENUM))
		return DOC_ERROR_INVALID_HANDLE;
	if (i >= (DWORD)h->n)
		return DOC_ERROR_NO_MORE_ITEMS;
	if (type)
		*type = h->types[i];
	return copy_name(d_cl.res[h->items[i]].name, name, cch);
}

API DWORD WINAPI ClusterResourceCloseEnum(DHANDLE h)
{
	return close_handle(h, K_RESENUM) ? 0 : DOC_ERROR_INVALID_HANDLE;
}

API DHANDLE WINAPI OpenClusterGroup(DHANDLE hc, LPCWSTR name)
{
	int g = is(hc, K_CLUSTER) ? d_find_group(name) : -2;
	if (g < 0) {
		SetLastError(g == -2 ? DOC_ERROR_INVALID_HANDLE : DOC_ERROR_GROUP_NOT_FOUND);
		return NULL;
	}
	return new_handle(K_GROUP, g);
}

API BOOL WINAPI CloseClusterGroup(DHANDLE h)
{
	return close_handle(h, K_GROUP);
}

API int WINAPI GetClusterGroupState(DHANDLE h, LPWSTR node, LPDWORD cch)
{
	if (!is(h, K_GROUP)) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return DOC_GRP_UNKNOWN;
	}
	EnterCriticalSection(&d_lock);
	const struct d_group *g = &d_cl.groups[h->idx];
	int st = g->state;
	DWORD err = copy_name(d_cl.nodes[g->owner].name, node, cch);
	LeaveCriticalSection(&d_lock);
	if (err) {
		SetLastError(err);
		return DOC_GRP_UNKNOWN;
	}
	return st;
}

API DWORD WINAPI MoveClusterGroupEx(DHANDLE hg, DHANDLE hn, DWORD flags, PBYTE buf, DWORD cb)
{
	char gn[128], nn[128];
	narrow(is(hg, K_GROUP) ? d_cl.groups[hg->idx].name : NULL, gn, sizeof(gn));
	narrow(is(hn, K_NODE) ? d_cl.nodes[hn->idx].name : L"(most suitable)", nn, sizeof(nn));
	DWORD rc = !is(hg, K_GROUP) || (hn != NULL && !is(hn, K_NODE)) ? DOC_ERROR_INVALID_HANDLE
	                                                               : d_injected("MoveClusterGroupEx");
	if (rc == 0 && (buf != NULL) != (cb != 0))
		rc = DOC_ERROR_INVALID_PARAMETER;
	if (rc == 0)
		rc = d_move(hg->idx, hn ? hn->idx : -1, flags);
	d_log("MoveClusterGroupEx %s node=%s flags=0x%lx -> %lu", gn, nn, (unsigned long)flags, (unsigned long)rc);
	return rc;
}

API DHANDLE WINAPI OpenClusterNode(DHANDLE hc, LPCWSTR name)
{
	int n = is(hc, K_CLUSTER) ? d_find_node(name) : -2;
	if (n < 0) {
		SetLastError(n == -2 ? DOC_ERROR_INVALID_HANDLE : DOC_ERROR_CLUSTER_NODE_NOT_FOUND);
		return NULL;
	}
	return new_handle(K_NODE, n);
}

API BOOL WINAPI CloseClusterNode(DHANDLE h)
{
	return close_handle(h, K_NODE);
}

API int WINAPI GetClusterNodeState(DHANDLE h)
{
	if (!is(h, K_NODE)) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return DOC_NODE_UNKNOWN;
	}
	EnterCriticalSection(&d_lock);
	int st = d_cl.nodes[h->idx].state;
	LeaveCriticalSection(&d_lock);
	return st;
}

API DWORD WINAPI PauseClusterNodeEx(DHANDLE h, BOOL drain, DWORD flags, DHANDLE target)
{
	if (!is(h, K_NODE) || (target != NULL && !is(target, K_NODE))) {
		d_log("PauseClusterNodeEx (bad handle) -> %lu", (unsigned long)DOC_ERROR_INVALID_HANDLE);
		return DOC_ERROR_INVALID_HANDLE;
	}
	DWORD rc = d_injected("PauseClusterNodeEx");
	if (rc) {
		d_log("PauseClusterNodeEx (injected) -> %lu", (unsigned long)rc);
		return rc;
	}
	return d_pause(h->idx, drain != FALSE, flags, target ? target->idx : -1);
}

API DWORD WINAPI ResumeClusterNodeEx(DHANDLE h, int failback, DWORD reserved)
{
	if (!is(h, K_NODE)) {
		d_log("ResumeClusterNodeEx (bad handle) -> %lu", (unsigned long)DOC_ERROR_INVALID_HANDLE);
		return DOC_ERROR_INVALID_HANDLE;
	}
	DWORD rc = d_injected("ResumeClusterNodeEx");
	if (rc) {
		d_log("ResumeClusterNodeEx (injected) -> %lu", (unsigned long)rc);
		return rc;
	}
	return d_resume(h->idx, failback, reserved);
}
