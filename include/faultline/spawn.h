/*
 * spawn.h - run one command to its end, bounded, outside the event loop.
 *
 * argv without a shell (PATH lookup like execvp), in its own session,
 * stdin from /dev/null, stdout and stderr captured together (the first
 * SPAWN_OUTPUT_MAX bytes), the caller's environment plus `env`
 * ("KEY=value"). At the deadline its process group gets SIGTERM, then
 * SIGKILL SPAWN_GRACE_NS later; what it leaves in its group is killed when
 * it exits. The caller blocks (polling the pipe) for the command's
 * lifetime: for journal reconciliation, which has nothing else to do
 * meanwhile. The run engine runs its commands beside its loop instead
 * (agent/run/run_exec.c).
 */
#ifndef FAULTLINE_SPAWN_H
#define FAULTLINE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPAWN_OUTPUT_MAX (64u * 1024u)
#define SPAWN_GRACE_NS   (500ull * 1000 * 1000)

struct spawn_result {
	int status;     /* exit status; -1 when it did not exit by itself (error says why) */
	bool timed_out; /* killed at its deadline */
	char *output;   /* owned, NUL-terminated */
	char *error;    /* owned: "cannot run X: ...", "timed out after ...: killed", "killed by signal N"; or NULL */
};

/*
 * Run argv with env[0..nenv) added, in directory dir (NULL: ours), for at
 * most timeout_ns. Fills *out
 * (spawn_result_fini frees it). Returns 0 when it exited with status 0,
 * else -1 (out says why).
 */
int spawn_run(char *const *argv, char *const *env, size_t nenv, const char *dir, uint64_t timeout_ns,
              struct spawn_result *out);
void spawn_result_fini(struct spawn_result *r);

/*
 * The child's half, after fork: no signal blocked, SIGPIPE default, its own
 * session, stdin /dev/null, stdout and stderr to out, env added, in dir
 * (NULL: ours), then execvp. On failure it writes errno (negative: dir) to
 * status and exits 127. Shared with the run's commands (run_exec.c).
 */
void spawn_child(char *const *argv, char *const *env, size_t nenv, const char *dir, int out, int status)
    __attribute__((noreturn));

#endif
