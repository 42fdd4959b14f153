/*
 * wsfc.c - the "wsfc" backend: a Windows failover cluster reached through
 * faultline-wsfc.exe (tools/wsfc/), e.g. `command: [ssh, admin@node1,
 * faultline-wsfc.exe]`.
 *
 * It is the exec backend under a name that says what is on the other end:
 * the same adapter protocol and the same negotiation (the adapter's hello
 * narrows the caps at open). Its caps below are what faultline-wsfc.exe can
 * ever declare, so a plan asking ClusAPI for something it cannot express
 * (an offline flag OfflineClusterResourceEx and MoveClusterGroupEx lack) is
 * refused before anything runs. Nodes: pause (drain) and resume through
 * PauseClusterNodeEx / ResumeClusterNodeEx; a node crash has no ClusAPI
 * call, so node_down / node_up exist only with the plan's
 * node_down_command / node_up_command (cluster_open adds the cap then).
 */
#include "exec.h"

const struct cluster_ops wsfc_cluster_ops = {
    .name = "wsfc",
    .caps = {.ops = CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE | CLUSTER_OP_MOVE_GROUP |
                    CLUSTER_OP_OFFLINE_DESTINATION | CLUSTER_OP_NODE_PAUSE,
             .offline_flags = OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE |
                              OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR | OFFLINE_QUEUE_ENABLED,
             .notify = true},
    .plan_keys = CLUSTER_KEY_COMMAND | CLUSTER_KEY_NODE_CMD,
    .plan_needs = CLUSTER_KEY_COMMAND,
    .open = exec_open,
    .close = exec_close,
    .snapshot = exec_snapshot,
    .resource_state = exec_resource_state,
    .fail = exec_fail,
    .offline = exec_offline,
    .online = exec_online,
    .move_group = exec_move_group,
    .notify_fd = exec_notify_fd,
    .drain = exec_drain,
    .node_down = exec_node_down,
    .node_up = exec_node_up,
    .node_pause = exec_node_pause,
    .node_resume = exec_node_resume,
};
