/*
 * probe.h - health probes driven by the event loop.
 *
 * The probe core (probes/probe.c) owns what every probe shares: the cadence
 * (`interval` in steady state, `fast_interval` while a fault is open or the
 * probe is down), the per-check deadline, the consecutive failures/successes
 * thresholds, and the history of state changes. Each kind (cluster, tcp,
 * http, exec) implements struct probe_ops: start one check, cancel it; it
 * reports the result with probe_check_done(). The same table tells the
 * plan language about the kind (its key, what that key holds, what it can
 * do); probes/registry.c lists the kinds, and the plan loader, printer,
 * summary and run iterate that list. A new kind is its file and a line there.
 *
 * A *failure* (connection refused, HTTP 503, exit status 1, resource not
 * online) is the service being down: a result. An *error* (the exec binary
 * does not exist, the selector matches nothing) is the probe being wrong:
 * it is reported separately and never counted as an outage.
 */
#ifndef FAULTLINE_PROBE_H
#define FAULTLINE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/clock.h"
#include "faultline/err.h"
#include "faultline/probe_config.h"
#include "faultline/record.h"

struct loop;
struct plan_probe;
struct probe;

enum check_result { CHECK_OK, CHECK_FAIL, CHECK_ERROR };

struct probe_ops {
	const char *name;         /* the plan key that makes a probe this kind: `tcp: host:port` */
	enum probe_target target; /* what that key holds; the plan loader parses and checks it */
	unsigned caps;            /* PROBE_CAP_* */
	const char *summary;      /* plain words for plan summaries, %s = the target: "TCP connect to %s" */
	/* Prepare (resolve the address, build the request). Errors are misconfiguration. */
	int (*init)(struct probe *p, struct fl_err *e);
	/* Begin one check; report with probe_check_done() now or later. */
	void (*start)(struct probe *p);
	/* Abandon the check in flight (deadline passed or probe stopping). */
	void (*cancel)(struct probe *p);
	void (*fini)(struct probe *p);
};

/* Told of every state change (after thresholds) and of every check. */
struct probe_listener {
	void (*changed)(struct probe *p, enum probe_status from, enum probe_status to, uint64_t at, void *arg);
	void (*checked)(struct probe *p, enum check_result r, uint64_t started, uint64_t finished, void *arg);
	void *arg;
};

struct probe {
	const struct probe_ops *ops;
	const struct plan_probe *cfg; /* borrowed from the plan */
	struct loop *loop;
	struct fl_clock *clk;
	void *impl;   /* the kind's state */
	void *ctx;    /* the kind's shared context (cluster, curl multi), borrowed */
	size_t index; /* in the engine's probe array */
	enum probe_status status;
	unsigned streak_ok, streak_fail;
	bool fast; /* a fault is open: use fast_interval */
	bool in_flight;
	bool kick_pending; /* probe_check_now during a check: another one right after it */
	bool hunting;      /* probe_hunt: the cluster says Online, the service has not answered yet */
	uint64_t hunt_since;
	bool running;
	uint64_t check_started;
	uint64_t last_start;
	uint64_t first_fail_at; /* start of the current failure streak */
	struct fl_timer tick;
	struct fl_timer deadline;
	char reason[256]; /* last failure/error reason */
	struct probe_listener listener;
	struct rec_probe *rec; /* where changes are recorded, or NULL */
	uint64_t rec_origin;   /* clock reading recorded as 0: the run's start, like trial times */
	uint64_t status_since;
};

/* The kinds. */
extern const struct probe_ops probe_tcp_ops;
extern const struct probe_ops probe_http_ops;
extern const struct probe_ops probe_exec_ops;
extern const struct probe_ops probe_cluster_ops;
/* tcp/http against the simulator's endpoints in virtual time: up iff the resource is online. */
extern const struct probe_ops probe_vnet_ops;

/* What a cluster probe watches. */
struct cluster;
struct cluster_probe_ctx {
	struct cluster *cl;
	char **resources; /* borrowed names */
	int *seen;        /* per resource: the state its last event reported, or RES_UNKNOWN to ask the backend */
	size_t n;
};

/*
 * A change notification for `resource`: remember its state and check now.
 * Judging by the event's own state, not the backend's current one, keeps a
 * failure that the cluster already repaired by the time the events are read
 * (Failed and Started in one batch) from going unseen.
 */
void probe_cluster_event(struct probe *p, const char *resource, int state);

/* The registered kind called `name`, or NULL. */
const struct probe_ops *probe_kind(const char *name);
/* The i-th registered kind, or NULL past the last: for callers that walk them all. */
const struct probe_ops *probe_kind_at(size_t i);

/*
 * Set up p (not started) with the kind's ops (NULL: cfg->kind). ctx is
 * the kind's context: struct cluster_probe_ctx * for cluster probes, the
 * struct cluster * of a simulator for virtual-network probes. probe_fini
 * must be called even when this fails.
 */
int probe_init(struct probe *p, const struct probe_ops *ops, const struct plan_probe *cfg, struct loop *loop,
               struct fl_clock *clk, void *ctx, struct fl_err *e);
void probe_fini(struct probe *p);
/* Begin checking now, then on cadence. */
void probe_start(struct probe *p);
void probe_stop(struct probe *p);
/* Switch between interval and fast_interval; a switch to fast checks at once if the next tick is later. */
void probe_set_fast(struct probe *p, bool fast);
/* The cadence in force now (the resolution of a measurement taken now). */
uint64_t probe_cadence(const struct probe *p);
/*
 * Hunting: the cluster reports the target Online at `since` but this probe
 * has not seen the service answer yet (a service that lags its resource:
 * SQL Server recovering databases). Checks then start every
 * probe_hunt_gap(elapsed) instead of at the cadence, so the moment the
 * service answers is found within a gap of ~1.5 ms for the first 3 s and
 * within 0.05 % of the elapsed time after that, until the gap reaches the
 * fast cadence. The hunt ends by itself when the probe is Up; probe_hunt is
 * a no-op for a probe that is Up with no failure in its current streak.
 */
void probe_hunt(struct probe *p, uint64_t since);
void probe_hunt_stop(struct probe *p);

#define PROBE_HUNT_MIN_NS 1500000ULL /* the burst's gap: ~670 checks/s */
#define PROBE_HUNT_RATIO  2048       /* then the gap is elapsed / 2048 */

/* The gap after a hunting check started `elapsed` after the hunt's since: max(MIN, elapsed/RATIO), at most cap. */
uint64_t probe_hunt_gap(uint64_t elapsed, uint64_t cap);

/*
 * Timer batching: on a real clock a steady check (at the interval, not the
 * fast cadence, not hunting) due at `next` starts at the first grid point
 * of cadence/PROBE_GRID_DIV at or after it, so probes of one cadence wake
 * the loop together: 1,000 probes at 1 s cost a few timer wakes a second
 * instead of 1,000. A steady check is never early, at most 1/64 of the
 * interval late (the measuring cadences are exact).
 */
#define PROBE_GRID_DIV    64
#define PROBE_GRID_MIN_NS 100000ULL /* finer grids save nothing */
uint64_t probe_grid_align(uint64_t next, uint64_t cadence);

/* Check now, off cadence (an event says the answer may have changed); during a check, right after it. */
void probe_check_now(struct probe *p);
/* Called by a kind when its check finished. reason may be NULL for CHECK_OK. */
void probe_check_done(struct probe *p, enum check_result r, const char *reason);
/* Close time accounting in p->rec at `now` (end of run). */
void probe_account(struct probe *p, uint64_t now);

#endif
