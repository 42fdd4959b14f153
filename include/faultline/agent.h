/*
 * agent.h - the long-running agent (docs/agent.md): a directory of plans,
 * each run on its schedule in a child `faultline run`, with a control
 * socket and Prometheus metrics.
 *
 * agent_plans.c loads the directory all-or-nothing (reload keeps the old
 * set on any error); agent.c owns the loop, the schedule timer and the
 * state directory; agent_child.c supervises the runs; agent_results.c keeps
 * the results directory within its limits.
 */
#ifndef FAULTLINE_AGENT_H
#define FAULTLINE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/plan.h"

/* One scheduled plan of the set. */
struct agent_plan {
	struct plan *plan; /* owned */
	char *cluster_key; /* the whole backend configuration: plans with the same key never run at once */
	int64_t next;      /* nominal next fire time (Unix s), or AGENT_SCHED_NONE */
	uint64_t start_ns; /* wall ns the run starts: next + jitter */
	int64_t last_run;  /* last fire time (Unix s), 0 = never; persisted */
	bool queued;       /* due while its cluster was busy (concurrency: queue) */
	uint64_t served; /* agent-wide start counter at its last start (0 = never): least recently served goes first */
	char *last_verdict; /* "pass", "fail", "inconclusive", or NULL */
	int last_exit;      /* of the last finished run, -1 = none */
};

struct agent_planset {
	struct agent_plan *items;
	size_t n;
};

/* A list of error lines, each "file:line:col: message" or "file: message". */
struct agent_errors {
	char **lines;
	size_t n, cap;
};

void agent_errors_fini(struct agent_errors *e);

/*
 * Load every *.yaml / *.yml in dir (sorted by name) that has a schedule;
 * plans without one are ignored. Checks each plan, its backend's
 * capabilities and that names are unique. On any error returns -1 with
 * every error appended to errs and *out untouched; else fills *out (the
 * caller's; free with agent_planset_fini).
 */
int agent_plans_load(const char *dir, struct agent_planset *out, struct agent_errors *errs);
void agent_planset_fini(struct agent_planset *s);
/* The plan named name, or NULL. */
struct agent_plan *agent_planset_find(const struct agent_planset *s, const char *name);

struct agent_opts {
	const char *plans_dir;
	const char *state_dir;    /* last-run times, default control socket */
	const char *results_dir;  /* NULL = STATE/results */
	const char *control;      /* NULL = STATE/control.sock */
	const char *metrics;      /* "ADDR:PORT", or "off"; NULL = 127.0.0.1:9464 */
	const char *run_bin;      /* the faultline binary for runs; NULL = /proc/self/exe */
	unsigned keep_runs;       /* results retention by count, 0 = no limit */
	unsigned keep_days;       /* ... and by age, 0 = no limit */
	uint64_t stop_timeout_ns; /* how long SIGTERM waits for runs to restore */
};

/* Run the agent until SIGTERM/SIGINT. Returns the process exit status. */
int agent_main(const struct agent_opts *o);

#endif
