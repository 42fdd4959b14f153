/*
 * agent_int.h - the agent's shared state, for agent/daemon/agent*.c only.
 *
 * agent.c: agent_main, the loop, signals, reload, the open-faults gauge.
 * agent_fire.c: the schedule timer: which plan is due, start or hold it.
 * agent_child.c: one child `faultline run` per run, its pidfd and events.
 * agent_ctl.c: the control socket's requests (status, pause, resume, abort).
 * agent_results.c: the results directory's retention.
 * agent_state.c: the last-run times in the state directory.
 * agent_runlog.c: each child's stderr into the log, prefixed with its run id.
 * agent_hold.c: clusters held until a child `faultline restore` reconciles them.
 * (agent_plans.c and agent_sched.c have public headers: agent.h, agent_sched.h.)
 */
#ifndef FAULTLINE_AGENT_INT_H
#define FAULTLINE_AGENT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "faultline/agent.h"
#include "faultline/clock.h"
#include "faultline/loop.h"

struct agent_hold;
struct control;
struct metrics;
struct metrics_http;

/* A trial the run reported injected and not yet closed. */
struct agent_trial {
	char *fault;
	int trial;
	char *resource;
	char *action;
	struct agent_trial *next;
};

struct agent_run {
	struct agent *agent;
	char *id;   /* "<plan>-<UTC stamp>", also the results file stem */
	char *plan; /* name */
	char *cluster_key;
	char *journal_dir; /* the cluster's journal (run --state) */
	pid_t pid;
	int pidfd, evfd;
	struct loop_io pid_io, ev_io;
	char buf[16384]; /* partial event line */
	size_t nbuf;
	int logfd; /* the child's stderr (agent_runlog.c), or -1 */
	struct loop_io log_io;
	char logbuf[4096]; /* partial log line */
	size_t nlog;
	bool log_skip; /* dropping the rest of an over-long line */
	char *phase;
	struct agent_trial *open;
	unsigned nopen;
	char *verdict; /* from the verdict event, or NULL */
	int64_t started;
	bool aborting;
	struct agent_run *next;
};

struct agent {
	const struct agent_opts *o;
	char *results_dir, *control_path, *run_bin;
	struct fl_clock *clk;
	int64_t (*wall_ns)(void); /* the schedule's Unix time in ns; NULL = wall_now_ns (tests jump their own) */
	struct loop *loop;
	struct loop_signal sig;
	struct fl_timer tick;
	struct fl_timer stop_timer;
	struct agent_planset set;
	struct agent_run *runs;
	struct agent_hold *holds;
	uint64_t starts; /* runs started so far: agent_plan.served */
	unsigned faults_open, pending_restores;
	struct control *ctl;
	struct metrics *m;
	struct metrics_http *http;
	bool paused, stopping;
	char *reload_error; /* the last refused reload's first error; NULL while the last one succeeded */
	int exit_code;
	int lockfd; /* STATE/agent.lock, held while the agent lives */
};

/* agent.c */
/* Recount open faults (live runs' events, and what every other journal still has out). */
void agent_faults_open_changed(struct agent *a);
/* The journal directory of a plan's cluster under the state dir. Caller frees. */
char *agent_journal_dir(const struct agent *a, const struct plan *p);

/* agent_fire.c */
int64_t agent_wall(void); /* Unix seconds now, on the real clock */
void agent_plan_first(struct agent_plan *ap, int64_t now);
void agent_reschedule(struct agent *a);   /* fire what is due on a->wall_ns, re-arm the timer */
void agent_run_finished(struct agent *a); /* a run ended: queued plans may go; maybe stop */

/* agent_state.c: STATE/last-run */
void agent_state_load(const char *dir, struct agent_planset *s);
int agent_state_save(const char *dir, const struct agent_planset *s);

/* agent_child.c */
int agent_child_start(struct agent *a, struct agent_plan *ap, int64_t fire);
void agent_child_abort(struct agent_run *r);  /* SIGTERM: the run restores and reports */
void agent_child_forget(struct agent_run *r); /* stop watching it and free it; the child goes on */
struct agent_run *agent_child_find(struct agent *a, const char *id);
/* A run is on the plan's cluster, or the cluster is held for a restore. */
bool agent_cluster_busy(const struct agent *a, const struct agent_plan *ap);

/* agent_hold.c */
/* Hold the cluster whose journal is dir: no runs there until a restore succeeds. */
void agent_hold_start(struct agent *a, const char *dir);
bool agent_hold_covers(const struct agent *a, const char *dir);
/* Is dir's journal lock held by some process right now? */
bool agent_journal_locked(const char *dir);
void agent_hold_each(const struct agent *a, void (*fn)(const char *dir, bool restoring, void *arg), void *arg);
/* Free the holds; restore children go on without the agent. */
void agent_holds_forget(struct agent *a);

/* agent_runlog.c: the child's stderr, each line prefixed "run ID: " */
int agent_runlog_start(struct agent_run *r, int fd);
void agent_runlog_stop(struct agent_run *r); /* drain what is left, then close */

/* agent_ctl.c */
char *agent_ctl_request(const char *request, void *arg);

/* agent_results.c */
void agent_results_prune(const char *dir, unsigned keep_runs, unsigned keep_days, int64_t now);

#endif
