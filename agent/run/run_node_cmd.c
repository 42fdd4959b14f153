/*
 * run_node_cmd.c - a node fault's node_down_command / node_up_command,
 * run beside the loop.
 *
 * The backends' node_down / node_up run the plan's command to completion
 * (agent/cluster/exec/exec_node_cmd.c), which stalls the loop for as long
 * as the command takes: node-start.sh takes ~3 s on the two-node cluster,
 * and the probes took no sample all that time, exactly while the fault
 * was happening. So for a node fault the run starts the command itself,
 * as it starts an exec fault's (run_exec.c: no shell, its own process
 * group, SIGTERM then SIGKILL at the timeout, its output in the record's
 * execs), with the same argv ("{node}" replaced), timeout and error words
 * as the backend's runner. The fault's trials are open while it runs
 * (injected_at is when it started, as before), so the probes measure the
 * whole fault; they wait for the command's end, which releases them or
 * fails them as `inject failed`. The restore still calls the backend's
 * node_up / node_down, to completion.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../cluster/exec/exec.h"
#include "faultline/util.h"
#include "run_int.h"

struct node_cmd {
	size_t fault;
	unsigned index; /* the trial number, for messages */
	char *node, *argv0;
	size_t *trials; /* their indexes in the record */
	size_t ntrials;
};

bool node_cmd_applies(const struct run *r, const struct plan_fault *f)
{
	return (f->action == PLAN_NODE_DOWN && r->cl->node_down_command != NULL) ||
	       (f->action == PLAN_NODE_UP && r->cl->node_up_command != NULL);
}

static void done(struct run *r, size_t rec, void *arg)
{
	struct node_cmd *nc = arg;
	const struct rec_exec *x = &r->rec->execs[rec];
	const struct plan_fault *f = r->faults[nc->fault].f;
	bool down = f->action == PLAN_NODE_DOWN, ok = x->exit_status == 0 && x->error == NULL;
	long code = x->exit_status;
	struct fl_err e = {0};
	if (!ok) {
		char how[160];
		if (x->error == NULL)
			snprintf(how, sizeof(how), "exited with status %d", x->exit_status);
		exec_node_command_error(&e, r->cl, down, nc->node, nc->argv0,
		                        x->timed_out ? NULL
		                        : x->error   ? x->error
		                                     : how,
		                        x->output ? x->output : "");
	}
	node_note_downed(r, nc->node, f->action, ok);
	if (ok)
		run_progress(r, "fault %s #%u: %s \"%s\": accepted (code %ld)", f->name, nc->index + 1,
		             plan_action_str(f->action), nc->node, code);
	else
		run_progress(r, "fault %s #%u: %s \"%s\" refused (code %ld): %s", f->name, nc->index + 1,
		             plan_action_str(f->action), nc->node, code, e.msg);
	for (size_t i = 0; i < nc->ntrials; i++)
		trial_node_cmd_done(r, nc->trials[i], code, ok ? NULL : e.msg);
	free(nc->trials);
	free(nc->node);
	free(nc->argv0);
	free(nc);
}

void node_cmd_start(struct run *r, size_t fault, const char *node, const size_t *trials, size_t ntrials)
{
	const struct plan_fault *f = r->faults[fault].f;
	char **argv = exec_node_command_argv(r->cl, f->action == PLAN_NODE_DOWN, node);
	struct node_cmd *nc = xcalloc(1, sizeof(*nc));
	nc->fault = fault;
	nc->index = r->rec->trials[trials[0]].index;
	nc->node = xstrdup(node);
	nc->argv0 = xstrdup(argv[0]);
	nc->trials = xcalloc(ntrials, sizeof(*nc->trials));
	for (size_t i = 0; i < ntrials; i++)
		nc->trials[i] = trials[i];
	nc->ntrials = ntrials;
	struct run_env env;
	char name[300], trial[32];
	run_env_init(&env);
	run_env_set(&env, "FAULTLINE_FAULT", f->name);
	snprintf(trial, sizeof(trial), "%u", nc->index + 1);
	run_env_set(&env, "FAULTLINE_TRIAL", trial);
	run_env_set(&env, "FAULTLINE_TARGET", node);
	run_env_set(&env, "FAULTLINE_NODE", node);
	snprintf(name, sizeof(name), "fault %.250s #%u", f->name, nc->index + 1);
	run_progress(r, "fault %s #%u: %s \"%s\": running %s", f->name, nc->index + 1, plan_action_str(f->action), node,
	             argv[0]);
	run_cmd_start(r, name, argv, node, &env, exec_node_command_timeout(r->cl), done, nc);
	exec_argv_free(argv);
}
