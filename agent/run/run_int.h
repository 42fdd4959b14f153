/*
 * run_int.h - the run engine's shared state, for agent/run*.c only.
 *
 * run.c drives the phases (steady state, settle, faults, restore), run_sched.c
 * decides when each injection happens, run_trial.c turns probe results and
 * cluster events into recovery measurements, run_restore.c puts back what
 * the run touched, slo.c judges the record.
 */
#ifndef FAULTLINE_RUN_INT_H
#define FAULTLINE_RUN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/loop.h"
#include "faultline/plan.h"
#include "faultline/probe.h"
#include "faultline/record.h"
#include "faultline/restore.h"
#include "faultline/rng.h"
#include "faultline/run.h"
#include "faultline/select.h"
#include "faultline/verdict.h"

enum run_phase { PH_STEADY, PH_SETTLE, PH_FAULTS, PH_RESTORE, PH_DONE };

/* Per probe and open trial: where the measurement stands. */
enum measure_state { M_WAIT_OUTAGE, M_WAIT_RECOVERY, M_DONE };

struct open_trial {
	size_t rec;   /* index into run_record.trials */
	size_t fault; /* index into run.faults */
	char *resource;
	char *group;
	enum measure_state *ms; /* one per probe */
	struct fl_timer timeout;
	struct fl_timer online_timer; /* offline + online_after */
	bool online_due;              /* online_after passed while the offline was pending */
	uint64_t online_due_at;       /* when the online became due: online_after, or the down event after it */
	bool target_left;             /* the resource left Online after the injection */
	bool target_back;             /* ... and is Online again */
	uint64_t target_back_at;
	int last_state;
	bool blind;       /* the backend lost events (resync) while this trial was open */
	bool group_mode;  /* a node fault's trial: `group` (here also `resource`) is measured by group events */
	bool cmd_running; /* an exec fault's command, or the node command injecting it, has not finished: the trial
	                     waits */
	struct run *run;
	struct open_trial *next;
};

struct fault_state {
	const struct plan_fault *f;
	struct rng rng;   /* jitter */
	unsigned next;    /* next trial number */
	unsigned open;    /* trials open now */
	bool started;     /* origin known */
	bool done;        /* every trial injected and closed */
	bool injecting;   /* inside the injection loop: defer advancing */
	bool rt_held;     /* holds real-time priority until its injection (run_sched.c, rtprio.h) */
	uint64_t origin;  /* run time its `at` counts from */
	uint64_t planned; /* planned time of the pending injection */
	struct fl_timer timer;
	struct run *run;
};

struct abort_guard {
	struct fl_timer timer;
	struct run *run;
	size_t index; /* into plan.guards.abort_when */
};

/* run_exec.c: a command's environment (the run's context), "KEY=value" strings. */
#define RUN_ENV_MAX 24
struct run_env {
	char *kv[RUN_ENV_MAX];
	size_t n;
};

struct run;
/* A command finished (or could not start): its record is r->rec->execs[rec]. */
typedef void (*run_cmd_cb)(struct run *r, size_t rec, void *arg);

struct run_cmd {
	struct run *r;
	size_t rec; /* index into rec->execs */
	pid_t pid;
	int outfd, status_fd;
	bool out_eof, killed, sigkilled, truncated, done;
	bool cut; /* killed because the run ended (run_cmd_fini) */
	uint64_t started_real, deadline, timeout_ns;
	char *out;
	size_t nout;
	struct fl_timer timer;
	run_cmd_cb done_cb;
	void *done_arg;
	struct run_cmd *next;
};

/* An exec fault's undo, for the restore. */
struct run_undo {
	size_t fault;
	unsigned trial;
	char *target;   /* or NULL */
	char *key;      /* its name in the journal (run_undo_key) */
	size_t restore; /* its rec_restore, once the restore ran it */
	bool journaled; /* ... and the journal says so */
};

/* What a node fault picked, per selector (run_node.c). */
struct node_pick {
	char **names; /* owned, NULL-terminated */
	size_t n;
};

/* A node the run acted on, and its state before. */
struct touched_node {
	char *name;
	enum node_state before;
	bool downed;    /* the run's node_down was started and no node_up since: down, whatever the cluster shows yet */
	bool journaled; /* its NODE record is in the journal */
};

struct run {
	const struct plan *plan;
	const struct run_opts *opts;
	struct run_record *rec;
	struct fl_clock *clk;
	struct loop *loop;
	struct cluster *cl;
	struct cluster_snapshot initial;
	const struct cluster_resource **watch; /* run_watch.c: watched resources, by name */
	size_t nwatch;
	struct selection *sels;  /* one per plan selector */
	struct node_pick *nsels; /* one per plan selector (node faults only) */
	struct touched_node *tnodes;
	size_t ntnodes, captnodes;
	struct probe *probes;
	struct cluster_probe_ctx *cpctx; /* one per probe (used by cluster probes) */
	size_t nprobes;
	struct fault_state *faults;
	struct open_trial *open; /* list of open trials */
	unsigned nopen;
	unsigned injections;
	struct touched *touched;
	size_t ntouched, captouched;
	struct cluster_undo undo; /* what undoes the run's actions (journaled before each) */
	enum run_phase phase;
	uint64_t t0;          /* clock time of the run start */
	uint64_t faults_from; /* start of the faults phase */
	struct fl_timer phase_timer;
	struct fl_timer deadline_timer;
	struct fl_timer live_timer; /* repaints opts->live */
	struct abort_guard *guards; /* one per guards.abort_when */
	struct loop_io cluster_io;
	struct loop_signal sig;
	struct journal_run *jrun; /* NULL without a journal */
	bool probes_started;      /* every probe was set up and started (run_steady.c may run them again) */
	struct run_cmd *cmds;     /* commands running now (run_exec.c) */
	struct run_undo *undos;   /* exec faults that ran, whose undo the restore runs */
	size_t nundos, capundos;
	enum verdict_reason stop; /* why the run stopped early; REASON_PASSED if it did not */
	char *abort_reason;
	struct fl_err err;
};

/* run.c */
void run_progress(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t run_now(const struct run *r); /* ns since run start */
/*
 * Stop the run early (abort, backend or environment error) for reason why,
 * which decides its verdict and exit code (verdict.h); the message becomes
 * the record's abort_reason. Replaces run_abort(r, exit_code, ...): a
 * number is not a reason, and an FL_EXIT_* passed here would be a wrong one.
 */
void run_stop(struct run *r, enum verdict_reason why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void run_maybe_finish(struct run *r);
void run_set_fast(struct run *r, bool fast);
/* Start or stop each cheap probe's hunt (probe_hunt) from the open trials' state. */
void run_update_hunt(struct run *r);
bool run_all_probes_up(const struct run *r, const char **which);

/* run_events.c: the --events-fd stream (no-ops when opts->events is NULL) */
void run_event_phase(struct run *r);
void run_event_injected(struct run *r, const struct rec_trial *rt);
void run_event_trial(struct run *r, const struct rec_trial *rt);

/* run_watch.c */
void watch_build(struct run *r);
/* A watched resource as it was before the run, or NULL if the run does not watch it. */
const struct cluster_resource *watch_find(const struct run *r, const char *name);
/* Where a watched resource is now, from the events seen so far. */
const char *watch_owner(const struct run *r, const char *name);

/* run_view.c: the live view's timer (a no-op without opts->live) */
void run_view_start(struct run *r);
/* Repaint the live view now (its timer, or SIGWINCH: the terminal changed size). */
void run_view_draw(struct run *r);
void run_view_stop(struct run *r);

/* run_sched.c */
void sched_start(struct run *r);
void sched_stop(struct run *r);
void sched_kick(struct run *r); /* a trial closed or a probe changed: pending injections may go */
bool sched_all_done(const struct run *r);
void sched_fault_closed_trial(struct run *r, size_t fault);
/* Count the trial against its fault, then open it. */
void trial_open_counted(struct run *r, size_t fault, const char *resource, const char *group, const char *node,
                        int state, uint64_t planned);
void sched_dry_run(struct run *r);

/* run_node.c */
bool run_has_node_faults(const struct plan *p);
/* Resolve the selectors node faults use against the nodes of r->initial. */
int node_resolve(struct run *r);
void node_inject(struct run *r, size_t fault, const char *node, uint64_t planned);
/* Bring back what node faults changed; -1 if a node is not back. */
int node_restore(struct run *r);
void node_free(struct run *r);
/* The node is as action left it (up, down, paused) and no group is pending: a node trial may end. */
bool node_settled(struct run *r, const char *node, enum plan_action action);
/*
 * run_guard.c: would taking node down (or pausing it) cost quorum, or leave
 * no node that is up and not paused? Reads the cluster's vote count into s
 * first where the backend has one. Writes why into buf and returns true
 * if refused; false for other actions and with guards.allow_quorum_loss.
 */
bool node_guard_refuses(const struct run *r, struct cluster_snapshot *s, const struct plan_fault *f, const char *node,
                        char *buf, size_t len);
/* What the quorum guard counts as down: a node_down the run started, until its node_up succeeded. */
void node_note_downed(struct run *r, const char *node, enum plan_action action, bool ok);

/* run_node_cmd.c: the plan's node_down_command / node_up_command, beside the loop */
/* The plan gives a command for this node fault's action (node_down, node_up): the run runs it itself. */
bool node_cmd_applies(const struct run *r, const struct plan_fault *f);
/*
 * Start the command for fault on node (run_exec.c's commands: its own
 * process group, the timeout, the output in the record's execs); the
 * trials[ntrials] opened pending for it are released or failed when it
 * exits (trial_node_cmd_done).
 */
void node_cmd_start(struct run *r, size_t fault, const char *node, const size_t *trials, size_t ntrials);

/* run_trial.c: shared with run_trial_node.c */
struct rec_trial *trial_rec(struct run *r, const struct open_trial *t);
struct rec_trial *trial_rec_new(struct run *r);
/* Close t with outcome o (unlinks and frees it; the fault may go on). */
void trial_close(struct run *r, struct open_trial *t, enum trial_outcome o);
/* Close t as recovered if its target is back and every probe concluded. */
void trial_maybe_close(struct run *r, struct open_trial *t);
void trial_on_timeout(void *arg); /* t->timeout's callback */

/* run_trial_node.c */
void trial_node_group_event(struct run *r, const struct cluster_event *ev);
/* Every open node trial without a group looks again whether its node settled. */
void trial_node_settle_all(struct run *r);

/* run_inject.c */
/*
 * Inject fault f on resource (group: for move) through the backend, the
 * intent journalled first: 0, or -1 with e set (the journal or the backend
 * refused). The backend's native result code goes to *code either way.
 */
#define RUN_INJECT_NO_JOURNAL (-2) /* run_inject: the intent could not be journalled; nothing injected */
int run_inject(struct run *r, const struct plan_fault *f, const char *resource, const char *group, long *code,
               struct fl_err *e);

/* run_trial.c */
/* An exec fault's trial: run the command (with target, or NULL for none) and measure with the probes. */
void trial_open_exec(struct run *r, size_t fault, const char *target, const char *group, const char *node,
                     uint64_t planned);
/*
 * Record a node fault's trial once its injection was tried: error != NULL
 * records a refused injection; else group (may be NULL: no group is
 * affected, only the probes measure) opens a trial measured on the group's
 * state events. pending: the node command that injects it still runs (the
 * trial measures meanwhile and waits for trial_node_cmd_done). Returns its
 * index in the record's trials.
 */
size_t trial_open_node(struct run *r, size_t fault, const char *node, const char *group, uint64_t planned,
                       uint64_t injected_at, long code, const char *error, bool pending);
/* The node command of trial idx ended: error NULL lets the probes conclude it, else it failed to inject. */
void trial_node_cmd_done(struct run *r, size_t idx, long code, const char *error);
void trial_open(struct run *r, size_t fault, const char *resource, const char *group, const char *node, int state,
                uint64_t planned);
void trial_on_event(struct run *r, const struct cluster_event *ev);
/*
 * The backend lost events (resync): the open trials can no longer learn from
 * events that their target is back. Each becomes "blind" and closes once
 * every probe has measured its recovery by itself and a fresh read says the
 * target is Online.
 */
void trial_on_resync(struct run *r);
void trial_on_probe_change(struct run *r, size_t probe, enum probe_status to, uint64_t at);
void trial_on_probe_check(struct run *r, size_t probe, enum check_result res, uint64_t started);
void trial_abort_all(struct run *r);

/* run_restore.c */
/* Before the first injection on resource: remember its group's owner and every member's state. */
void run_note_touched(struct run *r, const char *resource);
/* Put back what the run touched (restore.c's restore_touched), unless the plan says never: 0, or -1. */
int run_restore_touched(struct run *r);

/* run_exec.c */
void run_env_init(struct run_env *env);
/* Add KEY=value (value NULL: nothing). */
void run_env_set(struct run_env *env, const char *key, const char *value);
void run_env_fini(struct run_env *env);
/*
 * Start argv (no shell) with env plus the run's context, appending its
 * record to r->rec->execs (returned index). done (may be NULL) is called
 * when it ended, or at once if it could not start; in virtual time the
 * command runs to completion before this returns. env is consumed.
 */
size_t run_cmd_start(struct run *r, const char *name, char *const *argv, const char *target, struct run_env *env,
                     uint64_t timeout_ns, run_cmd_cb done, void *arg);
bool run_cmd_running(const struct run *r, size_t rec);
/* Run the loop until that command ended. */
void run_cmd_wait(struct run *r, size_t rec);
/* Run the loop until every command ended (each is bounded by its timeout). */
void run_cmd_settle(struct run *r);
/* Kill and reap whatever still runs. */
void run_cmd_fini(struct run *r);
/* The run's context for commands: plan, plan file, seed, backend (no run time). */
void run_env_context(const struct run *r, struct run_env *env);
/* What an exec fault's undo gets beside the run's context: fault, trial, target, FAULTLINE_UNDO=1. */
void run_undo_env(const struct run *r, size_t fault, unsigned trial, const char *target, struct run_env *env);
/* hooks: before_run failing aborts the run (-1); the others are recorded only. */
int run_hook_before(struct run *r);
void run_hook_after_trial(struct run *r, const struct rec_trial *rt);
void run_hook_after_restore(struct run *r, bool restored);
/* The exec faults' undo commands, newest first, each a rec_restore; -1 if one failed. */
int run_undo_all(struct run *r);
void run_undo_free(struct run *r);

/* run_steady.c */
/*
 * After the restore: run the probes again until each passed `successes`
 * checks in a row, for at most run.steady_state. NULL when steady, else
 * "not steady after restore: probe P ..." (caller frees), for
 * run_steady_record once the SLOs are judged.
 */
char *run_steady_after(struct run *r);
void run_steady_record(struct run *r, const char *why);

/* run_journal.c */
int run_journal_begin(struct run *r);
int run_journal_intent(struct run *r, const char *action, const char *resource, const char *group, struct fl_err *e);
/*
 * Ask the backend what undoes the action, keep it and journal the new items:
 * 0; -1 = do not act (the backend could not tell); RUN_INJECT_NO_JOURNAL = the journal write failed.
 */
int run_journal_undo(struct run *r, enum cluster_act act, const char *target, unsigned flags, const char *destination,
                     struct fl_err *e);
void run_journal_injected(struct run *r, long code, const char *error);
/* struct restore_ctx's record hook (arg: the run). */
int run_journal_record_cb(void *arg, const char *const *items, size_t n, struct fl_err *e);
/*
 * A node fault's INTENT, named after the node: the pre-run state of every
 * noted resource in groups[0..ngroups) (all: every noted resource), so a
 * reconciliation after a crash puts those groups back.
 */
int run_journal_intent_groups(struct run *r, const char *action, const char *name, const char *const *groups,
                              size_t ngroups, bool all, struct fl_err *e);
/* The node's pre-run state (NODE), once per node, before the first INTENT acting on it. */
int run_journal_node(struct run *r, struct touched_node *t, struct fl_err *e);
void run_journal_end(struct run *r, int exit_code);

/* run_journal_exec.c */
/* "undo FAULT #N", or "undo FAULT #N for TARGET": unique in a run (caller frees). */
char *run_undo_key(const struct run *r, size_t fault, unsigned trial, const char *target);
/* The fault's undo (EXEC_UNDO), synced, before its command's INTENT; 0 without an undo or a journal. */
int run_journal_exec_undo(struct run *r, size_t fault, unsigned trial, const char *target, struct fl_err *e);
/* The restore ran u (its rec_restore at index restore): journal it now, so nothing runs it again. */
void run_journal_exec_ran(struct run *r, struct run_undo *u, size_t restore);
/* Journaled undos whose command never ran (it could not start): nothing to undo, said so. */
void run_journal_exec_unrun(struct run *r);
/* rec->restores[i] is already in the journal (an exec undo's). */
bool run_journal_restore_written(const struct run *r, size_t i);

/* slo.c */
void slo_judge(const struct plan *p, struct run_record *rec);

#endif
