/*
 * cluster.h - the one interface every cluster backend implements.
 *
 * Backends: "sim" (embedded simulator, the default), "pacemaker", "exec"
 * (an adapter process speaking a JSON-lines protocol) and "wsfc" (exec with
 * faultline-wsfc.exe as the adapter). Each backend file exports one const
 * struct cluster_ops; registry.c lists them, and both the plan loader and
 * cluster_open() find a backend there by name.
 *
 * Vocabulary and numbers follow the Windows Failover Cluster API
 * (ClusApi.h), which is the richest of the three; other backends map onto
 * it (see docs/backends.md). Every call reports failure through struct
 * fl_err and never prints. Calls that act on the cluster also return the
 * backend's native result code in *code (Win32 error code, exit status),
 * so the report can show exactly what the cluster said.
 */
#ifndef FAULTLINE_CLUSTER_H
#define FAULTLINE_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

struct fl_clock;

/* CLUSTER_RESOURCE_STATE */
enum res_state {
	RES_UNKNOWN = -1,
	RES_INHERITED = 0,
	RES_INITIALIZING = 1,
	RES_ONLINE = 2,
	RES_OFFLINE = 3,
	RES_FAILED = 4,
	RES_PENDING = 128,
	RES_ONLINE_PENDING = 129,
	RES_OFFLINE_PENDING = 130,
};

/* CLUSTER_GROUP_STATE */
enum group_state {
	GRP_UNKNOWN = -1,
	GRP_ONLINE = 0,
	GRP_OFFLINE = 1,
	GRP_FAILED = 2,
	GRP_PARTIAL_ONLINE = 3,
	GRP_PENDING = 4,
};

/* CLUS_RESDLL_OFFLINE_* (the OfflineV2 routine's flags); plans use these names. */
#define OFFLINE_IGNORE_RESOURCE_STATUS                    0x01u
#define OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR            0x02u
#define OFFLINE_QUEUE_ENABLED                             0x04u
#define OFFLINE_RETURNING_TO_SOURCE_NODE_BECAUSE_OF_ERROR 0x08u
#define OFFLINE_DUE_TO_EMBEDDED_FAILURE                   0x10u
#define OFFLINE_IGNORE_NETWORK_CONNECTIVITY               0x20u
#define OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE            0x40u
#define OFFLINE_ALL_FLAGS                                 0x7fu

/* CLUSAPI_GROUP_MOVE_* (MoveClusterGroupEx's flags); the first three share the OFFLINE_* bits and names. */
#define MOVE_IGNORE_RESOURCE_STATUS         0x01u
#define MOVE_RETURN_TO_SOURCE_NODE_ON_ERROR 0x02u
#define MOVE_QUEUE_ENABLED                  0x04u
#define MOVE_HIGH_PRIORITY_START            0x08u
#define MOVE_ALL_FLAGS                      0x0fu

/* CLUSTER_NODE_STATE (GetClusterNodeState). */
enum node_state {
	NODE_UNKNOWN = -1,
	NODE_UP = 0,
	NODE_DOWN = 1,
	NODE_PAUSED = 2,
	NODE_JOINING = 3,
};

/* CLUSTER_NODE_RESUME_FAILBACK_TYPE (ResumeClusterNodeEx). */
enum node_failback {
	NODE_FAILBACK_NONE = 0,      /* DoNotFailbackGroups */
	NODE_FAILBACK_IMMEDIATE = 1, /* FailbackGroupsImmediately */
	NODE_FAILBACK_POLICY = 2,    /* FailbackGroupsPerPolicy */
};

/* Win32 codes the backends report (winerror.h). */
#define WIN_ERROR_SUCCESS                        0
#define WIN_ERROR_INVALID_HANDLE                 6
#define WIN_ERROR_INVALID_PARAMETER              87
#define WIN_ERROR_IO_PENDING                     997
#define WIN_ERROR_RESOURCE_NOT_AVAILABLE         5006
#define WIN_ERROR_HOST_NODE_NOT_AVAILABLE        5005
#define WIN_ERROR_GROUP_NOT_AVAILABLE            5012
#define WIN_ERROR_RESOURCE_NOT_FOUND             5007
#define WIN_ERROR_GROUP_NOT_FOUND                5013
#define WIN_ERROR_NODE_NOT_FOUND                 5042
#define WIN_ERROR_INVALID_STATE                  5023 /* group or resource not in the right state */
#define WIN_ERROR_RESMON_INVALID_STATE           5084
#define WIN_ERROR_CLUSTER_RESOURCE_LOCKED_STATUS 5960
#define WIN_ERROR_CLUSTER_NODE_DOWN              5050
#define WIN_ERROR_CLUSTER_NODE_UP                5056
#define WIN_ERROR_CLUSTER_NODE_PAUSED            5070
#define WIN_ERROR_CLUSTER_NODE_NOT_PAUSED        5058

/* Operations a backend may support (struct cluster_caps.ops). */
#define CLUSTER_OP_FAIL                0x01u
#define CLUSTER_OP_OFFLINE             0x02u
#define CLUSTER_OP_ONLINE              0x04u
#define CLUSTER_OP_MOVE_GROUP          0x08u
#define CLUSTER_OP_OFFLINE_DESTINATION 0x10u /* offline(..., destination) */
#define CLUSTER_OP_NODE_DOWN           0x20u /* node_down / node_up: a node leaves abruptly, joins again */
#define CLUSTER_OP_NODE_PAUSE          0x40u /* node_pause (drain) / node_resume */

struct cluster_caps {
	unsigned ops;           /* CLUSTER_OP_* */
	unsigned offline_flags; /* OFFLINE_* the backend honours */
	bool notify;            /* notify_fd is event-driven (else polled) */
};

/* A backend's configuration: the plan's `cluster:` section, resolved. */
struct cluster_config {
	const char *backend;  /* a registered name: "sim", "pacemaker", "exec", "wsfc" */
	const char *topology; /* sim: path of the topology file, already resolved */
	char *const *command; /* exec: argv, NULL-terminated */
	uint64_t seed;        /* sim: seeds random durations */
	uint64_t timeout_ns;  /* per-call deadline for external backends; 0 = default */
	bool sim_endpoints;   /* sim: open real loopback endpoints (real-time runs) */
	/*
	 * exec, wsfc, pacemaker: how to crash a node and bring it back, since
	 * no cluster API does (argv, NULL-terminated, "{node}" replaced by the
	 * node's name; both or neither). NULL: node_down is not offered,
	 * unless an adapter declares it.
	 */
	char *const *node_down_command;
	char *const *node_up_command;
	uint64_t node_command_timeout_ns; /* 0 = 60 s */
	/*
	 * Where the adapter and the node commands run: the run's working
	 * directory, so that journal reconciliation (`faultline restore`, run
	 * from anywhere) resolves their relative paths as the run did. NULL:
	 * this process's.
	 */
	const char *workdir;
};

struct cluster_node {
	char *name;
	bool up;        /* a member of the cluster (Up or Paused) */
	bool paused;    /* Paused (WSFC) / standby (Pacemaker); false when the backend cannot tell */
	unsigned votes; /* its quorum votes now, with the snapshot's votes_known (0: not a member) */
};

struct cluster_group {
	char *name;
	char *owner; /* current owner node, may be NULL */
	enum group_state state;
};

struct cluster_resource {
	char *name;
	char *type;
	char *group;
	char *owner; /* current owner node (the group's), may be NULL */
	enum res_state state;
	char **deps; /* names of resources it depends on (flattened), owned */
	size_t ndeps;
};

/* A consistent picture of the cluster; everything inside is owned. */
struct cluster_snapshot {
	struct cluster_node *nodes;
	size_t nnodes;
	struct cluster_group *groups;
	size_t ngroups;
	struct cluster_resource *resources;
	size_t nresources;
	/*
	 * Quorum, when the backend knows it: quorum_known false leaves the
	 * run-time guard with its "last node up" check. Without votes_known the
	 * votes are a node majority: one per node up plus votes_witness (1 with
	 * a witness, else 0), more than half of all nodes' and the witness's
	 * needed. With votes_known they are the cluster's own count (Pacemaker:
	 * corosync votequorum, added by quorum_votes): each member's in
	 * cluster_node.votes, votes_total of the members and any quorum device
	 * now, votes_needed to stay quorate (votequorum's "Quorum": two_node and
	 * expected_votes are already in it), votes_expected.
	 */
	bool quorum_known;
	bool quorum; /* the cluster has quorum now */
	unsigned votes_witness;
	bool votes_known;
	bool two_node; /* votequorum two_node (one node of two keeps quorum): for messages, votes_needed has it */
	unsigned votes_total, votes_needed, votes_expected;
};

/* Votes left, needed and of how many, if some nodes left the cluster (cluster_quorum_votes). */
struct cluster_votes {
	unsigned left, needed, of;
};

enum cluster_event_kind {
	CLUSTER_EV_RESOURCE, /* a resource changed state or owner */
	CLUSTER_EV_GROUP,    /* a group changed state or owner */
	CLUSTER_EV_RESYNC,   /* events may have been lost: re-read everything */
	CLUSTER_EV_NODE,     /* a node changed state (state: enum node_state; owner NULL) */
};

struct cluster_event {
	enum cluster_event_kind kind;
	const char *name;  /* borrowed for the callback's duration */
	const char *owner; /* node, may be NULL */
	int state;         /* enum res_state, enum group_state or enum node_state */
	uint64_t at;       /* backend clock, ns; 0 if unknown */
};

typedef void (*cluster_event_cb)(const struct cluster_event *ev, void *arg);

struct cluster;

/* The actions, as undo_plan is told about them. */
enum cluster_act {
	CLUSTER_ACT_FAIL,
	CLUSTER_ACT_OFFLINE,
	CLUSTER_ACT_ONLINE,
	CLUSTER_ACT_MOVE,        /* target is the group (or a standalone resource) */
	CLUSTER_ACT_NODE_PAUSE,  /* target is the node */
	CLUSTER_ACT_NODE_RESUME, /* target is the node */
};

/*
 * What undoes a run's actions: items of tab-separated fields, "kind\tR" or
 * "kind\tR\tname[\tvalue]", where R is the resource or group the item
 * belongs to (a constraint: "constraint\tR\tid"). Two items with the same
 * first three fields undo the same thing, and the first one recorded wins:
 * it holds the value from before the run (a later action sees the value
 * the run set).
 */
struct cluster_undo {
	char **items; /* owned */
	size_t n, cap;
};

/* Append item (copied) unless an item with the same key is there; true if added. */
bool cluster_undo_add(struct cluster_undo *u, const char *item);
/* Append item (copied) even if its key is there. */
void cluster_undo_push(struct cluster_undo *u, const char *item);
/* Index of the last item with item's key, or -1. */
long cluster_undo_find(const struct cluster_undo *u, const char *item);
/* The resource or group an item belongs to (its second field), in buf. */
const char *cluster_undo_object(const char *item, char *buf, size_t len);
/* An item for messages: tabs shown as spaces, in buf. */
const char *cluster_undo_str(const char *item, char *buf, size_t len);
void cluster_undo_fini(struct cluster_undo *u);

/* Keys of a plan's `cluster:` section a backend reads, beside backend and timeout. */
#define CLUSTER_KEY_TOPOLOGY 0x1u /* a topology file (cluster_config.topology) */
#define CLUSTER_KEY_COMMAND  0x2u /* an adapter's argv (cluster_config.command) */
#define CLUSTER_KEY_NODE_CMD 0x4u /* node_down_command, node_up_command, node_command_timeout */

struct cluster_ops {
	const char *name;
	struct cluster_caps caps;
	unsigned plan_keys;  /* CLUSTER_KEY_* the plan may give this backend */
	unsigned plan_needs; /* of those, the ones the plan must give */
	bool virtual_time;   /* can run on a virtual clock (`run --virtual-time`): it is simulated on that clock */
	/* Allocate impl state into c->impl. */
	int (*open)(struct cluster *c, const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e);
	void (*close)(struct cluster *c);
	int (*snapshot)(struct cluster *c, struct cluster_snapshot *out, struct fl_err *e);
	int (*resource_state)(struct cluster *c, const char *resource, enum res_state *state, struct fl_err *e);
	/* FailClusterResource: returns once accepted; policy runs asynchronously. */
	int (*fail)(struct cluster *c, const char *resource, long *code, struct fl_err *e);
	/* Offline with CLUS_RESDLL_OFFLINE_* flags; destination may be NULL. */
	int (*offline)(struct cluster *c, const char *resource, unsigned flags, const char *destination, long *code,
	               struct fl_err *e);
	int (*online)(struct cluster *c, const char *resource, long *code, struct fl_err *e);
	/* MoveClusterGroup; node NULL = the most suitable node. */
	int (*move_group)(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e);
	/* Readable when events are pending; -1 if the backend cannot notify. */
	int (*notify_fd)(struct cluster *c);
	/* Deliver pending events to cb; returns how many, or -1. */
	int (*drain)(struct cluster *c, cluster_event_cb cb, void *arg, struct fl_err *e);
	/*
	 * Optional (all three NULL = the backend leaves nothing behind that the
	 * resources' states do not show). undo_plan, called before an action,
	 * appends to u what undoes exactly that action: the previous value of
	 * every attribute it will change (or that there was none), the id of
	 * every constraint it will create, the fail counts it will cause. The
	 * items are the backend's own text (see struct cluster_undo); they are
	 * journaled before the action, so a restore after a crash undoes
	 * exactly them with undo. undo_left says whether one is still there.
	 */
	int (*undo_plan)(struct cluster *c, enum cluster_act act, const char *target, unsigned flags,
	                 const char *destination, struct cluster_undo *u, struct fl_err *e);
	/*
	 * Optional (NULL = 0): how late the backend sees a change of state now,
	 * beyond any probe's own cadence (Pacemaker: the duration of its last
	 * crm_mon read, plus the poll interval when it polls). Part of the
	 * resolution stated for what cluster probes measure.
	 */
	uint64_t (*staleness_ns)(struct cluster *c);
	/* Undo one item; 0 when done or already undone. */
	int (*undo)(struct cluster *c, const char *item, struct fl_err *e);
	/* 1 if what item undoes is still on the cluster (why says what), 0 if not, -1 with e. */
	int (*undo_left)(struct cluster *c, const char *item, char *why, size_t len, struct fl_err *e);

	/*
	 * Optional (NULL: the snapshot's quorum facts are all the backend
	 * knows). Add the cluster's own vote count to s, a snapshot just taken
	 * (votes_known, votes_total/needed/expected, two_node, each node's
	 * votes; quorum again if it is read with them). It costs a command
	 * (Pacemaker: corosync-quorumtool), so snapshots leave it out: only the
	 * run-time quorum guard asks, once before each node_down or node_pause.
	 * -1 with e when the votes cannot be read or matched to s's nodes.
	 */
	int (*quorum_votes)(struct cluster *c, struct cluster_snapshot *s, struct fl_err *e);

	/*
	 * Optional (NULL: the backend's snapshots are already settled). Wait, at
	 * most timeout_ns, until the cluster has no transition pending, so the
	 * restore never verifies a state the cluster is about to leave (a node
	 * that rejoins is integrated for a second or two: Pacemaker's
	 * crm_resource --wait). -1 with e when it did not settle in time.
	 */
	int (*settle)(struct cluster *c, uint64_t timeout_ns, struct fl_err *e);

	int (*cleanup)(struct cluster *c, struct fl_err *e);
	/*
	 * Node operations (optional: NULL, and the CLUSTER_OP_NODE_* bit
	 * clear, when the backend has none; plan checks refuse such faults).
	 * node_down: the node leaves the cluster abruptly (a crash: WSFC has
	 * no API for it, a real backend runs a configured command); its
	 * groups fail over. node_up: it joins again. node_pause:
	 * PauseClusterNodeEx, drain moves its groups away; node_resume:
	 * ResumeClusterNodeEx with a failback type. Accepted calls return 0
	 * and run their consequences asynchronously, like the others.
	 */
	int (*node_down)(struct cluster *c, const char *node, long *code, struct fl_err *e);
	int (*node_up)(struct cluster *c, const char *node, long *code, struct fl_err *e);
	int (*node_pause)(struct cluster *c, const char *node, bool drain, long *code, struct fl_err *e);
	int (*node_resume)(struct cluster *c, const char *node, enum node_failback failback, long *code,
	                   struct fl_err *e);
};

struct cluster {
	const struct cluster_ops *ops;
	void *impl;
	/* What this instance can do: ops->caps, narrowed by open (exec: the adapter's hello). */
	struct cluster_caps caps;
	/* The configured node commands (cluster_config), owned; NULL when none. */
	char **node_down_command, **node_up_command;
	uint64_t node_command_timeout_ns;
	char *workdir; /* cluster_config's, owned; NULL: this process's */
};

/* The backend registered under `name`, or NULL. */
const struct cluster_ops *cluster_backend(const char *name);
/* Space-separated list of registered backend names, for error messages. */
const char *cluster_backend_names(void);
/* The i-th registered backend, or NULL past the last: for callers that walk them all. */
const struct cluster_ops *cluster_backend_at(size_t i);

/* Open the backend named in cfg->backend. NULL with e set on failure. */
struct cluster *cluster_open(const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e);
void cluster_close(struct cluster *c);

void cluster_snapshot_free(struct cluster_snapshot *s);
const struct cluster_resource *cluster_snapshot_resource(const struct cluster_snapshot *s, const char *name);
const struct cluster_node *cluster_snapshot_node(const struct cluster_snapshot *s, const char *name);

/* State names (cluster_names.c): one table each, the same in plans, reports and the adapter protocol. */
const char *res_state_str(enum res_state s);
const char *group_state_str(enum group_state s);
/* NODE_UP, NODE_PAUSED or NODE_DOWN from up and paused. */
enum node_state cluster_node_state(const struct cluster_node *n);
/* The votes a node majority needs out of `votes`: more than half. */
unsigned cluster_quorum_majority(unsigned votes);
/*
 * The quorum votes s's cluster would keep if the nodes with gone[i] true
 * (s->nnodes entries) left it, how many it needs and of how many: its own
 * count with s->votes_known, else node majority (a node votes while up and
 * not gone, the witness always). The run-time quorum guard's arithmetic.
 */
void cluster_quorum_votes(const struct cluster_snapshot *s, const bool *gone, struct cluster_votes *v);
/* "up", "down", "paused", "joining", "unknown". */
const char *node_state_str(enum node_state s);
/* Exactly as node_state_str spells it; -2 if unknown. */
int node_state_parse(const char *s);
/* "none", "immediate", "policy" (plans and the adapter protocol); NULL past the last. */
extern const char *const node_failback_names[];

/* Parse "online", "offline", "failed", "pending", ..., with - or _ ("online_pending"); -2 if unknown. */
int res_state_parse(const char *s);
/* Exactly as res_state_str spells it (the wire); -2 if unknown. */
int res_state_parse_exact(const char *s);
/* Exactly as group_state_str spells it; -2 if unknown. */
int group_state_parse(const char *s);

/* Plan names of the OFFLINE_* flags: index i is the flag 1 << i; NULL-terminated. */
extern const char *const offline_flag_names[];

/* Offline flag names, as in plans ("ignore_resource_status", ...). */
const char *offline_flag_str(unsigned flag);
/* 0 if unknown name, else the flag bit. */
unsigned offline_flag_parse(const char *name);

/*
 * A backend's native return code for people, appended to "accepted":
 * "" for 0, ", completing in the background" for 997 (ClusAPI's
 * ERROR_IO_PENDING, which the simulator mimics), else " (code N)". Into buf.
 */
const char *cluster_code_text(long code, char *buf, size_t len);

#endif
