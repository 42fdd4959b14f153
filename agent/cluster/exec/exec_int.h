/*
 * exec_int.h - the "exec" backend's adapter process (exec_child.c), as
 * used by the protocol session (exec.c).
 */
#ifndef FAULTLINE_EXEC_INT_H
#define FAULTLINE_EXEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "faultline/err.h"

/*
 * The adapter runs in its own session with one end of a socketpair as its
 * stdin and stdout (stderr is ours, so its complaints reach the operator).
 * A socket rather than pipes: send(MSG_NOSIGNAL) to a dead adapter is
 * EPIPE, never a SIGPIPE that would kill the agent mid-run.
 */
struct exec_child {
	pid_t pid;
	int fd;    /* our end, non-blocking */
	int pidfd; /* readable once the adapter has exited */
	bool reaped;
	int status; /* waitpid status once reaped */
};

/* Start argv (PATH lookup, no shell). -1 with e set, e.g. "cannot run \"x\": No such file or directory". */
int exec_child_start(struct exec_child *ch, char *const *argv, const char *workdir, struct fl_err *e);
/* Write all of buf before the deadline (CLOCK_MONOTONIC ns). */
int exec_child_write(struct exec_child *ch, const char *buf, size_t n, uint64_t deadline, struct fl_err *e);
/*
 * Wait until readable or the deadline (0 = don't wait), then read what is
 * there: 1 with *n bytes (0 < *n <= cap), 0 if nothing came in time,
 * -1 at end of stream (e says so) or on error.
 */
int exec_child_read(struct exec_child *ch, char *buf, size_t cap, size_t *n, uint64_t deadline, struct fl_err *e);
/* "exited with status 3", "killed by signal 9 (Killed)", or "closed its output" if it still runs. */
const char *exec_child_why(struct exec_child *ch, uint64_t wait_ns, char *buf, size_t len);
/*
 * Close our end (EOF on its stdin), give it `grace_ns` to exit, then
 * SIGTERM its process group, then SIGKILL; always reaps. Returns how it ended.
 */
void exec_child_stop(struct exec_child *ch, uint64_t grace_ns);
/* CLOCK_MONOTONIC now, ns. */
uint64_t exec_now(void);

#endif
