/*
 * test_run_steady.c - steady state after the restore: the probes must be
 * up again within run.steady_state, or the run fails naming the probe.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"

TestSuite(run_steady, .timeout = 30);

static int run_virtual(const char *path, struct plan **p, struct run_record *rec)
{
	struct fl_diag d;
	diag_init(&d, path);
	*p = plan_load(path, &d);
	if (*p == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(*p);
	memset(rec, 0, sizeof(*rec));
	struct run_opts opts = {.virtual_time = true};
	return run_execute(*p, &opts, rec);
}

Test(run_steady, a_probe_still_down_after_the_restore_fails_the_run)
{
	struct plan *p;
	struct run_record rec;
	int code = run_virtual("tests/data/steady/not-steady.yaml", &p, &rec);
	cr_assert_eq(code, FL_EXIT_SLO);
	cr_assert_eq(rec.verdict, SLO_FAIL);
	/* The restore verified App Server Online at 12 s; its port answers only 5 min after the restart. */
	cr_assert_eq(rec.nrestores, 1);
	cr_assert(rec.restores[0].ok);
	cr_assert_eq(rec.nslos, 1);
	cr_assert_str_eq(rec.slos[0].name, "steady-after-restore");
	cr_assert_str_eq(rec.slos[0].kind, "steady_state");
	cr_assert_eq(rec.slos[0].verdict, SLO_FAIL);
	cr_assert_str_eq(rec.slos[0].detail, "not steady after restore: probe app-port is not up after 30s (connect: "
	                                     "Connection refused (simulated: \"App Server\" is Online, its service "
	                                     "not ready yet))");
	cr_assert_eq(rec.duration_ns, 42 * NSEC_PER_SEC, "12 s of run, then 30 s of waiting");
	record_fini(&rec);
	plan_free(p);
}

Test(run_steady, probes_up_after_the_restore_add_nothing)
{
	struct plan *p;
	struct run_record rec;
	int code = run_virtual("plans/sql-node-crash.yaml", &p, &rec);
	cr_assert_eq(code, FL_EXIT_OK);
	cr_assert_eq(rec.nslos, 2, "the plan's own two SLOs, no steady-after-restore row");
	record_fini(&rec);
	plan_free(p);
}
