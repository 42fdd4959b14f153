/*
 * verdict.c - the one verdict of a run (verdict.h).
 *
 * A restore that failed comes first (the cluster is left damaged, whatever
 * else happened), then how the run stopped (an aborted run has no pass to
 * give), then the trials and SLOs: an SLO that failed, a trial that did
 * not recover, an injection the cluster refused, an SLO that could not be
 * decided.
 */
#include "faultline/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/record.h"
#include "faultline/util.h"

static const struct {
	const char *token;
	const char *text;
	enum run_verdict verdict;
	int exit_code;
} reasons[] = {
    [REASON_PASSED] = {"passed", "passed", VERDICT_PASS, FL_EXIT_OK},
    [REASON_DRY_RUN] = {"dry_run", "dry run", VERDICT_PASS, FL_EXIT_OK},
    [REASON_SLO_FAILED] = {"slo_failed", "SLO failed", VERDICT_FAIL, FL_EXIT_SLO},
    [REASON_NOT_RECOVERED] = {"trial_not_recovered", "trial not recovered", VERDICT_FAIL, FL_EXIT_SLO},
    [REASON_INJECT_FAILED] = {"injection_refused", "injection refused", VERDICT_FAIL, FL_EXIT_SLO},
    [REASON_INCONCLUSIVE] = {"inconclusive", "inconclusive", VERDICT_INCONCLUSIVE, FL_EXIT_SLO},
    [REASON_NOT_STEADY] = {"not_steady", "aborted, not steady", VERDICT_ABORTED, FL_EXIT_ABORTED},
    [REASON_HOOK_FAILED] = {"hook_failed", "aborted, before_run hook failed", VERDICT_ABORTED, FL_EXIT_ABORTED},
    [REASON_GUARD] = {"guard", "aborted by a guard", VERDICT_ABORTED, FL_EXIT_ABORTED},
    [REASON_DEADLINE] = {"deadline", "aborted at the deadline", VERDICT_ABORTED, FL_EXIT_ABORTED},
    [REASON_SIGNAL] = {"signal", "aborted by a signal", VERDICT_ABORTED, FL_EXIT_ABORTED},
    [REASON_INVALID] = {"invalid_plan", "invalid plan", VERDICT_ERROR, FL_EXIT_INVALID},
    [REASON_BACKEND_ERROR] = {"backend_error", "backend error", VERDICT_ERROR, FL_EXIT_BACKEND},
    [REASON_ENVIRONMENT] = {"environment_error", "environment error", VERDICT_ERROR, FL_EXIT_BACKEND},
    [REASON_RESTORE_FAILED] = {"restore_failed", "restore failed", VERDICT_ERROR, FL_EXIT_BACKEND},
};

static const char *const verdicts[] = {"pass", "fail", "inconclusive", "aborted", "error"};

const char *verdict_str(enum run_verdict v)
{
	return (unsigned)v < ARRAY_LEN(verdicts) ? verdicts[v] : "?";
}

const char *verdict_reason_str(enum verdict_reason r)
{
	return (unsigned)r < ARRAY_LEN(reasons) ? reasons[r].token : "?";
}

const char *verdict_reason_text(enum verdict_reason r)
{
	return (unsigned)r < ARRAY_LEN(reasons) ? reasons[r].text : "?";
}

int verdict_exit_code(enum verdict_reason r)
{
	return (unsigned)r < ARRAY_LEN(reasons) ? reasons[r].exit_code : FL_EXIT_BACKEND;
}

enum run_verdict verdict_of(enum verdict_reason r)
{
	return (unsigned)r < ARRAY_LEN(reasons) ? reasons[r].verdict : VERDICT_ERROR;
}

int verdict_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < ARRAY_LEN(verdicts); i++)
		if (strcmp(s, verdicts[i]) == 0)
			return (int)i;
	return -1;
}

int verdict_reason_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < ARRAY_LEN(reasons); i++)
		if (strcmp(s, reasons[i].token) == 0)
			return (int)i;
	return -1;
}

/* "fail-app #2 \"App Server\"", plus " and 3 more" */
static char *trials_named(const struct run_record *rec, enum trial_outcome o, const char *what)
{
	const struct rec_trial *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < rec->ntrials; i++)
		if (rec->trials[i].outcome == o && n++ == 0)
			first = &rec->trials[i];
	if (first == NULL)
		return NULL;
	char more[48] = "";
	if (n > 1)
		snprintf(more, sizeof(more), " (and %zu more)", n - 1);
	return xasprintf("%s #%u \"%s\" %s%s%s%s", first->fault_name ? first->fault_name : "?", first->index + 1,
	                 first->resource ? first->resource : "?", what, o == TRIAL_INJECT_FAILED ? ": " : "",
	                 o == TRIAL_INJECT_FAILED && first->error ? first->error : "", more);
}

/* "SLO fast: <detail>" for the first SLO with verdict v, plus " (and 1 more)" */
static char *slos_named(const struct run_record *rec, enum slo_verdict v)
{
	const struct rec_slo *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < rec->nslos; i++)
		if (rec->slos[i].verdict == v && n++ == 0)
			first = &rec->slos[i];
	if (first == NULL)
		return NULL;
	char more[48] = "";
	if (n > 1)
		snprintf(more, sizeof(more), " (and %zu more)", n - 1);
	return xasprintf("%s: %s%s", first->name ? first->name : "?", first->detail ? first->detail : "", more);
}

static char *restore_named(const struct run_record *rec)
{
	for (size_t i = 0; i < rec->nrestores; i++)
		if (!rec->restores[i].ok)
			return xasprintf("\"%s\": %s", rec->restores[i].resource ? rec->restores[i].resource : "?",
			                 rec->restores[i].detail ? rec->restores[i].detail : "not verified");
	return xstrdup("a restore action failed");
}

/* The reason of a run that ran to its end, and its detail (caller frees). */
static enum verdict_reason judge_trials(const struct run_record *rec, char **detail)
{
	if (rec->dry_run) { /* its trials are the planned ones, deliberately not run */
		*detail = xasprintf("nothing was injected (%zu trial(s) planned)", rec->ntrials);
		return REASON_DRY_RUN;
	}
	if ((*detail = slos_named(rec, SLO_FAIL)) != NULL)
		return REASON_SLO_FAILED;
	if ((*detail = trials_named(rec, TRIAL_NOT_RECOVERED, "did not recover")) != NULL)
		return REASON_NOT_RECOVERED;
	if ((*detail = trials_named(rec, TRIAL_INJECT_FAILED, "was refused")) != NULL)
		return REASON_INJECT_FAILED;
	if ((*detail = trials_named(rec, TRIAL_PENDING, "never closed")) != NULL)
		return REASON_NOT_RECOVERED;
	if ((*detail = slos_named(rec, SLO_INCONCLUSIVE)) != NULL)
		return REASON_INCONCLUSIVE;
	if (rec->nslos == 0)
		*detail = xasprintf("%zu trial(s) recovered; no SLOs in this plan", rec->ntrials);
	else
		*detail = xasprintf("%zu trial(s) recovered, %zu SLO(s) passed", rec->ntrials, rec->nslos);
	return REASON_PASSED;
}

void verdict_judge(struct run_record *rec, enum verdict_reason stop, bool restore_failed)
{
	char *detail = NULL;
	enum verdict_reason r = stop;
	if (restore_failed) {
		r = REASON_RESTORE_FAILED;
		detail = restore_named(rec);
	} else if (stop != REASON_PASSED) {
		detail = xstrdup(rec->abort_reason ? rec->abort_reason : verdict_reason_text(stop));
	} else {
		r = judge_trials(rec, &detail);
	}
	free(rec->reason_detail);
	rec->reason_detail = detail;
	rec->reason = r;
	rec->verdict = verdict_of(r);
	rec->exit_code = verdict_exit_code(r);
}

void verdict_set_error(struct run_record *rec, enum verdict_reason reason, const char *detail)
{
	if (rec->verdict != VERDICT_PASS)
		return; /* the run's own failure says more than the lost file */
	free(rec->reason_detail);
	rec->reason_detail = xstrdup(detail);
	rec->reason = reason;
	rec->verdict = verdict_of(reason);
	rec->exit_code = verdict_exit_code(reason);
}
