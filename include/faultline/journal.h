/*
 * journal.h - the crash-safety journal: what was injected, and how to undo it.
 *
 * STATE/journal is an append-only file of records, each framed as
 *   u32 len | u32 crc32c(len) | u32 crc32c(body) | body[len] = u8 type, fields
 * (little-endian; fields are NUL-terminated strings). An INTENT record is
 * written and fdatasync'd before every injection, so a crash at any point
 * leaves either no injection or a record of it with the pre-run state to
 * restore to. A torn last record is detected and cut off on open; damage
 * anywhere before the last record is refused, loudly: reconciliation never
 * guesses. STATE/lock (flock) makes one process at a time own the journal,
 * so whatever is still open in it when we open it belongs to a dead process.
 * See docs/journal.md.
 */
#ifndef FAULTLINE_JOURNAL_H
#define FAULTLINE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/cluster.h"
#include "faultline/err.h"
#include "faultline/restore.h"

struct cluster;
struct cluster_config;
struct fl_clock;
struct loop;

enum journal_type {
	/*
	 * id, plan path, plan sha256, backend, topology, seed, timeout, argc, argv..., then, only when
	 * the plan has node commands: node command timeout, down argc, down argv..., up argc, up argv...
	 */
	JR_RUN_START = 1,
	JR_INTENT = 2,    /* id, seq, action, resource, then (resource, group, owner, state) per pre-run item */
	JR_INJECTED = 3,  /* id, seq, backend code, error ("" = accepted) */
	JR_RESTORED = 4,  /* id, resource, verified 0/1, detail */
	JR_RUN_END = 5,   /* id, exit code, how */
	JR_ACK = 6,       /* id, why: an operator accepted what could not be restored */
	JR_UNDO = 7,      /* id, then the backend's undo items (struct cluster_undo), before the action */
	JR_NODE = 8,      /* id, node, its state before the run (enum node_state); before the first action on it */
	JR_EXEC_UNDO = 9, /* id, key, timeout, target, envc, env..., argv...: an exec fault's undo, before it runs */
};

/* A node a run acted on (NODE), verified back by a RESTORED for "node NAME". */
struct journal_node {
	char *name;
	int before; /* enum node_state */
	bool verified;
};

/*
 * An exec fault's undo (EXEC_UNDO). A RESTORED naming its key says it ran
 * (verified 1: exit status 0): it is never run again.
 */
struct journal_exec {
	char *key;    /* "undo FAULT #N" or "undo FAULT #N for TARGET" */
	char **argv;  /* NULL-terminated */
	char **env;   /* "KEY=value", NULL-terminated: the context the run would have given it */
	char *target; /* or NULL */
	uint64_t timeout_ns;
	bool ran, ok;
};

#define JOURNAL_MAX_RECORD    (64u * 1024u)
#define JOURNAL_COMPACT_BYTES (1024u * 1024u)

/*
 * A run the journal still cares about: not yet ended, or ended with
 * something unrestored. Settled runs (ended with every resource verified,
 * or acknowledged) are dropped from memory and from the next compaction.
 */
struct journal_run {
	char *id;
	char *plan_path;
	char *plan_sha256;
	char *backend;
	char *topology; /* "" when none */
	char **command; /* NULL-terminated, empty for none */
	size_t ncommand;
	uint64_t seed;
	uint64_t timeout_ns;
	char **node_down, **node_up; /* the plan's node commands (NULL-terminated), or NULL */
	uint64_t node_timeout_ns;
	char *key;                /* cluster identity (journal_cluster_key) */
	struct touched *touched;  /* pre-run state of everything INTENT named */
	bool *verified;           /* per touched: a RESTORED record verified it */
	struct cluster_undo undo; /* what undoes its actions (UNDO records), first value per key */
	size_t ntouched, captouched;
	struct journal_node *nodes; /* NODE records, one per node */
	size_t nnodes, capnodes;
	struct journal_exec *execs; /* EXEC_UNDO records, one per key */
	size_t nexecs, capexecs;
	unsigned intents, injected;
	bool ended;              /* RUN_END seen */
	bool orphan;             /* found in the journal on open: its process is gone */
	struct journal_raw *raw; /* its records, verbatim, for compaction */
	size_t nraw, capraw;
	struct journal_run *next;
};

struct journal;

/*
 * Open (creating STATE and STATE/journal, mode 0700/0600) and lock the
 * journal, read every record and cut off a torn last one. Fails if another
 * process holds the lock, or if a record before the last is damaged (the
 * message names its offset). Every run left unsettled is marked orphan.
 */
struct journal *journal_open(const char *dir, struct fl_err *e);
/* Close and unlock; runs still open stay in the file. NULL is a no-op. */
void journal_close(struct journal *j);

const char *journal_file(const struct journal *j);
uint64_t journal_size(const struct journal *j);
/* Unsettled runs, in the order they started. Borrowed. */
struct journal_run *journal_runs(const struct journal *j);
/* Compact when the file grows past `bytes` (default JOURNAL_COMPACT_BYTES). */
void journal_set_compact_bytes(struct journal *j, uint64_t bytes);
/* Rewrite the file with only the unsettled runs' records (atomic rename). */
int journal_compact(struct journal *j, struct fl_err *e);

/* "backend:topology" or "backend:argv..." - which cluster a run acted on. Caller frees. */
char *journal_cluster_key(const struct cluster_config *cfg);
/*
 * The agent's journal directory for one cluster: STATE/clusters/<16 hex of
 * the cluster key>. One journal per cluster, so concurrent runs on
 * different clusters (separate processes) never contend for a lock, and a
 * cluster's runs are never concurrent anyway. Caller frees.
 */
char *journal_cluster_dir(const char *state, const struct cluster_config *cfg);
/* The cluster configuration recorded in r (pointers borrowed from r). */
void journal_run_config(const struct journal_run *r, struct cluster_config *cfg);
/* An orphaned or ended-but-unrestored run on this cluster: new runs must wait for an operator. */
const struct journal_run *journal_held(const struct journal *j, const char *key);

/*
 * Writers. Each appends one record; RUN_START, INTENT, RESTORED and
 * RUN_END are fdatasync'd before returning. On -1 nothing was appended
 * (a short write is cut back), and the caller must not inject.
 * journal_begin returns the run (owned by the journal); after
 * journal_end or journal_ack it may be freed and must not be used.
 */
struct journal_run *journal_begin(struct journal *j, const char *id, const struct cluster_config *cfg,
                                  const char *plan_path, const char *plan_sha256, struct fl_err *e);
int journal_intent(struct journal *j, struct journal_run *r, const char *action, const char *resource,
                   const struct touched *items, size_t n, struct fl_err *e);
/* What undoes the next action (the backend's undo items); before its INTENT, synced. */
int journal_undo(struct journal *j, struct journal_run *r, const char *const *items, size_t n, struct fl_err *e);
/* A node's state before the run's first action on it; synced, before that action's INTENT. */
int journal_node(struct journal *j, struct journal_run *r, const char *node, int before, struct fl_err *e);
/*
 * What undoes an exec fault's command (argv, env "KEY=value", NULL-terminated
 * both), run once by the restore or by reconciliation; synced, before the
 * command's INTENT. key names it in the RESTORED that says it ran.
 */
int journal_exec_undo(struct journal *j, struct journal_run *r, const char *key, char *const *argv, char *const *env,
                      const char *target, uint64_t timeout_ns, struct fl_err *e);
/* The exec undo recorded under key, or NULL. */
const struct journal_exec *journal_exec_find(const struct journal_run *r, const char *key);
/* Resources, nodes and exec undos of r not yet verified restored. */
size_t journal_run_unverified(const struct journal_run *r);
/* Resources, nodes and exec undos r recorded at all. */
size_t journal_run_items(const struct journal_run *r);
int journal_injected(struct journal *j, struct journal_run *r, long code, const char *error, struct fl_err *e);
int journal_restored(struct journal *j, struct journal_run *r, const char *resource, bool ok, const char *detail,
                     struct fl_err *e);
int journal_end(struct journal *j, struct journal_run *r, int exit_code, const char *how, struct fl_err *e);
int journal_ack(struct journal *j, struct journal_run *r, const char *why, struct fl_err *e);

/*
 * Print every record of the journal file at path, one line each
 * ("RUN_START r1 plan=... backend=sim ..."), for operators and tests.
 * Stops with -1 at damage before the last record, like journal_open.
 */
int journal_dump(const char *path, FILE *out, struct fl_err *e);

/* How reconciliation reaches a recorded cluster. */
struct reconcile_opts {
	/* Open the run's cluster; NULL = cluster_open on its recorded config. */
	struct cluster *(*open)(const struct journal_run *r, struct fl_clock *clk, void *arg, struct fl_err *e);
	void (*close)(struct cluster *cl, void *arg); /* NULL = cluster_close */
	void *arg;
	struct fl_clock *clk; /* NULL = a real clock of its own */
	struct loop *loop;    /* NULL = a loop of its own on clk */
	uint64_t timeout_ns;  /* per run; 0 = 2 minutes */
	bool force;           /* acknowledge what still cannot be restored */
	FILE *progress;       /* one line per action and verdict, or NULL */
};

/*
 * Restore every orphaned or unrestored run: run each exec undo it recorded
 * that has not run (once, newest first), reopen its cluster, bring each
 * node it recorded back to its pre-run state, then each touched resource,
 * verify them, and journal every outcome as it is known (RESTORED per
 * undo, node and resource, RUN_END when all verified; with force, ACK for
 * what is still not restored). Returns how many runs remain unrestored
 * (0 = all clean), or -1 if the journal itself failed.
 */
int journal_reconcile(struct journal *j, const struct reconcile_opts *o, struct fl_err *e);

/*
 * Call fn on every journal directory under a state directory: each
 * STATE/clusters/<id> and STATE itself when STATE/journal exists. Returns
 * the last non-zero result of fn, or 0.
 */
int journal_state_each(const char *state, int (*fn)(const char *dir, void *arg), void *arg);
/* Runs under STATE still waiting for a restore (journals locked by a live run are skipped). */
size_t journal_state_pending(const char *state);

/* What a journal says is still out, read without taking its lock. */
struct journal_peek {
	unsigned runs;   /* unsettled runs that touched something */
	unsigned faults; /* touched resources, nodes and exec undos not yet verified restored */
};
/*
 * Read DIR/journal without locking it: the agent uses this to see what an
 * orphaned run (still alive, holding the lock) has injected. A torn last
 * record is ignored, not cut. A missing journal is empty. -1 on damage or
 * a file that is not a journal.
 */
int journal_peek(const char *dir, struct journal_peek *out, struct fl_err *e);

#endif
