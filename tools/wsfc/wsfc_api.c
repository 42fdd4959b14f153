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
	          LOAD(w, CloseClusterNode) && LOAD(w, GetClusterNodeState) && LOAD(w, PauseClusterNodeEx) &&
	          LOAD(w, ResumeClusterNodeEx) && LOAD(w, CreateClusterNotifyPortV2) && LOAD(w, GetClusterNotifyV2) &&
	          LOAD(w, CloseClusterNotifyPort);
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

/*
 * The plan's offline flags (CLUS_RESDLL_OFFLINE_*, the resource DLL's) on the client API:
 *   no destination: OfflineClusterResourceEx(resource, CLUSAPI_RESOURCE_OFFLINE_*)
 *     ignore_resource_status -> IGNORE_RESOURCE_STATUS 0x1,
 *     do_not_update_persistent_state -> DO_NOT_UPDATE_PERSISTENT_STATE 0x4;
 *   a destination: MoveClusterGroupEx(the resource's group, node, CLUSAPI_GROUP_MOVE_*)
 *     ignore_resource_status -> IGNORE_RESOURCE_STATUS 0x1,
 *     return_to_source_node_on_error -> RETURN_TO_SOURCE_NODE_ON_ERROR 0x2,
 *     queue_enabled -> QUEUE_ENABLED 0x4.
 * A flag the chosen call has no equivalent for is refused (87), never dropped.
 */
static const struct {
	unsigned plan;
	const char *name;
	DWORD offline, move; /* 0: the call has no such flag */
} flag_map[] = {
    {OFFLINE_IGNORE_RESOURCE_STATUS, "ignore_resource_status", SHIM_CLUSAPI_RESOURCE_OFFLINE_IGNORE_RESOURCE_STATUS,
     SHIM_CLUSAPI_GROUP_MOVE_IGNORE_RESOURCE_STATUS},
    {OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE, "do_not_update_persistent_state",
     SHIM_CLUSAPI_RESOURCE_OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE, 0},
    {OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR, "return_to_source_node_on_error", 0,
     SHIM_CLUSAPI_GROUP_MOVE_RETURN_TO_SOURCE_NODE_ON_ERROR},
    {OFFLINE_QUEUE_ENABLED, "queue_enabled", 0, SHIM_CLUSAPI_GROUP_MOVE_QUEUE_ENABLED},
};

/* The call's flags for the plan's, or -1 with e set (code 87) for one it cannot express. */
static int map_flags(const char *res, unsigned flags, bool move, DWORD *out, long *code, struct fl_err *e)
{
	*out = 0;
	for (size_t i = 0; i < ARRAY_LEN(flag_map); i++) {
		if (!(flags & flag_map[i].plan))
			continue;
		DWORD f = move ? flag_map[i].move : flag_map[i].offline;
		if (f == 0) {
			*code = 87;
			return move ? err_set(e,
			                      "offline \"%s\": flag \"%s\" cannot go with a destination "
			                      "(MoveClusterGroupEx has no such flag)",
			                      res, flag_map[i].name)
			            : err_set(e,
			                      "offline \"%s\": flag \"%s\" needs a destination (MoveClusterGroupEx); "
			                      "OfflineClusterResourceEx has no such flag",
			                      res, flag_map[i].name);
		}
		*out |= f;
	}
	return 0;
}

static int move_group(struct wsfc *w, const char *group, const char *node, DWORD flags, long *code, struct fl_err *e);

/* An offline with a destination is a move of the resource's group (ClusAPI has no other way to name one). */
static int offline_to(struct wsfc *w, HRESOURCE h, const char *res, const char *dest, DWORD flags, long *code,
                      struct fl_err *e)
{
	wchar_t group[1024] = L"";
	DWORD cch = ARRAY_LEN(group);
	if (w->f.GetClusterResourceState(h, NULL, NULL, group, &cch) == ClusterResourceStateUnknown) {
		*code = (long)GetLastError();
		return err_set(e, "resource \"%s\": GetClusterResourceState: error %ld", res, *code);
	}
	char *g = wsfc_utf8(group);
	int rc = move_group(w, g, dest, flags, code, e);
	free(g);
	return rc;
}

static int w_offline(void *arg, const char *res, unsigned flags, const char *dest, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	DWORD f;
	if (map_flags(res, flags, dest != NULL, &f, code, e) < 0)
		return -1;
	HRESOURCE h = open_res(w, res, code, e);
	if (h == NULL)
		return -1;
	int rc;
	if (dest != NULL)
		rc = offline_to(w, h, res, dest, f, code, e);
	else
		rc = result(w->f.OfflineClusterResourceEx(h, f, NULL, 0), code, "OfflineClusterResourceEx", res, e);
	w->f.CloseClusterResource(h);
	return rc;
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

static int move_group(struct wsfc *w, const char *group, const char *node, DWORD flags, long *code, struct fl_err *e)
{
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
	DWORD rc = w->f.MoveClusterGroupEx(g, n, flags, NULL, 0); /* NULL node: the most suitable one */
	if (n)
		w->f.CloseClusterNode(n);
	w->f.CloseClusterGroup(g);
	return result(rc, code, "MoveClusterGroupEx", group, e);
}

static int w_move(void *arg, const char *group, const char *node, long *code, struct fl_err *e)
{
	return move_group(arg, group, node, 0, code, e);
}

const struct proto_adapter_ops wsfc_adapter_ops = {
    .list = wsfc_list,
    .state = w_state,
    .fail = w_fail,
    .offline = w_offline,
    .online = w_online,
    .move = w_move,
    .node_pause = wsfc_node_pause,
    .node_resume = wsfc_node_resume,
};
