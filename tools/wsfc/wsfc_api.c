/*
 * wsfc_api.c - the protocol's adapter ops on the real cluster API:
 * CLUSAPI.dll loaded at run time, OpenCluster, ClusterOpenEnum for the
 * lists, Fail/OfflineEx/OnlineEx on resources, MoveClusterGroupEx.
 * ERROR_IO_PENDING is "accepted", like ERROR_SUCCESS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "wsfc.h"

#define LOAD(w, name) ((w)->f.name = (fn_##name)(void (*)(void))GetProcAddress((w)->dll, #name)) != NULL

static int load(struct wsfc *w, struct fl_err *e)
{
	w->dll = LoadLibraryW(L"CLUSAPI.dll");
	if (w->dll == NULL)
		return err_set(
		    e, "CLUSAPI.dll cannot be loaded (error %lu): is the Failover Clustering feature installed?",
		    (unsigned long)GetLastError());
	bool ok = LOAD(w, OpenCluster) && LOAD(w, CloseCluster) && LOAD(w, ClusterOpenEnum) && LOAD(w, ClusterEnum) &&
	          LOAD(w, ClusterCloseEnum) && LOAD(w, OpenClusterResource) && LOAD(w, CloseClusterResource) &&
	          LOAD(w, GetClusterResourceState) && LOAD(w, FailClusterResource) &&
	          LOAD(w, OfflineClusterResourceEx) && LOAD(w, OnlineClusterResourceEx) &&
	          LOAD(w, ClusterResourceControl) && LOAD(w, ClusterResourceOpenEnum) && LOAD(w, ClusterResourceEnum) &&
	          LOAD(w, ClusterResourceCloseEnum) && LOAD(w, OpenClusterGroup) && LOAD(w, CloseClusterGroup) &&
	          LOAD(w, GetClusterGroupState) && LOAD(w, MoveClusterGroupEx) && LOAD(w, OpenClusterNode) &&
	          LOAD(w, CloseClusterNode) && LOAD(w, GetClusterNodeState) && LOAD(w, CreateClusterNotifyPortV2) &&
	          LOAD(w, GetClusterNotifyV2) && LOAD(w, CloseClusterNotifyPort);
	if (!ok)
		return err_set(
		    e, "CLUSAPI.dll lacks a function faultline needs (Windows Server 2012 or later is required)");
	return 0;
}

int wsfc_open(struct wsfc *w, const char *cluster, struct fl_err *e)
{
	memset(w, 0, sizeof(*w));
	if (load(w, e) < 0)
		return -1;
	wchar_t *name = cluster ? wsfc_wide(cluster) : NULL;
	w->hc = w->f.OpenCluster(name);
	DWORD err = GetLastError();
	free(name);
	if (w->hc == NULL)
		return err_set(e, "OpenCluster(%s): error %lu", cluster ? cluster : "local cluster",
		               (unsigned long)err);
	return 0;
}

void wsfc_close(struct wsfc *w)
{
	if (w->hc)
		w->f.CloseCluster(w->hc);
	if (w->dll)
		FreeLibrary(w->dll);
	memset(w, 0, sizeof(*w));
}

wchar_t *wsfc_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	wchar_t *w = xcalloc((size_t)(n > 0 ? n : 1), sizeof(wchar_t));
	if (n > 0)
		MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
	return w;
}

char *wsfc_utf8(const wchar_t *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s = xcalloc((size_t)(n > 0 ? n : 1), 1);
	if (n > 0)
		WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

/* Accepted (0) for ERROR_SUCCESS and ERROR_IO_PENDING, refused (-1) for anything else. */
static int result(DWORD rc, long *code, const char *what, const char *name, struct fl_err *e)
{
	*code = (long)rc;
	if (rc == ERROR_SUCCESS || rc == SHIM_ERROR_IO_PENDING)
		return 0;
	return err_set(e, "%s \"%s\": error %lu", what, name, (unsigned long)rc);
}

static HRESOURCE open_res(struct wsfc *w, const char *name, long *code, struct fl_err *e)
{
	wchar_t *wn = wsfc_wide(name);
	HRESOURCE h = w->f.OpenClusterResource(w->hc, wn);
	DWORD err = GetLastError();
	free(wn);
	if (h == NULL) {
		*code = (long)err;
		err_set(e, "resource \"%s\": OpenClusterResource: error %lu", name, (unsigned long)err);
	}
	return h;
}

static int w_state(void *arg, const char *res, enum res_state *st, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	HRESOURCE h = open_res(w, res, code, e);
	if (h == NULL)
		return -1;
	*st = (enum res_state)w->f.GetClusterResourceState(h, NULL, NULL, NULL, NULL);
	*code = *st == RES_UNKNOWN ? (long)GetLastError() : 0;
	w->f.CloseClusterResource(h);
	return *st == RES_UNKNOWN ? err_set(e, "resource \"%s\": GetClusterResourceState: error %ld", res, *code) : 0;
}

static int w_fail(void *arg, const char *res, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	HRESOURCE h = open_res(w, res, code, e);
	if (h == NULL)
		return -1;
	DWORD rc = w->f.FailClusterResource(h);
	w->f.CloseClusterResource(h);
	return result(rc, code, "FailClusterResource", res, e);
}

/* Plan flags (CLUS_RESDLL_OFFLINE_*) to the client API's; the hello declares only these two. */
static DWORD offline_flags(unsigned flags)
{
	DWORD f = 0;
	if (flags & OFFLINE_IGNORE_RESOURCE_STATUS)
		f |= SHIM_CLUSAPI_RESOURCE_OFFLINE_IGNORE_RESOURCE_STATUS;
	if (flags & OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE)
		f |= SHIM_CLUSAPI_RESOURCE_OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE;
	return f;
}

static int w_offline(void *arg, const char *res, unsigned flags, const char *dest, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	(void)dest; /* not declared in the hello: proto_serve_line refuses it first */
	HRESOURCE h = open_res(w, res, code, e);
	if (h == NULL)
		return -1;
	DWORD rc = w->f.OfflineClusterResourceEx(h, offline_flags(flags), NULL, 0);
	w->f.CloseClusterResource(h);
	return result(rc, code, "OfflineClusterResourceEx", res, e);
}

static int w_online(void *arg, const char *res, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	HRESOURCE h = open_res(w, res, code, e);
	if (h == NULL)
		return -1;
	DWORD rc = w->f.OnlineClusterResourceEx(h, 0, NULL, 0);
	w->f.CloseClusterResource(h);
	return result(rc, code, "OnlineClusterResourceEx", res, e);
}

static int w_move(void *arg, const char *group, const char *node, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	wchar_t *wg = wsfc_wide(group);
	HGROUP g = w->f.OpenClusterGroup(w->hc, wg);
	DWORD err = GetLastError();
	free(wg);
	if (g == NULL)
		return *code = (long)err,
		       err_set(e, "group \"%s\": OpenClusterGroup: error %lu", group, (unsigned long)err);
	HNODE n = NULL;
	if (node != NULL) {
		wchar_t *wn = wsfc_wide(node);
		n = w->f.OpenClusterNode(w->hc, wn);
		err = GetLastError();
		free(wn);
		if (n == NULL) {
			w->f.CloseClusterGroup(g);
			return *code = (long)err,
			       err_set(e, "node \"%s\": OpenClusterNode: error %lu", node, (unsigned long)err);
		}
	}
	DWORD rc = w->f.MoveClusterGroupEx(g, n, 0, NULL, 0); /* NULL node: the most suitable one */
	if (n)
		w->f.CloseClusterNode(n);
	w->f.CloseClusterGroup(g);
	return result(rc, code, "MoveClusterGroupEx", group, e);
}

const struct proto_adapter_ops wsfc_adapter_ops = {
    .list = wsfc_list,
    .state = w_state,
    .fail = w_fail,
    .offline = w_offline,
    .online = w_online,
    .move = w_move,
};
