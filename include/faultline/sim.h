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

#include "faultline/cluster.h"
#include "faultline/err.h"

struct fl_clock;

#define SIM_NEVER UINT64_MAX /* e.g. RetryPeriodOnFailure 0xFFFFFFFF */

/* A duration, fixed (min == max) or drawn uniformly from [min, max] with the seed. */
struct sim_duration {
	uint64_t min_ns;
	uint64_t max_ns;
};

/* One AND-term of a dependency expression: at least one of `any` online. */
struct sim_dep {
	char **any;
	size_t nany;
};

enum sim_restart_action { SIM_RESTART_NONE = 0, SIM_RESTART_NO_FAILOVER = 1, SIM_RESTART_FAILOVER = 2 };

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
	struct sim_duration online_time;        /* default 0 */
	struct sim_duration offline_time;       /* default 0 */
	bool locked;                            /* refuses offline without ignore_resource_status */
	bool start_offline;                     /* initial persistent state Offline */
	char **broken_on;                       /* nodes where online attempts fail */
	size_t nbroken_on;
	char *endpoint; /* "127.0.0.1:PORT" or NULL */
	struct src_pos pos;
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
	char *owner; /* initial owner; NULL = first preferred/possible */
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
	int utc_offset_min; /* local time for failback windows; default 0 */
};

/*
 * Load and check a topology file: every error positioned and reported at
 * once in d. Returns NULL if there was any error.
 */
struct sim_topology *sim_topology_load(const char *path, struct fl_diag *d);
void sim_topology_free(struct sim_topology *t);

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

/* The recorded trace so far. */
const struct sim_transition *sim_trace(const struct sim *s, size_t *n);
/* Append the trace as text, one transition per line, to a FILE *. */
void sim_trace_print(const struct sim *s, void *stream);

/* The sim's cluster_ops entry, registered as "sim". */
extern const struct cluster_ops sim_cluster_ops;
/* The struct sim behind a cluster opened with the "sim" backend. */
struct sim *sim_from_cluster(struct cluster *c);

#endif
