/*
 * pacemaker_int.h - the Pacemaker backend's private interfaces, shared by
 * agent/cluster/pacemaker*.c and the unit tests:
 *   pacemaker_cli.c    run one CLI command without a shell, with a deadline
 *   pacemaker_xml.c    `crm_mon --output-as=xml` into a cluster_snapshot (libxml2)
 *   pacemaker_read.c   the crm_mon reads events need, off the event loop
 *   pacemaker_watch.c  CIB diff notifications in a backend thread (pacemaker-cib);
 *                      pacemaker_watch_none.c when built without it
 *   pacemaker_act.c    fail/offline/online/move
 *   pacemaker_node.c   node_pause / node_resume: the node's standby attribute
 *   pacemaker_undo.c   what undoes each action (journaled before it), and undoing it
 *   pacemaker_quorum.c corosync's quorum votes, for the run-time quorum guard
 *   pacemaker.c        the cluster_ops glue: events, cache, polling fallback
 */
#ifndef FAULTLINE_PACEMAKER_INT_H
#define FAULTLINE_PACEMAKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "faultline/cluster.h"
#include "faultline/err.h"

#define PCMK_OUT_MAX     (8u << 20) /* stdout cap: crm_mon is ~1.4 KB per resource */
#define PCMK_POLL_NS     (250 * 1000000ull)
#define PCMK_DEFAULT_TMO (10 * 1000000000ull)

/* The result of one command that ran to its exit. */
struct pcmk_out {
	char *out; /* stdout, NUL-terminated, owned */
	size_t nout;
	char err[256]; /* first bytes of stderr, one line */
	int status;    /* exit status */
};

/*
 * Run argv (PATH lookup, no shell) in its own session, stdin /dev/null,
 * stdout captured up to PCMK_OUT_MAX. The process group is SIGKILLed when
 * timeout_ns (real time) passes. 0 when it exited (any status; o filled,
 * free with pcmk_out_fini), -1 with e naming the command otherwise.
 */
int pcmk_cli_run(char *const argv[], uint64_t timeout_ns, struct pcmk_out *o, struct fl_err *e);
/* Like pcmk_cli_run, and a non-zero exit is an error naming the command and its stderr. */
int pcmk_cli_check(char *const argv[], uint64_t timeout_ns, struct pcmk_out *o, struct fl_err *e);
void pcmk_out_fini(struct pcmk_out *o);
/*
 * Start argv like pcmk_cli_run (no shell, own session, stdin and stderr
 * /dev/null) without waiting: its stdout, non-blocking, in *fd (owned by
 * the caller). The pid, or -1 with e.
 */
pid_t pcmk_cli_spawn(char *const argv[], int *fd, struct fl_err *e);

/* What crm_mon says beyond the snapshot. */
struct pcmk_status {
	struct cluster_snapshot snap;
	char **bans; /* resource ids with a location ban (<bans>), owned */
	size_t nbans;
	bool have_dc;
	size_t nskipped; /* clones/bundles: not enumerated */
	/* "resource\tnode" -> call id of its latest start there (operation history) */
	char **started, **started_by;
	size_t nstarted;
};

/* Parse crm_mon XML; 0, or -1 with e. st is always initialised. */
int pcmk_xml_parse(const char *xml, size_t len, struct pcmk_status *st, struct fl_err *e);
void pcmk_status_fini(struct pcmk_status *st);
/* The state of one <resource> from crm_mon's attributes (NULL = absent). */
enum res_state pcmk_state_map(const char *role, const char *failed, const char *pending, bool has_history);
bool pcmk_status_banned(const struct pcmk_status *st, const char *resource);
/*
 * Did resource start again between two reads (a new start in its operation
 * history: another call id, or another node)? Online in both reads, a
 * restart or move that fell wholly between them shows only here.
 */
bool pcmk_status_restarted(const struct pcmk_status *old, const struct pcmk_status *now, const char *resource);

/* How an offline with these flags is carried out. */
enum pcmk_offline_how {
	PCMK_OFF_TARGET_ROLE, /* meta target-role=Stopped; online restores it */
	PCMK_OFF_BAN,         /* crm_resource --ban on every node; online deletes those bans */
	PCMK_OFF_MOVE,        /* a destination: crm_resource --move; restore --clear's it */
};
#define PCMK_OFFLINE_FLAGS (OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE)
enum pcmk_offline_how pcmk_offline_how(unsigned flags, const char *destination);
/* The first flag in `flags` the backend cannot honour, 0 if none. */
unsigned pcmk_offline_unsupported(unsigned flags);

/*
 * The CIB watcher: a thread signed on to the CIB that makes efd readable
 * (eventfd write) on every diff notification and when the connection is
 * lost. NULL with e when notifications are unavailable (not built in,
 * signon refused): the backend then polls.
 */
struct pcmk_watch;
struct pcmk_watch *pcmk_watch_start(int efd, struct fl_err *e);
void pcmk_watch_stop(struct pcmk_watch *w);
/* CLOCK_MONOTONIC ns of the first notification since the last call, 0 if none. */
uint64_t pcmk_watch_take_time(struct pcmk_watch *w);
/* The connection to the CIB was lost (the backend falls back to polling). */
bool pcmk_watch_lost(struct pcmk_watch *w);

/* One state change waiting for drain. */
struct pcmk_event {
	enum cluster_event_kind kind;
	char *name, *owner;
	int state;
	uint64_t at;
};

/* A target-role faultline changed, and what it was (NULL: not set). */
struct pcmk_role {
	char *rsc, *prev;
};

/* A location constraint faultline made (cli-ban-*, cli-prefer-*), for the resource or group rsc. */
struct pcmk_con {
	char *id, *rsc;
};

struct pcmk_backend {
	struct fl_clock *clk;
	uint64_t tmo;       /* per CLI call */
	int efd, tfd, epfd; /* notify_fd is epfd: efd (events) + tfd (poll timer) */
	struct pcmk_watch *watch;
	struct pcmk_status cur;    /* the last crm_mon read */
	uint64_t cur_at;           /* CLOCK_MONOTONIC of that read */
	uint64_t cur_started;      /* CLOCK_MONOTONIC when that read began */
	bool kick;                 /* pcmk_kick: the next drain reads */
	struct pcmk_read {         /* pacemaker_read.c: a crm_mon in flight */
		pid_t pid, zombie; /* zombie: exited its output, not reaped yet */
		int fd, tfd;       /* its stdout; a timerfd for its deadline */
		char *buf;
		size_t n, cap;
		uint64_t started, at; /* at: the notification that asked for it, 0 = none */
		bool again;           /* asked for again while in flight */
		uint64_t again_at;
	} rd;
	struct pcmk_event *q;
	size_t nq, capq;
	/* what faultline created, for online/move/cleanup to undo */
	char **failed, **failed_on; /* --fail'ed resources and their nodes */
	size_t nfailed, capfailed;
	struct pcmk_con *cons;
	size_t ncons, capcons;
	struct pcmk_role *roles;
	size_t nroles, caproles;
};

/*
 * Have the next drain read crm_mon (right away: efd becomes readable). An
 * action does this instead of reading itself, so the changes it causes are
 * dated after the call returned, as the run stamps the injection.
 */
void pcmk_kick(struct pcmk_backend *b);
/* Read crm_mon, queue the changes since the last read (dated `at`, 0 = now). Blocks for the call. */
int pcmk_refresh(struct pcmk_backend *b, uint64_t at, struct fl_err *e);
/*
 * Make xml (crm_mon's output of a read begun at `started`) the current
 * state and queue the changes, dated `at` (0 = now). A read older than the
 * one already applied is dropped: it would show the past again.
 */
int pcmk_apply(struct pcmk_backend *b, const char *xml, size_t len, uint64_t at, uint64_t started, struct fl_err *e);

/* pacemaker_read.c: crm_mon in the background; its fds sit in b->epfd, so drain runs when it answers. */
int pcmk_read_init(struct pcmk_backend *b, struct fl_err *e);
/* Start a read for the notification at `at` (0 = none); if one is in flight, another follows it. */
int pcmk_read_start(struct pcmk_backend *b, uint64_t at, struct fl_err *e);
/* Take what crm_mon wrote; when it is done, pcmk_apply it (and start the next one asked for). */
int pcmk_read_pump(struct pcmk_backend *b, struct fl_err *e);
void pcmk_read_fini(struct pcmk_backend *b);
const struct cluster_resource *pcmk_find(const struct pcmk_backend *b, const char *name);

/* pacemaker_act.c: the cluster_ops actions. */
int pcmk_fail(struct cluster *c, const char *resource, long *code, struct fl_err *e);
int pcmk_offline(struct cluster *c, const char *resource, unsigned flags, const char *destination, long *code,
                 struct fl_err *e);
int pcmk_online(struct cluster *c, const char *resource, long *code, struct fl_err *e);
int pcmk_move_group(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e);
void pcmk_act_fini(struct pcmk_backend *b);
/* Run argv; *code = its exit status (-1 if it did not run). */
int pcmk_act_run(struct pcmk_backend *b, long *code, struct fl_err *e, char *const argv[]);
/* The target-role of rsc now: 0 with *value (owned, NULL = not set), or -1. */
int pcmk_get_role(struct pcmk_backend *b, const char *rsc, char **value, struct fl_err *e);
/* The ids `crm_resource --move` / `--ban` create. Caller frees. */
char *pcmk_ban_id(const char *rsc, const char *node);
char *pcmk_prefer_id(const char *rsc);
/* The id a move of `what` (group or resource) to node (NULL: away from where it is) creates; NULL if it runs nowhere.
 */
char *pcmk_move_id(const struct pcmk_backend *b, const char *what, const char *node);
/* Is constraint id in the CIB: 1 yes, 0 no, -1 e. Delete it: 0 (also when gone), -1 e. */
int pcmk_con_exists(struct pcmk_backend *b, const char *id, struct fl_err *e);
int pcmk_con_delete(struct pcmk_backend *b, const char *id, struct fl_err *e);
/* Forget what the undo of an item made moot (pacemaker_act.c's own lists). */
void pcmk_act_forget(struct pcmk_backend *b, const char *kind, const char *object);

/* pacemaker_node.c: standby on (pause; it always drains) and off (resume). */
int pcmk_node_pause(struct cluster *c, const char *node, bool drain, long *code, struct fl_err *e);
int pcmk_node_resume(struct cluster *c, const char *node, enum node_failback failback, long *code, struct fl_err *e);
/* The node's permanent standby attribute now: 0 with *value (owned, NULL = not set), or -1. */
int pcmk_get_standby(struct pcmk_backend *b, const char *node, char **value, struct fl_err *e);
/* Set it to value, or delete it (value NULL; nothing to do when not set). */
int pcmk_set_standby(struct pcmk_backend *b, const char *node, const char *value, long *code, struct fl_err *e);

/* pacemaker_undo.c: the cluster_ops undo hooks. */
int pcmk_undo_plan(struct cluster *c, enum cluster_act act, const char *target, unsigned flags, const char *destination,
                   struct cluster_undo *u, struct fl_err *e);
int pcmk_undo(struct cluster *c, const char *item, struct fl_err *e);
int pcmk_undo_left(struct cluster *c, const char *item, char *why, size_t len, struct fl_err *e);

/* pacemaker_quorum.c: `corosync-quorumtool -s -p`, parsed. */
struct pcmk_member {
	unsigned id, votes;
	char *name; /* owned */
};
struct pcmk_quorum {
	bool quorate, two_node;
	unsigned expected, total, needed; /* "Expected votes", "Total votes", "Quorum" (the votes needed) */
	unsigned qdevice;                 /* a quorum device's votes (its "Qdevice" row), else 0 */
	struct pcmk_member *members;
	size_t nmembers;
};
/* Parse the tool's output; 0, or -1 with e naming what is missing (q is then empty). */
int pcmk_quorum_parse(const char *text, struct pcmk_quorum *q, struct fl_err *e);
void pcmk_quorum_fini(struct pcmk_quorum *q);
/* Put q's votes into s (each member's on the crm_mon node of its name); -1 with e if a member is no node of s. */
int pcmk_quorum_apply(const struct pcmk_quorum *q, struct cluster_snapshot *s, struct fl_err *e);
/* The cluster_ops settle: crm_resource --wait, bounded by timeout_ns (pacemaker_settle.c). */
int pcmk_settle(struct cluster *c, uint64_t timeout_ns, struct fl_err *e);
/* The cluster_ops quorum_votes: run the tool (the plan's cluster timeout), parse, apply. */
int pcmk_quorum_votes(struct cluster *c, struct cluster_snapshot *s, struct fl_err *e);

#endif
