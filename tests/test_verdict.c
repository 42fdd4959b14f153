/*
 * test_verdict.c - the run's one verdict (verdict.h): how each way a run
 * ends is named, and the SLOs that must not judge what never ran.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "faultline/cmd.h"
#include "faultline/journal.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/run.h"
#include "faultline/util.h"
#include "faultline/verdict.h"
#include "journal_fixture.h"
#include "plan_fixture.h"

struct outcome {
	struct plan *plan;
	struct run_record rec;
	int code;
};

static void run_plan(struct outcome *o, const char *path, struct run_opts opts)
{
	o->plan = plan_load_ok(path);
	memset(&o->rec, 0, sizeof(o->rec));
	o->code = run_execute(o->plan, &opts, &o->rec);
}

static void done(struct outcome *o)
{
	record_fini(&o->rec);
	plan_free(o->plan);
}

TestSuite(verdict, .timeout = 30);

Test(verdict, deadline_abort_is_not_a_pass)
{
	struct outcome o;
	run_plan(&o, "tests/data/verdict/deadline.yaml", (struct run_opts){.virtual_time = true});
	cr_assert_eq(o.code, FL_EXIT_ABORTED);
	cr_assert_eq(o.rec.verdict, VERDICT_ABORTED);
	cr_assert_eq(o.rec.reason, REASON_DEADLINE);
	/* the two trials it ran did pass their SLO; the run as a whole still did not */
	cr_assert_eq(o.rec.slos[0].verdict, SLO_PASS);
	cr_assert_str_eq(o.rec.reason_detail, "run deadline of 1m30s reached with faults still pending");
	done(&o);
}

Test(verdict, unrecovered_trial_is_named_not_an_slo)
{
	struct outcome o;
	run_plan(&o, "tests/data/run/never-recovers.yaml", (struct run_opts){.virtual_time = true});
	cr_assert_eq(o.code, FL_EXIT_SLO);
	cr_assert_eq(o.rec.nslos, 0);
	cr_assert_eq(o.rec.reason, REASON_NOT_RECOVERED);
	cr_assert_str_eq(o.rec.reason_detail, "fail-stuck #1 \"Stuck Service\" did not recover");
	done(&o);
}

Test(verdict, aborted_trial_does_not_fail_expect_or_pass_max_restarts)
{
	struct outcome o;
	struct run_opts opts = {.virtual_time = true, .signal_after_injections = 1, .signal_to_raise = SIGTERM};
	run_plan(&o, "tests/data/verdict/aborted-expect.yaml", opts);
	cr_assert_eq(o.code, FL_EXIT_ABORTED);
	cr_assert_eq(o.rec.ntrials, 1);
	cr_assert_eq(o.rec.trials[0].outcome, TRIAL_ABORTED);
	cr_assert_eq(o.rec.slos[0].verdict, SLO_INCONCLUSIVE, "%s", o.rec.slos[0].detail);
	cr_assert_str_eq(o.rec.slos[0].detail, "no trial on app to check for restart");
	cr_assert_eq(o.rec.slos[1].verdict, SLO_INCONCLUSIVE, "%s", o.rec.slos[1].detail);
	cr_assert_eq(o.rec.slos[1].samples, 0);
	done(&o);
}

Test(verdict, unrecovered_trial_cannot_pass_max_restarts)
{
	struct outcome o;
	run_plan(&o, "tests/data/verdict/unrecovered-restarts.yaml", (struct run_opts){.virtual_time = true});
	cr_assert_eq(o.code, FL_EXIT_SLO);
	cr_assert_eq(o.rec.trials[0].outcome, TRIAL_NOT_RECOVERED);
	cr_assert_eq(o.rec.slos[0].verdict, SLO_INCONCLUSIVE);
	cr_assert_str_eq(o.rec.slos[0].detail,
	                 "at most 0 restart(s) in place per trial on stuck (limit 5, 1 trial(s)); 1 "
	                 "trial(s) did not recover, so their count is a lower bound");
	cr_assert_eq(o.rec.reason, REASON_NOT_RECOVERED);
	done(&o);
}

/*
 * The journal refuses the INTENT (the file may not grow: EFBIG here, ENOSPC
 * on a full disk): nothing is injected and the run is an environment error,
 * not an SLO failure.
 */
Test(verdict, journal_write_failure_is_an_environment_error)
{
	struct plan *p = plan_load_ok("tests/data/run/pass.yaml");
	struct cluster_config cfg;
	plan_cluster_config(p, &cfg);
	/* How large RUN_START is for this plan: the run id has the same length as the engine's. */
	char *scratch = jfx_dir();
	struct fl_err e;
	struct journal *j = journal_open(scratch, &e);
	cr_assert_not_null(j, "%s", e.msg);
	char sha[65];
	memset(sha, 'x', 64);
	sha[64] = '\0';
	char *id = xasprintf("run-%lld-%ld", (long long)wall_now_ns(), (long)getpid());
	cr_assert_not_null(journal_begin(j, id, &cfg, p->path, sha, &e), "%s", e.msg);
	uint64_t start_size = journal_size(j);
	journal_close(j);
	free(id);
	plan_free(p);

	char *dir = jfx_dir();
	j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = start_size + 8, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	struct outcome o;
	run_plan(&o, "tests/data/run/pass.yaml", (struct run_opts){.virtual_time = true, .journal = j});
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	cr_assert_eq(o.code, FL_EXIT_BACKEND);
	cr_assert_eq(o.rec.verdict, VERDICT_ERROR);
	cr_assert_eq(o.rec.reason, REASON_ENVIRONMENT);
	cr_assert_eq(o.rec.ntrials, 1);
	cr_assert_eq(o.rec.trials[0].outcome, TRIAL_INJECT_FAILED);
	cr_assert_eq(strncmp(o.rec.reason_detail, "journal: ", 9), 0, "%s", o.rec.reason_detail);
	cr_assert_not_null(strstr(o.rec.reason_detail, "File too large"), "%s", o.rec.reason_detail);
	done(&o);
	journal_close(j);
	char *rm = xasprintf("rm -rf %s %s", dir, scratch);
	cr_assert_eq(system(rm), 0);
	free(rm), free(dir), free(scratch);
}

Test(verdict, report_without_reason_is_read_by_its_exit_code)
{
	/* A format-1 report from before `reason`: aborted at the deadline, "pass" in its verdict. */
	const char *path = "tests/data/report/small.json";
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	char *buf = xcalloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	char *cut = strstr(buf, "  \"reason\": \"passed\",\n");
	cr_assert_not_null(cut);
	char *end = strstr(cut, "\"exit_code\": 0,\n");
	cr_assert_not_null(end);
	char *old = xasprintf("%.*s\"exit_code\": 3,\n  \"abort_reason\": \"run deadline of 1m reached\",\n%s",
	                      (int)(cut - buf), buf, strstr(end, "\"trials\""));
	(void)n;
	struct run_record r;
	struct fl_err e = {0};
	cr_assert_eq(report_json_parse(old, strlen(old), "old.json", &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.verdict, VERDICT_ABORTED);
	cr_assert_eq(r.reason, REASON_DEADLINE);
	cr_assert_str_eq(r.reason_detail, "run deadline of 1m reached");
	record_fini(&r);
	free(old);
	free(buf);
}

Test(verdict, expect_and_max_restarts_scoped_to_a_fault)
{
	struct outcome o;
	run_plan(&o, "tests/data/verdict/expect-faults.yaml", (struct run_opts){.virtual_time = true});
	cr_assert_eq(o.code, FL_EXIT_OK, "%s", o.rec.reason_detail);
	cr_assert_str_eq(o.rec.slos[0].detail, "all 1 trial(s) on app: restart");
	cr_assert_str_eq(o.rec.slos[1].detail, "all 1 trial(s) on app: failover to a node matching ^node-b$");
	cr_assert_str_eq(o.rec.slos[2].detail, "at most 0 restart(s) in place per trial on app (limit 0, 1 trial(s))");
	done(&o);
}

Test(verdict, precedence_restore_then_stop_then_trials)
{
	struct run_record r;
	memset(&r, 0, sizeof(r));
	struct rec_restore *rs = record_add_restore(&r);
	rs->resource = xstrdup("SQL Server");
	rs->ok = false;
	rs->detail = xstrdup("NOT RESTORED: failed on node-a");
	r.abort_reason = xstrdup("guard abort_when: probe sql-port down for 30s");
	verdict_judge(&r, REASON_GUARD, true);
	cr_assert_eq(r.verdict, VERDICT_ERROR);
	cr_assert_eq(r.exit_code, FL_EXIT_BACKEND);
	cr_assert_str_eq(verdict_reason_str(r.reason), "restore_failed");
	cr_assert_str_eq(r.reason_detail, "\"SQL Server\": NOT RESTORED: failed on node-a");
	verdict_judge(&r, REASON_GUARD, false);
	cr_assert_eq(r.verdict, VERDICT_ABORTED);
	cr_assert_eq(r.exit_code, FL_EXIT_ABORTED);
	cr_assert_str_eq(r.reason_detail, "guard abort_when: probe sql-port down for 30s");
	record_fini(&r);
}
