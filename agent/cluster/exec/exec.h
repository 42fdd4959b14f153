/*
 * exec.h - the "exec" backend (exec.c), the backends built on it, and the
 * configured node commands (exec_node_cmd.c) the real backends share.
 *
 * exec's calls are exported so that a backend which is an adapter
 * protocol session under another name ("wsfc": wsfc.c) can reuse them in
 * its own ops table instead of copying the session code.
 */
#ifndef FAULTLINE_EXEC_H
#define FAULTLINE_EXEC_H

#include "faultline/cluster.h"

extern const struct cluster_ops exec_cluster_ops;
extern const struct cluster_ops wsfc_cluster_ops;

/* Start cfg->command and read its hello; c->caps is narrowed to what the hello declares. */
int exec_open(struct cluster *c, const struct cluster_config *cfg, struct fl_clock *clk, struct fl_err *e);
void exec_close(struct cluster *c);
int exec_snapshot(struct cluster *c, struct cluster_snapshot *out, struct fl_err *e);
int exec_resource_state(struct cluster *c, const char *resource, enum res_state *state, struct fl_err *e);
int exec_fail(struct cluster *c, const char *resource, long *code, struct fl_err *e);
int exec_offline(struct cluster *c, const char *resource, unsigned flags, const char *destination, long *code,
                 struct fl_err *e);
int exec_online(struct cluster *c, const char *resource, long *code, struct fl_err *e);
int exec_move_group(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e);
int exec_node_down(struct cluster *c, const char *node, long *code, struct fl_err *e);
int exec_node_up(struct cluster *c, const char *node, long *code, struct fl_err *e);
int exec_node_pause(struct cluster *c, const char *node, bool drain, long *code, struct fl_err *e);
int exec_node_resume(struct cluster *c, const char *node, enum node_failback failback, long *code, struct fl_err *e);
int exec_notify_fd(struct cluster *c);

/*
 * The configured node commands (exec_node_cmd.c): run c->node_down_command
 * or c->node_up_command for `node` ("{node}" substituted, no shell, its own
 * process group, killed at c->node_command_timeout_ns). 0 when it exits
 * with status 0; else -1 with e naming the command and how it ended (the
 * tail of its output included), *code its exit status (-1 if none).
 * Backends without a node API of their own put these in their ops table.
 */
int exec_node_command_down(struct cluster *c, const char *node, long *code, struct fl_err *e);
int exec_node_command_up(struct cluster *c, const char *node, long *code, struct fl_err *e);
/*
 * The pieces of those, for a caller that runs the command itself beside
 * its event loop (the run: agent/run/run_node_cmd.c). The command for a
 * node_down (down) or node_up of node, "{node}" replaced: owned,
 * NULL-terminated (free with exec_argv_free); NULL when the plan gives
 * none. Its timeout (the plan's, else 60 s). Why it failed, in the same
 * words as exec_node_command_*: how it ended ("exited with status 3";
 * NULL: it timed out and was killed) and the tail of what it printed; into
 * e, returns -1.
 */
char **exec_node_command_argv(const struct cluster *c, bool down, const char *node);
void exec_argv_free(char **argv);
uint64_t exec_node_command_timeout(const struct cluster *c);
int exec_node_command_error(struct fl_err *e, const struct cluster *c, bool down, const char *node, const char *argv0,
                            const char *how, const char *output);
int exec_drain(struct cluster *c, cluster_event_cb cb, void *arg, struct fl_err *e);

#endif
