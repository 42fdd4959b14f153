/*
 * wsfc_events.c - cluster notifications as event lines. A thread blocks in
 * GetClusterNotifyV2 and turns each resource, group or node state
 * notification (CLUSTER_CHANGE_NODE_STATE_V2 0x10 on object type NODE 7)
 * into {"event":...}.
 *
 * What is reported is what the notification says, never a guess:
 *  - the state is the one the notification carries (a 4-byte payload that
 *    is a valid state); without one it is read (GetCluster*State), and a
 *    read gives the state *now*, which may be later than the notified
 *    change. A read state equal to the last one reported cannot be the
 *    notified change: transitions were missed. The adapter then reports no
 *    state (a repeat would be false) but a `resync`, once, so faultline
 *    re-reads and that measurement's resolution widens.
 *  - the owner is given only when it was read together with the state it
 *    belongs to (a read state that equals the notified one).
 *
 * The thread never gives up. A notification larger than the buffers gets
 * bigger buffers; CLUSTER_RECONNECT_V2 / LOST_NOTIFICATIONS_V2 are a
 * `resync`; any other error (the cluster service restarting, an RPC
 * failure) closes the port and reopens it, saying `resync` every
 * RETRY_MS while it cannot watch, so faultline polls meanwhile and its
 * trials are still measured, at a coarser resolution.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "wsfc.h"

#define RETRY_MS 500

struct seen {
	char *name;
	enum cluster_event_kind kind;
	int state;
	bool gap; /* a resync was sent for missed transitions since `state` */
};

/* A buffer GetClusterNotifyV2 fills, grown on ERROR_MORE_DATA. */
struct wbuf {
	wchar_t *s;
	DWORD cap, len; /* characters */
};

static struct wsfc *ws;
static HCHANGE port;
static HANDLE thread, stop_ev;
static CRITICAL_SECTION port_lock;
static volatile LONG stopping;
static ULONGLONG t0;
static struct seen *seen;
static size_t nseen, capseen;
static BYTE *payload;
static DWORD payload_cap;
static struct wbuf id, parent, name, type;

static void send_event(struct proto_event *ev)
{
	ev->at_ms = (int64_t)(GetTickCount64() - t0);
	char *line = proto_event_encode(ev);
	wsfc_write_line(line);
	free(line);
}

/* Events may have been lost: faultline re-reads; every object's next state is news. */
static void resync(void)
{
	struct proto_event ev = {.kind = CLUSTER_EV_RESYNC};
	send_event(&ev);
	for (size_t i = 0; i < nseen; i++) {
		seen[i].state = INT32_MIN;
		seen[i].gap = false;
	}
}

static struct seen *seen_of(enum cluster_event_kind kind, const char *nm)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].kind == kind && strcmp(seen[i].name, nm) == 0)
			return &seen[i];
	XGROW(seen, capseen, nseen + 1);
	seen[nseen] = (struct seen){.name = xstrdup(nm), .kind = kind, .state = INT32_MIN};
	return &seen[nseen++];
}

static bool valid_res_state(DWORD v)
{
	int s = (int)v;
	return (s >= RES_INHERITED && s <= RES_FAILED) || s == RES_PENDING || s == RES_ONLINE_PENDING ||
	       s == RES_OFFLINE_PENDING;
}

static bool valid_group_state(DWORD v)
{
	return v <= GRP_PENDING;
}

static bool valid_node_state(DWORD v)
{
	return v <= NODE_JOINING;
}

static bool valid_state(enum cluster_event_kind kind, DWORD v)
{
	return kind == CLUSTER_EV_RESOURCE ? valid_res_state(v)
	       : kind == CLUSTER_EV_GROUP  ? valid_group_state(v)
	                                   : valid_node_state(v);
}

/* Read the object's state and owner now; RES_UNKNOWN / GRP_UNKNOWN (-1) when it cannot be read. */
static int read_state(enum cluster_event_kind kind, const wchar_t *wname, char **owner)
{
	wchar_t node[1024] = L"";
	DWORD cch = ARRAY_LEN(node);
	int st = -1;
	if (kind == CLUSTER_EV_RESOURCE) {
		HRESOURCE h = ws->f.OpenClusterResource(ws->hc, wname);
		if (h != NULL) {
			st = (int)ws->f.GetClusterResourceState(h, node, &cch, NULL, NULL);
			ws->f.CloseClusterResource(h);
		}
	} else if (kind == CLUSTER_EV_GROUP) {
		HGROUP h = ws->f.OpenClusterGroup(ws->hc, wname);
		if (h != NULL) {
			st = (int)ws->f.GetClusterGroupState(h, node, &cch);
			ws->f.CloseClusterGroup(h);
		}
	} else { /* a node has a state and no owner */
		HNODE h = ws->f.OpenClusterNode(ws->hc, wname);
		if (h != NULL) {
			st = (int)ws->f.GetClusterNodeState(h);
			ws->f.CloseClusterNode(h);
		}
	}
	*owner = st != -1 && node[0] ? wsfc_utf8(node) : NULL;
	return st;
}

/* One state notification: report what it says, or that transitions were missed. */
static void state_changed(enum cluster_event_kind kind, DWORD cb)
{
	DWORD carried = 0;
	bool has = cb == sizeof(DWORD);
	if (has)
		memcpy(&carried, payload, sizeof(carried));
	has = has && valid_state(kind, carried);
	char *owner = NULL;
	int st = read_state(kind, name.s, &owner);
	if (has && (int)carried != st) { /* the owner read belongs to a later state */
		free(owner);
		owner = NULL;
	}
	if (has)
		st = (int)carried;
	char *nm = wsfc_utf8(name.s);
	struct seen *s = seen_of(kind, nm);
	if (st == -1) {
		/* deleted meanwhile, or unreadable: nothing true to say about it */
	} else if (st == s->state) {
		if (!s->gap) { /* a change to the state it already had: changes in between were missed */
			struct proto_event ev = {.kind = CLUSTER_EV_RESYNC};
			send_event(&ev);
			s->gap = true;
		}
	} else {
		struct proto_event ev = {.kind = kind, .name = nm, .owner = owner, .state = st};
		send_event(&ev);
		s->state = st;
		s->gap = false;
	}
	free(nm);
	free(owner);
}

static bool grow_wbuf(struct wbuf *b)
{
	if (b->len < b->cap)
		return false;
	b->cap = b->len + 1 > 2 * b->cap ? b->len + 1 : 2 * b->cap;
	free(b->s);
	b->s = xcalloc(b->cap, sizeof(wchar_t));
	return true;
}

/* ERROR_MORE_DATA: make room for what the port said it needs (the notification stays queued). */
static void grow(DWORD cb)
{
	bool grown = false;
	if (cb > payload_cap) {
		payload_cap = cb;
		free(payload);
		payload = xcalloc(payload_cap, 1);
		grown = true;
	}
	grown |= grow_wbuf(&id);
	grown |= grow_wbuf(&parent);
	grown |= grow_wbuf(&name);
	grown |= grow_wbuf(&type);
	if (!grown) { /* the port did not say how much: double everything */
		payload_cap *= 2;
		free(payload);
		payload = xcalloc(payload_cap, 1);
	}
}

static HCHANGE open_port(DWORD *err)
{
	SHIM_NOTIFY_FILTER_AND_TYPE filters[] = {
	    {SHIM_CLUSTER_OBJECT_TYPE_RESOURCE, SHIM_CLUSTER_CHANGE_RESOURCE_STATE_V2},
	    {SHIM_CLUSTER_OBJECT_TYPE_GROUP, SHIM_CLUSTER_CHANGE_GROUP_STATE_V2},
	    {SHIM_CLUSTER_OBJECT_TYPE_NODE, SHIM_CLUSTER_CHANGE_NODE_STATE_V2},
	    {SHIM_CLUSTER_OBJECT_TYPE_CLUSTER, SHIM_CLUSTER_CHANGE_CLUSTER_RECONNECT_V2 |
	                                           SHIM_CLUSTER_CHANGE_CLUSTER_LOST_NOTIFICATIONS_V2 |
	                                           SHIM_CLUSTER_CHANGE_CLUSTER_HANDLE_CLOSE_V2},
	};
	HCHANGE h =
	    ws->f.CreateClusterNotifyPortV2((HCHANGE)INVALID_HANDLE_VALUE, ws->hc, filters, ARRAY_LEN(filters), 0);
	*err = h == NULL ? GetLastError() : 0;
	return h;
}

static void close_port(void)
{
	EnterCriticalSection(&port_lock);
	if (port != NULL)
		ws->f.CloseClusterNotifyPort(port);
	port = NULL;
	LeaveCriticalSection(&port_lock);
}

/* Without a port: reopen it, or say resync (faultline polls) and wait RETRY_MS. false when stopping. */
static bool reopen(void)
{
	while (!stopping) {
		DWORD err;
		HCHANGE h = open_port(&err);
		EnterCriticalSection(&port_lock);
		if (h != NULL && !stopping)
			port = h;
		LeaveCriticalSection(&port_lock);
		if (port != NULL) {
			fprintf(stderr, "faultline-wsfc: notifications: port reopened\n");
			resync(); /* what changed while nobody listened is unknown */
			return true;
		}
		if (h != NULL)
			ws->f.CloseClusterNotifyPort(h);
		resync();
		if (WaitForSingleObject(stop_ev, RETRY_MS) == WAIT_OBJECT_0)
			break;
		(void)err;
	}
	return false;
}

/* One GetClusterNotifyV2 and what follows from it; false when the thread should end. */
static bool next_notification(void)
{
	DWORD_PTR key;
	SHIM_NOTIFY_FILTER_AND_TYPE ft = {0};
	DWORD cb = payload_cap;
	id.len = id.cap, parent.len = parent.cap, name.len = name.cap, type.len = type.cap;
	DWORD r = ws->f.GetClusterNotifyV2(port, &key, &ft, payload, &cb, id.s, &id.len, parent.s, &parent.len, name.s,
	                                   &name.len, type.s, &type.len, INFINITE);
	if (stopping)
		return false;
	if (r == ERROR_MORE_DATA) {
		grow(cb);
		return true;
	}
	if (r != ERROR_SUCCESS) {
		fprintf(stderr, "faultline-wsfc: notifications: GetClusterNotifyV2: error %lu; reopening the port\n",
		        (unsigned long)r);
		close_port();
		resync();
		if (WaitForSingleObject(stop_ev, RETRY_MS) == WAIT_OBJECT_0)
			return false;
		return reopen();
	}
	if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_RESOURCE &&
	    (ft.FilterFlags & SHIM_CLUSTER_CHANGE_RESOURCE_STATE_V2))
		state_changed(CLUSTER_EV_RESOURCE, cb);
	else if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_GROUP &&
	         (ft.FilterFlags & SHIM_CLUSTER_CHANGE_GROUP_STATE_V2))
		state_changed(CLUSTER_EV_GROUP, cb);
	else if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_NODE &&
	         (ft.FilterFlags & SHIM_CLUSTER_CHANGE_NODE_STATE_V2))
		state_changed(CLUSTER_EV_NODE, cb);
	else if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_CLUSTER &&
	         (ft.FilterFlags & SHIM_CLUSTER_CHANGE_CLUSTER_HANDLE_CLOSE_V2)) {
		close_port(); /* the port's cluster handle is gone: a new port */
		resync();
		return reopen();
	} else if (ft.dwObjectType == SHIM_CLUSTER_OBJECT_TYPE_CLUSTER)
		resync(); /* CLUSTER_RECONNECT_V2, CLUSTER_LOST_NOTIFICATIONS_V2: events were lost */
	return true;
}

static DWORD WINAPI events_main(LPVOID arg)
{
	(void)arg;
	while (!stopping && next_notification())
		;
	return 0;
}

static void wbuf_init(struct wbuf *b)
{
	b->cap = 1024;
	b->s = xcalloc(b->cap, sizeof(wchar_t));
}

int wsfc_events_start(struct wsfc *w, struct fl_err *e)
{
	ws = w;
	t0 = GetTickCount64();
	InitializeCriticalSection(&port_lock);
	payload_cap = 8192;
	payload = xcalloc(payload_cap, 1);
	wbuf_init(&id), wbuf_init(&parent), wbuf_init(&name), wbuf_init(&type);
	DWORD err;
	port = open_port(&err);
	if (port == NULL)
		return err_set(e, "CreateClusterNotifyPortV2: error %lu", (unsigned long)err);
	stop_ev = CreateEventW(NULL, TRUE, FALSE, NULL);
	thread = stop_ev ? CreateThread(NULL, 0, events_main, NULL, CREATE_SUSPENDED, NULL) : NULL;
	if (thread == NULL) {
		close_port();
		return err_set(e, "CreateThread: error %lu", (unsigned long)GetLastError());
	}
	return 0;
}

void wsfc_events_go(void)
{
	if (thread != NULL)
		ResumeThread(thread);
}

void wsfc_events_stop(struct wsfc *w)
{
	(void)w;
	if (thread == NULL)
		return;
	InterlockedExchange(&stopping, 1);
	SetEvent(stop_ev);
	close_port();         /* wakes GetClusterNotifyV2 with ERROR_INVALID_HANDLE */
	ResumeThread(thread); /* in case it never started */
	WaitForSingleObject(thread, 2000);
	CloseHandle(thread);
	CloseHandle(stop_ev);
	thread = NULL;
}
