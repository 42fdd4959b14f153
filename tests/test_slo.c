/*
 * test_slo.c - slo_judge at the limits of every SLO kind: a figure exactly
 * at its limit passes and one step past it fails (1 ns for recovery, one
 * restart, a hundredth of a point of availability), so an off-by-one in a
 * comparison or a shifted limit cannot pass unnoticed. Plans and records are
 * built by hand: no run, no clock.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/run/run_int.h"
#include "faultline/clock.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/regex.h"
#include "faultline/stats.h"
#include "faultline/util.h"

#define SEC(n)     ((uint64_t)(n)*NSEC_PER_SEC)
#define MAX_TRIALS 32

struct bench {
	struct plan plan;
	struct plan_slo slo;
	struct plan_fault fault;
	struct run_record rec;
	struct rec_trial trials[MAX_TRIALS];
	struct rec_measure measures[MAX_TRIALS];
	struct rec_probe probe;
};

/* One SLO of `kind` on probe "p" (index 0) and selector "sql" (index 0), one fault targeting "sql". */
static void setup(struct bench *b, enum plan_slo_kind kind)
{
	memset(b, 0, sizeof(*b));
	b->slo.name = "s";
	b->slo.kind = kind;
	b->slo.probe = "p";
	b->slo.target = "sql";
	b->plan.slos = &b->slo;
	b->plan.nslos = 1;
	b->plan.faults = &b->fault;
	b->plan.nfaults = 1;
	b->rec.trials = b->trials;
	b->rec.probes = &b->probe;
	b->rec.nprobes = 1;
}

static struct rec_trial *add_trial(struct bench *b, enum trial_outcome outcome)
{
	cr_assert_lt(b->rec.ntrials, MAX_TRIALS);
	size_t i = b->rec.ntrials++;
	struct rec_trial *t = &b->trials[i];
	t->index = (unsigned)i;
	t->fault_name = "f";
	t->resource = "R";
	t->outcome = outcome;
	t->measures = &b->measures[i];
	t->nmeasures = 1;
	return t;
}

/* A trial whose probe measured `ns` of recovery (recovered = false: it never came back). */
static void add_recovery(struct bench *b, uint64_t ns, bool recovered)
{
	struct rec_trial *t = add_trial(b, recovered ? TRIAL_RECOVERED : TRIAL_NOT_RECOVERED);
	t->measures->recovered = recovered;
	t->measures->recovery_ns = ns;
}

static const struct rec_slo *judge(struct bench *b)
{
	slo_judge(&b->plan, &b->rec);
	cr_assert_eq(b->rec.nslos, 1);
	return &b->rec.slos[0];
}

/* Free what slo_judge made (the rest of the record is the bench's own storage). */
static void done(struct bench *b)
{
	for (size_t i = 0; i < b->rec.nslos; i++) {
		free(b->rec.slos[i].name);
		free(b->rec.slos[i].kind);
		free(b->rec.slos[i].detail);
	}
	free(b->rec.slos);
	b->rec.slos = NULL;
	b->rec.nslos = 0;
}

/* Judge b as it stands and keep only the verdict. */
static enum slo_verdict judge_verdict(struct bench *b)
{
	enum slo_verdict v = judge(b)->verdict;
	done(b);
	return v;
}

Test(slo_recovery, max_exactly_at_the_limit_passes)
{
	struct bench b;
	setup(&b, SLO_RECOVERY);
	b.slo.recovery.max_ns = SEC(2);
	add_recovery(&b, SEC(1), true);
	add_recovery(&b, SEC(2), true);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_PASS, "%s", s->detail);
	cr_assert_str_eq(s->kind, "recovery");
	cr_assert_str_eq(s->detail, "max 2.000 s <= 2.000 s over 2 trial(s) on probe p");
	cr_assert_eq(s->samples, 2);
	cr_assert_eq(s->observed, (double)SEC(2));
	cr_assert_eq(s->limit, (double)SEC(2));
	done(&b);
}

Test(slo_recovery, max_one_nanosecond_over_fails)
{
	struct bench b;
	setup(&b, SLO_RECOVERY);
	b.slo.recovery.max_ns = SEC(2);
	add_recovery(&b, SEC(2) + 1, true);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_FAIL, "%s", s->detail);
	cr_assert_eq(s->observed, (double)(SEC(2) + 1));
	cr_assert_str_eq(s->detail, "max 2.000 s > 2.000 s over 1 trial(s) on probe p");
	done(&b);
}

/* Trials 1..10 s: nearest rank puts p50 at 5 s, p90 at 9 s, p95 and p99 at 10 s. */
Test(slo_recovery, every_percentile_at_its_limit_passes_and_one_ns_below_fails)
{
	static const struct {
		size_t field;
		uint64_t at;
	} cases[] = {
	    {offsetof(struct plan_recovery, p50_ns), SEC(5)},  {offsetof(struct plan_recovery, p90_ns), SEC(9)},
	    {offsetof(struct plan_recovery, p95_ns), SEC(10)}, {offsetof(struct plan_recovery, p99_ns), SEC(10)},
	    {offsetof(struct plan_recovery, max_ns), SEC(10)},
	};
	struct bench b;
	setup(&b, SLO_RECOVERY);
	for (unsigned i = 1; i <= 10; i++)
		add_recovery(&b, SEC(i), true);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint64_t *limit = (uint64_t *)((char *)&b.slo.recovery + cases[i].field);
		*limit = cases[i].at;
		cr_expect_eq(judge_verdict(&b), SLO_PASS, "case %zu at its limit", i);
		*limit = cases[i].at - 1;
		cr_expect_eq(judge_verdict(&b), SLO_FAIL, "case %zu one ns below", i);
		*limit = 0;
	}
}

Test(slo_recovery, a_trial_that_never_recovered_fails_every_limit)
{
	struct bench b;
	setup(&b, SLO_RECOVERY);
	b.slo.recovery.max_ns = SEC(3600);
	add_recovery(&b, SEC(1), true);
	add_recovery(&b, 0, false);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_FAIL);
	cr_assert_str_eq(s->detail, "max never > 1h 00m over 2 trial(s) on probe p");
	done(&b);
}

Test(slo_recovery, refused_injections_are_no_samples)
{
	struct bench b;
	setup(&b, SLO_RECOVERY);
	b.slo.recovery.max_ns = SEC(1);
	add_trial(&b, TRIAL_INJECT_FAILED);
	add_trial(&b, TRIAL_ABORTED);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_INCONCLUSIVE);
	cr_assert_str_eq(s->detail, "no trial measured recovery on probe p");
	cr_assert_eq(s->samples, 0);
	done(&b);
}

Test(slo_recovery, too_few_trials_for_the_confidence_is_inconclusive)
{
	struct bench b;
	setup(&b, SLO_RECOVERY);
	b.slo.recovery.p90_ns = SEC(10);
	b.slo.recovery.confidence = 0.9;
	for (unsigned i = 0; i < 3; i++)
		add_recovery(&b, SEC(1), true);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_INCONCLUSIVE, "%s", s->detail);
	cr_assert_str_eq(s->detail,
	                 "p90: 3 trials cannot bound it at 90% confidence (need 22) over 3 trial(s) on probe p");
	done(&b);
}

/* With confidence the limit applies to the bound's order statistic, still inclusively. */
Test(slo_recovery, confidence_bound_at_the_limit_passes)
{
	struct bench b;
	setup(&b, SLO_RECOVERY);
	b.slo.recovery.confidence = 0.9;
	for (unsigned i = 1; i <= 30; i++)
		add_recovery(&b, SEC(i), true);
	size_t k = stats_upper_bound_rank(30, 0.5, 0.9);
	cr_assert_gt(k, 0);
	b.slo.recovery.p50_ns = SEC(k);
	cr_assert_eq(judge_verdict(&b), SLO_PASS);
	b.slo.recovery.p50_ns = SEC(k) - 1;
	cr_assert_eq(judge_verdict(&b), SLO_FAIL);
}

/* Up 99 s of 100 s probed: 99 %. */
static void probed(struct bench *b, uint64_t up_ns, uint64_t down_ns)
{
	b->probe.up_ns = up_ns;
	b->probe.down_ns = down_ns;
	b->probe.checks = 100;
}

Test(slo_availability, exactly_at_the_target_passes)
{
	struct bench b;
	setup(&b, SLO_AVAILABILITY);
	b.slo.availability = 99.0;
	probed(&b, SEC(99), SEC(1));
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_PASS, "%s", s->detail);
	cr_assert_str_eq(s->kind, "availability");
	cr_assert_str_eq(s->detail, "p up 99.000% of 1m 40.0 s probed (>= 99.000%)");
	cr_assert_eq(s->samples, 100);
	done(&b);
}

Test(slo_availability, a_hundredth_of_a_point_under_fails)
{
	struct bench b;
	setup(&b, SLO_AVAILABILITY);
	b.slo.availability = 99.0;
	probed(&b, SEC(99) - 10 * NSEC_PER_MSEC, SEC(1) + 10 * NSEC_PER_MSEC);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_FAIL, "%s", s->detail);
	cr_assert_str_eq(s->detail, "p up 98.990% of 1m 40.0 s probed (< 99.000%)");
	done(&b);
}

Test(slo_availability, a_long_outage_fails_with_the_figures)
{
	struct bench b;
	setup(&b, SLO_AVAILABILITY);
	b.slo.availability = 99.9;
	probed(&b, SEC(90), SEC(10));
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_FAIL);
	cr_assert_float_eq(s->observed, 90.0, 1e-9);
	cr_assert_float_eq(s->limit, 99.9, 1e-9);
	cr_assert_str_eq(s->detail, "p up 90.000% of 1m 40.0 s probed (< 99.900%)");
	done(&b);
}

Test(slo_availability, probe_errors_make_a_pass_inconclusive)
{
	struct bench b;
	setup(&b, SLO_AVAILABILITY);
	b.slo.availability = 99.0;
	probed(&b, SEC(100), 0);
	b.probe.error_ns = SEC(1);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_INCONCLUSIVE);
	cr_assert_str_eq(s->detail, "p up 100.000% of 1m 40.0 s probed (>= 99.000%); the probe also had errors, so the "
	                            "figure is not trusted");
	done(&b);
}

Test(slo_availability, never_probed_is_inconclusive)
{
	struct bench b;
	setup(&b, SLO_AVAILABILITY);
	b.slo.availability = 99.0;
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_INCONCLUSIVE);
	cr_assert_str_eq(s->detail, "probe p was never up or down");
	done(&b);
}

static void add_outcome(struct bench *b, enum cluster_outcome o, const char *node)
{
	struct rec_trial *t = add_trial(b, TRIAL_RECOVERED);
	t->cluster = o;
	t->node_after = (char *)node;
}

Test(slo_expect, every_trial_restarting_passes)
{
	struct bench b;
	setup(&b, SLO_EXPECT);
	b.slo.expect = EXPECT_RESTART;
	add_outcome(&b, OUTCOME_RESTART, "n1");
	add_outcome(&b, OUTCOME_RESTART, "n1");
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_PASS);
	cr_assert_str_eq(s->detail, "all 2 trial(s) on sql: restart");
	done(&b);
}

Test(slo_expect, one_failover_among_restarts_fails_naming_it)
{
	struct bench b;
	setup(&b, SLO_EXPECT);
	b.slo.expect = EXPECT_RESTART;
	add_outcome(&b, OUTCOME_RESTART, "n1");
	add_outcome(&b, OUTCOME_FAILOVER, "n2");
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_FAIL);
	cr_assert_str_eq(s->detail, "1 of 2 trial(s) on sql were not restart; first: f #2 \"R\" ended failover on n2");
	done(&b);
}

Test(slo_expect, failover_to_a_node_the_regex_refuses_fails)
{
	struct bench b;
	setup(&b, SLO_EXPECT);
	b.slo.expect = EXPECT_FAILOVER;
	char err[128];
	size_t off;
	b.slo.to = regex_compile("^n[23]$", &off, err, sizeof(err));
	cr_assert_not_null(b.slo.to, "%s", err);
	add_outcome(&b, OUTCOME_FAILOVER, "n2");
	cr_assert_eq(judge_verdict(&b), SLO_PASS);
	add_outcome(&b, OUTCOME_FAILOVER, "n4");
	cr_assert_eq(judge_verdict(&b), SLO_FAIL);
	regex_free(b.slo.to);
}

Test(slo_expect, no_trial_on_the_target_is_inconclusive)
{
	struct bench b;
	setup(&b, SLO_EXPECT);
	b.slo.expect = EXPECT_STAYS_FAILED;
	b.slo.target_idx = 1; /* the only fault targets selector 0 */
	add_outcome(&b, OUTCOME_STAYS_FAILED, NULL);
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_INCONCLUSIVE);
	cr_assert_str_eq(s->detail, "no trial on sql to check for stays_failed");
	done(&b);
}

Test(slo_max_restarts, at_the_limit_passes_one_more_fails)
{
	struct bench b;
	setup(&b, SLO_MAX_RESTARTS);
	b.slo.max_restarts = 2;
	add_trial(&b, TRIAL_RECOVERED)->restarts = 1;
	struct rec_trial *worst = add_trial(&b, TRIAL_RECOVERED);
	worst->restarts = 2;
	const struct rec_slo *s = judge(&b);
	cr_assert_eq(s->verdict, SLO_PASS);
	cr_assert_str_eq(s->detail, "at most 2 restart(s) in place per trial on sql (limit 2, 2 trial(s))");
	done(&b);
	worst->restarts = 3;
	s = judge(&b);
	cr_assert_eq(s->verdict, SLO_FAIL);
	cr_assert_eq(s->observed, 3.0);
	done(&b);
}
