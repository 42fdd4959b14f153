/*
 * clusdoc.h - the ClusAPI types, values and signatures the test double
 * implements, each taken from Microsoft's documentation and NOT from the
 * adapter's headers (tools/wsfc/): a double written from the adapter's own
 * constants would agree with its bugs (CLUSTER_CHANGE_GROUP_STATE_V2 was 0x4
 * there; Microsoft says 0x8).
 *
 * Sources (learn.microsoft.com, windows/win32/api/clusapi/...; MS-CMRP):
 *  - ne-clusapi-cluster_resource_state, ne-clusapi-cluster_group_state,
 *    ne-clusapi-cluster_node_state: the state numbers;
 *  - ne-clusapi-cluster_object_type: CLUSTER_OBJECT_TYPE_CLUSTER 1, GROUP 2,
 *    RESOURCE 3, NODE 7;
 *  - ne-clusapi-cluster_change_cluster_v2: RECONNECT 0x1, HANDLE_CLOSE 0x8,
 *    LOST_NOTIFICATIONS 0x200;
 *  - ne-clusapi-cluster_change_group_v2: GROUP_STATE_V2 0x8 (0x4 is
 *    GROUP_PRIVATE_PROPERTY_V2), OWNER_NODE_V2 0x10;
 *  - ne-clusapi-cluster_change_resource_v2: RESOURCE_STATE_V2 0x4;
 *  - ne-clusapi-cluster_change_node_v2: NODE_STATE_V2 0x10 ("the state of
 *    the cluster node has changed");
 *  - nf-clusapi-pauseclusternodeex: DWORD PauseClusterNodeEx(HNODE hNode,
 *    BOOL bDrainNode, DWORD dwPauseFlags, HNODE hNodeDrainTarget), flags
 *    CLUSAPI_NODE_PAUSE_REMAIN_ON_PAUSED_NODE_ON_MOVE_ERROR 0x1,
 *    CLUSAPI_NODE_AVOID_PLACEMENT 0x2,
 *    CLUSAPI_NODE_PAUSE_RETRY_DRAIN_ON_FAILURE 0x4; ERROR_SUCCESS or a
 *    system error code;
 *  - nf-clusapi-resumeclusternodeex: DWORD ResumeClusterNodeEx(HNODE hNode,
 *    CLUSTER_NODE_RESUME_FAILBACK_TYPE eResumeFailbackType, DWORD
 *    dwResumeFlagsReserved), "the handle to the paused node";
 *    ne-clusapi-cluster_node_resume_failback_type: DoNotFailbackGroups 0,
 *    FailbackGroupsImmediately 1, FailbackGroupsPerPolicy 2,
 *    ClusterNodeResumeFailbackTypeCount 3;
 *  - ns-clusapi-notify_filter_and_type: { DWORD dwObjectType; LONGLONG
 *    FilterFlags; };
 *  - nf-clusapi-getclusternotifyv2, nf-clusapi-createclusternotifyportv2,
 *    nf-clusapi-offlineclusterresourceex (CLUSAPI_RESOURCE_OFFLINE_* 0x1,
 *    0x2, 0x4; ERROR_IO_PENDING when accepted), nf-clusapi-moveclustergroupex
 *    (CLUSAPI_GROUP_MOVE_IGNORE_RESOURCE_STATUS 0x1,
 *    _RETURN_TO_SOURCE_NODE_ON_ERROR 0x2, _QUEUE_ENABLED 0x4,
 *    _HIGH_PRIORITY_START 0x8), nf-clusapi-onlineclusterresourceex,
 *    nf-clusapi-failclusterresource (ERROR_RESMON_INVALID_STATE when the
 *    resource is not online), nf-clusapi-clusteropenenum (CLUSTER_ENUM_NODE
 *    0x1, GROUP 0x8, RESOURCE 0x4), nf-clusapi-clusterresourceopenenum
 *    (CLUSTER_RESOURCE_ENUM_DEPENDS 0x1), CLUSCTL_RESOURCE_GET_RESOURCE_TYPE
 *    0x0100002D;
 *  - winerror.h (System Error Codes pages): ERROR_INVALID_HANDLE 6,
 *    ERROR_INVALID_PARAMETER 87, ERROR_MORE_DATA 234, WAIT_TIMEOUT 258,
 *    ERROR_NO_MORE_ITEMS 259, ERROR_IO_PENDING 997, RPC_S_SERVER_UNAVAILABLE
 *    1722, ERROR_RESOURCE_NOT_ONLINE 5004, ERROR_HOST_NODE_NOT_AVAILABLE
 *    5005, ERROR_RESOURCE_NOT_FOUND 5007, ERROR_GROUP_NOT_FOUND 5013,
 *    ERROR_INVALID_STATE 5023, ERROR_CLUSTER_NODE_NOT_FOUND 5042,
 *    ERROR_CLUSTER_NODE_DOWN 5050, ERROR_CLUSTER_NODE_NOT_PAUSED 5058,
 *    ERROR_CLUSTER_NODE_PAUSED 5070, ERROR_RESMON_INVALID_STATE 5084,
 *    ERROR_CLUSTER_RESOURCE_LOCKED_STATUS 5960.
 *
 * The payload of a V2 notification is "specific to the notification type"
 * (MS-CMRP 2.2.3.23 NOTIFICATION_DATA_RPC); the double's is configurable
 * (clusdouble.c: payload=state puts the new state as one DWORD, payload=none
 * sends none), so the adapter is tested both ways.
 */
#ifndef CLUSDOC_H
#define CLUSDOC_H

#include <windows.h>

/* Opaque handles: the double's own pointers. */
typedef struct dhandle *DHANDLE;

typedef struct DOC_NOTIFY_FILTER_AND_TYPE {
	DWORD dwObjectType;
	LONGLONG FilterFlags;
} DOC_NOTIFY_FILTER_AND_TYPE;

#define DOC_RES_UNKNOWN         (-1)
#define DOC_RES_ONLINE          2
#define DOC_RES_OFFLINE         3
#define DOC_RES_FAILED          4
#define DOC_RES_ONLINE_PENDING  129
#define DOC_RES_OFFLINE_PENDING 130

#define DOC_GRP_UNKNOWN        (-1)
#define DOC_GRP_ONLINE         0
#define DOC_GRP_OFFLINE        1
#define DOC_GRP_FAILED         2
#define DOC_GRP_PARTIAL_ONLINE 3
#define DOC_GRP_PENDING        4

#define DOC_NODE_UNKNOWN (-1)
#define DOC_NODE_UP      0
#define DOC_NODE_DOWN    1
#define DOC_NODE_PAUSED  2

#define DOC_OBJ_CLUSTER  1
#define DOC_OBJ_GROUP    2
#define DOC_OBJ_RESOURCE 3
#define DOC_OBJ_NODE     7

#define DOC_CHANGE_CLUSTER_RECONNECT_V2          0x1
#define DOC_CHANGE_CLUSTER_HANDLE_CLOSE_V2       0x8
#define DOC_CHANGE_CLUSTER_LOST_NOTIFICATIONS_V2 0x200
#define DOC_CHANGE_GROUP_STATE_V2                0x8
#define DOC_CHANGE_RESOURCE_STATE_V2             0x4
#define DOC_CHANGE_NODE_STATE_V2                 0x10

#define DOC_OFFLINE_IGNORE_RESOURCE_STATUS         0x1
#define DOC_OFFLINE_FORCE_WITH_TERMINATION         0x2
#define DOC_OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE 0x4
#define DOC_MOVE_IGNORE_RESOURCE_STATUS            0x1
#define DOC_MOVE_RETURN_TO_SOURCE_NODE_ON_ERROR    0x2
#define DOC_MOVE_QUEUE_ENABLED                     0x4
#define DOC_MOVE_HIGH_PRIORITY_START               0x8

#define DOC_NODE_PAUSE_REMAIN_ON_PAUSED_NODE_ON_MOVE_ERROR 0x1
#define DOC_NODE_AVOID_PLACEMENT                           0x2
#define DOC_NODE_PAUSE_RETRY_DRAIN_ON_FAILURE              0x4
#define DOC_DoNotFailbackGroups                            0
#define DOC_FailbackGroupsImmediately                      1
#define DOC_FailbackGroupsPerPolicy                        2
#define DOC_ClusterNodeResumeFailbackTypeCount             3

#define DOC_ENUM_NODE          0x1
#define DOC_ENUM_RESOURCE      0x4
#define DOC_ENUM_GROUP         0x8
#define DOC_RESOURCE_ENUM_DEPS 0x1
#define DOC_CTL_GET_RES_TYPE   0x0100002D

#define DOC_ERROR_INVALID_HANDLE          6
#define DOC_ERROR_INVALID_PARAMETER       87
#define DOC_ERROR_MORE_DATA               234
#define DOC_WAIT_TIMEOUT                  258
#define DOC_ERROR_NO_MORE_ITEMS           259
#define DOC_ERROR_IO_PENDING              997
#define DOC_RPC_S_SERVER_UNAVAILABLE      1722
#define DOC_ERROR_RESOURCE_NOT_ONLINE     5004
#define DOC_ERROR_HOST_NODE_NOT_AVAILABLE 5005
#define DOC_ERROR_RESOURCE_NOT_FOUND      5007
#define DOC_ERROR_GROUP_NOT_FOUND         5013
#define DOC_ERROR_INVALID_STATE           5023
#define DOC_ERROR_CLUSTER_NODE_NOT_FOUND  5042
#define DOC_ERROR_CLUSTER_NODE_DOWN       5050
#define DOC_ERROR_CLUSTER_NODE_NOT_PAUSED 5058
#define DOC_ERROR_CLUSTER_NODE_PAUSED     5070
#define DOC_ERROR_RESMON_INVALID_STATE    5084
#define DOC_ERROR_RESOURCE_LOCKED_STATUS  5960

/* The documented signatures (clusapi.h pages), with the double's handle type. */
#define DOC_API __declspec(dllexport)
DOC_API DHANDLE WINAPI OpenCluster(LPCWSTR lpszClusterName);
DOC_API BOOL WINAPI CloseCluster(DHANDLE hCluster);
DOC_API DHANDLE WINAPI ClusterOpenEnum(DHANDLE hCluster, DWORD dwType);
DOC_API DWORD WINAPI ClusterEnum(DHANDLE hEnum, DWORD dwIndex, LPDWORD lpdwType, LPWSTR lpszName, LPDWORD lpcchName);
DOC_API DWORD WINAPI ClusterCloseEnum(DHANDLE hEnum);
DOC_API DHANDLE WINAPI OpenClusterResource(DHANDLE hCluster, LPCWSTR lpszResourceName);
DOC_API BOOL WINAPI CloseClusterResource(DHANDLE hResource);
DOC_API int WINAPI GetClusterResourceState(DHANDLE hResource, LPWSTR lpszNodeName, LPDWORD lpcchNodeName,
                                           LPWSTR lpszGroupName, LPDWORD lpcchGroupName);
DOC_API DWORD WINAPI FailClusterResource(DHANDLE hResource);
DOC_API DWORD WINAPI OfflineClusterResourceEx(DHANDLE hResource, DWORD dwOfflineFlags, PBYTE lpInBuffer,
                                              DWORD cbInBufferSize);
DOC_API DWORD WINAPI OnlineClusterResourceEx(DHANDLE hResource, DWORD dwOnlineFlags, PBYTE lpInBuffer,
                                             DWORD cbInBufferSize);
DOC_API DWORD WINAPI ClusterResourceControl(DHANDLE hResource, DHANDLE hHostNode, DWORD dwControlCode,
                                            LPVOID lpInBuffer, DWORD cbInBufferSize, LPVOID lpOutBuffer,
                                            DWORD cbOutBufferSize, LPDWORD lpBytesReturned);
DOC_API DHANDLE WINAPI ClusterResourceOpenEnum(DHANDLE hResource, DWORD dwType);
DOC_API DWORD WINAPI ClusterResourceEnum(DHANDLE hResEnum, DWORD dwIndex, LPDWORD lpdwType, LPWSTR lpszName,
                                         LPDWORD lpcchName);
DOC_API DWORD WINAPI ClusterResourceCloseEnum(DHANDLE hResEnum);
DOC_API DHANDLE WINAPI OpenClusterGroup(DHANDLE hCluster, LPCWSTR lpszGroupName);
DOC_API BOOL WINAPI CloseClusterGroup(DHANDLE hGroup);
DOC_API int WINAPI GetClusterGroupState(DHANDLE hGroup, LPWSTR lpszNodeName, LPDWORD lpcchNodeName);
DOC_API DWORD WINAPI MoveClusterGroupEx(DHANDLE hGroup, DHANDLE hDestinationNode, DWORD dwMoveFlags, PBYTE lpInBuffer,
                                        DWORD cbInBufferSize);
DOC_API DHANDLE WINAPI OpenClusterNode(DHANDLE hCluster, LPCWSTR lpszNodeName);
DOC_API BOOL WINAPI CloseClusterNode(DHANDLE hNode);
DOC_API int WINAPI GetClusterNodeState(DHANDLE hNode);
DOC_API DWORD WINAPI PauseClusterNodeEx(DHANDLE hNode, BOOL bDrainNode, DWORD dwPauseFlags, DHANDLE hNodeDrainTarget);
DOC_API DWORD WINAPI ResumeClusterNodeEx(DHANDLE hNode, int eResumeFailbackType, DWORD dwResumeFlagsReserved);
DOC_API DHANDLE WINAPI CreateClusterNotifyPortV2(DHANDLE hChange, DHANDLE hCluster, DOC_NOTIFY_FILTER_AND_TYPE *Filters,
                                                 DWORD dwFilterCount, DWORD_PTR dwNotifyKey);
DOC_API DWORD WINAPI GetClusterNotifyV2(DHANDLE hChange, DWORD_PTR *lpdwNotifyKey,
                                        DOC_NOTIFY_FILTER_AND_TYPE *pFilterAndType, BYTE *buffer, LPDWORD lpbBufferSize,
                                        LPWSTR lpszObjectId, LPDWORD lpcchObjectId, LPWSTR lpszParentId,
                                        LPDWORD lpcchParentId, LPWSTR lpszName, LPDWORD lpcchName, LPWSTR lpszType,
                                        LPDWORD lpcchType, DWORD dwMilliseconds);
DOC_API BOOL WINAPI CloseClusterNotifyPort(DHANDLE hChange);

#endif
