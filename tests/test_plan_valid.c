/*
 * test_plan_valid.c - valid plans load to exactly the typed values the
 * language promises; every shipped plan validates; --print output loads
 * again to the same text; backend capabilities are checked per fault.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/plan.h"
#include "faultline/probe.h"
#include "faultline/util.h"

static struct plan *load_ok(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p == NULL)
		diag_print(&d, stderr);
	cr_assert_not_null(p, "%s should load (%zu errors)", path, d.n);
	cr_assert_eq(d.n, 0);
	diag_fini(&d);
	return p;
}

Test(plan_valid, every_shipped_plan_validates)
{
	DIR *dir = opendir("plans");
	cr_assert_not_null(dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "plans/%s", e->d_name);
		plan_free(load_ok(path));
		n++;
	}
	closedir(dir);
	cr_assert_geq(n, 4, "expected the four example plans, found %zu", n);
}

Test(plan_valid, minimal_plan_gets_every_default)
{
	struct plan *p = load_ok("tests/data/valid/minimal.yaml");
	cr_assert_str_eq(p->name, "minimal");
	cr_assert_eq(p->seed, 1);
	cr_assert_str_eq(p->cluster.backend, "sim");
	cr_assert_str_eq(p->cluster.topology_path, "tests/data/valid/../../../plans/clusters/sql-3node.yaml");
	cr_assert_eq(p->cluster.timeout_ns, 30 * NSEC_PER_SEC);
	cr_assert_eq(p->nselectors, 1);
	cr_assert_eq(p->selectors[0].pick, PICK_ALL);
	cr_assert_eq(p->selectors[0].state, -2);
	cr_assert_eq(p->nfaults, 1);
	const struct plan_fault *f = &p->faults[0];
	cr_assert_eq(f->action, PLAN_FAIL);
	cr_assert_eq(f->target_idx, 0);
	cr_assert_eq(f->at_ns, 0);
	cr_assert_eq(f->repeat.count, 1);
	cr_assert_eq(f->after_idx, PLAN_NONE);
	cr_assert_eq(f->recovery_timeout_ns, 120 * NSEC_PER_SEC);
	cr_assert_eq(p->guards.max_concurrent_faults, 1);
	cr_assert_eq(p->guards.restore, RESTORE_ALWAYS);
	cr_assert_eq(p->run.settle_ns, 5 * NSEC_PER_SEC);
	cr_assert_eq(p->run.deadline_ns, 3600 * NSEC_PER_SEC);
	cr_assert_not(p->schedule.present);
	plan_free(p);
}

Test(plan_valid, everything_is_typed)
{
	struct plan *p = load_ok("tests/data/valid/everything.yaml");
	cr_assert_eq(p->seed, UINT64_MAX);
	cr_assert_eq(p->cluster.ncommand, 3);
	cr_assert_str_eq(p->cluster.command[2], "CLUS 1");
	cr_assert_null(p->cluster.command[3]);
	cr_assert_eq(p->selectors[0].pick, PICK_PERCENT);
	cr_assert_float_eq(p->selectors[0].pick_percent, 12.5, 1e-12);
	cr_assert_eq(p->selectors[0].state, RES_OFFLINE_PENDING);
	const struct plan_fault *drain = &p->faults[0], *back = &p->faults[1], *move = &p->faults[2];
	cr_assert_eq(drain->flags, OFFLINE_QUEUE_ENABLED | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE);
	cr_assert_str_eq(drain->destination, "node-b");
	cr_assert_eq(drain->online_after_ns, 90 * NSEC_PER_SEC);
	cr_assert_eq(drain->at_ns, 5400 * NSEC_PER_SEC);
	cr_assert_eq(back->after_idx, 0);
	cr_assert_eq(back->recovery_timeout_ns, 10 * NSEC_PER_SEC);
	cr_assert_eq(move->target_idx, 1);
	cr_assert_eq(plan_trial_at(move, 2), 1200 * NSEC_PER_SEC);
	const struct plan_probe *x = &p->probes[0], *h = &p->probes[1];
	cr_assert_eq(x->kind, &probe_exec_ops);
	cr_assert_eq(x->interval_ns, 2 * NSEC_PER_SEC);
	cr_assert_eq(x->failures, 3);
	cr_assert_eq(h->kind, &probe_http_ops);
	cr_assert_str_eq(h->host, "::1");
	cr_assert_eq(h->port, 8443);
	cr_assert_eq(h->expect_status, 204);
	cr_assert_eq(p->slos[0].recovery.p99_ns, 4 * NSEC_PER_SEC);
	cr_assert_float_eq(p->slos[0].recovery.confidence, 0.99, 1e-12);
	cr_assert_eq(p->slos[0].probe_idx, 0);
	cr_assert_eq(p->slos[1].expect, EXPECT_FAILOVER);
	cr_assert_eq(p->slos[3].kind, SLO_MAX_RESTARTS);
	cr_assert_eq(p->guards.abort_when[0].probe_idx, 1);
	cr_assert_eq(p->guards.restore, RESTORE_NEVER);
	const struct plan_schedule *s = &p->schedule;
	cr_assert_eq(s->cron.minutes, (1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45));
	cr_assert_eq(s->cron.hours, (1u << 8) | (1u << 10) | (1u << 12) | (1u << 14) | (1u << 16) | (1u << 18));
	cr_assert_eq(s->cron.mdays, (1u << 1) | (1u << 15));
	cr_assert_eq(s->cron.months, 0x7e); /* jan-jun = 1..6 */
	cr_assert_eq(s->cron.wdays, 0x3e);  /* mon-fri */
	cr_assert_eq(s->window.start_min, 22 * 60);
	cr_assert(plan_window_contains(&s->window, 23 * 60));
	cr_assert(plan_window_contains(&s->window, 5 * 60));
	cr_assert_not(plan_window_contains(&s->window, 12 * 60));
	cr_assert_eq(s->nblackouts, 2);
	cr_assert_eq(s->missed, MISSED_RUN_ONCE);
	plan_free(p);
}

/* --print, saved to a new file, loads again and prints the same text. */
static void round_trip(const char *path)
{
	struct plan *p = load_ok(path);
	char name[] = "/tmp/faultline-plan-XXXXXX";
	int fd = mkstemp(name);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w+");
	plan_print(p, f);
	fflush(f);
	struct plan *q = load_ok(name);
	char *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	FILE *fa = open_memstream(&a, &al), *fb = open_memstream(&b, &bl);
	plan_print(p, fa);
	plan_print(q, fb);
	fclose(fa);
	fclose(fb);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	fclose(f);
	unlink(name);
	plan_free(p);
	plan_free(q);
}

Test(plan_valid, print_revalidates)
{
	round_trip("tests/data/valid/everything.yaml");
	round_trip("tests/data/valid/minimal.yaml");
	round_trip("plans/sql-gameday.yaml");
}

Test(plan_valid, summary_expands_the_schedule)
{
	struct plan *p = load_ok("plans/sql-gameday.yaml");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	plan_summary(p, f);
	fclose(f);
	cr_assert_not_null(strstr(out, "    at 10s, then every 2m ±15s, 5 times: 10s 2m10s 4m10s 6m10s 8m10s\n"), "%s",
	                   out);
	cr_assert_not_null(strstr(out, "drain: take offline sql with flags ignore_resource_status, "
	                               "return_to_source_node_on_error to node-b, back online after 30s\n"));
	free(out);
	plan_free(p);
}

Test(plan_valid, caps_name_flag_and_backend)
{
	struct plan *p = load_ok("plans/sql-gameday.yaml");
	struct cluster_caps all = {.ops = 0x1f, .offline_flags = OFFLINE_ALL_FLAGS};
	struct fl_diag d;
	diag_init(&d, "plans/sql-gameday.yaml");
	cr_assert_eq(plan_check_caps(p, "sim", &all, &d), 0);
	cr_assert_eq(d.n, 0);
	struct cluster_caps pcmk = {.ops = CLUSTER_OP_FAIL | CLUSTER_OP_OFFLINE,
	                            .offline_flags = OFFLINE_IGNORE_RESOURCE_STATUS};
	cr_assert_eq(plan_check_caps(p, "pacemaker", &pcmk, &d), -1);
	cr_assert_eq(d.n, 2);
	char *m0 = diag_format(&d, 0), *m1 = diag_format(&d, 1);
	cr_assert_str_eq(m0, "plans/sql-gameday.yaml:25:5: fault \"drain\": backend \"pacemaker\" does not support "
	                     "offline flag \"return_to_source_node_on_error\"");
	cr_assert_str_eq(m1, "plans/sql-gameday.yaml:25:5: fault \"drain\": backend \"pacemaker\" does not support "
	                     "a destination for offline");
	free(m0);
	free(m1);
	diag_fini(&d);
	plan_free(p);
}

Test(plan_value, host_port_and_url)
{
	char *host = NULL;
	unsigned port = 0;
	const char *why;
	cr_assert_eq(plan_parse_hostport("127.0.0.1:14330", &host, &port, &why), 0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_eq(port, 14330);
	free(host);
	cr_assert_eq(plan_parse_hostport("[::1]:80", &host, &port, &why), 0);
	cr_assert_str_eq(host, "::1");
	free(host);
	cr_assert_eq(plan_parse_hostport("host:0", &host, &port, &why), -1);
	cr_assert_str_eq(why, "port must be a number from 1 to 65535");
	cr_assert_eq(plan_parse_hostport("[::1", &host, &port, &why), -1);
	cr_assert_eq(plan_parse_url("http://example.org/x", &host, &port, &why), 0);
	cr_assert_eq(port, 80);
	free(host);
	cr_assert_eq(plan_parse_url("https://u:p@example.org/", &host, &port, &why), -1);
	cr_assert_str_eq(why, "user:password@ is not supported");
	cr_assert_eq(plan_parse_url("http://h/a b", &host, &port, &why), -1);
}

Test(plan_value, cron_and_percent)
{
	struct plan_cron c;
	size_t off;
	const char *why;
	cr_assert_eq(plan_parse_cron("@every 6h", &c, &off, &why), 0);
	cr_assert_eq(c.every_ns, 6 * 3600 * NSEC_PER_SEC);
	cr_assert_eq(plan_parse_cron("@daily", &c, &off, &why), 0);
	cr_assert_eq(c.minutes, 1);
	cr_assert_eq(c.hours, 1);
	cr_assert(c.mday_any && c.wday_any);
	cr_assert_eq(plan_parse_cron("0 0 * * 7", &c, &off, &why), 0);
	cr_assert_eq(c.wdays, 1); /* 7 is Sunday */
	cr_assert_eq(plan_parse_cron("0 0 * 13 *", &c, &off, &why), -1);
	cr_assert_eq(off, 6);
	cr_assert_str_eq(why, "month out of range 1-12 (or jan-dec)");
	cr_assert_eq(plan_parse_cron("5-1 * * * *", &c, &off, &why), -1);
	cr_assert_str_eq(why, "range start is after its end");
	cr_assert_eq(plan_parse_cron("*/0 * * * *", &c, &off, &why), -1);
	cr_assert_eq(plan_parse_cron("@every 500ms", &c, &off, &why), -1);
	cr_assert_str_eq(why, "@every needs a duration of at least 1s, like @every 6h");
	cr_assert_eq(plan_parse_cron("0 0 * * * *", &c, &off, &why), -1);
	double pct;
	cr_assert_eq(plan_parse_percent("99.9%", &pct), 0);
	cr_assert_float_eq(pct, 99.9, 1e-12);
	cr_assert_eq(plan_parse_percent("100", &pct), 0);
	cr_assert_eq(plan_parse_percent("0%", &pct), -1);
	cr_assert_eq(plan_parse_percent("100.1%", &pct), -1);
	cr_assert_eq(plan_parse_percent("-5%", &pct), -1);
	cr_assert_eq(plan_parse_percent("nan", &pct), -1);
	cr_assert(plan_timezone_valid("Europe/Paris"));
	cr_assert(plan_timezone_valid("UTC"));
	cr_assert_not(plan_timezone_valid("../../etc/passwd"));
	cr_assert_not(plan_timezone_valid("Europe"));
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 80,000 faults chained by `after` (closed into a loop if loop); its path (caller frees and unlinks). */
static char *write_chain(bool loop)
{
	char *path = xstrdup("/tmp/fl-chain-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f,
	        "version: 1\nname: chain\ncluster: { backend: sim, topology: %s/plans/clusters/sql-3node.yaml }\n"
	        "select: { sql: { name: '^SQL Server' } }\nfaults:\n",
	        getcwd((char[4096]){0}, 4096));
	for (int i = 0; i < 80000; i++) {
		fprintf(f, "  - { name: f%d, action: fail, target: sql", i);
		if (i > 0 || loop)
			fprintf(f, ", after: f%d", i > 0 ? i - 1 : 79999);
		fputs(" }\n", f);
	}
	fclose(f);
	return path;
}

/*
 * `after` chains are checked in linear time (issue 18: 80,000 chained faults
 * took 22.8 s, closed into a loop 117 s, and the loop was reported at every
 * one of its faults). The bound leaves room for the sanitizer build.
 */
Test(plan_valid, an_80000_fault_after_chain_loads_in_linear_time, .timeout = 60)
{
	char *path = write_chain(false);
	double t0 = mono_s();
	struct plan *p = load_ok(path);
	double took = mono_s() - t0;
	cr_assert_eq(p->nfaults, 80000);
	cr_assert_eq(p->faults[79999].after_idx, 79998);
	plan_free(p);
	cr_assert_lt(took, 5.0, "took %.2f s", took);
	unlink(path);
	free(path);
	path = write_chain(true);
	struct fl_diag d;
	diag_init(&d, path);
	t0 = mono_s();
	p = plan_load(path, &d);
	took = mono_s() - t0;
	cr_assert_null(p);
	cr_assert_eq(d.n, 1, "the loop is reported once, not %zu times", d.n);
	char *msg = diag_format(&d, 0),
	     *want = xasprintf(
	         "%s:80005:55: fault \"f79999\": after chain loops back to this fault (a loop of 80000 faults)", path);
	cr_assert_str_eq(msg, want);
	cr_assert_lt(took, 5.0, "took %.2f s", took);
	free(msg), free(want);
	diag_fini(&d);
	unlink(path);
	free(path);
}
