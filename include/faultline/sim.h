/*
 * sim.h - the embedded failover-cluster simulator.
 *
 * A topology (nodes, groups, resources with WSFC policy properties) is
 * loaded from YAML into struct sim_topology; sim_new() brings it to life on
 * a clock (virtual for tests and rehearsals, real for runs with loopback
 * endpoints). The simulator reproduces the restart/failover policy described
 * in ../shared/wsfc-semantics.md and docs/simulator.md, and records every
 * transition with its exact time: the ground truth for measured recovery.
 */
#ifndef FAULTLINE_SIM_H
#define FAULTLINE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/cluster.h"
#include "faultline/dist.h"
#include "faultline/err.h"

struct fl_clock;
struct run_record;

#define SIM_NEVER UINT64_MAX /* e.g. RetryPeriodOnFailure 0xFFFFFFFF */

/* One AND-term of a dependency expression: at least one of `any` online. */
struct sim_dep {
	char **any;
	size_t nany;
};

enum sim_restart_action { SIM_RESTART_NONE = 0, SIM_RESTART_NO_FAILOVER = 1, SIM_RESTART_FAILOVER = 2 };

/* Whose recovery rules the simulator plays (docs/simulator.md). */
enum sim_policy { SIM_POLICY_WSFC = 0, SIM_POLICY_PACEMAKER = 1 };

struct sim_resource_def {
	char *name;
	char *type;
	char *group;
	struct sim_dep *deps; /* AND of ORs */
	size_t ndeps;
	enum sim_restart_action restart_action; /* default 2 */
	uint32_t restart_threshold;             /* default 1 (KB 947712) */
	uint64_t restart_period_ns;             /* default 15 min */
	uint64_t restart_delay_ns;              /* default 500 ms */
	uint64_t retry_period_ns;               /* default 1 h; SIM_NEVER */
	uint64_t pending_timeout_ns;            /* default 180 s */
	struct dist online_time;                /* default 0; fixed, uniform or lognormal (dist.h) */
	struct dist offline_time;               /* default 0 */
	bool locked;                            /* refuses offline without ignore_resource_status */
	bool start_offline;                     /* initial persistent state Offline */
	char **possible;                        /* possible owners; empty = every node */
	size_t npossible;
	char **broken_on; /* nodes where online attempts fail */
	size_t nbroken_on;
	char *endpoint;          /* "127.0.0.1:PORT" or NULL */
	struct dist ready_after; /* the endpoint listens this long after Online (the service lags); default 0 */
	/* policy: pacemaker (Pacemaker Explained, "Resource Meta-Attributes") */
	uint64_t monitor_interval_ns; /* a real failure (sim_crash) is seen at the next check; 0 = at once */
	uint32_t migration_threshold; /* 0 = never move (INFINITY) */
	uint64_t failure_timeout_ns;  /* 0 = fail-counts never expire */
	int64_t stickiness;           /* resource-stickiness, default 0 */
	struct src_pos pos;
};

/* A location constraint of a group (policy: pacemaker): score for a node. */
struct sim_location {
	char *node;
	int64_t score;
};

struct sim_group_def {
	char *name;
	char **preferred; /* ordered preferred owners */
	size_t npreferred;
	char **possible; /* possible owners; empty = every node */
	size_t npossible;
	uint32_t failover_threshold; /* UINT32_MAX = nodes - 1 */
	uint64_t failover_period_ns; /* default 6 h */
	int auto_failback;           /* 0 prevent, 1 allow */
	int failback_start_hour;     /* -1 none, else 0..23 */
	int failback_end_hour;
	char *owner;                   /* initial owner; NULL = first preferred/possible */
	struct sim_location *location; /* policy: pacemaker */
	size_t nlocation;
	struct src_pos pos;
};

struct sim_node_def {
	char *name;
	bool down; /* starts down */
	struct src_pos pos;
};

struct sim_topology {
	char *name;
	char *path; /* file it was loaded from, if any */
	struct sim_node_def *nodes;
	size_t nnodes;
	struct sim_group_def *groups;
	size_t ngroups;
	struct sim_resource_def *resources;
	size_t nresources;
	int utc_offset_min;        /* local time for failback windows; default 0 */
	enum sim_policy policy;    /* default SIM_POLICY_WSFC */
	struct dist pcmk_reaction; /* pacemaker: failure recorded -> scheduler acts */
	/* pacemaker: faultline's online due -> it takes effect (sim_pcmk_online.c) */
	struct dist pcmk_online_reaction;
	uint32_t pcmk_fail_increment; /* pacemaker: fail-count added per injected fail; default 2 */
	bool witness;                 /* a witness (disk or file share) holds one more quorum vote */
	uint64_t join_time_ns;        /* a node that comes back is Joining this long before Up; default 0 */
};

/*
 * Load and check a topology file: every error positioned and reported at
 * once in d. Returns NULL if there was any error.
 */
struct sim_topology *sim_topology_load(const char *path, struct fl_diag *d);
void sim_topology_free(struct sim_topology *t);

/*
 * Write t as YAML that sim_topology_load reads back (settings that differ
 * from the defaults only). Returns -1 if the stream reports an error.
 */
int sim_topology_write(FILE *f, const struct sim_topology *t);

/*
 * `faultline calibrate`: set t's online_time and offline_time per resource,
 * and the Pacemaker reaction_time (or the WSFC restart_delay), from the
 * events of n JSON run records of the real cluster: median as measured,
 * p95 as measured (lognormal). One line per fitted value goes to log. -1 with e if no
 * resource of t has anything measured. which: every trial, or every other
 * trial of each fault (one run split in two halves interleaved in time: one
 * to calibrate from, the other to compare with).
 */
enum calib_trials {
	CALIB_ALL,  /* every trial, and every state change of the records */
	CALIB_ODD,  /* the 1st, 3rd, 5th... trial of each fault (rec_trial.index 0, 2, 4...), and only the
	               state changes within them (both ends between one such trial's planned_at and closed_at) */
	CALIB_EVEN, /* the 2nd, 4th... likewise */
};
int sim_calibrate(struct sim_topology *t, const struct run_record *recs, size_t n, enum calib_trials which, FILE *log,
                  struct fl_err *e);

/* Fill r / g with the documented WSFC defaults (see docs/topology-format.md); names NULL. */
void sim_resource_def_defaults(struct sim_resource_def *r);
void sim_group_def_defaults(struct sim_group_def *g);

/* One recorded state transition: the ground truth. */
enum sim_obj { SIM_OBJ_RESOURCE, SIM_OBJ_GROUP, SIM_OBJ_NODE };

struct sim_transition {
	uint64_t at; /* clock ns */
	enum sim_obj obj;
	const char *name; /* owned by the simulator */
	int from, to;     /* enum res_state / enum group_state */
	const char *node; /* owner at the time */
	const char *why;  /* short cause: "FailClusterResource", "restart", "failover", ... */
};

struct sim;

/* Bring a topology to life. The topology must outlive the sim. */
struct sim *sim_new(const struct sim_topology *t, struct fl_clock *clk, uint64_t seed, struct fl_err *e);
void sim_free(struct sim *s);

/*
 * Wall time for failback windows: `unix_s` is the UTC time at the sim's
 * start (clock time at sim_new); the topology's utc_offset_min gives local
 * time. Default: 0 (1970-01-01 00:00 UTC) on a virtual clock, so runs stay
 * deterministic; the current time on a real clock.
 */
void sim_set_wall_epoch(struct sim *s, int64_t unix_s);

/*
 * Operations, as the cluster API answers them. Each returns 0 when the
 * call was accepted (*code WIN_ERROR_SUCCESS or WIN_ERROR_IO_PENDING) and
 * -1 with *code the Win32 error and e saying why otherwise; a refused call
 * changes nothing. The consequences run later on the clock's timers.
 *
 * sim_fail: FailClusterResource; 5084 unless the resource is Online.
 * sim_offline: OfflineV2 with OFFLINE_* flags; destination may be NULL (a
 *   destination moves the whole group there). 5960 for a locked resource
 *   without OFFLINE_IGNORE_RESOURCE_STATUS, 5023 for a pending one without
 *   OFFLINE_QUEUE_ENABLED.
 * sim_online: brings the resource (and its providers) online.
 * sim_move_group: MoveClusterGroupEx with MOVE_* flags; node NULL = the
 *   next suitable node. 5960 when a member is locked and
 *   MOVE_IGNORE_RESOURCE_STATUS is not given.
 * Unknown names give 5007 (resource), 5013 (group), 5042 (node).
 */
int sim_fail(struct sim *s, const char *resource, long *code, struct fl_err *e);
/*
 * A real failure, not FailClusterResource: the service dies now (its
 * endpoint closes) but the cluster sees it only at the resource's next
 * health check (monitor_interval after it came online, and every interval
 * since), then it is Failed ("monitor: not running") and the policy runs.
 * 5084 unless Online.
 */
int sim_crash(struct sim *s, const char *resource, long *code, struct fl_err *e);
int sim_offline(struct sim *s, const char *resource, unsigned flags, const char *destination, long *code,
                struct fl_err *e);
int sim_online(struct sim *s, const char *resource, long *code, struct fl_err *e);
int sim_move_group(struct sim *s, const char *group, const char *node, unsigned flags, long *code, struct fl_err *e);

/*
 * Nodes (docs/simulator.md, "Nodes and quorum"). Each returns 0 when
 * accepted, -1 with *code and e otherwise (5042 unknown node; 5050 already
 * down; 5056 already up; 5070 already paused; 5058 not paused).
 *
 * sim_node_down: the node leaves the cluster abruptly (a crash). Its
 *   groups' resources are Offline at once ("node down"); each group fails
 *   over to the next Up node in its failover order. Not a resource
 *   failure: no restart, no FailoverThreshold count. If the remaining
 *   votes are no majority, quorum is lost: every group goes Offline.
 * sim_node_up: Down -> Joining, and after the topology's join_time Up;
 *   regains quorum if it was lost; groups with no running owner are placed;
 *   groups that prefer this node fail back per their policy.
 * sim_node_pause: Up -> Paused (PauseClusterNodeEx); with drain its groups
 *   move to other nodes ("drain"). Nothing moves to a paused node; what
 *   already runs there stays.
 * sim_node_resume: Paused -> Up (ResumeClusterNodeEx) with a failback type.
 */
int sim_node_down(struct sim *s, const char *node, long *code, struct fl_err *e);
int sim_node_up(struct sim *s, const char *node, long *code, struct fl_err *e);
int sim_node_pause(struct sim *s, const char *node, bool drain, long *code, struct fl_err *e);
int sim_node_resume(struct sim *s, const char *node, enum node_failback failback, long *code, struct fl_err *e);
/* NODE_UNKNOWN for an unknown name. */
enum node_state sim_node_state(const struct sim *s, const char *node);
/* Node majority (plus the witness's vote): more than half of the votes are members. */
bool sim_has_quorum(const struct sim *s);

/* Current state, RES_UNKNOWN / GRP_UNKNOWN for an unknown name. */
enum res_state sim_resource_state(const struct sim *s, const char *resource);
enum group_state sim_group_state(const struct sim *s, const char *group);
/* Current owner node of a group, NULL for an unknown name. Borrowed. */
const char *sim_group_owner(const struct sim *s, const char *group);
/* The resource's persistent (desired) state is Online. */
bool sim_resource_persistent(const struct sim *s, const char *resource);
/* A consistent picture (cluster.h layout); free with cluster_snapshot_free. */
void sim_snapshot(const struct sim *s, struct cluster_snapshot *out);

/*
 * Called after every recorded transition (the trace entry is passed), e.g.
 * to queue events or open endpoints. One observer; NULL removes it.
 */
typedef void (*sim_observer_cb)(const struct sim_transition *tr, void *arg);
void sim_set_observer(struct sim *s, sim_observer_cb cb, void *arg);
/* The definition of a resource (for its endpoint), NULL if unknown. */
const struct sim_resource_def *sim_resource_def(const struct sim *s, const char *resource);

/* The recorded trace so far. */
const struct sim_transition *sim_trace(const struct sim *s, size_t *n);
/*
 * Append the trace as text, one transition per line, to a FILE *:
 *   "00:00:00.500 resource \"SQL Server\" failed -> online-pending on node1 (restart)"
 * Times are since the sim started (hh:mm:ss.mmm; hours grow past 99).
 */
void sim_trace_print(const struct sim *s, void *stream);
/* Format one transition the same way (no newline) into buf. */
const char *sim_transition_format(const struct sim *s, const struct sim_transition *tr, char *buf, size_t len);

/* The sim's cluster_ops entry, registered as "sim". */
extern const struct cluster_ops sim_cluster_ops;
/* The struct sim behind a cluster opened with the "sim" backend. */
struct sim *sim_from_cluster(struct cluster *c);

/*
 * Ground truth for a service that lags its resource: true when the
 * resource's service is ready now (Online for its ready_after lag; with
 * endpoints, its listener is open), with *since (may be NULL) the clock
 * time it became ready: when the listener opened. False for a resource
 * without an endpoint, or when c is not a sim.
 */
bool sim_cluster_ready(struct cluster *c, const char *resource, uint64_t *since);

#endif
