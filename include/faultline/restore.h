/*
 * restore.h - put resources back to the state they had before a run.
 *
 * One piece of code serves the run engine (at the end of every run) and
 * journal reconciliation (after a crash): both hand it a cluster, the clock
 * and loop that cluster runs on, and the list of what was touched with its
 * pre-run state. It corrects one thing per group at a time, waits for
 * pending states to settle, retries a bounded number of times, and verifies
 * every resource against the cluster before calling it restored.
 */
#ifndef FAULTLINE_RESTORE_H
#define FAULTLINE_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/cluster.h"
#include "faultline/err.h"
#include "faultline/record.h"

struct cluster;
struct cluster_undo;
struct fl_clock;
struct loop;

/* What a run touched, and how it was before. */
struct touched {
	char *resource;
	char *group; /* may be NULL */
	char *owner; /* owner node of the group before the run, may be NULL */
	int state;   /* enum res_state before the run */
};

struct restore_ctx {
	struct cluster *cl;
	struct fl_clock *clk;
	struct loop *loop;
	uint64_t timeout_ns; /* 0 = 2 minutes */
	/* One line per corrective action and the summary, or NULL. */
	void (*progress)(void *arg, const char *msg);
	void *arg;
	/*
	 * What undoes the run's actions (recorded before each), or NULL. The
	 * restore undoes every item, then appends what undoes its own
	 * corrective actions and undoes those too; leftovers fail it.
	 */
	struct cluster_undo *undo;
	/* Make new items durable before the action they undo; -1 = do not act. NULL = nothing to do. */
	int (*record)(void *arg, const char *const *items, size_t n, struct fl_err *e);
	void *record_arg;
};

/*
 * Undo c->undo, restore items[0..n) and append one rec_restore per item to
 * rec->restores (ok = verified against the cluster: its pre-run state on
 * its pre-run node, and no undo item of its own left over). Returns 0 if
 * every item verified, -1 otherwise (each failure is logged loudly).
 */
int restore_touched(const struct restore_ctx *c, const struct touched *items, size_t n, struct run_record *rec);

void touched_fini(struct touched *t);

/* One line through c->progress (nothing without one): restore.c's and restore_node.c's. */
void restore_say(const struct restore_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Bring node back to `before` (its state before the run) with one backend
 * call (node_up, resume, pause or node_down, as the state now requires;
 * none when it already is), then wait, running c->loop, until a snapshot
 * says it is as it was or c->clk reaches deadline. Appends one rec_restore
 * "node NAME" to rec. 0 verified, -1 not (said through c->progress).
 */
int restore_node(const struct restore_ctx *c, const char *node, enum node_state before, uint64_t deadline,
                 struct run_record *rec);
/* Now plus c->timeout_ns (0 = 2 minutes): one deadline for all of a restore's nodes. */
uint64_t restore_node_deadline(const struct restore_ctx *c);

#endif
