/*
 * run_events.c - the machine-readable progress stream of `run --events-fd`.
 *
 * One JSON object per line, flushed at once, so the agent that started the
 * run knows its phase, open trials and verdict without parsing text. Times
 * are seconds (reals) since the run's start. The lines are listed in
 * docs/agent.md; fields are only ever added.
 */
#include <jansson.h>
#include <stdio.h>

#include "faultline/run.h"
#include "run_int.h"

static const char *phase_str(enum run_phase p)
{
	static const char *const names[] = {"steady", "settle", "faults", "restore", "done"};
	return names[p];
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/*
 * Takes j; writes it as one line. Once a write failed (EPIPE: the agent
 * that reads the stream is gone) the stream stays silent and the run goes
 * on: it still has faults to restore and results to write.
 */
static void emit(FILE *f, json_t *j)
{
	if (f != NULL && j != NULL && !ferror(f)) {
		json_dumpf(j, f, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9));
		fputc('\n', f);
		fflush(f);
	}
	json_decref(j);
}

void run_event_phase(struct run *r)
{
	if (r->opts->events == NULL)
		return;
	emit(r->opts->events,
	     json_pack("{s:s, s:s, s:f}", "event", "phase", "phase", phase_str(r->phase), "t", secs(run_now(r))));
}

void run_event_injected(struct run *r, const struct rec_trial *rt)
{
	if (r->opts->events == NULL)
		return;
	emit(r->opts->events,
	     json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:f}", "event", "injected", "fault", rt->fault_name,
	               "trial", (int)rt->index + 1, "action", rt->action, "resource", rt->resource, "result",
	               rt->outcome == TRIAL_INJECT_FAILED ? "refused" : "accepted", "code", (json_int_t)rt->code, "t",
	               secs(rt->injected_at)));
}

void run_event_trial(struct run *r, const struct rec_trial *rt)
{
	if (r->opts->events == NULL)
		return;
	json_t *probes = json_array();
	for (size_t i = 0; i < rt->nmeasures; i++) {
		const struct rec_measure *m = &rt->measures[i];
		if (m->recovered)
			json_array_append_new(probes, json_pack("{s:s, s:f}", "probe", r->rec->probes[m->probe].name,
			                                        "recovery_s", secs(m->recovery_ns)));
	}
	emit(r->opts->events,
	     json_pack("{s:s, s:s, s:i, s:s, s:s, s:f, s:o, s:f}", "event", "trial", "fault", rt->fault_name, "trial",
	               (int)rt->index + 1, "resource", rt->resource, "outcome", trial_outcome_str(rt->outcome),
	               "recovery_s", secs(rt->recovery_ns), "probes", probes, "t", secs(rt->closed_at)));
}

void run_events_verdict(FILE *f, const struct run_record *rec)
{
	if (f == NULL)
		return;
	json_t *slos = json_array();
	for (size_t i = 0; i < rec->nslos; i++)
		json_array_append_new(slos, json_pack("{s:s, s:s}", "name", rec->slos[i].name, "verdict",
		                                      slo_verdict_str(rec->slos[i].verdict)));
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:o}", "event", "verdict", "verdict", verdict_str(rec->verdict),
	                      "reason", verdict_reason_str(rec->reason), "exit", rec->exit_code, "slos", slos);
	if (rec->abort_reason != NULL)
		json_object_set_new(j, "abort", json_string(rec->abort_reason));
	emit(f, j);
}
