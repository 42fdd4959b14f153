/*
 * agent_ctl.c - what the control socket can ask: status, pause, resume,
 * abort RUN. Requests and replies are one JSON object each:
 *   {"cmd":"status"} -> {"ok":true,"paused":false,"plans":[...],"runs":[...]}
 *   {"cmd":"abort","run":"ID"} -> {"ok":true} or {"ok":false,"error":"..."}
 * Pause is the kill switch for new chaos: no run starts while paused (due
 * runs are skipped and logged); runs in progress go on unless aborted.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "agent_int.h"
#include "faultline/agent_sched.h"
#include "faultline/log.h"
#include "faultline/metrics.h"
#include "faultline/util.h"

static char *dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(j);
	/* Never NULL: the reply is printed with %s. */
	return s ? s : xstrdup("{\"ok\":false,\"error\":\"control: the reply could not be encoded\"}");
}

static char *fail(const char *fmt, const char *arg)
{
	char *full = xasprintf(fmt, arg), msg[256];
	utf8_copy(msg, sizeof(msg), full);
	free(full);
	return dump(json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

static json_t *time_or_null(int64_t t)
{
	char buf[40];
	if (t <= 0 || t == AGENT_SCHED_NONE)
		return json_null();
	return json_string(wall_format(t * (int64_t)NSEC_PER_SEC, buf, sizeof(buf)));
}

static json_t *plan_json(const struct agent_plan *ap)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "name", ap->plan->name, "file", ap->plan->path,
	                      "schedule", ap->plan->schedule.cron_text, "timezone",
	                      ap->plan->schedule.timezone ? ap->plan->schedule.timezone : "UTC", "next",
	                      time_or_null(ap->next), "last_run", time_or_null(ap->last_run), "queued", ap->queued);
	json_object_set_new(j, "last_verdict", ap->last_verdict ? json_string(ap->last_verdict) : json_null());
	json_object_set_new(j, "last_exit", ap->last_exit >= 0 ? json_integer(ap->last_exit) : json_null());
	return j;
}

static json_t *run_json(const struct agent_run *r)
{
	json_t *trials = json_array();
	for (const struct agent_trial *t = r->open; t; t = t->next)
		json_array_append_new(trials, json_pack("{s:s, s:i, s:s, s:s}", "fault", t->fault, "trial", t->trial,
		                                        "action", t->action, "resource", t->resource));
	return json_pack("{s:s, s:s, s:i, s:s, s:o, s:b, s:o}", "id", r->id, "plan", r->plan, "pid", (int)r->pid,
	                 "phase", r->phase, "started", time_or_null(r->started), "aborting", r->aborting, "open_trials",
	                 trials);
}

static void held_json(const char *dir, bool restoring, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:b}", "journal", dir, "restoring", restoring));
}

static char *status(struct agent *a)
{
	json_t *plans = json_array(), *runs = json_array(), *held = json_array();
	for (size_t i = 0; i < a->set.n; i++)
		json_array_append_new(plans, plan_json(&a->set.items[i]));
	for (const struct agent_run *r = a->runs; r; r = r->next)
		json_array_append_new(runs, run_json(r));
	agent_faults_open_changed(a); /* an orphan's journal may have moved since */
	agent_hold_each(a, held_json, held);
	json_t *j = json_pack("{s:b, s:b, s:b, s:o, s:o, s:i, s:i, s:o}", "ok", 1, "paused", a->paused, "stopping",
	                      a->stopping, "plans", plans, "runs", runs, "faults_open", (int)a->faults_open,
	                      "pending_restores", (int)a->pending_restores, "held", held);
	char refused[1024];
	if (a->reload_error != NULL)
		utf8_copy(refused, sizeof(refused), a->reload_error); /* a plan file's bytes: JSON needs UTF-8 */
	json_object_set_new(j, "reload_error", a->reload_error ? json_string(refused) : json_null());
	return dump(j);
}

static char *set_paused(struct agent *a, bool paused)
{
	if (a->paused != paused)
		log_info("control: %s",
		         paused ? "paused: no new runs start until resume" : "resumed: runs start on schedule");
	a->paused = paused;
	metrics_set(a->m, "faultline_agent_paused", paused, NULL);
	if (!paused)
		agent_run_finished(a); /* queued runs may go now */
	return dump(json_pack("{s:b, s:b}", "ok", 1, "paused", paused));
}

static char *abort_run(struct agent *a, const char *id)
{
	if (id == NULL)
		return fail("abort needs a run id (see `faultline status`)%s", "");
	struct agent_run *r = agent_child_find(a, id);
	if (r == NULL)
		return fail("no run \"%s\" in progress", id);
	agent_child_abort(r);
	return dump(json_pack("{s:b, s:s}", "ok", 1, "run", r->id));
}

char *agent_ctl_request(const char *request, void *arg)
{
	struct agent *a = arg;
	json_error_t jerr;
	json_t *j = json_loads(request, JSON_REJECT_DUPLICATES, &jerr);
	const char *cmd = json_string_value(json_object_get(j, "cmd"));
	char *reply;
	if (j == NULL)
		reply = fail("not a JSON request: %s", jerr.text);
	else if (cmd == NULL)
		reply = fail("expected a JSON object with \"cmd\"%s", "");
	else if (strcmp(cmd, "status") == 0)
		reply = status(a);
	else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0)
		reply = set_paused(a, cmd[0] == 'p');
	else if (strcmp(cmd, "abort") == 0)
		reply = abort_run(a, json_string_value(json_object_get(j, "run")));
	else
		reply = fail("unknown command \"%s\" (expected status, pause, resume or abort)", cmd);
	json_decref(j);
	return reply;
}
