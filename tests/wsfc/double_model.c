/*
 * double_model.c - the in-memory cluster of the ClusAPI test double: two
 * nodes, a SQL Server group (disk <- network name <- SQL Server) and an
 * "Available Storage" group, a worker thread that applies planned state
 * changes one step apart, and the operations' rules (WSFC semantics as in
 * ../shared/wsfc-semantics.md, values from clusdoc.h). Nodes: a pause
 * takes effect at once (its NODE_STATE_V2 notification first); a drain
 * then moves every group the node owns to another node that is up;
 * nothing is moved to a paused node (MoveClusterGroupEx to it is 5005);
 * a resume with FailbackGroupsImmediately moves the drained groups back,
 * DoNotFailbackGroups leaves them, and FailbackGroupsPerPolicy follows
 * each group's AutoFailbackType, which is 0 (prevent) for both groups
 * here: they stay.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "double.h"

struct d_cluster d_cl;
CRITICAL_SECTION d_lock;

/* A planned change at `due`: resource r's state, or (r < 0) something about a group. */
enum { STEP_OWNER = -1, STEP_MOVE_BEGIN = -2, STEP_MOVE_END = -3 };
struct step {
	ULONGLONG due;
	int r, state;
	int group, owner;
};

#define MAXSTEPS 256
static struct step steps[MAXSTEPS];
static int nsteps;
static CONDITION_VARIABLE steps_cv;
static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static FILE *log_file;

static void add_res(const wchar_t *name, const wchar_t *type, int group, const int *deps, int ndeps)
{
	struct d_res *r = &d_cl.res[d_cl.nres++];
	wcsncpy(r->name, name, D_NAME - 1);
	wcsncpy(r->type, type, D_NAME - 1);
	r->group = group;
	r->state = DOC_RES_ONLINE;
	for (int i = 0; i < ndeps; i++)
		r->deps[r->ndeps++] = deps[i];
}

static void build(void)
{
	wcscpy(d_cl.nodes[0].name, L"node-a");
	wcscpy(d_cl.nodes[1].name, L"node-b");
	d_cl.nnodes = 2;
	wcscpy(d_cl.groups[0].name, L"SQL Server (MSSQLSERVER)");
	wcscpy(d_cl.groups[1].name, L"Available Storage");
	d_cl.ngroups = 2;
	d_cl.groups[0].drained_from = d_cl.groups[1].drained_from = -1;
	add_res(L"Cluster Disk 1", L"Physical Disk", 0, NULL, 0);
	add_res(L"SQL Network Name (SQLCLUS)", L"Network Name", 0, NULL, 0);
	int sql_deps[] = {0, 1};
	add_res(L"SQL Server (MSSQLSERVER)", L"SQL Server", 0, sql_deps, 2);
	add_res(L"Cluster Disk 2", L"Physical Disk", 1, NULL, 0);
}

static void config_parse(struct d_config *c, const char *s)
{
	c->step_ms = 30;
	c->payload_state = true;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');
		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(kv, "step_ms") == 0)
			c->step_ms = (unsigned)atoi(v);
		else if (strcmp(kv, "payload") == 0)
			c->payload_state = strcmp(v, "none") != 0;
		else if (strcmp(kv, "outage_on_fail") == 0)
			c->outage_ms = (unsigned)atoi(v);
		else if (strcmp(kv, "reconnect_on_fail") == 0)
			c->reconnect_on_fail = atoi(v) != 0;
		else if (strcmp(kv, "lost_on_fail") == 0)
			c->lost_on_fail = atoi(v) != 0;
		else if (strcmp(kv, "big_on_fail") == 0)
			c->big_on_fail = (unsigned)atoi(v);
		else if (strcmp(kv, "lose_on_pause") == 0)
			c->lose_on_pause = (unsigned)atoi(v);
		else if (strcmp(kv, "fail_call") == 0) {
			char *code = strchr(v, ':');
			if (code) {
				*code++ = '\0';
				snprintf(c->fail_call, sizeof(c->fail_call), "%s", v);
				c->fail_code = (DWORD)strtoul(code, NULL, 10);
			}
		} else if (strcmp(kv, "lock") == 0) {
			wchar_t w[D_NAME];
			MultiByteToWideChar(CP_UTF8, 0, v, -1, w, D_NAME);
			int r = d_find_res(w);
			if (r >= 0)
				d_cl.res[r].locked = true;
		}
	}
}

static int group_state(int g)
{
	bool any_failed = false, any_pending = false, any_online = false, all_online = true, all_offline = true;
	for (int i = 0; i < d_cl.nres; i++) {
		if (d_cl.res[i].group != g)
			continue;
		int s = d_cl.res[i].state;
		any_failed |= s == DOC_RES_FAILED;
		any_pending |= s == DOC_RES_ONLINE_PENDING || s == DOC_RES_OFFLINE_PENDING;
		any_online |= s == DOC_RES_ONLINE;
		all_online &= s == DOC_RES_ONLINE;
		all_offline &= s == DOC_RES_OFFLINE;
	}
	if (any_failed)
		return DOC_GRP_FAILED;
	if (any_pending || d_cl.groups[g].moving > 0)
		return DOC_GRP_PENDING;
	if (all_online)
		return DOC_GRP_ONLINE;
	if (all_offline)
		return DOC_GRP_OFFLINE;
	return any_online ? DOC_GRP_PARTIAL_ONLINE : DOC_GRP_OFFLINE;
}

/* Apply one step (d_lock held): the resource's notification, then its group's if that changed. */
static void apply(const struct step *s)
{
	int gi = s->r >= 0 ? d_cl.res[s->r].group : s->group;
	struct d_group *g = &d_cl.groups[gi];
	if (s->r == STEP_OWNER) {
		g->owner = s->owner;
		return;
	}
	if (s->r == STEP_MOVE_BEGIN || s->r == STEP_MOVE_END) {
		g->moving += s->r == STEP_MOVE_BEGIN ? 1 : -1;
	} else {
		struct d_res *r = &d_cl.res[s->r];
		r->state = s->state;
		d_notify_state(DOC_OBJ_RESOURCE, DOC_CHANGE_RESOURCE_STATE_V2, r->name, r->type, r->state);
	}
	int gs = group_state(gi);
	if (gs != g->state) {
		g->state = gs;
		d_notify_state(DOC_OBJ_GROUP, DOC_CHANGE_GROUP_STATE_V2, g->name, L"", gs);
	}
}

static DWORD WINAPI worker(LPVOID arg)
{
	(void)arg;
	EnterCriticalSection(&d_lock);
	for (;;) {
		if (nsteps == 0) {
			SleepConditionVariableCS(&steps_cv, &d_lock, INFINITE);
			continue;
		}
		ULONGLONG now = GetTickCount64();
		if (steps[0].due > now) {
			SleepConditionVariableCS(&steps_cv, &d_lock, (DWORD)(steps[0].due - now));
			continue;
		}
		struct step s = steps[0];
		memmove(steps, steps + 1, (size_t)(--nsteps) * sizeof(*steps));
		apply(&s);
	}
	return 0;
}

static BOOL CALLBACK init_once(PINIT_ONCE o, PVOID p, PVOID *ctx)
{
	(void)o, (void)p, (void)ctx;
	HMODULE self; /* pinned: the worker thread must outlive a FreeLibrary by the caller */
	GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
	                   (LPCWSTR)(void *)d_init, &self);
	InitializeCriticalSection(&d_lock);
	InitializeConditionVariable(&steps_cv);
	build();
	config_parse(&d_cl.cfg, getenv("CLUSDOUBLE"));
	for (int g = 0; g < d_cl.ngroups; g++)
		d_cl.groups[g].state = group_state(g);
	const char *path = getenv("CLUSDOUBLE_LOG");
	if (path && *path)
		log_file = fopen(path, "ab"); /* "\n" lines: read on Linux */
	HANDLE t = CreateThread(NULL, 0, worker, NULL, 0, NULL);
	if (t)
		CloseHandle(t);
	return TRUE;
}

void d_init(void)
{
	InitOnceExecuteOnce(&once, init_once, NULL, NULL);
}

void d_log(const char *fmt, ...)
{
	if (log_file == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

DWORD d_injected(const char *fn)
{
	return strcmp(d_cl.cfg.fail_call, fn) == 0 ? d_cl.cfg.fail_code : 0;
}

int d_find_res(const wchar_t *name)
{
	for (int i = 0; name && i < d_cl.nres; i++)
		if (wcscmp(d_cl.res[i].name, name) == 0)
			return i;
	return -1;
}

int d_find_group(const wchar_t *name)
{
	for (int i = 0; name && i < d_cl.ngroups; i++)
		if (wcscmp(d_cl.groups[i].name, name) == 0)
			return i;
	return -1;
}

int d_find_node(const wchar_t *name)
{
	for (int i = 0; name && i < d_cl.nnodes; i++)
		if (wcscmp(d_cl.nodes[i].name, name) == 0)
			return i;
	return -1;
}

/* Plan (d_lock held): steps one step_ms apart after whatever is already planned. */
static ULONGLONG plan_at;

static void plan(int r, int state)
{
	if (nsteps >= MAXSTEPS)
		return;
	ULONGLONG now = GetTickCount64();
	if (plan_at < now || nsteps == 0)
		plan_at = now;
	plan_at += d_cl.cfg.step_ms;
	steps[nsteps++] = (struct step){.due = plan_at, .r = r, .state = state};
	WakeConditionVariable(&steps_cv);
}

/* A group step at the time of the last planned one (or now). */
static void plan_group(int kind, int g, int node)
{
	if (nsteps >= MAXSTEPS)
		return;
	ULONGLONG now = GetTickCount64();
	if (plan_at < now || nsteps == 0)
		plan_at = now;
	steps[nsteps++] = (struct step){.due = plan_at, .r = kind, .group = g, .owner = node};
	WakeConditionVariable(&steps_cv);
}

static bool depends_on(int r, int provider)
{
	for (int i = 0; i < d_cl.res[r].ndeps; i++)
		if (d_cl.res[r].deps[i] == provider || depends_on(d_cl.res[r].deps[i], provider))
			return true;
	return false;
}

/* Online dependents of r, taken offline top-down: the ones that depend on the most first. */
static int dependents(int r, int *out)
{
	int n = 0;
	for (int i = d_cl.nres - 1; i >= 0; i--)
		if (i != r && depends_on(i, r) && d_cl.res[i].state == DOC_RES_ONLINE)
			out[n++] = i;
	return n;
}

DWORD d_fail(int r)
{
	EnterCriticalSection(&d_lock);
	DWORD rc = 0;
	if (d_cl.res[r].state != DOC_RES_ONLINE) {
		rc = DOC_ERROR_RESMON_INVALID_STATE;
	} else {
		int deps[D_MAXR], n = dependents(r, deps);
		d_notify_fault_on_fail();
		plan(r, DOC_RES_FAILED);
		for (int i = 0; i < n; i++)
			plan(deps[i], DOC_RES_OFFLINE_PENDING), plan(deps[i], DOC_RES_OFFLINE);
		plan(r, DOC_RES_ONLINE_PENDING); /* RestartAction 2, first restart: same node */
		plan(r, DOC_RES_ONLINE);
		for (int i = n - 1; i >= 0; i--)
			plan(deps[i], DOC_RES_ONLINE_PENDING), plan(deps[i], DOC_RES_ONLINE);
	}
	LeaveCriticalSection(&d_lock);
	return rc;
}

DWORD d_offline(int r, DWORD flags)
{
	if (flags & ~(DWORD)(DOC_OFFLINE_IGNORE_RESOURCE_STATUS | DOC_OFFLINE_FORCE_WITH_TERMINATION |
	                     DOC_OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE))
		return DOC_ERROR_INVALID_PARAMETER;
	EnterCriticalSection(&d_lock);
	int deps[D_MAXR], n = dependents(r, deps);
	bool locked = d_cl.res[r].locked;
	for (int i = 0; i < n; i++)
		locked |= d_cl.res[deps[i]].locked;
	DWORD rc = DOC_ERROR_IO_PENDING;
	if (locked && !(flags & DOC_OFFLINE_IGNORE_RESOURCE_STATUS)) {
		rc = DOC_ERROR_RESOURCE_LOCKED_STATUS;
	} else if (d_cl.res[r].state == DOC_RES_FAILED) {
		plan(r, DOC_RES_OFFLINE); /* offline of a failed resource: just offline */
	} else if (d_cl.res[r].state != DOC_RES_OFFLINE) {
		for (int i = 0; i < n; i++)
			plan(deps[i], DOC_RES_OFFLINE_PENDING), plan(deps[i], DOC_RES_OFFLINE);
		plan(r, DOC_RES_OFFLINE_PENDING);
		plan(r, DOC_RES_OFFLINE);
	} else {
		rc = 0;
	}
	LeaveCriticalSection(&d_lock);
	return rc;
}

DWORD d_online(int r, DWORD flags)
{
	(void)flags;
	EnterCriticalSection(&d_lock);
	for (int i = 0; i < d_cl.res[r].ndeps; i++) {
		int p = d_cl.res[r].deps[i];
		if (d_cl.res[p].state != DOC_RES_ONLINE)
			plan(p, DOC_RES_ONLINE_PENDING), plan(p, DOC_RES_ONLINE);
	}
	DWORD rc = DOC_ERROR_IO_PENDING;
	if (d_cl.res[r].state != DOC_RES_ONLINE)
		plan(r, DOC_RES_ONLINE_PENDING), plan(r, DOC_RES_ONLINE);
	else
		rc = 0;
	LeaveCriticalSection(&d_lock);
	return rc;
}

/* The group's offline top-down, owner change, online bottom-up (d_lock held). */
static void plan_move(int g, int node)
{
	plan_group(STEP_MOVE_BEGIN, g, node);
	for (int i = d_cl.nres - 1; i >= 0; i--) /* top-down: dependents were added after their providers */
		if (d_cl.res[i].group == g && d_cl.res[i].state != DOC_RES_OFFLINE)
			plan(i, DOC_RES_OFFLINE_PENDING), plan(i, DOC_RES_OFFLINE);
	plan_group(STEP_OWNER, g, node);
	for (int i = 0; i < d_cl.nres; i++)
		if (d_cl.res[i].group == g)
			plan(i, DOC_RES_ONLINE_PENDING), plan(i, DOC_RES_ONLINE);
	plan_group(STEP_MOVE_END, g, node);
}

/* The most suitable node for group g: the first one other than its owner that is up, or -1 (d_lock held). */
static int most_suitable(int g)
{
	for (int i = 0; i < d_cl.nnodes; i++)
		if (i != d_cl.groups[g].owner && d_cl.nodes[i].state == DOC_NODE_UP)
			return i;
	return -1;
}

DWORD d_move(int g, int node, DWORD flags)
{
	if (flags & ~(DWORD)(DOC_MOVE_IGNORE_RESOURCE_STATUS | DOC_MOVE_RETURN_TO_SOURCE_NODE_ON_ERROR |
	                     DOC_MOVE_QUEUE_ENABLED | DOC_MOVE_HIGH_PRIORITY_START))
		return DOC_ERROR_INVALID_PARAMETER;
	EnterCriticalSection(&d_lock);
	DWORD rc = DOC_ERROR_IO_PENDING;
	if (node < 0)
		node = most_suitable(g);
	bool locked = false;
	for (int i = 0; i < d_cl.nres; i++)
		locked |= d_cl.res[i].group == g && d_cl.res[i].locked;
	if (node < 0 || d_cl.nodes[node].state != DOC_NODE_UP)
		rc = DOC_ERROR_HOST_NODE_NOT_AVAILABLE;
	else if (locked && !(flags & DOC_MOVE_IGNORE_RESOURCE_STATUS))
		rc = DOC_ERROR_RESOURCE_LOCKED_STATUS;
	else
		plan_move(g, node);
	LeaveCriticalSection(&d_lock);
	return rc;
}

static void narrow(const wchar_t *w, char *out, size_t n)
{
	WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)n, NULL, NULL);
}

/* A node changed state (d_lock held): at once, with its NODE_STATE_V2 notification. */
static void set_node(int n, int state)
{
	d_cl.nodes[n].state = state;
	d_notify_state(DOC_OBJ_NODE, DOC_CHANGE_NODE_STATE_V2, d_cl.nodes[n].name, L"", state);
}

/* A node call started moving group g from one node to another: logged after the call (d_lock held). */
static void note_move(char *buf, size_t len, const char *why, int g, int from, int to)
{
	char gn[128], fn[64], tn[64];
	narrow(d_cl.groups[g].name, gn, sizeof(gn));
	narrow(d_cl.nodes[from].name, fn, sizeof(fn));
	narrow(d_cl.nodes[to].name, tn, sizeof(tn));
	size_t off = strlen(buf);
	snprintf(buf + off, len - off, "\n%s %s %s -> %s", why, gn, fn, tn);
}

DWORD d_pause(int n, bool drain, DWORD flags, int target)
{
	char nn[64], tn[64] = "(none)", moves[1024] = "";
	narrow(d_cl.nodes[n].name, nn, sizeof(nn));
	if (target >= 0)
		narrow(d_cl.nodes[target].name, tn, sizeof(tn));
	DWORD rc = 0;
	EnterCriticalSection(&d_lock);
	if (flags & ~(DWORD)(DOC_NODE_PAUSE_REMAIN_ON_PAUSED_NODE_ON_MOVE_ERROR | DOC_NODE_AVOID_PLACEMENT |
	                     DOC_NODE_PAUSE_RETRY_DRAIN_ON_FAILURE))
		rc = DOC_ERROR_INVALID_PARAMETER;
	else if (d_cl.nodes[n].state == DOC_NODE_PAUSED)
		rc = DOC_ERROR_CLUSTER_NODE_PAUSED;
	else if (d_cl.nodes[n].state != DOC_NODE_UP)
		rc = DOC_ERROR_CLUSTER_NODE_DOWN;
	else if (target == n || (target >= 0 && d_cl.nodes[target].state != DOC_NODE_UP))
		rc = DOC_ERROR_HOST_NODE_NOT_AVAILABLE;
	if (rc == 0) {
		d_notify_fault_on_pause();
		set_node(n, DOC_NODE_PAUSED);
		for (int g = 0; drain && g < d_cl.ngroups; g++) {
			if (d_cl.groups[g].owner != n)
				continue;
			int to = target >= 0 ? target : most_suitable(g);
			if (to < 0)
				continue; /* nowhere to go: it stays on the paused node */
			plan_move(g, to);
			d_cl.groups[g].drained_from = n;
			note_move(moves, sizeof(moves), "drain", g, n, to);
		}
	}
	LeaveCriticalSection(&d_lock);
	d_log("PauseClusterNodeEx %s drain=%d flags=0x%lx target=%s -> %lu%s", nn, drain ? 1 : 0, (unsigned long)flags,
	      tn, (unsigned long)rc, moves);
	return rc;
}

DWORD d_resume(int n, int failback, DWORD reserved)
{
	char nn[64], moves[1024] = "";
	narrow(d_cl.nodes[n].name, nn, sizeof(nn));
	DWORD rc = 0;
	EnterCriticalSection(&d_lock);
	if (failback < DOC_DoNotFailbackGroups || failback >= DOC_ClusterNodeResumeFailbackTypeCount || reserved != 0)
		rc = DOC_ERROR_INVALID_PARAMETER;
	else if (d_cl.nodes[n].state != DOC_NODE_PAUSED)
		rc = DOC_ERROR_CLUSTER_NODE_NOT_PAUSED;
	if (rc == 0) {
		set_node(n, DOC_NODE_UP);
		for (int g = 0; g < d_cl.ngroups; g++) {
			if (d_cl.groups[g].drained_from != n)
				continue;
			d_cl.groups[g].drained_from = -1;
			/* PerPolicy: AutoFailbackType 0 (prevent, the default) on both groups: no failback. */
			if (failback == DOC_FailbackGroupsImmediately && d_cl.groups[g].owner != n) {
				note_move(moves, sizeof(moves), "failback", g, d_cl.groups[g].owner, n);
				plan_move(g, n);
			}
		}
	}
	LeaveCriticalSection(&d_lock);
	d_log("ResumeClusterNodeEx %s failback=%d -> %lu%s", nn, failback, (unsigned long)rc, moves);
	return rc;
}
