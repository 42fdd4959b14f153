/*
 * exec_int.h - the exec probe's internals, for probes/exec*.c only.
 *
 * exec.c runs one command per check; exec_sweep.c kills what it left
 * behind outside its process group.
 */
#ifndef FAULTLINE_EXEC_INT_H
#define FAULTLINE_EXEC_INT_H

#include <stdbool.h>

#define EXEC_TOKEN_VAR "FAULTLINE_PROBE_TOKEN"

/*
 * The environment for a command: ours (borrowed pointers) with token
 * ("FAULTLINE_PROBE_TOKEN=...", borrowed) added. Free the array only; NULL
 * when out of memory.
 */
char **exec_sweep_env(const char *token);
/* SIGKILL every process (but us) whose environment holds token; how many. */
unsigned exec_sweep(const char *token);

#endif
