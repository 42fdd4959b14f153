/*
 * double_notify.c - the V2 notification ports of the ClusAPI test double:
 * CreateClusterNotifyPortV2, GetClusterNotifyV2, CloseClusterNotifyPort,
 * and the faults the issue needs (an outage that breaks every port, lost
 * notifications reported by RECONNECT_V2 or LOST_NOTIFICATIONS_V2, a
 * notification larger than the caller's buffer).
 *
 * GetClusterNotifyV2 semantics, as documented for the V1 call and kept
 * here: a buffer (or a name) too small gets ERROR_MORE_DATA with the needed
 * size and the notification stays first in the queue; WAIT_TIMEOUT when
 * nothing came within dwMilliseconds; a closed port ERROR_INVALID_HANDLE.
 */
#include <stdlib.h>
#include <string.h>

#include "double.h"

struct note {
	DOC_NOTIFY_FILTER_AND_TYPE ft;
	wchar_t name[D_NAME], type[D_NAME];
	int state;
	DWORD payload; /* bytes: 0, 4 (the state) or a big one */
};

#define QMAX 512

struct dhandle_port {
	DWORD magic;
	bool open, broken;
	DOC_NOTIFY_FILTER_AND_TYPE filters[8];
	DWORD nfilters;
	DWORD_PTR key;
	struct note q[QMAX];
	int head, n;
	CONDITION_VARIABLE cv;
};

#define PORT_MAGIC 0x504f5254u

static struct dhandle_port ports[D_PORTS];
static ULONGLONG outage_until; /* new ports fail with 1722 until then */
static int lose_next;          /* state changes to drop before a RECONNECT / LOST notification */
static LONGLONG lose_then;     /* ... which one */
static unsigned big_next;      /* payload size of the next notification, 0 = normal */

static bool wants(const struct dhandle_port *p, DWORD objtype, LONGLONG filter)
{
	for (DWORD i = 0; i < p->nfilters; i++)
		if (p->filters[i].dwObjectType == objtype && (p->filters[i].FilterFlags & filter))
			return true;
	return false;
}

static void push(struct dhandle_port *p, const struct note *nt)
{
	if (p->n == QMAX)
		return;
	p->q[(p->head + p->n++) % QMAX] = *nt;
	WakeAllConditionVariable(&p->cv);
}

static void broadcast(const struct note *nt)
{
	for (int i = 0; i < D_PORTS; i++)
		if (ports[i].open && !ports[i].broken && wants(&ports[i], nt->ft.dwObjectType, nt->ft.FilterFlags))
			push(&ports[i], nt);
}

void d_notify_cluster(LONGLONG filter)
{
	struct note nt = {.ft = {DOC_OBJ_CLUSTER, filter}};
	broadcast(&nt);
}

void d_notify_state(DWORD objtype, LONGLONG filter, const wchar_t *name, const wchar_t *type, int state)
{
	if (GetTickCount64() < outage_until)
		return; /* nobody hears it */
	if (lose_next > 0) {
		if (--lose_next == 0)
			d_notify_cluster(lose_then);
		return;
	}
	struct note nt = {.ft = {objtype, filter}, .state = state};
	wcsncpy(nt.name, name, D_NAME - 1);
	wcsncpy(nt.type, type, D_NAME - 1);
	nt.payload = d_cl.cfg.payload_state ? sizeof(DWORD) : 0;
	if (big_next) {
		nt.payload = big_next;
		big_next = 0;
	}
	broadcast(&nt);
}

void d_notify_fault_on_fail(void)
{
	static bool done; /* each configured fault happens on the first fail only */
	const struct d_config *c = &d_cl.cfg;
	if (done)
		return;
	done = true;
	if (c->outage_ms) {
		outage_until = GetTickCount64() + c->outage_ms;
		for (int i = 0; i < D_PORTS; i++)
			if (ports[i].open) {
				ports[i].broken = true;
				WakeAllConditionVariable(&ports[i].cv);
			}
	}
	if (c->reconnect_on_fail || c->lost_on_fail) {
		lose_next = 3;
		lose_then =
		    c->reconnect_on_fail ? DOC_CHANGE_CLUSTER_RECONNECT_V2 : DOC_CHANGE_CLUSTER_LOST_NOTIFICATIONS_V2;
	}
	if (c->big_on_fail)
		big_next = c->big_on_fail;
}

void d_notify_fault_on_pause(void)
{
	static bool done; /* the first pause only */
	if (done || d_cl.cfg.lose_on_pause == 0)
		return;
	done = true;
	lose_next = (int)d_cl.cfg.lose_on_pause;
	lose_then = DOC_CHANGE_CLUSTER_LOST_NOTIFICATIONS_V2;
}

DHANDLE WINAPI CreateClusterNotifyPortV2(DHANDLE hChange, DHANDLE hCluster, DOC_NOTIFY_FILTER_AND_TYPE *filters,
                                         DWORD n, DWORD_PTR key)
{
	d_init();
	if (hChange != (DHANDLE)INVALID_HANDLE_VALUE || hCluster == NULL || filters == NULL || n == 0 || n > 8) {
		SetLastError(DOC_ERROR_INVALID_PARAMETER);
		return NULL;
	}
	DWORD injected = d_injected("CreateClusterNotifyPortV2");
	EnterCriticalSection(&d_lock);
	struct dhandle_port *p = NULL;
	DWORD err = injected;
	if (err == 0 && GetTickCount64() < outage_until)
		err = DOC_RPC_S_SERVER_UNAVAILABLE;
	for (int i = 0; err == 0 && p == NULL && i < D_PORTS; i++)
		if (!ports[i].open)
			p = &ports[i];
	if (p) {
		memset(p, 0, sizeof(*p));
		p->magic = PORT_MAGIC;
		p->open = true;
		memcpy(p->filters, filters, n * sizeof(*filters));
		p->nfilters = n;
		p->key = key;
		InitializeConditionVariable(&p->cv);
	}
	LeaveCriticalSection(&d_lock);
	d_log("CreateClusterNotifyPortV2 -> %lu", (unsigned long)(p ? 0 : err ? err : 8));
	if (p == NULL)
		SetLastError(err ? err : 8 /* ERROR_NOT_ENOUGH_MEMORY */);
	return (DHANDLE)p;
}

static struct dhandle_port *port_of(DHANDLE h)
{
	struct dhandle_port *p = (struct dhandle_port *)h;
	if (p < ports || p >= ports + D_PORTS || p->magic != PORT_MAGIC)
		return NULL;
	return p;
}

static DWORD copy_str(const wchar_t *s, LPWSTR out, LPDWORD cch)
{
	if (cch == NULL)
		return 0;
	DWORD len = (DWORD)wcslen(s);
	if (out == NULL || *cch <= len) {
		*cch = len + 1;
		return DOC_ERROR_MORE_DATA;
	}
	wcscpy(out, s);
	*cch = len;
	return 0;
}

/* Hand the first notification over, or say what is too small (it then stays queued). */
static DWORD deliver(struct dhandle_port *p, DWORD_PTR *key, DOC_NOTIFY_FILTER_AND_TYPE *ft, BYTE *buf, LPDWORD cb,
                     LPWSTR id, LPDWORD cid, LPWSTR parent, LPDWORD cparent, LPWSTR name, LPDWORD cname, LPWSTR type,
                     LPDWORD ctype)
{
	const struct note *nt = &p->q[p->head];
	if (nt->payload && (cb == NULL || buf == NULL || *cb < nt->payload)) {
		if (cb)
			*cb = nt->payload;
		return DOC_ERROR_MORE_DATA;
	}
	struct {
		const wchar_t *s;
		LPWSTR out;
		LPDWORD cch;
	} str[] = {{nt->name, id, cid}, {L"", parent, cparent}, {nt->name, name, cname}, {nt->type, type, ctype}};
	DWORD rc = 0; /* the double's object ids are its names */
	for (int i = 0; i < 4; i++)
		if (str[i].cch && (str[i].out == NULL || *str[i].cch <= wcslen(str[i].s))) {
			*str[i].cch = (DWORD)wcslen(str[i].s) + 1;
			rc = DOC_ERROR_MORE_DATA;
		}
	if (rc)
		return rc;
	for (int i = 0; i < 4; i++)
		copy_str(str[i].s, str[i].out, str[i].cch);
	if (key)
		*key = p->key;
	if (ft)
		*ft = nt->ft;
	if (cb) {
		if (nt->payload == sizeof(DWORD))
			memcpy(buf, &(DWORD){(DWORD)nt->state}, sizeof(DWORD));
		else if (nt->payload)
			memset(buf, 0xAB, nt->payload);
		*cb = nt->payload;
	}
	p->head = (p->head + 1) % QMAX;
	p->n--;
	return 0;
}

DWORD WINAPI GetClusterNotifyV2(DHANDLE hChange, DWORD_PTR *key, DOC_NOTIFY_FILTER_AND_TYPE *ft, BYTE *buf, LPDWORD cb,
                                LPWSTR id, LPDWORD cid, LPWSTR parent, LPDWORD cparent, LPWSTR name, LPDWORD cname,
                                LPWSTR type, LPDWORD ctype, DWORD ms)
{
	d_init();
	struct dhandle_port *p = port_of(hChange);
	if (p == NULL)
		return DOC_ERROR_INVALID_HANDLE;
	EnterCriticalSection(&d_lock);
	ULONGLONG until = ms == INFINITE ? ~0ull : GetTickCount64() + ms;
	DWORD rc;
	for (;;) {
		if (!p->open) {
			rc = DOC_ERROR_INVALID_HANDLE;
			break;
		}
		if (p->broken) {
			rc = DOC_RPC_S_SERVER_UNAVAILABLE;
			break;
		}
		if (p->n > 0) {
			rc = deliver(p, key, ft, buf, cb, id, cid, parent, cparent, name, cname, type, ctype);
			break;
		}
		ULONGLONG now = GetTickCount64();
		if (now >= until) {
			rc = DOC_WAIT_TIMEOUT;
			break;
		}
		SleepConditionVariableCS(&p->cv, &d_lock, until == ~0ull ? INFINITE : (DWORD)(until - now));
	}
	LeaveCriticalSection(&d_lock);
	return rc;
}

BOOL WINAPI CloseClusterNotifyPort(DHANDLE hChange)
{
	d_init();
	struct dhandle_port *p = port_of(hChange);
	if (p == NULL) {
		SetLastError(DOC_ERROR_INVALID_HANDLE);
		return FALSE;
	}
	EnterCriticalSection(&d_lock);
	p->open = false;
	p->magic = 0;
	WakeAllConditionVariable(&p->cv);
	LeaveCriticalSection(&d_lock);
	return TRUE;
}
