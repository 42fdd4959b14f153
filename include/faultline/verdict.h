/*
 * verdict.h - the one verdict of a run, and why.
 *
 * verdict_judge() is the only place that turns a run record (its trials,
 * its judged SLOs) plus how the run stopped into a verdict, a reason and an
 * exit code. Every output (JSON, terminal, JUnit, HTML, the agent's
 * events and metrics) prints what it stored in the record, so they cannot
 * disagree. docs/report-format.md lists the reasons.
 */
#ifndef FAULTLINE_VERDICT_H
#define FAULTLINE_VERDICT_H

#include <stdbool.h>

struct run_record;

enum run_verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_INCONCLUSIVE, VERDICT_ABORTED, VERDICT_ERROR };

/* Why; in order of precedence below the stop reasons. */
enum verdict_reason {
	REASON_PASSED,         /* every trial recovered and every SLO passed */
	REASON_DRY_RUN,        /* nothing was injected, on purpose */
	REASON_SLO_FAILED,     /* an SLO failed */
	REASON_NOT_RECOVERED,  /* a trial did not recover within its recovery_timeout */
	REASON_INJECT_FAILED,  /* the cluster refused an injection */
	REASON_INCONCLUSIVE,   /* an SLO could not be decided (too few samples, probe errors) */
	REASON_NOT_STEADY,     /* aborted before the first fault: the system was not steady */
	REASON_HOOK_FAILED,    /* aborted before the first fault: the before_run hook failed */
	REASON_GUARD,          /* aborted: a guard's abort_when tripped */
	REASON_DEADLINE,       /* aborted: the run deadline passed with faults pending */
	REASON_SIGNAL,         /* aborted: SIGTERM/SIGINT */
	REASON_INVALID,        /* the plan does not fit the cluster */
	REASON_BACKEND_ERROR,  /* the cluster backend failed */
	REASON_ENVIRONMENT,    /* the machine failed us: journal, event loop, a report file */
	REASON_RESTORE_FAILED, /* something the run touched could not be put back */
};

/* "pass", "fail", "inconclusive", "aborted", "error" */
const char *verdict_str(enum run_verdict v);
/* The JSON token: "passed", "slo_failed", "trial_not_recovered", ... */
const char *verdict_reason_str(enum verdict_reason r);
/* The same for people: "trial not recovered". */
const char *verdict_reason_text(enum verdict_reason r);
/* The exit code of a reason (FL_EXIT_* in cmd.h). */
int verdict_exit_code(enum verdict_reason r);
/* The verdict a reason implies. */
enum run_verdict verdict_of(enum verdict_reason r);
/* Parse the tokens back (JSON reader); -1 if unknown. */
int verdict_parse(const char *s);
int verdict_reason_parse(const char *s);

/*
 * Judge rec: stop is why the run stopped early (REASON_PASSED if it ran to
 * its end; an abort keeps rec->abort_reason as the detail), restore_failed
 * whether anything could not be put back. Sets rec->verdict, reason,
 * reason_detail (owned by rec, replaced) and exit_code. Needs the SLOs
 * judged first.
 */
void verdict_judge(struct run_record *rec, enum verdict_reason stop, bool restore_failed);

/*
 * Turn a passing rec into an error after the fact (a report file that
 * could not be written); any other verdict already says more and is kept.
 */
void verdict_set_error(struct run_record *rec, enum verdict_reason reason, const char *detail);

#endif
