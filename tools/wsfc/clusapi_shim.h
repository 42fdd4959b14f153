/*
 * clusapi_shim.h - ClusAPI for faultline-wsfc.exe with Debian's mingw-w64
 * (10.x), whose clusapi.h is incomplete (see ../shared/wsfc-semantics.md):
 *
 *  - at the default _WIN32_WINNT (0x0A00) its >= 0x0600 block does not
 *    compile (duplicate enums, undefined MAX_* constants), so it is
 *    included here under 0x0502, and only around the include;
 *  - that leaves out everything newer than Windows Server 2003 that we
 *    call: the Ex and V2 functions, NOTIFY_FILTER_AND_TYPE, the V2 change
 *    flags and the CLUSAPI_* flag values. They are declared below, with
 *    the values of the Windows SDK's ClusApi.h (cross-checked against
 *    microsoft/win32metadata and the sdk-api docs).
 *
 * The functions are declared as pointer types only: the adapter loads
 * CLUSAPI.dll at run time (GetProcAddress), so a machine without the
 * Failover Clustering feature gets a clear message instead of a loader
 * error. resapi.h is not included at all (it does not compile with mingw).
 */
#ifndef FAULTLINE_CLUSAPI_SHIM_H
#define FAULTLINE_CLUSAPI_SHIM_H

#include <windows.h>

#pragma push_macro("_WIN32_WINNT")
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0502
#include <clusapi.h>
#pragma pop_macro("_WIN32_WINNT")

/* OfflineClusterResourceEx flags (client side; not the CLUS_RESDLL_OFFLINE_* values). */
#define SHIM_CLUSAPI_RESOURCE_OFFLINE_IGNORE_RESOURCE_STATUS         0x00000001
#define SHIM_CLUSAPI_RESOURCE_OFFLINE_FORCE_WITH_TERMINATION         0x00000002
#define SHIM_CLUSAPI_RESOURCE_OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE 0x00000004

/* MoveClusterGroupEx flags (CLUSAPI_GROUP_MOVE_*). */
#define SHIM_CLUSAPI_GROUP_MOVE_IGNORE_RESOURCE_STATUS         0x00000001
#define SHIM_CLUSAPI_GROUP_MOVE_RETURN_TO_SOURCE_NODE_ON_ERROR 0x00000002
#define SHIM_CLUSAPI_GROUP_MOVE_QUEUE_ENABLED                  0x00000004
#define SHIM_CLUSAPI_GROUP_MOVE_HIGH_PRIORITY_START            0x00000008

/* CLUSTER_OBJECT_TYPE (Windows 8+). */
#define SHIM_CLUSTER_OBJECT_TYPE_CLUSTER  1
#define SHIM_CLUSTER_OBJECT_TYPE_GROUP    2
#define SHIM_CLUSTER_OBJECT_TYPE_RESOURCE 3
#define SHIM_CLUSTER_OBJECT_TYPE_NODE     7

/* PauseClusterNodeEx's dwPauseFlags (CLUSAPI_NODE_PAUSE_*; the drain itself is bDrainNode). */
#define SHIM_CLUSAPI_NODE_PAUSE_REMAIN_ON_PAUSED_NODE_ON_MOVE_ERROR 0x00000001
#define SHIM_CLUSAPI_NODE_AVOID_PLACEMENT                           0x00000002
#define SHIM_CLUSAPI_NODE_PAUSE_RETRY_DRAIN_ON_FAILURE              0x00000004

/* CLUSTER_NODE_RESUME_FAILBACK_TYPE (ResumeClusterNodeEx): the values of cluster.h's enum node_failback. */
#define SHIM_DoNotFailbackGroups       0
#define SHIM_FailbackGroupsImmediately 1
#define SHIM_FailbackGroupsPerPolicy   2

/*
 * CLUSTER_CHANGE_*_V2 filter flags, one enum per object type (so equal
 * values mean different things): CLUSTER_CHANGE_CLUSTER_V2,
 * CLUSTER_CHANGE_GROUP_V2 (STATE is 0x8; 0x4 is PRIVATE_PROPERTY),
 * CLUSTER_CHANGE_RESOURCE_V2, CLUSTER_CHANGE_NODE_V2 (STATE is 0x10).
 */
#define SHIM_CLUSTER_CHANGE_CLUSTER_RECONNECT_V2          0x00000001
#define SHIM_CLUSTER_CHANGE_CLUSTER_HANDLE_CLOSE_V2       0x00000008
#define SHIM_CLUSTER_CHANGE_CLUSTER_LOST_NOTIFICATIONS_V2 0x00000200
#define SHIM_CLUSTER_CHANGE_GROUP_STATE_V2                0x00000008
#define SHIM_CLUSTER_CHANGE_RESOURCE_STATE_V2             0x00000004
#define SHIM_CLUSTER_CHANGE_NODE_STATE_V2                 0x00000010 /* CLUSTER_CHANGE_NODE_V2 */

#define SHIM_ERROR_IO_PENDING 997

typedef struct SHIM_NOTIFY_FILTER_AND_TYPE {
	DWORD dwObjectType;
	LONGLONG FilterFlags;
} SHIM_NOTIFY_FILTER_AND_TYPE;

/* The calls faultline-wsfc.exe makes, as pointers (ClusApi.h signatures). */
typedef HCLUSTER(WINAPI *fn_OpenCluster)(LPCWSTR);
typedef BOOL(WINAPI *fn_CloseCluster)(HCLUSTER);
typedef HCLUSENUM(WINAPI *fn_ClusterOpenEnum)(HCLUSTER, DWORD);
typedef DWORD(WINAPI *fn_ClusterEnum)(HCLUSENUM, DWORD, LPDWORD, LPWSTR, LPDWORD);
typedef DWORD(WINAPI *fn_ClusterCloseEnum)(HCLUSENUM);
typedef HRESOURCE(WINAPI *fn_OpenClusterResource)(HCLUSTER, LPCWSTR);
typedef BOOL(WINAPI *fn_CloseClusterResource)(HRESOURCE);
typedef CLUSTER_RESOURCE_STATE(WINAPI *fn_GetClusterResourceState)(HRESOURCE, LPWSTR, LPDWORD, LPWSTR, LPDWORD);
typedef DWORD(WINAPI *fn_FailClusterResource)(HRESOURCE);
typedef DWORD(WINAPI *fn_OfflineClusterResourceEx)(HRESOURCE, DWORD, PBYTE, DWORD);
typedef DWORD(WINAPI *fn_OnlineClusterResourceEx)(HRESOURCE, DWORD, PBYTE, DWORD);
typedef DWORD(WINAPI *fn_ClusterResourceControl)(HRESOURCE, HNODE, DWORD, LPVOID, DWORD, LPVOID, DWORD, LPDWORD);
typedef HRESENUM(WINAPI *fn_ClusterResourceOpenEnum)(HRESOURCE, DWORD);
typedef DWORD(WINAPI *fn_ClusterResourceEnum)(HRESENUM, DWORD, LPDWORD, LPWSTR, LPDWORD);
typedef DWORD(WINAPI *fn_ClusterResourceCloseEnum)(HRESENUM);
typedef HGROUP(WINAPI *fn_OpenClusterGroup)(HCLUSTER, LPCWSTR);
typedef BOOL(WINAPI *fn_CloseClusterGroup)(HGROUP);
typedef CLUSTER_GROUP_STATE(WINAPI *fn_GetClusterGroupState)(HGROUP, LPWSTR, LPDWORD);
typedef DWORD(WINAPI *fn_MoveClusterGroupEx)(HGROUP, HNODE, DWORD, PBYTE, DWORD);
typedef HNODE(WINAPI *fn_OpenClusterNode)(HCLUSTER, LPCWSTR);
typedef BOOL(WINAPI *fn_CloseClusterNode)(HNODE);
typedef CLUSTER_NODE_STATE(WINAPI *fn_GetClusterNodeState)(HNODE);
typedef DWORD(WINAPI *fn_PauseClusterNodeEx)(HNODE, BOOL, DWORD, HNODE);
typedef DWORD(WINAPI *fn_ResumeClusterNodeEx)(HNODE, int /* CLUSTER_NODE_RESUME_FAILBACK_TYPE */, DWORD);
typedef HCHANGE(WINAPI *fn_CreateClusterNotifyPortV2)(HCHANGE, HCLUSTER, SHIM_NOTIFY_FILTER_AND_TYPE *, DWORD,
                                                      DWORD_PTR);
typedef DWORD(WINAPI *fn_GetClusterNotifyV2)(HCHANGE, DWORD_PTR *, SHIM_NOTIFY_FILTER_AND_TYPE *, BYTE *, LPDWORD,
                                             LPWSTR, LPDWORD, LPWSTR, LPDWORD, LPWSTR, LPDWORD, LPWSTR, LPDWORD, DWORD);
typedef BOOL(WINAPI *fn_CloseClusterNotifyPort)(HCHANGE);

#endif
