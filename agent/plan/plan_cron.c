/*
 * plan_cron.c - compile a cron expression into bit masks.
 *
 * Five fields (minute hour day-of-month month day-of-week) with *, N, N-M,
 * lists and /step, month and weekday names; or @hourly, @daily,
 * @midnight, @weekly, @monthly, @yearly, @annually, @every <duration>.
 * On error the byte offset of the offending field is returned, so the
 * loader can point at it.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "faultline/duration.h"
#include "faultline/util.h"
#include "plan_int.h"

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* names[i] is value lo + i */
	const char *range_why;
};

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                     "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const wdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const struct field fields[5] = {
    {"minute", 0, 59, NULL, "minute out of range 0-59"},
    {"hour", 0, 23, NULL, "hour out of range 0-23"},
    {"day-of-month", 1, 31, NULL, "day of month out of range 1-31"},
    {"month", 1, 12, months, "month out of range 1-12 (or jan-dec)"},
    {"day-of-week", 0, 7, wdays, "day of week out of range 0-7 (or sun-sat)"},
};

/* A number or a name; advances *s. -1 if neither. */
static int value(const struct field *f, const char **s, const char *end)
{
	const char *p = *s;
	if (p < end && isdigit((unsigned char)*p)) {
		int v = 0;
		while (p < end && isdigit((unsigned char)*p) && v < 1000)
			v = v * 10 + (*p++ - '0');
		*s = p;
		return v;
	}
	for (int i = 0; f->names != NULL && f->names[i] != NULL; i++)
		if (end - p >= 3 && strncasecmp(p, f->names[i], 3) == 0) {
			*s = p + 3;
			return f->lo + i;
		}
	return -1;
}

static int item(const struct field *f, const char *s, const char *end, uint64_t *mask, const char **why)
{
	int lo = f->lo, hi = f->hi, step = 1;
	if (s < end && *s == '*') {
		s++;
	} else {
		if ((lo = value(f, &s, end)) < 0)
			return *why = "expected a number, a name, * or a range", -1;
		hi = lo;
		if (s < end && *s == '-') {
			s++;
			if ((hi = value(f, &s, end)) < 0)
				return *why = "expected the end of the range", -1;
		}
	}
	if (s < end && *s == '/') {
		s++;
		const char *q = s;
		step = value(&(struct field){"step", 1, 1000, NULL, NULL}, &s, end);
		if (step <= 0 || q == s)
			return *why = "step must be a positive number", -1;
		if (hi == lo && lo != f->lo)
			hi = f->hi; /* "5/15" means 5-max/15 */
	}
	if (s != end)
		return *why = "unexpected character", -1;
	if (lo < f->lo || hi > f->hi || lo > f->hi)
		return *why = f->range_why, -1;
	if (lo > hi)
		return *why = "range start is after its end", -1;
	for (int v = lo; v <= hi; v += step)
		*mask |= 1ULL << v;
	return 0;
}

static int field(const struct field *f, const char *s, size_t len, uint64_t *mask, const char **why)
{
	const char *end = s + len;
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		if (item(f, s, stop, mask, why) != 0)
			return -1;
		s = comma ? comma + 1 : end;
		if (comma != NULL && s == end)
			return *why = "empty list item", -1;
	}
	return 0;
}

static int macro(const char *s, struct plan_cron *c, const char **why)
{
	static const char *const m[] = {"@hourly",   "0 * * * *", "@daily",    "0 0 * * *", "@midnight",
	                                "0 0 * * *", "@weekly",   "0 0 * * 0", "@monthly",  "0 0 1 * *",
	                                "@yearly",   "0 0 1 1 *", "@annually", "0 0 1 1 *", NULL};
	if (strncmp(s, "@every ", 7) == 0) {
		if (duration_parse(s + 7, &c->every_ns) != 0)
			return *why =
			           "@every needs one duration written without spaces, like @every 30s or @every 1h30m",
			       -1;
		if (c->every_ns < 1000000000ULL)
			return *why = "@every needs a duration of at least 1s, like @every 6h", -1;
		return 0;
	}
	for (size_t i = 0; m[i] != NULL; i += 2)
		if (strcmp(s, m[i]) == 0) {
			size_t off;
			return plan_parse_cron(m[i + 1], c, &off, why);
		}
	return *why = "unknown macro (expected @hourly, @daily, @weekly, @monthly, @yearly or @every <duration>)", -1;
}

int plan_parse_cron(const char *s, struct plan_cron *c, size_t *off, const char **why)
{
	memset(c, 0, sizeof(*c));
	*off = 0;
	if (s[0] == '@')
		return macro(s, c, why);
	uint64_t masks[5] = {0};
	size_t nf = 0;
	const char *p = s;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		size_t len = strcspn(p, " \t");
		*off = (size_t)(p - s);
		if (nf == 5)
			return *why = "too many fields (expected minute hour day-of-month month day-of-week)", -1;
		if (field(&fields[nf], p, len, &masks[nf], why) != 0)
			return -1;
		c->mday_any = c->mday_any || (nf == 2 && p[0] == '*');
		c->wday_any = c->wday_any || (nf == 4 && p[0] == '*');
		nf++;
		p += len;
	}
	if (nf != 5) {
		*off = 0;
		return *why = "expected 5 fields (minute hour day-of-month month day-of-week)", -1;
	}
	c->minutes = masks[0];
	c->hours = (uint32_t)masks[1];
	c->mdays = (uint32_t)masks[2];
	c->months = (uint16_t)masks[3];
	c->wdays = (uint8_t)((masks[4] | (masks[4] >> 7)) & 0x7f); /* 7 is Sunday too */
	return 0;
}
