/*
 * report_junit.c - a run as one JUnit <testsuite>, for CI dashboards.
 *
 * Testcases: the run's verdict (classname "run"), one per SLO (classname
 * "slo") and one per trial (classname "trial.<fault>"). Anything that is
 * not a pass is a <failure> (the system under test misbehaved or could not
 * be judged) or an <error> (the run could not do its job), never a skip:
 * CI dashboards count skips as green. Names come from clusters and plans, so everything is
 * escaped, and what XML 1.0 cannot carry at all (control characters,
 * invalid UTF-8, U+FFFE/U+FFFF) is replaced by U+FFFD rather than dropped
 * silently, so a reader sees that something was there.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/report.h"

static void xml_put(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	while (n > 0) {
		uint32_t cp;
		size_t l = report_utf8_next(s, n, &cp);
		if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\'')
			fputs("&apos;", f);
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			fprintf(f, "&#%u;", (unsigned)cp); /* survives attribute normalisation */
		else if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF || cp == 0xFFFD)
			fputs("\xEF\xBF\xBD", f);
		else
			fwrite(s, 1, l, f);
		s += l;
		n -= l;
	}
}

/* Seconds with ms, from ns: "6.512". */
static void put_secs(FILE *f, uint64_t ns)
{
	uint64_t ms = (ns + 500000) / 1000000;
	fprintf(f, "%llu.%03u", (unsigned long long)(ms / 1000), (unsigned)(ms % 1000));
}

/* <tag message="msg" type="type">body</tag> */
static void put_result(FILE *f, const char *tag, const char *msg, const char *type, const char *body)
{
	fprintf(f, "    <%s message=\"", tag);
	xml_put(f, msg);
	fputc('"', f);
	if (type != NULL)
		fprintf(f, " type=\"%s\"", type);
	if (body == NULL) {
		fputs("/>\n", f);
		return;
	}
	fputc('>', f);
	xml_put(f, body);
	fprintf(f, "</%s>\n", tag);
}

static void put_slo(FILE *f, const struct rec_slo *s)
{
	fputs("  <testcase classname=\"slo\" name=\"", f);
	xml_put(f, s->name);
	if (s->verdict == SLO_PASS) {
		fputs("\" time=\"0.000\"/>\n", f);
		return;
	}
	fputs("\" time=\"0.000\">\n", f);
	const char *detail = s->detail ? s->detail : slo_verdict_str(s->verdict);
	put_result(f, "failure", detail, s->verdict == SLO_FAIL ? s->kind : "inconclusive", NULL);
	fputs("  </testcase>\n", f);
}

/* Why a trial failed, in one line: "recovered in 41.2 s (resolution 20 ms) > recovery_timeout 30 s". */
static void trial_message(const struct rec_trial *t, const struct run_record *r, char *buf, size_t len)
{
	char rec[32], res[32], tmo[32];
	report_fmt_duration(t->recovery_ns, rec, sizeof(rec));
	report_fmt_duration(t->resolution_ns, res, sizeof(res));
	report_fmt_duration(t->timeout_ns, tmo, sizeof(tmo));
	if (t->outcome == TRIAL_INJECT_FAILED)
		snprintf(buf, len, "injection failed (code %ld): %s", t->code, t->error ? t->error : "no detail");
	else if (t->outcome == TRIAL_ABORTED)
		snprintf(buf, len, "run aborted: %s", r->abort_reason ? r->abort_reason : "no reason given");
	else if (t->outcome == TRIAL_PENDING)
		snprintf(buf, len, "trial never closed");
	else if (t->timeout_ns > 0 && t->recovery_ns > t->timeout_ns)
		snprintf(buf, len, "recovered in %s (resolution %s) > recovery_timeout %s", rec, res, tmo);
	else if (t->timeout_ns > 0)
		snprintf(buf, len, "not recovered within recovery_timeout %s", tmo);
	else
		snprintf(buf, len, "not recovered before the trial closed");
}

static void put_trial(FILE *f, const struct rec_trial *t, const struct run_record *r)
{
	fputs("  <testcase classname=\"trial.", f);
	xml_put(f, t->fault_name);
	fputs("\" name=\"", f);
	xml_put(f, t->fault_name);
	fprintf(f, " #%u: ", t->index + 1);
	xml_put(f, t->resource);
	fputs("\" time=\"", f);
	put_secs(f, t->closed_at > t->injected_at ? t->closed_at - t->injected_at : 0);
	if (t->outcome == TRIAL_RECOVERED) {
		fputs("\"/>\n", f);
		return;
	}
	if (r->dry_run) { /* the only skip: a fault deliberately not run */
		fputs("\">\n    <skipped message=\"dry run: not injected\"/>\n  </testcase>\n", f);
		return;
	}
	fputs("\">\n", f);
	char msg[768], body[768];
	trial_message(t, r, msg, sizeof(msg));
	snprintf(body, sizeof(body), "node %s -> %s, cluster outcome %s, %u restarts, %u failovers",
	         t->node_before ? t->node_before : "?", t->node_after ? t->node_after : "?",
	         cluster_outcome_str(t->cluster), t->restarts, t->failovers);
	if (t->outcome == TRIAL_NOT_RECOVERED)
		put_result(f, "failure", msg, "not_recovered", body);
	else if (t->outcome == TRIAL_INJECT_FAILED)
		put_result(f, "error", msg, "inject_failed", body);
	else
		put_result(f, "error", msg, t->outcome == TRIAL_ABORTED ? "aborted" : "pending", body);
	fputs("  </testcase>\n", f);
}

/* The run's own verdict: a run aborted before any trial still shows red. */
static void put_run(FILE *f, const struct run_record *r)
{
	fputs("  <testcase classname=\"run\" name=\"verdict\" time=\"", f);
	put_secs(f, r->duration_ns);
	if (r->verdict == VERDICT_PASS) {
		fputs("\"/>\n", f);
		return;
	}
	fputs("\">\n", f);
	char msg[768];
	snprintf(msg, sizeof(msg), "%s (exit %d): %s%s%s", verdict_str(r->verdict), r->exit_code,
	         verdict_reason_text(r->reason), r->reason_detail ? ": " : "",
	         r->reason_detail ? r->reason_detail : "");
	bool error = r->verdict == VERDICT_ABORTED || r->verdict == VERDICT_ERROR;
	put_result(f, error ? "error" : "failure", msg, verdict_reason_str(r->reason), NULL);
	fputs("  </testcase>\n", f);
}

static void put_property(FILE *f, const char *name, const char *value)
{
	fprintf(f, "    <property name=\"%s\" value=\"", name);
	xml_put(f, value);
	fputs("\"/>\n", f);
}

static void put_header(FILE *f, const struct run_record *r)
{
	size_t failures = 0, errors = 0, skipped = 0;
	failures += r->verdict == VERDICT_FAIL || r->verdict == VERDICT_INCONCLUSIVE;
	errors += r->verdict == VERDICT_ABORTED || r->verdict == VERDICT_ERROR;
	for (size_t i = 0; i < r->nslos; i++)
		failures += r->slos[i].verdict != SLO_PASS;
	for (size_t i = 0; i < r->ntrials; i++) {
		enum trial_outcome o = r->trials[i].outcome;
		if (r->dry_run) {
			skipped += o != TRIAL_RECOVERED;
			continue;
		}
		failures += o == TRIAL_NOT_RECOVERED;
		errors += o == TRIAL_INJECT_FAILED || o == TRIAL_ABORTED || o == TRIAL_PENDING;
	}
	char when[40], num[32];
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"", f);
	xml_put(f, r->plan_name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"",
	        1 + r->nslos + r->ntrials, failures, errors, skipped);
	put_secs(f, r->duration_ns);
	fprintf(f, "\" timestamp=\"%s\">\n  <properties>\n", report_fmt_rfc3339(r->started_wall, when, sizeof(when)));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)r->seed);
	put_property(f, "seed", num);
	put_property(f, "backend", r->backend);
	put_property(f, "plan_sha256", r->plan_sha256);
	snprintf(num, sizeof(num), "%d", r->exit_code);
	put_property(f, "exit_code", num);
	put_property(f, "verdict", verdict_str(r->verdict));
	put_property(f, "reason", verdict_reason_str(r->reason));
	if (r->abort_reason != NULL)
		put_property(f, "abort_reason", r->abort_reason);
	fputs("  </properties>\n", f);
}

int report_junit_write(const struct run_record *r, FILE *f, struct fl_err *e)
{
	put_header(f, r);
	put_run(f, r);
	for (size_t i = 0; i < r->nslos; i++)
		put_slo(f, &r->slos[i]);
	for (size_t i = 0; i < r->ntrials; i++)
		put_trial(f, &r->trials[i], r);
	fputs("</testsuite>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return err_setsys(e, "JUnit report: write failed");
	return 0;
}
