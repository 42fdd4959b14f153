/*
 * sim_impl.h - the simulator's private state, shared by agent/cluster/sim*.c.
 *
 * Resources and groups are arrays indexed by position in the topology;
 * dependencies are resolved to indices once at sim_new. Each resource has
 * a persistent state (what the operator asked for) and a current target
 * (what the engine is driving it to); sim_kick() moves every resource of a
 * group one legal step towards its target, which is what orders dependents
 * offline first and providers online first.
 */
#ifndef FAULTLINE_SIM_IMPL_H
#define FAULTLINE_SIM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/clock.h"
#include "faultline/rng.h"
#include "faultline/sim.h"

#define SIM_NONE SIZE_MAX

enum sim_op { SIM_OP_NONE, SIM_OP_ONLINE, SIM_OP_OFFLINE, SIM_OP_RESTART };

struct sim_rdep {
	size_t *idx; /* providers of one OR-set */
	size_t n;
};

struct sim_res {
	struct sim *sim;
	const struct sim_resource_def *def;
	size_t idx, group;
	enum res_state state;
	bool persist;    /* persistent state Online */
	bool target;     /* the engine drives it Online */
	bool revive;     /* Failed, but the engine may bring it online */
	bool retrying;   /* the final attempt after RetryPeriodOnFailure */
	bool going_down; /* decided to go Offline; waits only for its dependents */
	const char *why; /* cause of the next engine-driven transition */
	struct sim_rdep *deps;
	size_t ndeps;
	size_t *dependents;
	size_t ndependents;
	bool *broken;   /* per node */
	bool *possible; /* per node; NULL = every node is a possible owner */
	enum sim_op op;
	const char *op_why; /* cause of the pending op, repeated when it completes */
	bool op_timeout;    /* op_timer fires at PendingTimeout, before the op completes */
	struct fl_timer op_timer;
	struct fl_timer retry_timer;
	/* policy: pacemaker (sim_pcmk.c) */
	uint32_t *failcount; /* per node */
	bool *banned;        /* per node: offline with do_not_update_persistent_state (a ban) */
	bool blocked;        /* no node may run it: stopped until failure-timeout or cleanup */
	bool stop_failed;    /* Failed: stop it (a stop of the failed instance) before anything else */
	bool left_failed;    /* Failed and stopped: at its migration-threshold, no node allowed */
	struct fl_timer react_timer;
	bool crashed;       /* dead, not yet detected by the health check */
	uint64_t online_at; /* when it last came Online: the health checks' phase */
	struct fl_timer detect_timer;
	struct fl_timer expire_timer;
	uint64_t *restarts; /* restart times on the current node */
	size_t nrestarts, caprestarts;
	struct rng rng;
};

struct sim_grp {
	struct sim *sim;
	const struct sim_group_def *def;
	size_t idx;
	size_t *res; /* member resources, topology order */
	size_t nres;
	size_t owner;
	enum group_state state;
	bool *possible; /* per node */
	size_t *order;  /* failover order: preferred, then the other possible nodes */
	size_t norder;
	bool *exhausted; /* per node: a restart already failed there (KB 947712) */
	uint64_t *failovers;
	size_t nfailovers, capfailovers;
	bool moving; /* offline phase of a move: every member heads Offline */
	size_t dest;
	const char *move_why;
	size_t rts_source; /* return here if the online phase fails; SIM_NONE */
	/* policy: pacemaker: what crm_resource --move leaves (cli-prefer / cli-ban of the group); SIM_NONE */
	size_t prefer;        /* INFINITY on this node */
	size_t avoid;         /* -INFINITY on this node */
	const char *pcmk_why; /* a CIB change during a move: the cause if the destination changes */
	size_t *onlines;      /* resources whose online waits for online_reaction_time (sim_pcmk_online.c) */
	size_t nonlines, caponlines;
	struct fl_timer online_timer;
	struct fl_timer failback_timer;
};

struct sim_join {
	struct sim *sim;
	size_t node;
	struct fl_timer timer;
};

struct sim {
	const struct sim_topology *topo;
	struct fl_clock *clk;
	uint64_t seed, t0;
	int64_t wall_epoch_s;
	struct sim_res *res;
	size_t nres;
	size_t *by_name;     /* resource indices sorted by name */
	size_t *grp_by_name; /* group indices sorted by name */
	struct sim_grp *grp;
	size_t ngrp;
	bool *node_up;            /* a member: Up or Paused (hosts groups, holds a vote) */
	enum node_state *node_st; /* Up, Down, Paused, Joining */
	struct sim_join *joins;   /* per node: the Joining -> Up timer */
	bool quorum;              /* node majority (with the witness) */
	size_t nnodes;
	struct sim_transition *trace;
	size_t ntrace, captrace;
	char **strs; /* interned cause strings */
	size_t nstrs, capstrs;
	sim_observer_cb obs;
	void *obs_arg;
	bool *memo_ok, *memo_set; /* scratch for sim_kick, per resource */
};

/* sim.c */
struct sim_res *sim_find_res(const struct sim *s, const char *name);
struct sim_grp *sim_find_grp(const struct sim *s, const char *name);
size_t sim_find_node(const struct sim *s, const char *name);
const char *sim_node_name(const struct sim *s, size_t node);
const char *sim_intern(struct sim *s, const char *str);
void sim_res_set(struct sim *s, struct sim_res *r, enum res_state to, const char *why);
void sim_kick(struct sim *s, struct sim_grp *g);
void sim_start_online(struct sim *s, struct sim_res *r);
void sim_start_restart(struct sim *s, struct sim_res *r, uint64_t when);
uint64_t sim_draw(struct sim_res *r, const struct dist *d);
bool sim_pcmk(const struct sim *s);
bool sim_res_active(const struct sim_res *r);

/* sim_api.c */
void sim_mark_up(struct sim *s, struct sim_res *r);
void sim_offline_failed(struct sim *s, struct sim_res *r, const char *why);

/* sim_node.c */
/* A move or failover may go to node: Up (not Paused, not Joining) with quorum. */
bool sim_node_accepts(const struct sim *s, size_t node);
/* Resources may run on node: a member, with quorum. */
bool sim_node_hosts(const struct sim *s, size_t node);
void sim_node_init(struct sim *s);
void sim_node_fini(struct sim *s);

/* sim_move.c */
void sim_move_start(struct sim *s, struct sim_grp *g, size_t dest, const char *why, bool return_on_error);
void sim_move_finish(struct sim *s, struct sim_grp *g);
size_t sim_next_node(const struct sim *s, const struct sim_grp *g, bool skip_exhausted);
void sim_failback_check(struct sim *s, struct sim_grp *g);
/*
 * The failback trigger (wsfc-semantics.md): call when `node` joins (down ->
 * up). Groups whose first preferred owner it is and that run elsewhere fail
 * back at once, or at the first moment inside their failback window.
 */
void sim_failback_node_joined(struct sim *s, size_t node);

/* sim_policy.c */
void sim_policy_failed(struct sim *s, struct sim_res *r);
void sim_policy_restart_due(struct sim *s, struct sim_res *r);

/* sim_pcmk.c: the Pacemaker policy */
void sim_pcmk_failed(struct sim *s, struct sim_res *r, bool start_failure);
size_t sim_pcmk_place(const struct sim *s, const struct sim_grp *g);
void sim_pcmk_place_group(struct sim *s, struct sim_grp *g, const char *why);
void sim_pcmk_ban(struct sim *s, struct sim_res *r, const char *why);
void sim_pcmk_clear(struct sim *s, struct sim_res *r);
void sim_pcmk_move(struct sim *s, struct sim_grp *g, size_t node);
void sim_pcmk_online(struct sim *s, struct sim_res *r);
size_t sim_pcmk_move_dest(struct sim *s, struct sim_grp *g);
bool sim_pcmk_left_failed(struct sim *s, struct sim_res *r);

/* sim_trace.c */
void sim_trace_add(struct sim *s, enum sim_obj obj, const char *name, int from, int to, const char *node,
                   const char *why);
void sim_trace_free(struct sim *s);

#endif
