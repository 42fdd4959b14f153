/*
 * control.h - the agent's control socket: a Unix stream socket, mode 0600,
 * one JSON request line in, one JSON reply line out, then close.
 *
 * Every connection's peer is checked with SO_PEERCRED: only the agent's
 * own user and root may talk to it. Each connection has a deadline, so a
 * client that connects and says nothing cannot hold the agent.
 */
#ifndef FAULTLINE_CONTROL_H
#define FAULTLINE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "faultline/err.h"

struct loop;
struct control;

/* Answer one request line with a newly allocated reply line (no newline needed). */
typedef char *(*control_request_cb)(const char *request, void *arg);

/*
 * Listen on path (a stale socket there is replaced; a live one is an
 * error: another agent runs). NULL with e set on failure.
 */
struct control *control_start(struct loop *l, const char *path, control_request_cb cb, void *arg, struct fl_err *e);
/* Stop, close every connection, unlink the socket. NULL is a no-op. */
void control_stop(struct control *c);

/* The peer-credential rule: the agent's own uid, or root. */
bool control_peer_allowed(uid_t peer, uid_t self);

/*
 * Client side (the CLI, which may block): send one request line to the
 * agent at path and read its reply (caller frees), waiting at most
 * timeout_ms in all. 0, or -1 with e set.
 */
int control_request(const char *path, const char *request, char **reply, int timeout_ms, struct fl_err *e);

#endif
