/*
 * wsfc_node.c - the node operations on ClusAPI:
 *   node_pause  -> PauseClusterNodeEx(node, bDrainNode = drain, 0, NULL):
 *                  the plan's drain is the call's own BOOL; no
 *                  CLUSAPI_NODE_PAUSE_* flag (the plan has none to give)
 *                  and no drain target (the cluster picks, per
 *                  preferred owners);
 *   node_resume -> ResumeClusterNodeEx(node, failback, 0): the plan's
 *                  none / immediate / policy are DoNotFailbackGroups 0,
 *                  FailbackGroupsImmediately 1, FailbackGroupsPerPolicy 2.
 * Both return ERROR_SUCCESS when accepted (a drain goes on after it); the
 * cluster's own code is passed through either way. There is no node_down:
 * no ClusAPI call crashes a node (plans give node_down_command instead).
 */
#include <stdlib.h>

#include "faultline/util.h"
#include "wsfc.h"

static HNODE open_node(struct wsfc *w, const char *node, long *code, struct fl_err *e)
{
	wchar_t *wn = wsfc_wide(node);
	HNODE h = w->f.OpenClusterNode(w->hc, wn);
	DWORD err = GetLastError();
	free(wn);
	if (h == NULL) {
		*code = (long)err;
		err_set(e, "node \"%s\": OpenClusterNode: error %lu", node, (unsigned long)err);
	}
	return h;
}

static int done(DWORD rc, long *code, const char *call, const char *node, struct fl_err *e)
{
	*code = (long)rc;
	if (rc == ERROR_SUCCESS || rc == SHIM_ERROR_IO_PENDING)
		return 0;
	return err_set(e, "%s \"%s\": error %lu", call, node, (unsigned long)rc);
}

int wsfc_node_pause(void *arg, const char *node, bool drain, long *code, struct fl_err *e)
{
	struct wsfc *w = arg;
	HNODE h = open_node(w, node, code, e);
	if (h == NULL)
		return -1;
	DWORD rc = w->f.PauseClusterNodeEx(h, drain ? TRUE : FALSE, 0, NULL);
	w->f.CloseClusterNode(h);
	return done(rc, code, "PauseClusterNodeEx", node, e);
}

int wsfc_node_resume(void *arg, const char *node, enum node_failback failback, long *code, struct fl_err *e)
{
	static const int type[] = {[NODE_FAILBACK_NONE] = SHIM_DoNotFailbackGroups,
	                           [NODE_FAILBACK_IMMEDIATE] = SHIM_FailbackGroupsImmediately,
	                           [NODE_FAILBACK_POLICY] = SHIM_FailbackGroupsPerPolicy};
	struct wsfc *w = arg;
	if ((unsigned)failback >= ARRAY_LEN(type)) {
		*code = ERROR_INVALID_PARAMETER;
		return err_set(e, "node \"%s\": unknown failback type %d", node, (int)failback);
	}
	HNODE h = open_node(w, node, code, e);
	if (h == NULL)
		return -1;
	DWORD rc = w->f.ResumeClusterNodeEx(h, type[failback], 0);
	w->f.CloseClusterNode(h);
	return done(rc, code, "ResumeClusterNodeEx", node, e);
}
