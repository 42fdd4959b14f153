/* test_registry.c - backend and probe-kind registries, the "sim" cluster_ops glue, events, state and flag names. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/probe.h"
#include "faultline/sim.h"

#define SQL "SQL Server (MSSQLSERVER)"

struct evlog {
	size_t n;
	char first[128];
	uint64_t first_at;
};

static void on_event(const struct cluster_event *ev, void *arg)
{
	struct evlog *l = arg;
	if (l->n++ == 0) {
		snprintf(l->first, sizeof(l->first), "%d %s %s %d", ev->kind, ev->name, ev->owner, ev->state);
		l->first_at = ev->at;
	}
}

static struct cluster *open_sql(struct fl_clock *clk)
{
	struct cluster_config cfg = {.backend = "sim", .topology = "plans/clusters/sql-3node.yaml", .seed = 1};
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(c, "%s", e.msg);
	return c;
}

static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1;
}

Test(registry, sim_backend_fail_and_drain_events)
{
	struct fl_clock *clk = clock_new_virtual(5 * NSEC_PER_SEC);
	struct cluster *c = open_sql(clk);
	cr_assert_eq(cluster_backend("sim"), &sim_cluster_ops);
	cr_assert_not_null(sim_from_cluster(c));
	struct cluster_snapshot snap;
	struct fl_err e;
	cr_assert_eq(c->ops->snapshot(c, &snap, &e), 0);
	cr_assert_eq(snap.nnodes, 3);
	cr_assert_eq(snap.ngroups, 2);
	cr_assert_eq(snap.nresources, 8);
	const struct cluster_resource *r = cluster_snapshot_resource(&snap, SQL);
	cr_assert_not_null(r);
	cr_assert_str_eq(r->owner, "node-a");
	cr_assert_eq(r->state, RES_ONLINE);
	cr_assert_eq(r->ndeps, 2);
	cr_assert_str_eq(r->deps[0], "Cluster Disk 1");
	cluster_snapshot_free(&snap);

	int fd = c->ops->notify_fd(c);
	cr_assert_not(readable(fd));
	long code = -1;
	cr_assert_eq(c->ops->fail(c, SQL, &code, &e), 0);
	cr_assert_eq(code, WIN_ERROR_SUCCESS);
	cr_assert(readable(fd));
	struct evlog l = {0};
	cr_assert_eq(c->ops->drain(c, on_event, &l, &e), 3, "resource, agent going down, group");
	cr_assert_str_eq(l.first, "0 " SQL " node-a 4");
	cr_assert_eq(l.first_at, 5 * NSEC_PER_SEC);
	cr_assert_not(readable(fd));
	clock_advance(clk, 60 * NSEC_PER_SEC, 1000);
	cr_assert(readable(fd));
	memset(&l, 0, sizeof(l));
	cr_assert_gt(c->ops->drain(c, on_event, &l, &e), 0);
	enum res_state st;
	cr_assert_eq(c->ops->resource_state(c, SQL, &st, &e), 0);
	cr_assert_eq(st, RES_ONLINE);
	cluster_close(c);
	clock_free(clk);
}

Test(registry, unknown_names_give_win32_codes)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct cluster *c = open_sql(clk);
	long code;
	struct fl_err e;
	cr_assert_eq(c->ops->fail(c, "nope", &code, &e), -1);
	cr_assert_eq(code, WIN_ERROR_RESOURCE_NOT_FOUND);
	cr_assert_eq(c->ops->move_group(c, "nope", NULL, &code, &e), -1);
	cr_assert_eq(code, WIN_ERROR_GROUP_NOT_FOUND);
	cr_assert_eq(c->ops->offline(c, SQL, 0, "node-z", &code, &e), -1);
	cr_assert_eq(code, WIN_ERROR_NODE_NOT_FOUND);
	cr_assert_eq(c->ops->online(c, SQL, &code, &e), 0);
	cr_assert_eq(code, WIN_ERROR_SUCCESS, "already online");
	enum res_state st;
	cr_assert_eq(c->ops->resource_state(c, "nope", &st, &e), -1);
	cr_assert_str_eq(e.msg, "resource \"nope\": not found (5007)");
	cluster_close(c);
	clock_free(clk);
}

Test(registry, open_errors)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster_config cfg = {.backend = "vmware"};
	cr_assert_null(cluster_open(&cfg, clk, &e));
	cr_assert_str_eq(e.msg, "cluster backend \"vmware\": unknown (known: sim pacemaker exec wsfc)");
	cfg.backend = "sim";
	cfg.topology = "tests/data/topology/cycle.yaml";
	cr_assert_null(cluster_open(&cfg, clk, &e));
	cr_assert(strncmp(e.msg, "tests/data/topology/cycle.yaml:", 31) == 0, "%s", e.msg);
	cfg.topology = "tests/data/no-such-file.yaml";
	cr_assert_null(cluster_open(&cfg, clk, &e));
	cluster_close(NULL);
	clock_free(clk);
}

Test(registry, state_and_flag_names)
{
	cr_assert_str_eq(res_state_str(RES_ONLINE_PENDING), "online-pending");
	cr_assert_str_eq(res_state_str(RES_FAILED), "failed");
	cr_assert_str_eq(res_state_str((enum res_state)77), "unknown");
	cr_assert_str_eq(group_state_str(GRP_PARTIAL_ONLINE), "partial-online");
	cr_assert_eq(res_state_parse("online"), RES_ONLINE);
	cr_assert_eq(res_state_parse("offline_pending"), RES_OFFLINE_PENDING);
	cr_assert_eq(res_state_parse("offline-pending"), RES_OFFLINE_PENDING);
	cr_assert_eq(res_state_parse("sleeping"), -2);
	for (unsigned bit = 1; bit < OFFLINE_ALL_FLAGS; bit <<= 1)
		cr_assert_eq(offline_flag_parse(offline_flag_str(bit)), bit);
	cr_assert_str_eq(offline_flag_str(OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE), "do_not_update_persistent_state");
	cr_assert_eq(offline_flag_parse("force"), 0);
	cr_assert_null(offline_flag_str(0x80));
}

Test(registry, probe_kinds_by_name)
{
	cr_assert_eq(probe_kind("cluster"), &probe_cluster_ops);
	cr_assert_eq(probe_kind("tcp"), &probe_tcp_ops);
	cr_assert_eq(probe_kind("http"), &probe_http_ops);
	cr_assert_eq(probe_kind("exec"), &probe_exec_ops);
	cr_assert_null(probe_kind("vnet"), "the simulated network stands in for tcp and http; a plan cannot name it");
	cr_assert_null(probe_kind_at(4));
	for (size_t i = 0; probe_kind_at(i) != NULL; i++)
		cr_assert_not_null(strstr(probe_kind_at(i)->summary, "%s"), "%s", probe_kind_at(i)->name);
}
