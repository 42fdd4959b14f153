/*
 * run.h - one chaos run, end to end.
 *
 * run_execute() opens the plan's cluster, resolves the selectors, waits for
 * steady state, injects the faults on schedule, measures every trial's
 * recovery with the probes, restores everything it touched, and judges the
 * SLOs. It fills the caller's run_record and returns the exit code
 * (FL_EXIT_* in cmd.h). It never returns with a fault left injected unless
 * restoring failed, and then the record and the log say so loudly.
 */
#ifndef FAULTLINE_RUN_H
#define FAULTLINE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/record.h"

struct journal;
struct plan;
struct live;

struct run_opts {
	bool dry_run;                /* resolve and print the timeline; inject nothing */
	bool virtual_time;           /* simulator only: the clock jumps from event to event */
	FILE *progress;              /* progress lines, or NULL for none */
	FILE *events;                /* JSON lines for the agent (run_events.c), or NULL for none */
	struct live *live;           /* the live terminal view (live.h), or NULL; real time only */
	uint64_t restore_timeout_ns; /* 0 = 2 minutes */
	/* Test hook: called once the run is in the faults phase, after this many injections. */
	unsigned signal_after_injections;
	int signal_to_raise; /* 0 = none */
	const char *run_id;  /* named in every progress line ("[  1.000s] run ID: ..."), or NULL */
	/* Crash-safety journal (journal.h), borrowed; NULL = none. The run refuses a held cluster. */
	struct journal *journal;
};

int run_execute(const struct plan *p, const struct run_opts *o, struct run_record *rec);

/*
 * Write the run's final event (one JSON line: verdict, exit code, every
 * SLO's verdict) to f, for `run --events-fd`. docs/agent.md lists the
 * events. A NULL f is a no-op.
 */
void run_events_verdict(FILE *f, const struct run_record *rec);

#endif
