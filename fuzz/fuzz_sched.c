/*
 * fuzz_sched.c - libFuzzer harness for schedules: a cron expression, a
 * duration and a time zone (one per line). What parses is searched for its
 * next fire times, with a window and a blackout made from the input, in
 * UTC and the given zone: bounded (the search once took 158 M steps), no
 * overflow, no UB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/agent_sched.h"
#include "faultline/duration.h"
#include "faultline/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of the input, NUL-terminated (caller frees). */
static char *next_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);
	char *s = malloc(n + 1);
	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	const uint8_t *p = data, *end = data + size;
	char *cron = next_line(&p, end), *dur = next_line(&p, end), *tz = next_line(&p, end);
	uint64_t ns;
	duration_parse(dur, &ns);
	struct plan_schedule s;
	memset(&s, 0, sizeof(s));
	size_t off;
	const char *why;
	int minutes = 0;
	plan_parse_time_of_day(dur, &minutes);
	struct plan_window b = {.start_min = minutes % 1440, .end_min = (int)(size * 7 % 1440)};
	if (plan_parse_cron(cron, &s.cron, &off, &why) == 0) {
		s.present = true;
		s.timezone = plan_timezone_valid(tz) ? tz : (char *)"UTC";
		s.has_window = size % 3 == 0;
		s.window =
		    (struct plan_window){.start_min = (int)(size * 13 % 1440), .end_min = (int)(size * 31 % 1440)};
		s.blackouts = &b;
		s.nblackouts = size % 2;
		int64_t t = (int64_t)(size * 86413) % (4LL * 366 * 86400) + 1700000000;
		for (int i = 0; i < 3 && t != AGENT_SCHED_NONE; i++)
			t = agent_sched_next(&s, t);
	}
	free(cron);
	free(dur);
	free(tz);
	return 0;
}
