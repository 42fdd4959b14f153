/*
 * fuzz_control.c - libFuzzer harness for the agent's control requests:
 * any request line gets a reply that is itself one valid JSON object (a
 * reply cut at a fixed size once made the agent answer "(null)"), never a
 * crash, leak or UB. The agent is a bare one: no plans, no runs, a scratch
 * state directory.
 */
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/daemon/agent_int.h"
#include "faultline/log.h"
#include "faultline/metrics.h"
#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct agent a;
static struct agent_opts o;
static char state[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_LVL_ERROR, 0);
	snprintf(state, sizeof(state), "%s", fuzz_file_setup("unused"));
	dirname(state);
	o.state_dir = state;
	o.plans_dir = state;
	a.o = &o;
	a.m = metrics_new();
	a.lockfd = -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *req = malloc(size + 1);
	memcpy(req, data, size);
	req[size] = '\0'; /* control.c refuses a NUL inside a request before it gets here */
	char *reply = agent_ctl_request(req, &a);
	json_error_t jerr;
	json_t *j = json_loads(reply, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(j))
		abort(); /* every reply is one JSON object */
	json_decref(j);
	free(reply);
	free(req);
	return 0;
}
