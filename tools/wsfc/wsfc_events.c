/*
 * wsfc_events.c - cluster notifications as event lines: a thread blocks in
 * GetClusterNotifyV2 and, for each resource or group state change, reads
 * the new state (the notification carries the name; GetCluster*State says
 * where it stands now) and writes {"event":...}. A reconnect, or a
 * notification we could not read whole, may have lost events: "resync".
 */
#include <stdlib.h>

#include "faultline/util.h"
#include "wsfc.h"

#define CCH 1024

static HCHANGE port;
static HANDLE thread;
static ULONGLONG t0;

static void send_event(struct proto_event *ev)
{
	ev->at_ms = (int64_t)(GetTickCount64() - t0);
	char *line = proto_event_encode(ev);
	wsfc_write_line(line);
	free(line);
}

static void resource_changed(struct wsfc *w, const wchar_t *name)
{
	wchar_t node[CCH] = L"";
	DWORD cch = CCH;
	HRESOURCE h = w->f.OpenClusterResource(w->hc, name);
	if (h == NULL)
		return; /* deleted meanwhile: nothing to report */
	struct proto_event ev = {.kind = CLUSTER_EV_RESOURCE};
	ev.state = (int)w->f.GetClusterResourceState(h, node, &cch, NULL, NULL);
	w->f.CloseClusterResource(h);
	ev.name = wsfc_utf8(name);
	ev.owner = node[0] ? wsfc_utf8(node) : NULL;
	send_event(&ev);
	free(ev.name);
	free(ev.owner);
}

static void group_changed(struct wsfc *w, const wchar_t *name)
{
	wchar_t node[CCH] = L"";
	DWORD cch = CCH;
	HGROUP h = w->f.OpenClusterGroup(w->hc, name);
	if (h == NULL)
		return;
	struct proto_event ev = {.kind = CLUSTER_EV_GROUP};
	ev.state = (int)w->f.GetClusterGroupState(h, node, &cch);
	w->f.CloseClusterGroup(h);
	ev.name = wsfc_utf8(name);
	ev.owner = node[0] ? wsfc_utf8(node) : NULL;
	send_event(&ev);
	free(ev.name);
	free(ev.owner);
}

static void resync(void)
{
	struct proto_event ev = {.kind = CLUSTER_EV_RESYNC};
	send_event(&ev);
}

static DWORD WINAPI events_main(LPVOID arg)
{
	struct wsfc *w = arg;
	for (unsigned failures = 0; failures < 10;) {
		static BYTE buf[8192];
		wchar_t id[CCH], parent[CCH], name[CCH], type[CCH];
		DWORD cb = sizeof(buf), c1 = CCH, c2 = CCH, c3 = CCH, c4 = CCH;
		DWORD_PTR key;
		SHIM_NOTIFY_FILTER_AND_TYPE ft = {0};
		DWORD r = w->f.GetClusterNotifyV2(port, &key, &ft, buf, &cb, id, &c1, parent, &c2, name, &c3, type, &c4,
		                                  INFINITE);
		if (r == ERROR_INVALID_HANDLE)
			break; /* the port was closed: we are shutting down */
		if (r != ERROR_SUCCESS) {
			failures++; /* e.g. ERROR_MORE_DATA: that notification is lost */
			resync();
			Sleep(100);
			continue;
		}
		failures = 0;
		if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_RESOURCE)
			resource_changed(w, name);
		else if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_GROUP)
			group_changed(w, name);
		else if (ft.FilterFlags & SHIM_CLUSTER_CHANGE_CLUSTER_HANDLE_CLOSE_V2)
			break;
		else
			resync(); /* CLUSTER_CHANGE_CLUSTER_RECONNECT_V2 */
	}
	return 0;
}

int wsfc_events_start(struct wsfc *w, struct fl_err *e)
{
	SHIM_NOTIFY_FILTER_AND_TYPE filters[] = {
	    {SHIM_CLUSTER_OBJECT_TYPE_RESOURCE, SHIM_CLUSTER_CHANGE_RESOURCE_STATE_V2},
	    {SHIM_CLUSTER_OBJECT_TYPE_GROUP, SHIM_CLUSTER_CHANGE_GROUP_STATE_V2},
	    {SHIM_CLUSTER_OBJECT_TYPE_CLUSTER,
	     SHIM_CLUSTER_CHANGE_CLUSTER_RECONNECT_V2 | SHIM_CLUSTER_CHANGE_CLUSTER_HANDLE_CLOSE_V2},
	};
	t0 = GetTickCount64();
	port = w->f.CreateClusterNotifyPortV2((HCHANGE)INVALID_HANDLE_VALUE, w->hc, filters, ARRAY_LEN(filters), 0);
	if (port == NULL)
		return err_set(e, "CreateClusterNotifyPortV2: error %lu", (unsigned long)GetLastError());
	thread = CreateThread(NULL, 0, events_main, w, CREATE_SUSPENDED, NULL); /* runs after the hello */
	if (thread == NULL)
		return err_set(e, "CreateThread: error %lu", (unsigned long)GetLastError());
	return 0;
}

void wsfc_events_go(void)
{
	if (thread != NULL)
		ResumeThread(thread);
}

void wsfc_events_stop(struct wsfc *w)
{
	if (port != NULL)
		w->f.CloseClusterNotifyPort(port); /* wakes GetClusterNotifyV2 with ERROR_INVALID_HANDLE */
	if (thread != NULL) {
		ResumeThread(thread); /* in case it never started */
		WaitForSingleObject(thread, 2000);
		CloseHandle(thread);
	}
	port = NULL;
	thread = NULL;
}
