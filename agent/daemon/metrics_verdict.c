/*
 * metrics_verdict.c - a run's final event (run_events_verdict) as metrics:
 * the run's verdict, reason and exit code, and each SLO's verdict, exactly
 * as the run's own report states them.
 */
#include <jansson.h>
#include <string.h>

#include "faultline/metrics.h"

void metrics_note_verdict(struct metrics *m, const char *plan, const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	const char *v = json_string_value(json_object_get(j, "verdict"));
	const char *why = json_string_value(json_object_get(j, "reason"));
	/* One series per plan: the last run's, whatever its labels were before. */
	metrics_forget(m, "faultline_last_run_verdict", "plan", plan);
	metrics_set(m, "faultline_last_run_verdict", 1, "plan", plan, "verdict", v ? v : "?", "reason", why ? why : "?",
	            NULL);
	metrics_set(m, "faultline_last_run_exit_code", (double)json_integer_value(json_object_get(j, "exit")), "plan",
	            plan, NULL);
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "slos"), i, s)
	{
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *sv = json_string_value(json_object_get(s, "verdict"));
		if (name == NULL || sv == NULL)
			continue;
		double g = strcmp(sv, "pass") == 0 ? 1 : strcmp(sv, "fail") == 0 ? 0 : -1;
		metrics_set(m, "faultline_slo_verdict", g, "plan", plan, "slo", name, NULL);
	}
	json_decref(j);
}
