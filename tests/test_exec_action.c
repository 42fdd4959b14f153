/*
 * test_exec_action.c - exec faults and hooks: argv without a shell, the
 * run's context in the environment, timeout, undo at the restore, output
 * in the record (and so in the JSON report), a failing before_run hook.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/run.h"

TestSuite(exec_action, .timeout = 30);

static int run(const char *path, bool virtual_time, struct plan **p, struct run_record *rec)
{
	struct fl_diag d;
	diag_init(&d, path);
	*p = plan_load(path, &d);
	if (*p == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(*p);
	memset(rec, 0, sizeof(*rec));
	struct run_opts opts = {.virtual_time = virtual_time};
	return run_execute(*p, &opts, rec);
}

static const struct rec_exec *exec_named(const struct run_record *rec, const char *name, size_t nth)
{
	for (size_t i = 0; i < rec->nexecs; i++)
		if (strcmp(rec->execs[i].name, name) == 0 && nth-- == 0)
			return &rec->execs[i];
	cr_assert_fail("no exec record \"%s\"", name);
	return NULL;
}

Test(exec_action, commands_get_the_run_context_and_their_output_is_recorded)
{
	struct plan *p;
	struct run_record rec;
	int code = run("tests/data/exec/actions.yaml", true, &p, &rec);
	cr_assert_eq(code, FL_EXIT_SLO, "two exec faults fail on purpose");
	cr_assert_eq(rec.nexecs, 9);
	const struct rec_exec *x = exec_named(&rec, "hook before_run", 0);
	cr_assert_str_eq(x->output, "before exec-actions seed 5 backend sim\n");
	cr_assert_eq(x->started_at, 0);
	x = exec_named(&rec, "fault stop-sql #1", 0);
	cr_assert_str_eq(x->output, "stop SQL Server (MSSQLSERVER) on node-a, trial 1 of stop-sql in exec-actions\n");
	cr_assert_str_eq(x->target, "SQL Server (MSSQLSERVER)");
	cr_assert_eq(x->exit_status, 0);
	cr_assert_eq(x->started_at, 1000000000ULL, "at 1s after a 0s settle");
	x = exec_named(&rec, "fault broken #1", 0);
	cr_assert_eq(x->exit_status, 3);
	cr_assert_str_eq(x->output, "oops\n", "stderr is captured too");
	x = exec_named(&rec, "fault slow #1", 0);
	cr_assert(x->timed_out);
	cr_assert_eq(x->exit_status, -1);
	cr_assert_str_eq(x->error, "timed out after 200ms: killed");
	cr_assert_lt(x->duration_ns, 500000000ULL, "SIGTERM ends it, no SIGKILL grace needed");
	cr_assert_str_eq(exec_named(&rec, "hook after_trial", 0)->output, "after stop-sql #1: recovered\n");
	cr_assert_str_eq(exec_named(&rec, "hook after_trial", 1)->output, "after broken #1: inject_failed\n");
	cr_assert_str_eq(exec_named(&rec, "hook after_trial", 2)->output, "after slow #1: inject_failed\n");
	cr_assert_str_eq(exec_named(&rec, "undo stop-sql #1", 0)->output,
	                 "undo stop-sql #1 for SQL Server (MSSQLSERVER)\n");
	cr_assert_str_eq(exec_named(&rec, "hook after_restore", 0)->output, "restored: ok\n");
	/* Trials: the command's success lets the probes conclude; a failure or a timeout fails the injection. */
	cr_assert_eq(rec.ntrials, 3);
	cr_assert_eq(rec.trials[0].outcome, TRIAL_RECOVERED);
	cr_assert_str_eq(rec.trials[0].action, "exec");
	cr_assert_str_eq(rec.trials[0].node_after, "node-a");
	cr_assert_eq(rec.trials[1].outcome, TRIAL_INJECT_FAILED);
	cr_assert_str_eq(rec.trials[1].error, "exit status 3");
	cr_assert_eq(rec.trials[1].code, 3);
	cr_assert_eq(rec.trials[2].outcome, TRIAL_INJECT_FAILED);
	cr_assert_str_eq(rec.trials[2].error, "timed out after 200ms: killed");
	/* The undo is the restore's first item. */
	cr_assert_str_eq(rec.restores[0].resource, "undo stop-sql #1");
	cr_assert(rec.restores[0].ok);
	cr_assert_str_eq(rec.restores[0].detail, "verified: exit status 0");
	/* The JSON report carries the output. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e;
	cr_assert_eq(report_json_write(&rec, f, &e), 0);
	fclose(f);
	cr_assert_not_null(strstr(buf, "\"output\": \"undo stop-sql #1 for SQL Server (MSSQLSERVER)\\n\""));
	cr_assert_not_null(strstr(buf, "\"name\": \"fault slow #1\""));
	free(buf);
	record_fini(&rec);
	plan_free(p);
}

Test(exec_action, on_a_real_clock_the_trial_waits_for_the_command)
{
	struct plan *p;
	struct run_record rec;
	int code = run("tests/data/exec/realtime.yaml", false, &p, &rec);
	cr_assert_eq(code, FL_EXIT_OK);
	cr_assert_eq(rec.ntrials, 1);
	const struct rec_trial *t = &rec.trials[0];
	cr_assert_eq(t->outcome, TRIAL_RECOVERED);
	cr_assert_geq(t->closed_at - t->injected_at, 300000000ULL, "the command sleeps 0.3 s");
	const struct rec_exec *x = exec_named(&rec, "fault slow-echo #1", 0);
	cr_assert_eq(x->exit_status, 0);
	cr_assert_str_eq(x->output, "done App Server #1\n");
	record_fini(&rec);
	plan_free(p);
}

Test(exec_action, a_failing_before_run_hook_aborts_before_any_injection)
{
	struct plan *p;
	struct run_record rec;
	int code = run("tests/data/exec/before-fails.yaml", true, &p, &rec);
	cr_assert_eq(code, FL_EXIT_ABORTED);
	cr_assert_eq(rec.ntrials, 0);
	cr_assert_str_eq(rec.abort_reason, "hook before_run: exit status 1; nothing was injected");
	cr_assert_eq(rec.reason, REASON_HOOK_FAILED); /* its own reason, not "not steady" */
	cr_assert_str_eq(rec.execs[0].output, "no load generator\n");
	record_fini(&rec);
	plan_free(p);
}

Test(exec_action, plan_errors_are_positioned)
{
	const char *path = "tests/data/exec/invalid.yaml";
	struct fl_diag d;
	diag_init(&d, path);
	cr_assert_null(plan_load(path, &d));
	diag_sort(&d);
	const char *want[] = {"8:5: missing required key \"command\" in fault \"no-command\"",
	                      "9:57: undo only applies to action \"exec\"",
	                      "9:74: command only applies to action \"exec\"",
	                      "10:59: timeout must be greater than 0",
	                      "12:15: expected at least the program to run, got an empty list",
	                      "13:3: unknown key \"after_all\" in hooks"};
	cr_assert_eq(d.n, 6);
	for (size_t i = 0; i < 6; i++) {
		char *m = diag_format(&d, i), exp[512];
		snprintf(exp, sizeof(exp), "%s:%s", path, want[i]);
		cr_assert_str_eq(m, exp);
		free(m);
	}
	diag_fini(&d);
}

Test(exec_action, summary_and_print_describe_commands_and_hooks)
{
	const char *path = "tests/data/exec/actions.yaml";
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	diag_fini(&d);
	cr_assert_not_null(p);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	plan_summary(p, f);
	fclose(f);
	cr_assert_not_null(strstr(buf, "  broken: run `sh -c 'echo oops >&2; exit 3'` (no shell, killed after 1m)\n"));
	cr_assert_not_null(strstr(buf, "  slow: run `sleep 5` (no shell, killed after 200ms)\n"));
	cr_assert_not_null(strstr(buf, "hooks (no shell, each killed after 5s; output in the report):\n"));
	cr_assert_not_null(strstr(buf, "  after the restore: `sh -c 'echo \"restored: $FAULTLINE_RESTORE\"'`\n"));
	free(buf);
	f = open_memstream(&buf, &len);
	plan_print(p, f);
	fclose(f);
	cr_assert_not_null(strstr(buf, "    action: exec\n    at: 0s\n    after: 'broken'\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "    command: ['sleep', '5']\n    timeout: 200ms\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "hooks:\n  before_run: "), "%s", buf);
	free(buf);
	plan_free(p);
}

Test(exec_action, an_aborted_run_kills_its_commands_and_restores_at_once)
{
	struct plan *p;
	struct run_record rec;
	int code = run("tests/data/exec/cut.yaml", false, &p, &rec);
	cr_assert_eq(code, FL_EXIT_ABORTED);
	cr_assert_str_eq(rec.abort_reason, "run deadline of 500ms reached with faults still pending");
	const struct rec_exec *x = exec_named(&rec, "fault long #1", 0);
	cr_assert_str_eq(x->error, "killed: the run ended first");
	cr_assert_not(x->timed_out);
	cr_assert_lt(rec.duration_ns, 5000000000ULL, "not the command's 1m timeout");
	record_fini(&rec);
	plan_free(p);
}
