/*
 * report_fixture.h - run records built in C for the report tests.
 *
 * fixture_full: a realistic run of three trials (one recovered with a
 * failover, one whose outage was never observed, one not recovered), two
 * probes with transitions, three SLOs (pass, fail, inconclusive), restores
 * and events. fixture_small: one trial, one probe, one SLO, for exact output.
 */
#ifndef FAULTLINE_TEST_REPORT_FIXTURE_H
#define FAULTLINE_TEST_REPORT_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/record.h"
#include "faultline/util.h"

#define MS(x)  ((uint64_t)(x)*1000000ULL)
#define SEC(x) ((uint64_t)(x)*1000000000ULL)
/* 2025-03-01T12:00:00.000Z */
#define FIXTURE_WALL 1740830400000000000LL

static inline char *fx_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static inline struct rec_trial *fx_trial(struct run_record *r, const char *fault, unsigned index, const char *before,
                                         const char *after, enum trial_outcome o)
{
	struct rec_trial *t = record_add_trial(r);
	t->fault_name = fx_dup(fault);
	t->index = index;
	t->action = fx_dup("fail");
	t->resource = fx_dup("SQL Server (INST1)");
	t->group = fx_dup("SQL Group");
	t->node_before = fx_dup(before);
	t->node_after = fx_dup(after);
	t->outcome = o;
	t->timeout_ns = SEC(30);
	t->resolution_ns = MS(20);
	return t;
}

static inline void fx_measure(struct rec_trial *t, size_t probe, bool outage, bool recovered, uint64_t down,
                              uint64_t up, uint64_t rec)
{
	t->measures = xreallocarray(t->measures, t->nmeasures + 1, sizeof(*t->measures));
	t->measures[t->nmeasures++] = (struct rec_measure){probe, outage, recovered, down, up, rec, MS(20)};
}

static inline void fx_change(struct rec_probe *p, uint64_t at, enum probe_status s, const char *reason)
{
	p->changes = xreallocarray(p->changes, p->nchanges + 1, sizeof(*p->changes));
	p->changes[p->nchanges++] = (struct rec_probe_change){at, s, fx_dup(reason)};
}

static inline void fx_header(struct run_record *r, const char *plan)
{
	memset(r, 0, sizeof(*r));
	r->plan_name = fx_dup(plan);
	r->plan_path = xasprintf("plans/%s.yaml", plan);
	r->plan_sha256 = fx_dup("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	r->seed = 42;
	r->backend = fx_dup("sim");
	r->version = fx_dup("0.1.0");
	r->virtual_time = true;
	r->started_wall = FIXTURE_WALL + 123456789;
}

static inline void fx_slo(struct rec_slo *s, const char *name, const char *kind, enum slo_verdict v, const char *detail,
                          size_t samples, double observed, double limit)
{
	*s = (struct rec_slo){fx_dup(name), fx_dup(kind), v, fx_dup(detail), samples, observed, limit};
}

static inline void fx_restore(struct run_record *r, const char *res, const char *action, bool ok, const char *detail)
{
	struct rec_restore *rs = record_add_restore(r);
	*rs = (struct rec_restore){fx_dup(res), fx_dup(action), ok, fx_dup(detail)};
}

static inline void fx_event(struct run_record *r, uint64_t at, const char *res, int state, const char *node)
{
	struct rec_event *ev = record_add_event(r);
	*ev = (struct rec_event){at, fx_dup(res), state, fx_dup(node)};
}

static inline void fx_probes(struct run_record *r)
{
	r->nprobes = 2;
	r->probes = xcalloc(2, sizeof(*r->probes));
	struct rec_probe *tcp = &r->probes[0], *http = &r->probes[1];
	*tcp =
	    (struct rec_probe){.name = fx_dup("sql-tcp"), .kind = fx_dup("tcp"), .target = fx_dup("127.0.0.1:14330")};
	tcp->checks = 3100, tcp->failures = 1820, tcp->errors = 0;
	tcp->up_ns = SEC(24), tcp->down_ns = MS(36512), tcp->unknown_ns = MS(488);
	fx_change(tcp, MS(10), PROBE_UP, NULL);
	fx_change(tcp, MS(5020), PROBE_DOWN, "connect: Connection refused");
	fx_change(tcp, MS(11512), PROBE_UP, NULL);
	fx_change(tcp, MS(30020), PROBE_DOWN, "connect: Connection refused");
	*http = (struct rec_probe){
	    .name = fx_dup("app-http"), .kind = fx_dup("http"), .target = fx_dup("http://127.0.0.1:18080/health")};
	http->checks = 610, http->failures = 12, http->errors = 1;
	http->up_ns = SEC(55), http->down_ns = MS(4500), http->error_ns = MS(500);
	fx_change(http, MS(10), PROBE_UP, NULL);
	fx_change(http, MS(5100), PROBE_DOWN, "HTTP 503");
	fx_change(http, MS(9600), PROBE_UP, NULL);
}

static inline void fx_trials(struct run_record *r)
{
	struct rec_trial *t = fx_trial(r, "fail-sql", 0, "node-a", "node-b", TRIAL_RECOVERED);
	t->planned_at = SEC(5), t->injected_at = SEC(5) + 1234, t->injected_wall = FIXTURE_WALL + SEC(5);
	t->closed_at = MS(11512), t->outage_observed = true, t->recovery_ns = MS(6512) - 1234;
	t->cluster = OUTCOME_FAILOVER, t->failovers = 1;
	fx_measure(t, 0, true, true, MS(5020), MS(11512), MS(6512) - 1234);
	fx_measure(t, 1, true, true, MS(5100), MS(9600), MS(4600) - 1234);
	t = fx_trial(r, "fail-sql", 1, "node-b", "node-b", TRIAL_RECOVERED);
	t->planned_at = SEC(20), t->injected_at = SEC(20), t->injected_wall = FIXTURE_WALL + SEC(20);
	t->closed_at = MS(20020), t->recovery_ns = MS(20), t->cluster = OUTCOME_RESTART, t->restarts = 1;
	fx_measure(t, 0, false, true, 0, 0, MS(20));
	t = fx_trial(r, "offline-sql", 0, "node-b", NULL, TRIAL_NOT_RECOVERED);
	t->action = (free(t->action), fx_dup("offline"));
	t->planned_at = SEC(30), t->injected_at = SEC(30), t->injected_wall = FIXTURE_WALL + SEC(30);
	t->closed_at = SEC(60), t->outage_observed = true, t->recovery_ns = SEC(30);
	t->cluster = OUTCOME_STAYS_FAILED, t->restarts = 3;
	fx_measure(t, 0, true, false, MS(30020), 0, SEC(30));
}

static inline void fixture_full(struct run_record *r)
{
	fx_header(r, "sql-failover");
	r->duration_ns = SEC(61);
	fx_probes(r);
	fx_trials(r);
	r->nslos = 3;
	r->slos = xcalloc(3, sizeof(*r->slos));
	fx_slo(&r->slos[0], "availability", "availability", SLO_PASS, "99.2 % available >= 99 %", 3710, 99.2, 99);
	fx_slo(&r->slos[1], "recovery-p95", "recovery", SLO_FAIL, "p95 recovery 30 s > 15 s", 3, 30e9, 15e9);
	fx_slo(&r->slos[2], "recovery-p99-bound", "recovery", SLO_INCONCLUSIVE,
	       "3 trials are too few for a 95 % bound on p99 (need 299)", 3, NAN, 20e9);
	fx_restore(r, "SQL Server (INST1)", "online", true, "online on node-b");
	fx_restore(r, "SQL Group", "move back to node-a", false, "move refused: code 5023");
	fx_event(r, MS(5010), "SQL Server (INST1)", 4, "node-a");
	fx_event(r, MS(11000), "SQL Server (INST1)", 2, "node-b");
	verdict_judge(r, REASON_PASSED, false); /* fail, slo_failed, exit 1 */
}

static inline void fixture_small(struct run_record *r)
{
	fx_header(r, "tiny");
	r->duration_ns = MS(7500);
	r->nprobes = 1;
	r->probes = xcalloc(1, sizeof(*r->probes));
	r->probes[0] =
	    (struct rec_probe){.name = fx_dup("tcp"), .kind = fx_dup("tcp"), .target = fx_dup("127.0.0.1:1")};
	r->probes[0].checks = 10, r->probes[0].failures = 2, r->probes[0].up_ns = MS(7000),
	r->probes[0].down_ns = MS(500);
	fx_change(&r->probes[0], MS(2000), PROBE_DOWN, "connect: Connection refused");
	struct rec_trial *t = fx_trial(r, "f", 0, "a", "b", TRIAL_RECOVERED);
	t->planned_at = SEC(2), t->injected_at = SEC(2), t->injected_wall = FIXTURE_WALL + SEC(2);
	t->closed_at = MS(2500), t->outage_observed = true, t->recovery_ns = MS(500);
	t->cluster = OUTCOME_FAILOVER, t->failovers = 1;
	fx_measure(t, 0, true, true, MS(2000), MS(2500), MS(500));
	r->nslos = 1;
	r->slos = xcalloc(1, sizeof(*r->slos));
	fx_slo(&r->slos[0], "rec", "recovery", SLO_PASS, "max recovery 500 ms <= 1 s", 1, 5e8, 1e9);
	verdict_judge(r, REASON_PASSED, false);
}

/* Render into a string with fn(r, f, arg); the caller frees it. */
static inline char *fx_render(void (*fn)(const struct run_record *, FILE *, void *), const struct run_record *r,
                              void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(r, f, arg);
	fclose(f);
	return buf;
}

/* A unique temporary file holding text; the caller unlinks and frees the name. */
static inline char *fx_tempfile(const char *text, size_t len)
{
	char *name = xstrdup("/tmp/faultline-report-XXXXXX");
	int fd = mkstemp(name);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
	return name;
}

#endif
