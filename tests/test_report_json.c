/* test_report_json.c - the JSON report: exact output, round trip, and every read error. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "faultline/report.h"
#include "report_fixture.h"

static char *json_of(const struct run_record *r, bool wall_clock)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_err e = {0};
	cr_assert_eq(report_json_write_opts(r, f, wall_clock, &e), 0, "%s", e.msg);
	fclose(f);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	char *buf = xcalloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	cr_assert(n > 0 && feof(f));
	fclose(f);
	return buf;
}

/* Write r, read it back through a real file, write again. */
static char *reread(const struct run_record *r, bool wall_clock, struct run_record *out)
{
	char *first = json_of(r, wall_clock);
	char *path = fx_tempfile(first, strlen(first));
	struct fl_err e = {0};
	int rc = report_json_read(path, out, &e);
	unlink(path);
	free(path);
	cr_assert_eq(rc, 0, "%s", e.msg);
	return first;
}

/* Parse text and return the error message (asserting that it failed). */
static void expect_error(const char *text, const char *msg)
{
	struct run_record r;
	struct fl_err e = {0};
	cr_assert_eq(report_json_parse(text, strlen(text), "run.json", &r, &e), -1, "accepted: %.200s", text);
	cr_assert_str_eq(e.msg, msg);
	struct run_record zero = {0};
	cr_assert(memcmp(&r, &zero, sizeof(r)) == 0, "a failed read leaves nothing to free");
}

/* The full fixture as JSON, edited by fn through jansson, as text. */
static char *edited(void (*fn)(json_t *root))
{
	struct run_record r;
	fixture_full(&r);
	char *text = json_of(&r, true);
	record_fini(&r);
	json_t *root = json_loads(text, 0, NULL);
	cr_assert_not_null(root);
	free(text);
	fn(root);
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	return text;
}

Test(report_json, small_record_exact)
{
	struct run_record r;
	fixture_small(&r);
	char *got = json_of(&r, true);
	char *want = slurp("tests/data/report/small.json");
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	record_fini(&r);
}

Test(report_json, times_are_ms_with_microsecond_precision)
{
	struct run_record r;
	fixture_full(&r);
	char *got = json_of(&r, true);
	/* 6512 ms - 1234 ns rounds to the µs; 5 s + 1234 ns likewise. */
	cr_assert_not_null(strstr(got, "\"recovery_ms\": 6511.999,"));
	cr_assert_not_null(strstr(got, "\"injected_at\": 5000.001,"));
	cr_assert_not_null(strstr(got, "\"started_at\": \"2025-03-01T12:00:00.123Z\","));
	cr_assert_not_null(strstr(got, "\"observed\": null,"), "NaN has no JSON form");
	free(got);
	record_fini(&r);
}

Test(report_json, write_read_write_is_byte_identical)
{
	for (int wall = 0; wall <= 1; wall++) {
		struct run_record r, back;
		fixture_full(&r);
		char *first = reread(&r, wall, &back);
		char *second = json_of(&back, wall);
		cr_assert_str_eq(second, first);
		free(first);
		free(second);
		record_fini(&r);
		record_fini(&back);
	}
}

Test(report_json, read_restores_every_part)
{
	struct run_record r, b;
	fixture_full(&r);
	free(reread(&r, true, &b));
	cr_assert_str_eq(b.plan_name, "sql-failover");
	cr_assert_eq(b.seed, 42);
	cr_assert_eq(b.started_wall, FIXTURE_WALL + 123000000LL);
	cr_assert_eq(b.ntrials, 3);
	cr_assert_eq(b.trials[0].recovery_ns, MS(6512) - 1000, "rounded to the µs");
	cr_assert_eq(b.trials[0].injected_wall, FIXTURE_WALL + (int64_t)SEC(5));
	cr_assert_eq(b.trials[1].measures[0].outage_observed, false);
	cr_assert_eq(b.trials[2].outcome, TRIAL_NOT_RECOVERED);
	cr_assert_null(b.trials[2].node_after);
	cr_assert_eq(b.trials[2].cluster, OUTCOME_STAYS_FAILED);
	cr_assert_eq(b.trials[2].restarts, 3);
	cr_assert_eq(b.trials[0].nmeasures, 2);
	cr_assert_eq(b.trials[0].measures[1].probe, 1);
	cr_assert_eq(b.nprobes, 2);
	cr_assert_eq(b.probes[0].nchanges, 4);
	cr_assert_eq(b.probes[0].changes[1].status, PROBE_DOWN);
	cr_assert_str_eq(b.probes[0].changes[1].reason, "connect: Connection refused");
	cr_assert_null(b.probes[0].changes[0].reason);
	cr_assert_eq(b.probes[1].errors, 1);
	cr_assert_eq(b.nslos, 3);
	cr_assert_eq(b.slos[1].verdict, SLO_FAIL);
	cr_assert(isnan(b.slos[2].observed));
	cr_assert_eq(b.slos[2].limit, 20e9);
	cr_assert_eq(b.nrestores, 2);
	cr_assert_eq(b.restores[1].ok, false);
	cr_assert_eq(b.nevents, 2);
	cr_assert_eq(b.events[0].state, 4);
	cr_assert_eq(b.verdict, VERDICT_FAIL);
	cr_assert_eq(b.exit_code, 1);
	cr_assert_null(b.abort_reason);
	record_fini(&r);
	record_fini(&b);
}

Test(report_json, without_wall_clock_same_seed_runs_compare_equal)
{
	struct run_record a, b;
	fixture_full(&a);
	fixture_full(&b);
	b.started_wall += SEC(3600);
	for (size_t i = 0; i < b.ntrials; i++)
		b.trials[i].injected_wall += (int64_t)SEC(3600);
	char *ja = json_of(&a, false), *jb = json_of(&b, false);
	cr_assert_str_eq(ja, jb);
	cr_assert_null(strstr(ja, "started_at"));
	cr_assert_null(strstr(ja, "_utc"));
	free(ja);
	free(jb);
	char *wa = json_of(&a, true), *wb = json_of(&b, true);
	cr_assert_str_neq(wa, wb, "with wall-clock fields the runs differ");
	free(wa);
	free(wb);
	record_fini(&a);
	record_fini(&b);
}

Test(report_json, invalid_utf8_is_written_as_replacement_character)
{
	struct run_record r;
	fixture_small(&r);
	free(r.trials[0].resource);
	r.trials[0].resource = xstrdup("SQL\xff\xc3(1)");
	char *got = json_of(&r, false);
	cr_assert_not_null(strstr(got, "\"resource\": \"SQL\xEF\xBF\xBD\xEF\xBF\xBD(1)\","), "%s", got);
	free(got);
	record_fini(&r);
}

static void drop_plan_name(json_t *root)
{
	json_object_del(json_object_get(root, "plan"), "name");
}

static void string_recovery(json_t *root)
{
	json_t *t = json_array_get(json_object_get(root, "trials"), 2);
	json_object_set_new(t, "recovery_ms", json_string("soon"));
}

static void bad_measure_probe(json_t *root)
{
	json_t *t = json_array_get(json_object_get(root, "trials"), 0);
	json_object_set_new(json_array_get(json_object_get(t, "measures"), 1), "probe", json_integer(7));
}

static void bad_status(json_t *root)
{
	json_t *p = json_array_get(json_object_get(root, "probes"), 1);
	json_object_set_new(json_array_get(json_object_get(p, "transitions"), 2), "status", json_string("sideways"));
}

static void bad_version(json_t *root)
{
	json_object_set_new(root, "format_version", json_integer(2));
}

static void contradiction(json_t *root)
{
	json_object_set_new(json_array_get(json_object_get(root, "trials"), 1), "recovered", json_false());
}

static void negative_time(json_t *root)
{
	json_object_set_new(json_array_get(json_object_get(root, "events"), 1), "at", json_real(-1));
}

static void numeric_seed(json_t *root)
{
	json_object_set_new(root, "seed", json_integer(42));
}

static void slo_not_object(json_t *root)
{
	json_array_set_new(json_object_get(root, "slos"), 1, json_string("fail"));
}

static void bad_started_at(json_t *root)
{
	json_object_set_new(root, "started_at", json_string("2025-03-01 12:00:00"));
}

Test(report_json, type_errors_name_the_json_path)
{
	static const struct {
		void (*fn)(json_t *);
		const char *msg;
	} cases[] = {
	    {drop_plan_name, "run.json: plan.name: required field missing"},
	    {string_recovery, "run.json: trials[2].recovery_ms: expected a number"},
	    {bad_measure_probe, "run.json: trials[0].measures[1].probe: no probe 7 (the report has 2)"},
	    {bad_status,
	     "run.json: probes[1].transitions[2].status: expected one of \"unknown\", \"up\", \"down\", \"error\""},
	    {bad_version, "run.json: format_version: unsupported version 2 (this build reads 1)"},
	    {contradiction, "run.json: trials[1].recovered: contradicts \"outcome\""},
	    {negative_time, "run.json: events[1].at: expected a number of ms from 0 to 1.8e13"},
	    {numeric_seed, "run.json: seed: expected a decimal string of a 64-bit number"},
	    {slo_not_object, "run.json: slos[1]: expected an object"},
	    {bad_started_at, "run.json: started_at: expected an RFC 3339 UTC time like \"2025-03-01T12:00:05.123Z\""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *text = edited(cases[i].fn);
		expect_error(text, cases[i].msg);
		free(text);
	}
}

Test(report_json, not_json_and_truncated)
{
	expect_error("hello", "run.json:1:5: not valid JSON: '[' or '{' expected near 'hello'");
	expect_error("[1, 2]", "run.json: expected a JSON object at the top");
	expect_error("{\"format_version\": 1, \"format_version\": 1}",
	             "run.json:1:38: not valid JSON: duplicate object key near '\"format_version\"'");
	expect_error("{}", "run.json: format_version: required field missing");
	char *small = slurp("tests/data/report/small.json");
	small[300] = '\0';
	expect_error(small, "run.json:13:24: not valid JSON: premature end of input near '\"2025-03'");
	free(small);
}

Test(report_json, hostile_input_is_refused_without_crashing)
{
	size_t n = 100000;
	char *deep = xmalloc(n + 1);
	memset(deep, '[', n);
	deep[n] = '\0';
	struct run_record r;
	struct fl_err e = {0};
	cr_assert_eq(report_json_parse(deep, n, "deep.json", &r, &e), -1);
	cr_assert_str_eq(e.msg, "deep.json:1:2049: not valid JSON: maximum parsing depth reached near '['");
	free(deep);

	char *path = fx_tempfile("", 0);
	cr_assert_eq(truncate(path, REPORT_JSON_MAX_BYTES + 1), 0);
	cr_assert_eq(report_json_read(path, &r, &e), -1);
	char want[160];
	snprintf(want, sizeof(want), "%s: too large (67108865 bytes, the limit is 67108864)", path);
	cr_assert_str_eq(e.msg, want);
	unlink(path);
	free(path);

	cr_assert_eq(report_json_read("tests/data/report/no-such.json", &r, &e), -1);
	cr_assert_str_eq(e.msg, "tests/data/report/no-such.json: cannot open: No such file or directory");
}

/* Dates outside what int64 nanoseconds hold used to overflow (a year-1000 started_at read as 2169). */
Test(report_json, rfc3339_out_of_range_is_refused)
{
	int64_t ns = 0;
	cr_assert_eq(report_parse_rfc3339("1000-01-01T00:00:00.000Z", &ns), -1);
	cr_assert_eq(report_parse_rfc3339("1677-01-01T00:00:00.000Z", &ns), -1);
	cr_assert_eq(report_parse_rfc3339("2263-01-01T00:00:00.000Z", &ns), -1);
	cr_assert_eq(report_parse_rfc3339("1970-01-01T00:00:01.500Z", &ns), 0);
	cr_assert_eq(ns, 1500000000LL);
	cr_assert_eq(report_parse_rfc3339("2262-01-01T00:00:00.000Z", &ns), 0);
	cr_assert_gt(ns, 0);
}
