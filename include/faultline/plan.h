/*
 * plan.h - the chaos plan: loaded, checked and typed.
 *
 * plan_load() reads a plan file (docs/plan-format.md) through yamldoc,
 * checks every key, type, value and cross-reference, and reports *all*
 * problems at once as "file:line:col: message" in a struct fl_diag. A
 * loaded plan is immutable: regexes are compiled, durations are
 * nanoseconds, references are resolved to indexes, the cron expression is
 * compiled. Everything inside is owned by the plan; plan_free releases it.
 */
#ifndef FAULTLINE_PLAN_H
#define FAULTLINE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/cluster.h"
#include "faultline/err.h"
#include "faultline/probe_config.h"
#include "faultline/select.h"

#define PLAN_VERSION 1
#define PLAN_NONE    SIZE_MAX /* an index that refers to nothing */

struct fl_regex;

struct plan_cluster {
	char *backend;       /* "sim", "pacemaker", "wsfc", "exec" */
	char *topology;      /* as written in the plan, or NULL */
	char *topology_path; /* resolved relative to the plan's directory, or NULL */
	char **command;      /* exec: argv, NULL-terminated; NULL otherwise */
	size_t ncommand;
	uint64_t timeout_ns; /* per-call deadline for external backends */
	/* exec, wsfc, pacemaker: how node_down / node_up crash and restart a node ("{node}" replaced); or NULL */
	char **node_down_command, **node_up_command;
	size_t nnode_down_command, nnode_up_command;
	uint64_t node_command_timeout_ns; /* default 60 s */
	struct src_pos pos;
};

enum plan_action {
	PLAN_FAIL,
	PLAN_OFFLINE,
	PLAN_ONLINE,
	PLAN_MOVE,
	PLAN_NODE_DOWN, /* nodes: the target selector's `node` regex picks nodes */
	PLAN_NODE_UP,
	PLAN_NODE_PAUSE,
	PLAN_NODE_RESUME,
	PLAN_EXEC, /* run a command (no shell); `target` optional */
};

/* node_down, node_up, node_pause, node_resume: the action acts on nodes, not resources. */
bool plan_action_is_node(enum plan_action a);

struct plan_repeat {
	unsigned count;     /* trials, >= 1 */
	uint64_t every_ns;  /* between trial starts; 0 when count == 1 */
	uint64_t jitter_ns; /* each start moves by up to +- jitter; < every */
};

struct plan_fault {
	char *name;
	enum plan_action action;
	char *target;      /* selector name */
	size_t target_idx; /* into plan.selectors */
	uint64_t at_ns;    /* from run start, or from the end of `after` */
	struct plan_repeat repeat;
	unsigned flags;    /* OFFLINE_* (action offline) */
	char *destination; /* node (offline, move), or NULL */
	bool has_online_after;
	uint64_t online_after_ns; /* offline: bring it back after this */
	uint64_t recovery_timeout_ns;
	bool drain;                  /* node_pause: move the node's groups away */
	enum node_failback failback; /* node_resume; default NODE_FAILBACK_POLICY */
	char **command;              /* exec: argv, NULL-terminated */
	size_t ncommand;
	char **undo; /* exec: argv the restore runs, or NULL */
	size_t nundo;
	uint64_t timeout_ns; /* exec: the command's deadline, default 1m */
	char *after;         /* fault name, or NULL: start when it finished */
	size_t after_idx;    /* PLAN_NONE when NULL */
	struct src_pos pos;
};

enum plan_slo_kind { SLO_RECOVERY, SLO_AVAILABILITY, SLO_EXPECT, SLO_MAX_RESTARTS };
enum plan_expect { EXPECT_RESTART, EXPECT_FAILOVER, EXPECT_STAYS_FAILED };

/* Percentile limits of recovery time; 0 = not set. */
struct plan_recovery {
	uint64_t max_ns, p50_ns, p90_ns, p95_ns, p99_ns;
	double confidence; /* (0, 1), default 0.9 */
};

struct plan_slo {
	char *name;
	enum plan_slo_kind kind;
	char *probe;      /* recovery, availability */
	size_t probe_idx; /* PLAN_NONE when no probe */
	char *target;     /* expect, max_restarts: selector name */
	size_t target_idx;
	struct plan_recovery recovery;
	double availability; /* percent, (0, 100] */
	enum plan_expect expect;
	struct fl_regex *to; /* failover destination regex, or NULL */
	unsigned max_restarts;
	char **faults; /* recovery: only trials of these faults, or NULL for all */
	size_t nfaults;
	size_t *fault_idx; /* resolved indexes into plan.faults */
	struct src_pos pos;
};

struct plan_abort {
	char *probe;
	size_t probe_idx;
	uint64_t down_for_ns;
	struct src_pos pos;
};

enum plan_restore { RESTORE_ALWAYS, RESTORE_NEVER };

struct plan_guards {
	struct fl_regex *protect;       /* or NULL */
	unsigned max_concurrent_faults; /* default 1 */
	struct plan_abort *abort_when;
	size_t nabort;
	enum plan_restore restore;
	bool allow_quorum_loss; /* node faults may cost quorum or leave a group no possible owner */
};

struct plan_run {
	uint64_t settle_ns;           /* wait after steady state before the first fault, default 5s */
	uint64_t steady_state_ns;     /* how long probes may take to be up at start, default 1m */
	uint64_t deadline_ns;         /* whole run, default 1h */
	uint64_t recovery_timeout_ns; /* default for faults, default 2m */
};

/* A compiled cron expression: bit i set = value i allowed. */
struct plan_cron {
	uint64_t every_ns;       /* "@every 6h"; when set, the masks are unused */
	uint64_t minutes;        /* 0-59 */
	uint32_t hours;          /* 0-23 */
	uint32_t mdays;          /* 1-31 */
	uint16_t months;         /* 1-12 */
	uint8_t wdays;           /* 0-6, Sunday 0 */
	bool mday_any, wday_any; /* "*": cron ORs the two day fields only when both are restricted */
};

struct plan_window {
	int start_min; /* minutes after midnight */
	int end_min;   /* end < start: the window crosses midnight */
	struct src_pos pos;
};

enum plan_missed { MISSED_SKIP, MISSED_RUN_ONCE };
enum plan_concurrency { CONCURRENCY_QUEUE, CONCURRENCY_SKIP };

struct plan_schedule {
	bool present;
	char *cron_text;
	struct plan_cron cron;
	char *timezone; /* default "UTC" */
	bool has_window;
	struct plan_window window;
	struct plan_window *blackouts;
	size_t nblackouts;
	uint64_t jitter_ns;
	enum plan_missed missed;
	enum plan_concurrency concurrency;
};

/* Commands run around the run (`hooks:`); each argv NULL when absent. */
struct plan_hooks {
	char **before_run;    /* before the steady state is awaited; failure aborts the run */
	char **after_trial;   /* after each trial closes */
	char **after_restore; /* after the restore (and the steady state after it) */
	size_t nbefore_run, nafter_trial, nafter_restore;
	uint64_t timeout_ns; /* per command, default 30s */
};

struct plan {
	char *path;
	char *name;
	char *description; /* or NULL */
	uint64_t seed;
	struct plan_cluster cluster;
	struct selector *selectors;
	size_t nselectors;
	struct plan_fault *faults;
	size_t nfaults;
	struct plan_probe *probes;
	size_t nprobes;
	struct plan_slo *slos;
	size_t nslos;
	struct plan_guards guards;
	struct plan_run run;
	struct plan_schedule schedule;
	struct plan_hooks hooks;
};

/*
 * Load and check the plan at path. Returns NULL when there is any error,
 * after adding every error (positioned, in no particular order: call
 * diag_sort) to d, which the caller has initialised with the file name.
 */
struct plan *plan_load(const char *path, struct fl_diag *d);
void plan_free(struct plan *p);
/* plan_load, printing every diagnostic (sorted by position) to err. */
struct plan *plan_load_report(const char *path, FILE *err);
/*
 * The same with `--set PATH=VALUE` overrides applied to the YAML before the
 * plan is read (plan_set.c: maps by key, sequences by item name or index,
 * e.g. "run.deadline=2h", "faults.fail-sql.repeat.count=10"); an override
 * passes the same checks as the file's own value. sets are borrowed.
 */
struct plan *plan_load_with(const char *path, const char *const *sets, size_t nsets, struct fl_diag *d);
struct plan *plan_load_report_with(const char *path, const char *const *sets, size_t nsets, FILE *err);

/*
 * What `validate` can check without a real cluster, on a loaded plan:
 * with backend sim, every selector must match in the topology (errors:
 * the run would stop with exit 2); a confidence SLO needing more trials
 * than the plan runs is a warning (the verdict will be inconclusive).
 * Returns -1 when errors has entries.
 */
int plan_check_offline(const struct plan *p, struct fl_diag *errors, struct fl_diag *warnings);

/*
 * Report, at each fault's position, every action, offline flag and
 * destination that backend (with caps) does not support. Returns 0 when
 * everything is supported, else -1.
 */
int plan_check_caps(const struct plan *p, const char *backend, const struct cluster_caps *caps, struct fl_diag *d);

/* Fill cfg from the plan's cluster section; pointers are borrowed from p. */
void plan_cluster_config(const struct plan *p, struct cluster_config *cfg);

/* The selector named `name`, or NULL. */
const struct selector *plan_selector(const struct plan *p, const char *name);

/* Print the plan as YAML with every default filled in (re-loadable). */
void plan_print(const struct plan *p, FILE *f);
/* Print what the plan will do, in plain words. */
void plan_summary(const struct plan *p, FILE *f);

/*
 * The start time of trial i (0-based) of fault f, jitter left out, from the
 * fault's origin (run start, or the end of its `after` fault).
 */
uint64_t plan_trial_at(const struct plan_fault *f, unsigned i);

const char *plan_action_str(enum plan_action a);
/* "none", "immediate", "policy". */
const char *plan_failback_str(enum node_failback f);
const char *plan_expect_str(enum plan_expect e);

/*
 * Scalar parsers shared with the agent and tests. Each returns 0, or -1
 * with a short reason in *why (static text) and, for cron, the byte offset
 * of the offending field in *off.
 */
int plan_parse_hostport(const char *s, char **host, unsigned *port, const char **why);
int plan_parse_url(const char *s, char **host, unsigned *port, const char **why);
int plan_parse_cron(const char *s, struct plan_cron *c, size_t *off, const char **why);
int plan_parse_time_of_day(const char *s, int *minutes);
int plan_parse_percent(const char *s, double *pct);
bool plan_timezone_valid(const char *tz);
/* True if minute-of-day m lies inside the window. */
bool plan_window_contains(const struct plan_window *w, int m);
/* May a run start at local minute-of-day m (0-1439): inside the window (if any), outside every blackout. */
bool plan_schedule_allows_minute(const struct plan_schedule *s, int m);

#endif
