/*
 * sim_trace.c - the simulator's ground truth: every transition with its
 * exact clock time, and its one-line text form.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultline/util.h"
#include "sim_impl.h"

void sim_trace_add(struct sim *s, enum sim_obj obj, const char *name, int from, int to, const char *node,
                   const char *why)
{
	XGROW(s->trace, s->captrace, s->ntrace + 1);
	struct sim_transition *tr = &s->trace[s->ntrace++];
	tr->at = clock_now(s->clk);
	tr->obj = obj;
	tr->name = name;
	tr->from = from;
	tr->to = to;
	tr->node = node;
	tr->why = why;
	if (s->obs)
		s->obs(tr, s->obs_arg);
}

void sim_trace_free(struct sim *s)
{
	free(s->trace);
	s->trace = NULL;
	s->ntrace = s->captrace = 0;
}

const struct sim_transition *sim_trace(const struct sim *s, size_t *n)
{
	*n = s->ntrace;
	return s->trace;
}

static const char *obj_str(enum sim_obj obj)
{
	return obj == SIM_OBJ_RESOURCE ? "resource" : obj == SIM_OBJ_GROUP ? "group" : "node";
}

static const char *state_str(enum sim_obj obj, int st)
{
	if (obj == SIM_OBJ_RESOURCE)
		return res_state_str((enum res_state)st);
	if (obj == SIM_OBJ_GROUP)
		return group_state_str((enum group_state)st);
	return node_state_str((enum node_state)st);
}

const char *sim_transition_format(const struct sim *s, const struct sim_transition *tr, char *buf, size_t len)
{
	uint64_t rel = tr->at >= s->t0 ? tr->at - s->t0 : 0;
	uint64_t ms = rel / NSEC_PER_MSEC;
	char when[48];
	snprintf(when, sizeof(when), "%02" PRIu64 ":%02u:%02u.%03u", ms / 3600000, (unsigned)(ms / 60000 % 60),
	         (unsigned)(ms / 1000 % 60), (unsigned)(ms % 1000));
	const char *node = tr->node ? tr->node : "-";
	if (tr->from == tr->to)
		snprintf(buf, len, "%s %s \"%s\" %s on %s (%s)", when, obj_str(tr->obj), tr->name,
		         state_str(tr->obj, tr->to), node, tr->why);
	else
		snprintf(buf, len, "%s %s \"%s\" %s -> %s on %s (%s)", when, obj_str(tr->obj), tr->name,
		         state_str(tr->obj, tr->from), state_str(tr->obj, tr->to), node, tr->why);
	return buf;
}

void sim_trace_print(const struct sim *s, void *stream)
{
	char line[1024];
	for (size_t i = 0; i < s->ntrace; i++)
		fprintf(stream, "%s\n", sim_transition_format(s, &s->trace[i], line, sizeof(line)));
}
