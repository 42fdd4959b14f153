/*
 * test_consistency.c - one run, every output, one story. For each outcome
 * a real run (on the simulator in virtual time where it can be) is
 * rendered as JSON, terminal summary, JUnit, HTML and the agent's metrics, and
 * all of them must state the same verdict, reason and exit code.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/journal.h"
#include "faultline/metrics.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/run.h"
#include "faultline/util.h"
#include "faultline/verdict.h"
#include "journal_fixture.h"

struct expect {
	int exit_code;
	const char *verdict; /* JSON */
	const char *reason;  /* JSON */
	const char *line;    /* the terminal verdict line, up to the detail */
};

static char *render(const struct run_record *rec, int (*fn)(const struct run_record *, FILE *, struct fl_err *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e = {0};
	cr_assert_eq(fn(rec, f, &e), 0, "%s", e.msg);
	fclose(f);
	return buf;
}

static char *text_of(const struct run_record *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text_write(rec, f, false);
	fclose(f);
	return buf;
}

/* The agent's view: the final event line turned into metrics. */
static char *metrics_of(const struct run_record *rec)
{
	char *line = NULL, *out = NULL;
	size_t len = 0, olen = 0;
	FILE *f = open_memstream(&line, &len);
	run_events_verdict(f, rec);
	fclose(f);
	struct metrics *m = metrics_new();
	metrics_note_verdict(m, rec->plan_name, line);
	f = open_memstream(&out, &olen);
	metrics_render(m, f);
	fclose(f);
	metrics_free(m);
	free(line);
	return out;
}

static size_t junit_count(const char *xml, const char *attr)
{
	char *key = xasprintf(" %s=\"", attr);
	const char *p = strstr(xml, key);
	cr_assert_not_null(p, "no %s in %s", attr, xml);
	size_t n = strtoul(p + strlen(key), NULL, 10);
	free(key);
	return n;
}

static void check_outputs(const struct run_record *rec, int code, const struct expect *x)
{
	cr_assert_eq(code, x->exit_code, "exit code of %s", rec->plan_name);
	cr_assert_eq(rec->exit_code, x->exit_code);

	char *js = render(rec, report_json_write);
	json_t *j = json_loads(js, 0, NULL);
	cr_assert_not_null(j);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), x->verdict, "%s", js);
	cr_assert_str_eq(json_string_value(json_object_get(j, "reason")), x->reason, "%s", js);
	cr_assert_eq(json_integer_value(json_object_get(j, "exit_code")), x->exit_code);

	char *txt = text_of(rec);
	cr_assert_not_null(strstr(txt, x->line), "want \"%s\" in:\n%s", x->line, txt);

	char *xml = render(rec, report_junit_write);
	size_t bad = junit_count(xml, "failures") + junit_count(xml, "errors");
	cr_assert_eq(bad == 0, x->exit_code == 0, "failures+errors %zu for exit %d:\n%s", bad, x->exit_code, xml);
	cr_assert_eq(junit_count(xml, "skipped"), 0, "only a dry run skips:\n%s", xml);
	const char *tag = strcmp(x->verdict, "pass") == 0                                          ? NULL
	                  : strcmp(x->verdict, "aborted") == 0 || strcmp(x->verdict, "error") == 0 ? "error"
	                                                                                           : "failure";
	if (tag != NULL) {
		char *want = xasprintf("<testcase classname=\"run\" name=\"verdict\"");
		const char *run = strstr(xml, want);
		cr_assert_not_null(run, "%s", xml);
		char *res = xasprintf("<%s message=\"%s (exit %d): ", tag, x->verdict, x->exit_code);
		char *type = xasprintf("type=\"%s\"", x->reason);
		const char *at = strstr(run, res);
		cr_assert_not_null(at, "want %s in:\n%s", res, xml);
		cr_assert_not_null(strstr(at, type), "want %s in:\n%s", type, xml);
		free(want), free(res), free(type);
	}

	char *html = render(rec, report_html_write);
	char *badge = xasprintf("<span class=\"verdict v-%s\">%s</span>", x->verdict, x->verdict);
	char *sub = xasprintf("exit %d: %s", x->exit_code, verdict_reason_text(rec->reason));
	cr_assert_not_null(strstr(html, badge), "want %s in the HTML", badge);
	cr_assert_not_null(strstr(html, sub), "want %s in the HTML", sub);
	/* the terminal says the same reason in the same words */
	cr_assert_not_null(strstr(txt, sub), "want %s in:\n%s", sub, txt);
	free(badge), free(sub), free(html);

	char *m = metrics_of(rec);
	char *vline = xasprintf("\nfaultline_last_run_verdict{plan=\"%s\",verdict=\"%s\",reason=\"%s\"} 1\n",
	                        rec->plan_name, x->verdict, x->reason);
	char *eline = xasprintf("\nfaultline_last_run_exit_code{plan=\"%s\"} %d\n", rec->plan_name, x->exit_code);
	cr_assert_not_null(strstr(m, vline), "want %s in:\n%s", vline, m);
	cr_assert_not_null(strstr(m, eline), "want %s in:\n%s", eline, m);
	/* each SLO: the JSON's verdict is the gauge's */
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(j, "slos"), i, s)
	{
		const char *v = json_string_value(json_object_get(s, "verdict"));
		char *g = xasprintf("\nfaultline_slo_verdict{plan=\"%s\",slo=\"%s\"} %s\n", rec->plan_name,
		                    json_string_value(json_object_get(s, "name")),
		                    strcmp(v, "pass") == 0   ? "1"
		                    : strcmp(v, "fail") == 0 ? "0"
		                                             : "-1");
		cr_assert_not_null(strstr(m, g), "want %s in:\n%s", g, m);
		free(g);
	}
	free(vline), free(eline), free(m), free(xml), free(txt), free(js);
	json_decref(j);
}

static void run_and_check(const char *path, struct run_opts opts, const struct expect *x)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(p, "%s should load", path);
	struct run_record rec;
	memset(&rec, 0, sizeof(rec));
	int code = run_execute(p, &opts, &rec);
	check_outputs(&rec, code, x);
	record_fini(&rec);
	plan_free(p);
}

static void virtual_check(const char *path, const struct expect *x)
{
	struct run_opts opts = {.virtual_time = true};
	run_and_check(path, opts, x);
}

TestSuite(consistency, .timeout = 30);

Test(consistency, pass)
{
	struct expect x = {0, "pass", "passed",
	                   "verdict: PASS (exit 0: passed: 3 trial(s) recovered, 2 SLO(s) passed)"};
	virtual_check("tests/data/run/pass.yaml", &x);
}

Test(consistency, slo_failed)
{
	struct expect x = {1, "fail", "slo_failed", "verdict: FAIL (exit 1: SLO failed: fast: max "};
	virtual_check("tests/data/run/slo-violated.yaml", &x);
}

Test(consistency, trial_not_recovered_without_slos)
{
	struct expect x = {1, "fail", "trial_not_recovered",
	                   "verdict: FAIL (exit 1: trial not recovered: fail-stuck #1 \"Stuck Service\" did not "
	                   "recover)\n"};
	virtual_check("tests/data/run/never-recovers.yaml", &x);
}

Test(consistency, inconclusive)
{
	struct expect x = {1, "inconclusive", "inconclusive",
	                   "verdict: INCONCLUSIVE (exit 1: inconclusive: p95-bound: p95: 3 trials cannot bound it at "
	                   "90% confidence (need 45)"};
	virtual_check("tests/data/verdict/inconclusive.yaml", &x);
}

Test(consistency, guard_abort)
{
	struct expect x = {3, "aborted", "guard",
	                   "verdict: ABORTED (exit 3: aborted by a guard: guard abort_when: probe app-port down for "
	                   "3s)\n"};
	virtual_check("tests/data/run/abort-when.yaml", &x);
}

Test(consistency, deadline_abort)
{
	struct expect x = {3, "aborted", "deadline",
	                   "verdict: ABORTED (exit 3: aborted at the deadline: run deadline of 1m30s reached with "
	                   "faults still pending)\n"};
	virtual_check("tests/data/verdict/deadline.yaml", &x);
}

Test(consistency, signal_abort)
{
	struct expect x = {3, "aborted", "signal",
	                   "verdict: ABORTED (exit 3: aborted by a signal: received Terminated)\n"};
	struct run_opts opts = {.virtual_time = true, .signal_after_injections = 2, .signal_to_raise = SIGTERM};
	run_and_check("tests/data/run/pass.yaml", opts, &x);
}

Test(consistency, backend_error)
{
	struct expect x = {4, "error", "backend_error",
	                   "verdict: ERROR (exit 4: backend error: backend exec: adapter \"/bin/false\": exited with "
	                   "status 1 before its hello)\n"};
	struct run_opts opts = {0};
	run_and_check("tests/data/verdict/backend-error.yaml", opts, &x);
}

Test(consistency, environment_error_held_cluster)
{
	/* A journal that still holds the cluster: the run must refuse it, as an environment error. */
	char *dir = jfx_dir();
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	struct fl_diag d;
	diag_init(&d, "tests/data/run/pass.yaml");
	struct plan *p = plan_load("tests/data/run/pass.yaml", &d);
	diag_fini(&d);
	cr_assert_not_null(p);
	struct cluster_config cfg;
	plan_cluster_config(p, &cfg);
	struct journal_run *held = journal_begin(j, "r-held", &cfg, p->path, "", &e);
	cr_assert_not_null(held, "%s", e.msg);
	struct touched it = {(char *)"App Server", (char *)"App", (char *)"node-a", RES_ONLINE};
	cr_assert_eq(journal_intent(j, held, "fail", "App Server", &it, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_end(j, held, 4, "completed", &e), 0, "%s", e.msg);
	plan_free(p);
	struct expect x = {4, "error", "environment_error", "verdict: ERROR (exit 4: environment error: cluster sim:"};
	struct run_opts opts = {.virtual_time = true, .journal = j};
	run_and_check("tests/data/run/pass.yaml", opts, &x);
	journal_close(j);
	char *rm = xasprintf("rm -rf %s", dir);
	cr_assert_eq(system(rm), 0);
	free(rm);
	free(dir);
}
