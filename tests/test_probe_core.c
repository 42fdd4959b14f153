/*
 * test_probe_core.c - cadence, thresholds, deadline and history of the probe
 * core, in virtual time with a scripted kind, so every time is exact.
 */
#include <criterion/criterion.h>

#include "faultline/util.h"
#include "probe_fixture.h"

/* The scripted kind: check i answers script[i] at once ('o' ok, 'f' fail, 'e' error) or never ('h'). */
struct script {
	const char *s;
	size_t next;
	unsigned cancels;
};

static void script_start(struct probe *p)
{
	struct script *sc = p->ctx;
	char c = sc->s[sc->next] ? sc->s[sc->next++] : 'o';
	char reason[32];
	snprintf(reason, sizeof(reason), "scripted %zu", sc->next);
	if (c == 'o')
		probe_check_done(p, CHECK_OK, NULL);
	else if (c == 'f')
		probe_check_done(p, CHECK_FAIL, reason);
	else if (c == 'e')
		probe_check_done(p, CHECK_ERROR, reason);
}

static void script_cancel(struct probe *p)
{
	struct script *sc = p->ctx;
	sc->cancels++;
}

static int script_init(struct probe *p, struct fl_err *e)
{
	(void)p;
	(void)e;
	return 0;
}

static void script_fini(struct probe *p)
{
	(void)p;
}

static const struct probe_ops script_ops = {
    .name = "script", .init = script_init, .start = script_start, .cancel = script_cancel, .fini = script_fini};

/* interval 1 s, fast 100 ms, timeout 50 ms, on a virtual clock at 0. */
static void setup_script(struct pf *f, struct script *sc, const char *s)
{
	pf_setup(f, true, &probe_tcp_ops);
	f->cfg.interval_ns = MS(1000);
	f->cfg.fast_interval_ns = MS(100);
	f->cfg.timeout_ns = MS(50);
	memset(sc, 0, sizeof(*sc));
	sc->s = s;
	cr_assert_eq(pf_init(f, &script_ops, sc), 0);
}

static void expect_starts(const struct pf *f, const uint64_t *ms, size_t n)
{
	cr_assert_geq(f->nchecks, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(f->checks[i].started, MS(ms[i]), "check %zu started at %llu ns", i,
		             (unsigned long long)f->checks[i].started);
}

static void expect_change(const struct pf *f, size_t i, enum probe_status from, enum probe_status to, uint64_t at_ms,
                          const char *reason)
{
	cr_assert_gt(f->nchanges, i);
	const struct pf_change *c = &f->changes[i];
	cr_expect_eq(c->from, from, "change %zu", i);
	cr_expect_eq(c->to, to, "change %zu", i);
	cr_expect_eq(c->at, MS(at_ms), "change %zu at %llu ns", i, (unsigned long long)c->at);
	cr_expect_str_eq(c->reason, reason, "change %zu", i);
}

Test(probe_core, three_failures_needed_and_outage_starts_at_the_first)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "offfo");
	f.cfg.failures = 3;
	probe_start(&f.p);
	clock_advance(f.clk, MS(3500), 100);
	/* Up: steady cadence; down: fast cadence. */
	expect_starts(&f, (uint64_t[]){0, 1000, 2000, 3000, 3100}, 5);
	cr_expect_eq(f.nchecks, 5); /* up again: back to the steady cadence */
	cr_expect_eq(f.nchanges, 3);
	expect_change(&f, 0, PROBE_UNKNOWN, PROBE_UP, 0, "");
	expect_change(&f, 1, PROBE_UP, PROBE_DOWN, 1000, "scripted 4");
	expect_change(&f, 2, PROBE_DOWN, PROBE_UP, 3100, "");
	pf_teardown(&f);
}

Test(probe_core, two_failures_then_success_is_no_outage)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "offoff");
	f.cfg.failures = 3;
	probe_start(&f.p);
	clock_advance(f.clk, MS(5500), 100);
	cr_expect_eq(f.nchecks, 6);
	cr_expect_eq(f.nchanges, 1);
	cr_expect_eq(f.p.status, PROBE_UP);
	cr_expect_eq(f.p.streak_fail, 2);
	pf_teardown(&f);
}

Test(probe_core, two_successes_needed_to_recover)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "ffooo");
	f.cfg.successes = 2;
	probe_start(&f.p);
	clock_advance(f.clk, MS(350), 100);
	expect_starts(&f, (uint64_t[]){0, 100, 200, 300}, 4);
	cr_expect_eq(f.nchanges, 2);
	expect_change(&f, 0, PROBE_UNKNOWN, PROBE_DOWN, 0, "scripted 1");
	/* Recovery is the deciding check's end. */
	expect_change(&f, 1, PROBE_DOWN, PROBE_UP, 300, "");
	pf_teardown(&f);
}

Test(probe_core, fast_cadence_switch)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "");
	probe_start(&f.p);
	clock_advance(f.clk, MS(500), 100);
	cr_expect_eq(probe_cadence(&f.p), MS(1000));
	probe_set_fast(&f.p, true); /* the next tick (1 s) is later than now + fast: check at once */
	cr_expect_eq(probe_cadence(&f.p), MS(100));
	clock_advance(f.clk, MS(750), 100);
	probe_set_fast(&f.p, false);
	clock_advance(f.clk, MS(2000), 100);
	expect_starts(&f, (uint64_t[]){0, 500, 600, 700, 1700}, 5);
	cr_expect_eq(f.nchecks, 5);
	pf_teardown(&f);
}

Test(probe_core, deadline_cancels_and_fails)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "ho");
	probe_start(&f.p);
	clock_advance(f.clk, MS(120), 100);
	cr_expect_eq(sc.cancels, 1);
	cr_assert_eq(f.nchecks, 2);
	cr_expect_eq(f.checks[0].r, CHECK_FAIL);
	cr_expect_eq(f.checks[0].finished, MS(50));
	cr_expect_str_eq(f.checks[0].reason, "no answer within 50 ms");
	/* Fixed rate from the start of the hung check, at the fast cadence while down. */
	cr_expect_eq(f.checks[1].started, MS(100));
	expect_change(&f, 0, PROBE_UNKNOWN, PROBE_DOWN, 0, "no answer within 50 ms");
	expect_change(&f, 1, PROBE_DOWN, PROBE_UP, 100, "");
	pf_teardown(&f);
}

Test(probe_core, error_is_not_an_outage)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "oeo");
	f.cfg.failures = 1;
	struct rec_probe rec = {0};
	f.p.rec = &rec;
	probe_start(&f.p);
	clock_advance(f.clk, MS(2500), 100);
	expect_change(&f, 0, PROBE_UNKNOWN, PROBE_UP, 0, "");
	expect_change(&f, 1, PROBE_UP, PROBE_ERROR, 1000, "scripted 2");
	expect_change(&f, 2, PROBE_ERROR, PROBE_UP, 2000, "");
	cr_expect_eq(rec.checks, 3);
	cr_expect_eq(rec.failures, 0);
	cr_expect_eq(rec.errors, 1);
	probe_account(&f.p, MS(2500));
	cr_expect_eq(rec.up_ns, MS(1500));
	cr_expect_eq(rec.error_ns, MS(1000));
	cr_expect_eq(rec.down_ns, 0);
	for (size_t i = 0; i < rec.nchanges; i++)
		free(rec.changes[i].reason);
	free(rec.changes);
	pf_teardown(&f);
}

Test(probe_core, check_now_is_off_cadence_and_repeats_after_a_check_in_flight)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "ohooo");
	probe_start(&f.p);
	clock_advance(f.clk, MS(300), 100);
	probe_check_now(&f.p); /* at 300: check 2 hangs */
	clock_advance(f.clk, MS(320), 100);
	probe_check_now(&f.p); /* in flight: noted, and checked again the moment it ends */
	clock_advance(f.clk, MS(1000), 100);
	/* check 2 times out at 350 and check 3 starts at once, not at 350 + the fast cadence */
	expect_starts(&f, (uint64_t[]){0, 300, 350}, 3);
	cr_expect_eq(f.nchecks, 3);
	cr_expect_eq(sc.cancels, 1);
	pf_teardown(&f);
}

Test(probe_core, stop_cancels_the_check_in_flight)
{
	struct pf f;
	struct script sc;
	setup_script(&f, &sc, "h");
	probe_start(&f.p);
	cr_expect_eq(clock_advance(f.clk, MS(10), 100), 1);
	cr_expect(f.p.in_flight);
	probe_stop(&f.p);
	cr_expect_eq(sc.cancels, 1);
	cr_expect_eq(clock_next_deadline(f.clk), CLOCK_NEVER);
	cr_expect_eq(f.nchecks, 0);
	pf_teardown(&f);
}

/* The hunting kind: fails until `opens` (the service starts listening), records every start. */
struct hunt_svc {
	uint64_t opens;
	uint64_t *starts;
	size_t n, cap;
};

static void hunt_start(struct probe *p)
{
	struct hunt_svc *h = p->ctx;
	uint64_t now = clock_now(p->clk);
	XGROW(h->starts, h->cap, h->n + 1);
	h->starts[h->n++] = now;
	probe_check_done(p, now >= h->opens ? CHECK_OK : CHECK_FAIL, now >= h->opens ? NULL : "refused");
}

static const struct probe_ops hunt_ops = {
    .name = "hunt", .init = script_init, .start = hunt_start, .cancel = script_cancel, .fini = script_fini};

Test(probe_core, hunt_gap_schedule)
{
	cr_expect_eq(probe_hunt_gap(0, MS(20)), 1500000);
	cr_expect_eq(probe_hunt_gap(MS(3072), MS(20)), 1500000, "1.5 ms for the first 3.072 s");
	cr_expect_eq(probe_hunt_gap(MS(3074), MS(20)), 1500976);
	cr_expect_eq(probe_hunt_gap(MS(4096), MS(20)), MS(2), "then 1/2048 of the time elapsed");
	cr_expect_eq(probe_hunt_gap(MS(20480), MS(20)), MS(10));
	cr_expect_eq(probe_hunt_gap(MS(40960), MS(20)), MS(20));
	cr_expect_eq(probe_hunt_gap(MS(60000), MS(20)), MS(20), "never slower than the fast cadence");
	cr_expect_eq(probe_hunt_gap(0, MS(1)), MS(1), "nor than a fast cadence under 1.5 ms");
}

Test(probe_core, grid_align_batches_steady_checks)
{
	/* 1 s cadence: a grid of 15.625 ms; a check is moved later onto it, never earlier. */
	cr_expect_eq(probe_grid_align(MS(2000), MS(1000)), MS(2000));
	cr_expect_eq(probe_grid_align(MS(2000) + 7, MS(1000)), 2015625000ULL);
	cr_expect_eq(probe_grid_align(MS(2015), MS(1000)), 2015625000ULL);
	/* Two probes started 3 ms apart share a wake. */
	cr_expect_eq(probe_grid_align(MS(1001) + MS(1000), MS(1000)), probe_grid_align(MS(1004) + MS(1000), MS(1000)));
	/* A grid under 100 us saves nothing: exact. */
	cr_expect_eq(probe_grid_align(MS(3) + 123, MS(5)), MS(3) + 123);
}

/* interval 1 s, fast 20 ms; down from the start; the cluster says Online at 100 ms, the service answers at `opens`. */
static void hunt_run(struct pf *f, struct hunt_svc *h, uint64_t opens, uint64_t until)
{
	pf_setup(f, true, &probe_tcp_ops);
	f->cfg.interval_ns = MS(1000);
	f->cfg.fast_interval_ns = MS(20);
	f->cfg.timeout_ns = MS(10);
	memset(h, 0, sizeof(*h));
	h->opens = opens;
	cr_assert_eq(pf_init(f, &hunt_ops, h), 0);
	probe_start(&f->p);
	clock_advance(f->clk, MS(100), 1000); /* checks at 0, 20, ..., 100 */
	cr_assert_eq(f->p.status, PROBE_DOWN);
	probe_hunt(&f->p, MS(100));
	clock_advance(f->clk, until, 100000);
}

Test(probe_core, hunt_finds_the_service_within_the_burst_gap)
{
	struct pf f;
	struct hunt_svc h;
	hunt_run(&f, &h, MS(2100) + 300000, MS(3000)); /* answers 2.0003 s after Online */
	/* 0, 20, 40, 60, 80, 100 at the fast cadence; then every 1.5 ms from 100 ms on. */
	cr_assert_geq(h.n, 10);
	uint64_t want[] = {0, MS(20), MS(40), MS(60), MS(80), MS(100), 101500000, MS(103), 104500000, MS(106)};
	for (size_t i = 0; i < 10; i++)
		cr_expect_eq(h.starts[i], want[i], "check %zu at %llu", i, (unsigned long long)h.starts[i]);
	/* The first check at or after 2100.3 ms: 100 + 1.5 * 1334 = 2101 ms, the 1335th of the hunt. */
	cr_assert_eq(f.p.status, PROBE_UP);
	cr_expect_eq(f.changes[f.nchanges - 1].at, MS(2101));
	cr_expect_eq(f.changes[f.nchanges - 1].to, PROBE_UP);
	cr_expect_eq(h.starts[5 + 1334], MS(2101));
	/* Found: the hunt is over and the steady cadence is back (1 s from the last start). */
	cr_expect_not(f.p.hunting);
	cr_expect_eq(h.n, 5 + 1335 + 0, "no check after 2101 ms until 3101 ms");
	clock_advance(f.clk, MS(3101), 1000);
	cr_expect_eq(h.starts[h.n - 1], MS(3101));
	free(h.starts);
	pf_teardown(&f);
}

Test(probe_core, hunt_backs_off_after_the_burst)
{
	struct pf f;
	struct hunt_svc h;
	hunt_run(&f, &h, MS(60000), MS(50000));
	/* Every gap is the schedule's for the time elapsed since Online at the previous start. */
	for (size_t i = 6; i < h.n; i++)
		cr_assert_eq(h.starts[i] - h.starts[i - 1], probe_hunt_gap(h.starts[i - 1] - MS(100), MS(20)),
		             "gap before check %zu", i);
	/* 2,049 checks in the burst (100 .. 3172 ms), then about 2048 ln(41.04 / 3.072) to reach 20 ms at 41.04 s,
	 * then 20 ms apart until 50 s. */
	size_t burst = 0, fast = 0;
	for (size_t i = 5; i < h.n; i++) {
		burst += h.starts[i] <= MS(3172);
		fast += i > 5 && h.starts[i] - h.starts[i - 1] == MS(20);
	}
	cr_expect_eq(burst, 2049);
	cr_expect(h.n > 5 + 2049 + 5300 && h.n < 5 + 2049 + 5320 + 460, "%zu checks", h.n);
	cr_expect(fast > 440 && fast < 450, "%zu checks at the fast cadence", fast);
	free(h.starts);
	pf_teardown(&f);
}

Test(probe_core, hunt_is_not_started_while_up_and_stops_on_request)
{
	struct pf f;
	struct hunt_svc h;
	pf_setup(&f, true, &probe_tcp_ops);
	f.cfg.interval_ns = MS(1000);
	f.cfg.fast_interval_ns = MS(20);
	f.cfg.timeout_ns = MS(10);
	memset(&h, 0, sizeof(h));
	cr_assert_eq(pf_init(&f, &hunt_ops, &h), 0);
	probe_start(&f.p);
	clock_advance(f.clk, 0, 100); /* the service answers from 0: Up at once */
	cr_assert_eq(f.p.status, PROBE_UP);
	probe_hunt(&f.p, 0);
	cr_expect_not(f.p.hunting, "Up with no failure: nothing to hunt");
	h.opens = MS(100000);
	clock_advance(f.clk, MS(1000), 100); /* the check at 1 s fails: Down */
	cr_assert_eq(f.p.status, PROBE_DOWN);
	probe_hunt(&f.p, MS(1000));
	clock_advance(f.clk, MS(1006), 100);
	probe_hunt_stop(&f.p);
	clock_advance(f.clk, MS(1050), 100);
	/* 1000 (fails), 1001.5, 1003, 1004.5, 1006 hunting; then the fast cadence from 1006. */
	uint64_t want[] = {0, MS(1000), 1001500000, MS(1003), 1004500000, MS(1006), MS(1026), MS(1046)};
	cr_assert_eq(h.n, 8);
	for (size_t i = 0; i < 8; i++)
		cr_expect_eq(h.starts[i], want[i], "check %zu at %llu", i, (unsigned long long)h.starts[i]);
	free(h.starts);
	pf_teardown(&f);
}
