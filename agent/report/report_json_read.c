/*
 * report_json_read.c - read a JSON report back into a run record.
 *
 * Every field is checked for presence and type, and errors name the field
 * by its JSON path ("run.json: trials[3].recovery_ms: expected a number"),
 * because these files are edited, truncated and hand-made in the wild.
 * Unknown fields are ignored so newer writers stay readable. The file size
 * is capped before parsing and jansson bounds the nesting depth.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/file.h"
#include "faultline/report.h"
#include "faultline/util.h"

struct rd {
	const char *name; /* shown in front of every message */
	struct fl_err *e;
};

/* Largest ms value whose ns still fits in a uint64_t. */
#define MS_MAX 1.8e13

static int bad(struct rd *c, const char *at, const char *key, const char *what)
{
	return err_set(c->e, "%s: %s%s%s: %s", c->name, at, *at && key ? "." : "", key ? key : "", what);
}

static json_t *need(struct rd *c, json_t *o, const char *at, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL)
		bad(c, at, key, "required field missing");
	return v;
}

static int get_str(struct rd *c, json_t *o, const char *at, const char *key, bool nullable, char **out)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(c, at, key, nullable ? "expected a string or null" : "expected a string");
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_ms(struct rd *c, json_t *o, const char *at, const char *key, uint64_t *ns)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (!json_is_number(v))
		return bad(c, at, key, "expected a number");
	double ms = json_number_value(v);
	if (!(ms >= 0 && ms < MS_MAX))
		return bad(c, at, key, "expected a number of ms from 0 to 1.8e13");
	*ns = (uint64_t)llround(ms * 1000.0) * 1000;
	return 0;
}

static int get_int(struct rd *c, json_t *o, const char *at, const char *key, int64_t min, int64_t max, int64_t *out)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (!json_is_integer(v))
		return bad(c, at, key, "expected an integer");
	json_int_t i = json_integer_value(v);
	if (i < min || i > max) {
		char what[96];
		snprintf(what, sizeof(what), "expected an integer from %lld to %lld", (long long)min, (long long)max);
		return bad(c, at, key, what);
	}
	*out = i;
	return 0;
}

static int get_bool(struct rd *c, json_t *o, const char *at, const char *key, bool *out)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (!json_is_boolean(v))
		return bad(c, at, key, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

/* A number, or null for a figure that was not finite. */
static int get_figure(struct rd *c, json_t *o, const char *at, const char *key, double *out)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (json_is_null(v)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(v))
		return bad(c, at, key, "expected a number or null");
	*out = json_number_value(v);
	return 0;
}

/* One of names(0) .. names(n - 1); the message lists them. */
static int get_enum(struct rd *c, json_t *o, const char *at, const char *key, const char *(*names)(int), int n,
                    int *out)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (json_is_string(v))
		for (int i = 0; i < n; i++)
			if (strcmp(json_string_value(v), names(i)) == 0) {
				*out = i;
				return 0;
			}
	char what[160] = "expected one of";
	for (int i = 0; i < n; i++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s \"%s\"", i ? "," : "", names(i));
	return bad(c, at, key, what);
}

static int get_array(struct rd *c, json_t *o, const char *at, const char *key, json_t **out)
{
	json_t *v = need(c, o, at, key);
	if (v == NULL)
		return -1;
	if (!json_is_array(v))
		return bad(c, at, key, "expected an array");
	*out = v;
	return 0;
}

/* Element i of arr as an object; its path goes into at. */
static json_t *element(struct rd *c, json_t *arr, size_t i, const char *parent, const char *key, char *at, size_t len)
{
	snprintf(at, len, "%s%s%s[%zu]", parent, *parent ? "." : "", key, i);
	json_t *v = json_array_get(arr, i);
	if (!json_is_object(v)) {
		bad(c, at, NULL, "expected an object");
		return NULL;
	}
	return v;
}

/* Optional: a field only some trials have (absent or null: 0). */
static int get_ms_opt(struct rd *c, json_t *o, const char *at, const char *key, uint64_t *ns)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL || json_is_null(v))
		return 0;
	return get_ms(c, o, at, key, ns);
}

/* Wall-clock fields are optional: the comparable form leaves them out. */
static int get_wall(struct rd *c, json_t *o, const char *at, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || report_parse_rfc3339(json_string_value(v), out) != 0)
		return bad(c, at, key, "expected an RFC 3339 UTC time like \"2025-03-01T12:00:05.123Z\"");
	return 0;
}

static const char *outcome_name(int v)
{
	return trial_outcome_str((enum trial_outcome)v);
}

static const char *cluster_name(int v)
{
	return cluster_outcome_str((enum cluster_outcome)v);
}

static const char *status_name(int v)
{
	return probe_status_str((enum probe_status)v);
}

static const char *verdict_name(int v)
{
	return slo_verdict_str((enum slo_verdict)v);
}

static const char *run_verdict_name(int v)
{
	return verdict_str((enum run_verdict)v);
}

static const char *reason_name(int v)
{
	return verdict_reason_str((enum verdict_reason)v);
}

/* A report written before `reason` existed: what its exit code and abort reason imply. */
static enum verdict_reason old_reason(const struct run_record *r)
{
	static const struct {
		const char *prefix;
		enum verdict_reason reason;
	} aborts[] = {{"not steady", REASON_NOT_STEADY},
	              {"guard", REASON_GUARD},
	              {"run deadline", REASON_DEADLINE},
	              {"received", REASON_SIGNAL}};
	switch (r->exit_code) {
	case 0:
		return r->dry_run ? REASON_DRY_RUN : REASON_PASSED;
	case 1:
		return r->verdict == VERDICT_INCONCLUSIVE ? REASON_INCONCLUSIVE : REASON_SLO_FAILED;
	case 2:
		return REASON_INVALID;
	case 3:
		for (size_t i = 0; r->abort_reason != NULL && i < sizeof(aborts) / sizeof(aborts[0]); i++)
			if (strncmp(r->abort_reason, aborts[i].prefix, strlen(aborts[i].prefix)) == 0)
				return aborts[i].reason;
		return REASON_SIGNAL;
	default:
		return REASON_BACKEND_ERROR;
	}
}

/* `reason` and `reason_detail` are optional: reports from before they existed stay readable. */
static int read_reason(struct rd *c, json_t *root, struct run_record *r)
{
	int reason;
	if (json_object_get(root, "reason") == NULL) {
		r->reason = old_reason(r);
		r->verdict = verdict_of(r->reason);
		r->reason_detail = r->abort_reason ? xstrdup(r->abort_reason) : NULL;
		return 0;
	}
	if (get_enum(c, root, "", "reason", reason_name, REASON_RESTORE_FAILED + 1, &reason))
		return -1;
	r->reason = (enum verdict_reason)reason;
	if (json_object_get(root, "reason_detail") != NULL)
		return get_str(c, root, "", "reason_detail", true, &r->reason_detail);
	return 0;
}

static int read_measure(struct rd *c, json_t *o, const char *at, size_t nprobes, struct rec_measure *m)
{
	int64_t probe;
	if (get_int(c, o, at, "probe", 0, INT64_MAX, &probe) ||
	    get_bool(c, o, at, "outage_observed", &m->outage_observed) ||
	    get_bool(c, o, at, "recovered", &m->recovered) || get_ms(c, o, at, "down_at", &m->down_at) ||
	    get_ms(c, o, at, "up_at", &m->up_at) || get_ms(c, o, at, "recovery_ms", &m->recovery_ns) ||
	    get_ms(c, o, at, "resolution_ms", &m->resolution_ns))
		return -1;
	if ((uint64_t)probe >= nprobes) {
		char what[96];
		snprintf(what, sizeof(what), "no probe %lld (the report has %zu)", (long long)probe, nprobes);
		return bad(c, at, "probe", what);
	}
	m->probe = (size_t)probe;
	return 0;
}

static int read_trial_fields(struct rd *c, json_t *o, const char *at, struct rec_trial *t)
{
	int64_t fault, index, code, restarts, failovers;
	int outcome, cluster;
	bool recovered;
	if (get_str(c, o, at, "fault", false, &t->fault_name) ||
	    get_int(c, o, at, "fault_index", 0, INT64_MAX, &fault) || get_int(c, o, at, "index", 0, UINT_MAX, &index) ||
	    get_str(c, o, at, "action", false, &t->action) || get_str(c, o, at, "resource", false, &t->resource) ||
	    get_str(c, o, at, "group", true, &t->group) || get_str(c, o, at, "node_before", true, &t->node_before) ||
	    get_str(c, o, at, "node_after", true, &t->node_after) || get_ms(c, o, at, "planned_at", &t->planned_at) ||
	    get_ms(c, o, at, "injected_at", &t->injected_at) ||
	    get_wall(c, o, at, "injected_at_utc", &t->injected_wall) || get_ms(c, o, at, "closed_at", &t->closed_at) ||
	    get_ms_opt(c, o, at, "online_at", &t->online_at) || get_int(c, o, at, "code", LONG_MIN, LONG_MAX, &code) ||
	    get_str(c, o, at, "error", true, &t->error) ||
	    get_enum(c, o, at, "outcome", outcome_name, TRIAL_ABORTED + 1, &outcome) ||
	    get_bool(c, o, at, "recovered", &recovered) || get_bool(c, o, at, "outage_observed", &t->outage_observed) ||
	    get_ms(c, o, at, "recovery_ms", &t->recovery_ns) || get_ms(c, o, at, "resolution_ms", &t->resolution_ns) ||
	    get_ms(c, o, at, "timeout_ms", &t->timeout_ns) ||
	    get_enum(c, o, at, "cluster_outcome", cluster_name, OUTCOME_OFFLINE + 1, &cluster) ||
	    get_int(c, o, at, "restarts", 0, UINT_MAX, &restarts) ||
	    get_int(c, o, at, "failovers", 0, UINT_MAX, &failovers))
		return -1;
	if (recovered != (outcome == TRIAL_RECOVERED))
		return bad(c, at, "recovered", "contradicts \"outcome\"");
	t->fault = (size_t)fault;
	t->index = (unsigned)index;
	t->code = (long)code;
	t->outcome = (enum trial_outcome)outcome;
	t->cluster = (enum cluster_outcome)cluster;
	t->restarts = (unsigned)restarts;
	t->failovers = (unsigned)failovers;
	return 0;
}

static int read_trial(struct rd *c, json_t *o, const char *at, size_t nprobes, struct rec_trial *t)
{
	json_t *arr;
	if (read_trial_fields(c, o, at, t) || get_array(c, o, at, "measures", &arr))
		return -1;
	t->nmeasures = json_array_size(arr);
	t->measures = xcalloc(t->nmeasures, sizeof(*t->measures));
	for (size_t i = 0; i < t->nmeasures; i++) {
		char sub[256];
		json_t *m = element(c, arr, i, at, "measures", sub, sizeof(sub));
		if (m == NULL || read_measure(c, m, sub, nprobes, &t->measures[i]))
			return -1;
	}
	return 0;
}

static int read_change(struct rd *c, json_t *o, const char *at, struct rec_probe_change *ch)
{
	int status;
	if (get_ms(c, o, at, "at", &ch->at) || get_enum(c, o, at, "status", status_name, PROBE_ERROR + 1, &status) ||
	    get_str(c, o, at, "reason", true, &ch->reason))
		return -1;
	ch->status = (enum probe_status)status;
	return 0;
}

static int read_probe(struct rd *c, json_t *o, const char *at, struct rec_probe *p)
{
	int64_t checks, failures, errors;
	json_t *arr;
	if (get_str(c, o, at, "name", false, &p->name) || get_str(c, o, at, "kind", false, &p->kind) ||
	    get_str(c, o, at, "target", true, &p->target) || get_int(c, o, at, "checks", 0, INT64_MAX, &checks) ||
	    get_int(c, o, at, "failures", 0, INT64_MAX, &failures) ||
	    get_int(c, o, at, "errors", 0, INT64_MAX, &errors) || get_ms(c, o, at, "up_ms", &p->up_ns) ||
	    get_ms(c, o, at, "down_ms", &p->down_ns) || get_ms(c, o, at, "error_ms", &p->error_ns) ||
	    get_ms(c, o, at, "unknown_ms", &p->unknown_ns) || get_array(c, o, at, "transitions", &arr))
		return -1;
	p->checks = (uint64_t)checks;
	p->failures = (uint64_t)failures;
	p->errors = (uint64_t)errors;
	p->nchanges = json_array_size(arr);
	p->changes = xcalloc(p->nchanges, sizeof(*p->changes));
	for (size_t i = 0; i < p->nchanges; i++) {
		char sub[256];
		json_t *ch = element(c, arr, i, at, "transitions", sub, sizeof(sub));
		if (ch == NULL || read_change(c, ch, sub, &p->changes[i]))
			return -1;
	}
	return 0;
}

static int read_slo(struct rd *c, json_t *o, const char *at, struct rec_slo *s)
{
	int verdict;
	int64_t samples;
	if (get_str(c, o, at, "name", false, &s->name) || get_str(c, o, at, "kind", false, &s->kind) ||
	    get_enum(c, o, at, "verdict", verdict_name, SLO_INCONCLUSIVE + 1, &verdict) ||
	    get_str(c, o, at, "detail", true, &s->detail) || get_int(c, o, at, "samples", 0, INT64_MAX, &samples) ||
	    get_figure(c, o, at, "observed", &s->observed) || get_figure(c, o, at, "limit", &s->limit))
		return -1;
	s->verdict = (enum slo_verdict)verdict;
	s->samples = (size_t)samples;
	return 0;
}

static int read_restore(struct rd *c, json_t *o, const char *at, struct rec_restore *rs)
{
	return get_str(c, o, at, "resource", false, &rs->resource) || get_str(c, o, at, "action", false, &rs->action) ||
	               get_bool(c, o, at, "ok", &rs->ok) || get_str(c, o, at, "detail", true, &rs->detail)
	           ? -1
	           : 0;
}

static int read_event(struct rd *c, json_t *o, const char *at, struct rec_event *ev)
{
	int64_t state;
	if (get_ms(c, o, at, "at", &ev->at) || get_str(c, o, at, "resource", false, &ev->resource) ||
	    get_int(c, o, at, "state", INT_MIN, INT_MAX, &state) || get_str(c, o, at, "node", true, &ev->node))
		return -1;
	ev->state = (int)state;
	return 0;
}

/* Probes first: trials refer to them by index. */
static int read_lists(struct rd *c, json_t *root, struct run_record *r)
{
	json_t *probes, *trials, *slos, *restores, *events;
	char at[256];
	if (get_array(c, root, "", "probes", &probes) || get_array(c, root, "", "trials", &trials) ||
	    get_array(c, root, "", "slos", &slos) || get_array(c, root, "", "restore", &restores) ||
	    get_array(c, root, "", "events", &events))
		return -1;
	r->nprobes = json_array_size(probes);
	r->probes = xcalloc(r->nprobes, sizeof(*r->probes));
	for (size_t i = 0; i < r->nprobes; i++) {
		json_t *o = element(c, probes, i, "", "probes", at, sizeof(at));
		if (o == NULL || read_probe(c, o, at, &r->probes[i]))
			return -1;
	}
	for (size_t i = 0; i < json_array_size(trials); i++) {
		json_t *o = element(c, trials, i, "", "trials", at, sizeof(at));
		if (o == NULL || read_trial(c, o, at, r->nprobes, record_add_trial(r)))
			return -1;
	}
	r->nslos = json_array_size(slos);
	r->slos = xcalloc(r->nslos, sizeof(*r->slos));
	for (size_t i = 0; i < r->nslos; i++) {
		json_t *o = element(c, slos, i, "", "slos", at, sizeof(at));
		if (o == NULL || read_slo(c, o, at, &r->slos[i]))
			return -1;
	}
	for (size_t i = 0; i < json_array_size(restores); i++) {
		json_t *o = element(c, restores, i, "", "restore", at, sizeof(at));
		if (o == NULL || read_restore(c, o, at, record_add_restore(r)))
			return -1;
	}
	for (size_t i = 0; i < json_array_size(events); i++) {
		json_t *o = element(c, events, i, "", "events", at, sizeof(at));
		if (o == NULL || read_event(c, o, at, record_add_event(r)))
			return -1;
	}
	return 0;
}

static int read_seed(struct rd *c, json_t *root, uint64_t *seed)
{
	json_t *v = need(c, root, "", "seed");
	if (v == NULL)
		return -1;
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0)
		return bad(c, "", "seed", "expected a decimal string of a 64-bit number");
	*seed = n;
	return 0;
}

static int read_header(struct rd *c, json_t *root, struct run_record *r)
{
	int64_t version, exit_code;
	int verdict;
	json_t *plan;
	if (get_int(c, root, "", "format_version", INT64_MIN, INT64_MAX, &version))
		return -1;
	if (version != REPORT_FORMAT_VERSION) {
		char what[80];
		snprintf(what, sizeof(what), "unsupported version %lld (this build reads %d)", (long long)version,
		         REPORT_FORMAT_VERSION);
		return bad(c, "", "format_version", what);
	}
	if ((plan = need(c, root, "", "plan")) == NULL)
		return -1;
	if (!json_is_object(plan))
		return bad(c, "", "plan", "expected an object");
	if (get_str(c, plan, "plan", "name", false, &r->plan_name) ||
	    get_str(c, plan, "plan", "path", true, &r->plan_path) ||
	    get_str(c, plan, "plan", "sha256", false, &r->plan_sha256) ||
	    (json_object_get(plan, "description") != NULL &&
	     get_str(c, plan, "plan", "description", true, &r->plan_description)) ||
	    read_seed(c, root, &r->seed) || get_str(c, root, "", "backend", false, &r->backend) ||
	    get_str(c, root, "", "version", true, &r->version) || get_bool(c, root, "", "dry_run", &r->dry_run) ||
	    get_bool(c, root, "", "virtual_time", &r->virtual_time) ||
	    get_wall(c, root, "", "started_at", &r->started_wall) ||
	    get_ms(c, root, "", "duration_ms", &r->duration_ns) ||
	    get_enum(c, root, "", "verdict", run_verdict_name, VERDICT_ERROR + 1, &verdict) ||
	    get_int(c, root, "", "exit_code", 0, 255, &exit_code) ||
	    get_str(c, root, "", "abort_reason", true, &r->abort_reason))
		return -1;
	r->verdict = (enum run_verdict)verdict;
	r->exit_code = (int)exit_code;
	return read_reason(c, root, r);
}

int report_json_parse(const char *text, size_t len, const char *name, struct run_record *out, struct fl_err *e)
{
	memset(out, 0, sizeof(*out));
	if (len > REPORT_JSON_MAX_BYTES)
		return err_set(e, "%s: too large (%zu bytes, the limit is %u)", name, len, REPORT_JSON_MAX_BYTES);
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(e, "%s:%d:%d: not valid JSON: %s", name, jerr.line, jerr.column, jerr.text);
	struct rd c = {name, e};
	int rc = json_is_object(root) ? 0 : err_set(e, "%s: expected a JSON object at the top", name);
	if (rc == 0)
		rc = read_header(&c, root, out) || read_lists(&c, root, out) ? -1 : 0;
	json_decref(root);
	if (rc != 0)
		record_fini(out);
	return rc;
}

int report_json_read(const char *path, struct run_record *out, struct fl_err *e)
{
	memset(out, 0, sizeof(*out));
	int fd = file_open(path, O_RDONLY, 0, 0, e);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (f == NULL)
		return fd >= 0 || e->sys != 0
		           ? (errno = fd >= 0 ? errno : e->sys, err_setsys(e, "%s: cannot open", path))
		           : -1;
	/* Read one byte past the cap to tell "exactly at the limit" from "over". */
	size_t cap = 64 * 1024, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap > REPORT_JSON_MAX_BYTES)
				break;
			cap = cap * 2 > REPORT_JSON_MAX_BYTES + 1 ? REPORT_JSON_MAX_BYTES + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	int rc = failed ? err_setsys(e, "%s: read failed", path) : report_json_parse(buf, len, path, out, e);
	free(buf);
	return rc;
}
