/*
 * double.h - the ClusAPI test double's insides: an in-memory cluster
 * (double_model.c) that changes state on a worker thread, step by step, and
 * queues V2 notifications to every open port (double_notify.c); the exported
 * ClusAPI functions are in double_api.c.
 *
 * Everything is configured by the environment variable CLUSDOUBLE, a
 * comma-separated list of key=value (see double_model.c, config_parse):
 *   step_ms=N           time between two state changes (0 = as fast as it can)
 *   payload=state|none  a state notification carries the new state (one DWORD) or nothing
 *   outage_on_fail=MS   FailClusterResource breaks every notify port; new ports fail with
 *                       1722 for MS milliseconds; changes meanwhile are lost
 *   reconnect_on_fail=1 after a fail, 3 changes are lost, then CLUSTER_RECONNECT_V2
 *   lost_on_fail=1      the same with CLUSTER_LOST_NOTIFICATIONS_V2
 *   big_on_fail=N       the first notification after a fail has an N-byte payload
 *   fail_call=NAME:CODE the exported function NAME returns (or fails with) CODE
 *   lock=RESOURCE       offline/move without IGNORE_RESOURCE_STATUS get 5960
 *   lose_on_pause=N     the first PauseClusterNodeEx loses its N next changes (its own node
 *                       notification first), then CLUSTER_LOST_NOTIFICATIONS_V2
 * and CLUSDOUBLE_LOG, a file where every state-changing call is written, one line
 * each ("MoveClusterGroupEx SQL Server (MSSQLSERVER) node=node-b flags=0x2 -> 997"),
 * each node call followed by the moves it started ("drain Available Storage node-a -> node-b",
 * "failback Available Storage node-b -> node-a").
 */
#ifndef CLUSDOUBLE_H
#define CLUSDOUBLE_H

#include <stdbool.h>
#include <stdint.h>

#include "clusdoc.h"

#define D_NAME  64
#define D_MAXR  8
#define D_MAXG  4
#define D_MAXN  4
#define D_DEPS  4
#define D_PORTS 16

struct d_res {
	wchar_t name[D_NAME], type[D_NAME];
	int group, state;
	int deps[D_DEPS], ndeps;
	bool locked;
};

struct d_group {
	wchar_t name[D_NAME];
	int owner, state;
	int moving;       /* moves in progress: the group is Pending from the first step to the last */
	int drained_from; /* the node a drain moved it away from (where "failback immediately" returns it), or -1 */
};

struct d_node {
	wchar_t name[D_NAME];
	int state;
};

struct d_config {
	unsigned step_ms;
	bool payload_state;
	unsigned outage_ms;
	bool reconnect_on_fail, lost_on_fail;
	unsigned big_on_fail;
	unsigned lose_on_pause;
	char fail_call[64];
	DWORD fail_code;
};

struct d_cluster {
	struct d_res res[D_MAXR];
	struct d_group groups[D_MAXG];
	struct d_node nodes[D_MAXN];
	int nres, ngroups, nnodes;
	struct d_config cfg;
};

extern struct d_cluster d_cl;
extern CRITICAL_SECTION d_lock;

/* Once: the cluster, the config, the worker thread. */
void d_init(void);
/* Write one line to CLUSDOUBLE_LOG (if set). */
void d_log(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
/* The configured failure for this function, or 0. */
DWORD d_injected(const char *fn);

int d_find_res(const wchar_t *name);
int d_find_group(const wchar_t *name);
int d_find_node(const wchar_t *name);

/* Operations (d_lock held by none): 0/997 or a Win32 error. */
DWORD d_fail(int r);
DWORD d_offline(int r, DWORD flags);
DWORD d_online(int r, DWORD flags);
DWORD d_move(int g, int node, DWORD flags);
/* PauseClusterNodeEx / ResumeClusterNodeEx on node n (target: drain target or -1). */
DWORD d_pause(int n, bool drain, DWORD flags, int target);
DWORD d_resume(int n, int failback, DWORD reserved);

/* Notifications (d_lock held). */
void d_notify_state(DWORD objtype, LONGLONG filter, const wchar_t *name, const wchar_t *type, int state);
void d_notify_cluster(LONGLONG filter);
/* The fault hooks the model calls when FailClusterResource is accepted. */
void d_notify_fault_on_fail(void);
/* ... and when PauseClusterNodeEx is accepted, before the node changes (lose_on_pause). */
void d_notify_fault_on_pause(void);

#endif
