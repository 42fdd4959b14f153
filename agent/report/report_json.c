/*
 * report_json.c - write a run record as JSON (format_version 1).
 *
 * The tree is built with jansson and dumped with a fixed indent and a
 * 15-digit real precision, so the same record always gives the same bytes
 * and a value written as ms with µs precision reads back exactly.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/report.h"
#include "faultline/util.h"

/* jansson refuses invalid UTF-8; replace each bad byte with U+FFFD. */
static json_t *jstr(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *j = json_string(s);
	if (j != NULL)
		return j;
	size_t n = strlen(s), o = 0;
	char *fixed = xmalloc(n * 3 + 1);
	while (n > 0) {
		uint32_t cp;
		size_t l = report_utf8_next(s, n, &cp);
		if (cp == 0xFFFD && l == 1 && (unsigned char)*s >= 0x80) {
			memcpy(fixed + o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			memcpy(fixed + o, s, l);
			o += l;
		}
		s += l;
		n -= l;
	}
	fixed[o] = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

/* ns as ms rounded to the µs: 1234567891 -> 1234.568 */
static json_t *jms(uint64_t ns)
{
	uint64_t us = ns / 1000 + (ns % 1000 >= 500);
	return json_real((double)us / 1000.0);
}

static json_t *juint(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* NaN and infinities have no JSON form: null. */
static json_t *jdouble(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static json_t *measure_json(const struct rec_measure *m)
{
	json_t *o = json_object();
	put(o, "probe", juint(m->probe));
	put(o, "outage_observed", json_boolean(m->outage_observed));
	put(o, "recovered", json_boolean(m->recovered));
	put(o, "down_at", jms(m->down_at));
	put(o, "up_at", jms(m->up_at));
	put(o, "recovery_ms", jms(m->recovery_ns));
	put(o, "resolution_ms", jms(m->resolution_ns));
	return o;
}

static json_t *trial_json(const struct rec_trial *t, bool wall_clock)
{
	json_t *o = json_object();
	put(o, "fault", jstr(t->fault_name));
	put(o, "fault_index", juint(t->fault));
	put(o, "index", json_integer(t->index));
	put(o, "action", jstr(t->action));
	put(o, "resource", jstr(t->resource));
	put(o, "group", jstr(t->group));
	put(o, "node_before", jstr(t->node_before));
	put(o, "node_after", jstr(t->node_after));
	put(o, "planned_at", jms(t->planned_at));
	put(o, "injected_at", jms(t->injected_at));
	if (wall_clock) {
		char buf[40];
		put(o, "injected_at_utc", json_string(report_fmt_rfc3339(t->injected_wall, buf, sizeof(buf))));
	}
	put(o, "closed_at", jms(t->closed_at));
	if (t->online_at)
		put(o, "online_at", jms(t->online_at));
	put(o, "code", json_integer(t->code));
	put(o, "error", jstr(t->error));
	put(o, "outcome", json_string(trial_outcome_str(t->outcome)));
	put(o, "recovered", json_boolean(t->outcome == TRIAL_RECOVERED));
	put(o, "outage_observed", json_boolean(t->outage_observed));
	put(o, "recovery_ms", jms(t->recovery_ns));
	put(o, "resolution_ms", jms(t->resolution_ns));
	put(o, "timeout_ms", jms(t->timeout_ns));
	put(o, "cluster_outcome", json_string(cluster_outcome_str(t->cluster)));
	put(o, "restarts", json_integer(t->restarts));
	put(o, "failovers", json_integer(t->failovers));
	json_t *ms = json_array();
	for (size_t i = 0; i < t->nmeasures; i++)
		json_array_append_new(ms, measure_json(&t->measures[i]));
	put(o, "measures", ms);
	return o;
}

static json_t *probe_json(const struct rec_probe *p)
{
	json_t *o = json_object();
	put(o, "name", jstr(p->name));
	put(o, "kind", jstr(p->kind));
	put(o, "target", jstr(p->target));
	put(o, "checks", juint(p->checks));
	put(o, "failures", juint(p->failures));
	put(o, "errors", juint(p->errors));
	put(o, "up_ms", jms(p->up_ns));
	put(o, "down_ms", jms(p->down_ns));
	put(o, "error_ms", jms(p->error_ns));
	put(o, "unknown_ms", jms(p->unknown_ns));
	json_t *a = json_array();
	for (size_t i = 0; i < p->nchanges; i++) {
		json_t *c = json_object();
		put(c, "at", jms(p->changes[i].at));
		put(c, "status", json_string(probe_status_str(p->changes[i].status)));
		put(c, "reason", jstr(p->changes[i].reason));
		json_array_append_new(a, c);
	}
	put(o, "transitions", a);
	return o;
}

static json_t *slo_json(const struct rec_slo *s)
{
	json_t *o = json_object();
	put(o, "name", jstr(s->name));
	put(o, "kind", jstr(s->kind));
	put(o, "verdict", json_string(slo_verdict_str(s->verdict)));
	put(o, "detail", jstr(s->detail));
	put(o, "samples", juint(s->samples));
	put(o, "observed", jdouble(s->observed));
	put(o, "limit", jdouble(s->limit));
	return o;
}

static json_t *restore_json(const struct rec_restore *rs)
{
	json_t *o = json_object();
	put(o, "resource", jstr(rs->resource));
	put(o, "action", jstr(rs->action));
	put(o, "ok", json_boolean(rs->ok));
	put(o, "detail", jstr(rs->detail));
	return o;
}

static json_t *event_json(const struct rec_event *ev)
{
	json_t *o = json_object();
	put(o, "at", jms(ev->at));
	put(o, "resource", jstr(ev->resource));
	put(o, "state", json_integer(ev->state));
	put(o, "node", jstr(ev->node));
	return o;
}

static json_t *header_json(const struct run_record *r, bool wall_clock)
{
	json_t *o = json_object();
	put(o, "format_version", json_integer(REPORT_FORMAT_VERSION));
	json_t *plan = json_object();
	put(plan, "name", jstr(r->plan_name));
	put(plan, "path", jstr(r->plan_path));
	put(plan, "sha256", jstr(r->plan_sha256));
	if (r->plan_description != NULL)
		put(plan, "description", json_string(r->plan_description));
	put(o, "plan", plan);
	/* A decimal string: a 64-bit seed does not survive a JSON number (doubles). */
	char seed[24];
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
	put(o, "seed", json_string(seed));
	put(o, "backend", jstr(r->backend));
	put(o, "version", jstr(r->version));
	put(o, "dry_run", json_boolean(r->dry_run));
	put(o, "virtual_time", json_boolean(r->virtual_time));
	if (wall_clock) {
		char buf[40];
		put(o, "started_at", json_string(report_fmt_rfc3339(r->started_wall, buf, sizeof(buf))));
	}
	put(o, "duration_ms", jms(r->duration_ns));
	put(o, "verdict", json_string(verdict_str(r->verdict)));
	put(o, "reason", json_string(verdict_reason_str(r->reason)));
	put(o, "reason_detail", jstr(r->reason_detail));
	put(o, "exit_code", json_integer(r->exit_code));
	put(o, "abort_reason", jstr(r->abort_reason));
	return o;
}

/* Commands the run ran (exec faults, undos, hooks) with their captured output. */
static json_t *execs_json(const struct run_record *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->nexecs; i++) {
		const struct rec_exec *x = &r->execs[i];
		json_t *o = json_object();
		put(o, "name", jstr(x->name));
		put(o, "command", jstr(x->command));
		put(o, "target", jstr(x->target));
		put(o, "started_at", jms(x->started_at));
		put(o, "duration_ms", jms(x->duration_ns));
		put(o, "exit_status", json_integer(x->exit_status));
		put(o, "timed_out", json_boolean(x->timed_out));
		put(o, "error", jstr(x->error));
		put(o, "output", jstr(x->output));
		put(o, "truncated", json_boolean(x->truncated));
		json_array_append_new(a, o);
	}
	return a;
}

/* The arrays after the header, in the documented order. */
static void lists_json(json_t *root, const struct run_record *r, bool wall_clock)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->ntrials; i++)
		json_array_append_new(a, trial_json(&r->trials[i], wall_clock));
	put(root, "trials", a);
	a = json_array();
	for (size_t i = 0; i < r->nprobes; i++)
		json_array_append_new(a, probe_json(&r->probes[i]));
	put(root, "probes", a);
	a = json_array();
	for (size_t i = 0; i < r->nslos; i++)
		json_array_append_new(a, slo_json(&r->slos[i]));
	put(root, "slos", a);
	a = json_array();
	for (size_t i = 0; i < r->nrestores; i++)
		json_array_append_new(a, restore_json(&r->restores[i]));
	put(root, "restore", a);
	a = json_array();
	for (size_t i = 0; i < r->nevents; i++)
		json_array_append_new(a, event_json(&r->events[i]));
	put(root, "events", a);
	if (r->nexecs > 0) /* only runs with exec faults or hooks have them */
		put(root, "execs", execs_json(r));
}

int report_json_write_opts(const struct run_record *r, FILE *f, bool wall_clock, struct fl_err *e)
{
	json_t *root = header_json(r, wall_clock);
	lists_json(root, r, wall_clock);
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(root);
	if (rc != 0 || fputc('\n', f) == EOF || fflush(f) != 0 || ferror(f))
		return err_setsys(e, "JSON report: write failed");
	return 0;
}

int report_json_write(const struct run_record *r, FILE *f, struct fl_err *e)
{
	return report_json_write_opts(r, f, true, e);
}
