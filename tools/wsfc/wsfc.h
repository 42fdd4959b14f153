/*
 * wsfc.h - faultline-wsfc.exe's pieces: the ClusAPI function table
 * (wsfc_api.c), the node calls (wsfc_node.c), the lists (wsfc_list.c),
 * the events (wsfc_events.c).
 * Windows-only; the protocol itself is agent/proto*.c, shared with Linux.
 */
#ifndef FAULTLINE_WSFC_H
#define FAULTLINE_WSFC_H

#include <stdbool.h>
#include <wchar.h>

#include "clusapi_shim.h"
#include "faultline/proto.h"

struct wsfc {
	HMODULE dll;
	HCLUSTER hc;
	struct {
		fn_OpenCluster OpenCluster;
		fn_CloseCluster CloseCluster;
		fn_ClusterOpenEnum ClusterOpenEnum;
		fn_ClusterEnum ClusterEnum;
		fn_ClusterCloseEnum ClusterCloseEnum;
		fn_OpenClusterResource OpenClusterResource;
		fn_CloseClusterResource CloseClusterResource;
		fn_GetClusterResourceState GetClusterResourceState;
		fn_FailClusterResource FailClusterResource;
		fn_OfflineClusterResourceEx OfflineClusterResourceEx;
		fn_OnlineClusterResourceEx OnlineClusterResourceEx;
		fn_ClusterResourceControl ClusterResourceControl;
		fn_ClusterResourceOpenEnum ClusterResourceOpenEnum;
		fn_ClusterResourceEnum ClusterResourceEnum;
		fn_ClusterResourceCloseEnum ClusterResourceCloseEnum;
		fn_OpenClusterGroup OpenClusterGroup;
		fn_CloseClusterGroup CloseClusterGroup;
		fn_GetClusterGroupState GetClusterGroupState;
		fn_MoveClusterGroupEx MoveClusterGroupEx;
		fn_OpenClusterNode OpenClusterNode;
		fn_CloseClusterNode CloseClusterNode;
		fn_GetClusterNodeState GetClusterNodeState;
		fn_PauseClusterNodeEx PauseClusterNodeEx;
		fn_ResumeClusterNodeEx ResumeClusterNodeEx;
		fn_CreateClusterNotifyPortV2 CreateClusterNotifyPortV2;
		fn_GetClusterNotifyV2 GetClusterNotifyV2;
		fn_CloseClusterNotifyPort CloseClusterNotifyPort;
	} f;
};

/* Load CLUSAPI.dll and open the cluster (NULL = the local node's). -1 with e set. */
int wsfc_open(struct wsfc *w, const char *cluster, struct fl_err *e);
void wsfc_close(struct wsfc *w);

/* UTF-8 <-> UTF-16, malloc'd. */
wchar_t *wsfc_wide(const char *s);
char *wsfc_utf8(const wchar_t *w);

/* The "list" op: nodes, groups, resources (with type, owner, dependencies). */
int wsfc_list(void *arg, struct cluster_snapshot *out, struct fl_err *e);
extern const struct proto_adapter_ops wsfc_adapter_ops;
/* "node_pause" (PauseClusterNodeEx) and "node_resume" (ResumeClusterNodeEx). */
int wsfc_node_pause(void *arg, const char *node, bool drain, long *code, struct fl_err *e);
int wsfc_node_resume(void *arg, const char *node, enum node_failback failback, long *code, struct fl_err *e);

/* Write one protocol line to stdout; serialised (the event thread writes too). */
void wsfc_write_line(const char *line);

/*
 * Create the port and the (suspended) thread that turns notifications (CreateClusterNotifyPortV2 /
 * GetClusterNotifyV2) into event lines; -1 with e set.
 */
int wsfc_events_start(struct wsfc *w, struct fl_err *e);
/* Let the started thread run (once the hello is out: no event may precede it). */
void wsfc_events_go(void);
void wsfc_events_stop(struct wsfc *w);

#endif
