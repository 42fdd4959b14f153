/*
 * record.h - everything a run observed, in one structure.
 *
 * The engine fills a struct run_record as the run goes; SLOs are judged
 * from it; every report (terminal, JSON, JUnit, HTML) is rendered from it,
 * and `faultline report` re-reads it from JSON. Times are nanoseconds on
 * the run's clock, counted from the run's start (t = 0 when the engine
 * started), except the *_wall fields, which are Unix-epoch nanoseconds for
 * humans. Every string is owned by the record.
 */
#ifndef FAULTLINE_RECORD_H
#define FAULTLINE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/verdict.h"

enum trial_outcome {
	TRIAL_PENDING,       /* still open */
	TRIAL_RECOVERED,     /* every probe recovered */
	TRIAL_NOT_RECOVERED, /* recovery_timeout elapsed first */
	TRIAL_INJECT_FAILED, /* the backend refused the injection */
	TRIAL_ABORTED,       /* the run was aborted while it was open */
};

/* One probe's view of one trial. */
struct rec_measure {
	size_t probe;           /* index into record.probes */
	bool outage_observed;   /* a check after the injection failed */
	bool recovered;         /* a check succeeded after that (or no outage and the target came back) */
	uint64_t down_at;       /* first failing check after the injection */
	uint64_t up_at;         /* the successful check that ended the outage */
	uint64_t recovery_ns;   /* up_at - injected_at; without an observed outage: the resolution (an upper bound) */
	uint64_t resolution_ns; /* the probe cadence in force: the measurement's uncertainty */
};

/* What the cluster itself did after the injection (from its events). */
enum cluster_outcome {
	OUTCOME_NONE,         /* nothing seen (yet) */
	OUTCOME_RESTART,      /* back online on the same node */
	OUTCOME_FAILOVER,     /* back online on another node */
	OUTCOME_STAYS_FAILED, /* still failed when the trial closed */
	OUTCOME_OFFLINE,      /* still offline when the trial closed */
};

struct rec_trial {
	size_t fault;   /* index into the plan's faults */
	unsigned index; /* 0-based repetition of that fault */
	char *fault_name;
	char *action;
	char *resource;
	char *group;
	char *node_before;
	char *node_after; /* owner when the trial closed, or NULL */
	uint64_t planned_at;
	uint64_t injected_at;
	int64_t injected_wall;
	uint64_t closed_at;
	uint64_t online_at; /* when online_after's (accepted) online call was made; 0 = none */
	long code;          /* the backend's native return code */
	char *error;        /* why the injection failed, or NULL */
	enum trial_outcome outcome;
	bool outage_observed;   /* by any probe */
	uint64_t recovery_ns;   /* the slowest probe's recovery */
	uint64_t resolution_ns; /* that measurement's resolution */
	uint64_t timeout_ns;    /* the recovery_timeout in force, 0 if unknown */
	struct rec_measure *measures;
	size_t nmeasures;
	enum cluster_outcome cluster;
	unsigned restarts;  /* restarts in place seen during the trial */
	unsigned failovers; /* owner changes seen during the trial */
};

enum probe_status { PROBE_UNKNOWN, PROBE_UP, PROBE_DOWN, PROBE_ERROR };

struct rec_probe_change {
	uint64_t at;
	enum probe_status status;
	char *reason; /* "connect: Connection refused", "HTTP 503", ... or NULL */
};

struct rec_probe {
	char *name;
	char *kind;
	char *target; /* "127.0.0.1:14330", a URL, argv[0], a selector */
	struct rec_probe_change *changes;
	size_t nchanges;
	uint64_t checks, failures, errors;
	uint64_t up_ns, down_ns, error_ns, unknown_ns; /* time in each state over the run */
};

/* A cluster state change of a resource the run touched (for timelines). */
struct rec_event {
	uint64_t at;
	char *resource;
	int state; /* enum res_state */
	char *node;
};

enum slo_verdict { SLO_PASS, SLO_FAIL, SLO_INCONCLUSIVE };

struct rec_slo {
	char *name;
	char *kind;
	enum slo_verdict verdict;
	char *detail;    /* one readable sentence with the figures */
	size_t samples;  /* trials (recovery) or probe checks (availability) */
	double observed; /* the figure judged: ns for recovery, % for availability, count for restarts */
	double limit;    /* the SLO's limit in the same unit */
};

struct rec_restore {
	char *resource;
	char *action; /* "online", "move back to node-a", "nothing to do" */
	bool ok;
	char *detail; /* backend message or verification result */
};

/* One command the run ran: an exec fault, its undo, or a hook; its output captured. */
struct rec_exec {
	char *name;           /* "fault load #1", "undo load #1", "hook after_trial" */
	char *command;        /* argv joined by spaces, for reading */
	char *target;         /* FAULTLINE_TARGET, or NULL */
	uint64_t started_at;  /* run time */
	uint64_t duration_ns; /* real time it ran */
	int exit_status;      /* -1 when it did not exit by itself (killed, or never started) */
	bool timed_out;       /* killed at its timeout */
	char *error;          /* why it could not run or was killed, or NULL */
	char *output;         /* stdout and stderr, interleaved, at most RECORD_EXEC_OUTPUT_MAX bytes */
	bool truncated;       /* there was more output */
};

#define RECORD_EXEC_OUTPUT_MAX 65536

struct run_record {
	char *plan_name;
	char *plan_path;
	char *plan_sha256;      /* hex */
	char *plan_description; /* or NULL */
	uint64_t seed;
	char *backend;
	char *version;
	bool dry_run;
	bool virtual_time;
	int64_t started_wall;
	uint64_t duration_ns;
	struct rec_trial *trials;
	size_t ntrials, captrials;
	struct rec_probe *probes;
	size_t nprobes;
	struct rec_event *events;
	size_t nevents, capevents;
	struct rec_slo *slos;
	size_t nslos;
	struct rec_restore *restores;
	size_t nrestores, caprestores;
	/* Set by verdict_judge() only (verdict.h); every output prints these. */
	enum run_verdict verdict;
	enum verdict_reason reason;
	char *reason_detail; /* the reason with its figures, one line */
	int exit_code;
	char *abort_reason;     /* NULL unless the run stopped early (aborted or an error) */
	struct rec_exec *execs; /* exec faults, undos and hooks, in the order they started */
	size_t nexecs, capexecs;
};

void record_fini(struct run_record *r);
/*
 * Append a zeroed element to r->trials / r->events / r->restores (growing
 * the array through its cap field) and return it; the caller fills it in.
 * The pointer is valid until the next append to the same array.
 */
struct rec_trial *record_add_trial(struct run_record *r);
struct rec_event *record_add_event(struct run_record *r);
struct rec_restore *record_add_restore(struct run_record *r);
/* The enums' names as reports write them (agent/report/record.c; probe_status_str: probes/probe.c). */
const char *trial_outcome_str(enum trial_outcome o);
const char *cluster_outcome_str(enum cluster_outcome o);
const char *probe_status_str(enum probe_status s); /* probes/probe.c */
const char *slo_verdict_str(enum slo_verdict v);

#endif
