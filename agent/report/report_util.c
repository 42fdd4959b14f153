/* report_util.c - formatting shared by the report renderers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "faultline/cmd.h"
#include "faultline/report.h"

/* Print v / div with up to 3 decimals, trailing zeros removed. */
static void fmt_scaled(uint64_t v, uint64_t div, const char *unit, char *buf, size_t len)
{
	uint64_t thousandths = (v * 1000 + div / 2) / div;
	if (v > UINT64_MAX / 1000)
		thousandths = v / div * 1000;
	uint64_t whole = thousandths / 1000, frac = thousandths % 1000;
	if (frac == 0) {
		snprintf(buf, len, "%llu %s", (unsigned long long)whole, unit);
		return;
	}
	int digits = frac % 100 == 0 ? 1 : frac % 10 == 0 ? 2 : 3;
	unsigned shown = (unsigned)(digits == 1 ? frac / 100 : digits == 2 ? frac / 10 : frac);
	snprintf(buf, len, "%llu.%0*u %s", (unsigned long long)whole, digits, shown, unit);
}

const char *report_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns == 0)
		snprintf(buf, len, "0 s");
	else if (ns >= 999999500ULL)
		fmt_scaled(ns, 1000000000ULL, "s", buf, len);
	else if (ns >= 999500ULL)
		fmt_scaled(ns, 1000000ULL, "ms", buf, len);
	else
		fmt_scaled(ns, 1000ULL, "µs", buf, len);
	return buf;
}

const char *report_fmt_rfc3339(int64_t wall_ns, char *buf, size_t len)
{
	/* Floor division so times before 1970 still print sensibly. */
	int64_t sec = wall_ns / 1000000000LL, rem = wall_ns % 1000000000LL;
	if (rem < 0) {
		sec--;
		rem += 1000000000LL;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "1970-01-01T00:00:00.000Z");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(rem / 1000000));
	return buf;
}

int report_parse_rfc3339(const char *s, int64_t *wall_ns)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return -1;
	struct tm tm = {0};
	int ms = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	           &tm.tm_sec, &ms) != 7)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	/* Nanoseconds in an int64 reach 1677-09-21 to 2262-04-11: refuse what would overflow. */
	if (t < INT64_MIN / 1000000000LL + 1 || t > INT64_MAX / 1000000000LL - 1)
		return -1;
	*wall_ns = (int64_t)t * 1000000000LL + (int64_t)ms * 1000000LL;
	return 0;
}

const char *report_trial_probe(const struct run_record *r, const struct rec_trial *t)
{
	const struct rec_measure *pick = NULL;
	for (size_t i = 0; i < t->nmeasures; i++) {
		const struct rec_measure *m = &t->measures[i];
		if (t->outcome != TRIAL_RECOVERED && !m->recovered) {
			pick = m;
			break;
		}
		if (m->recovered && (pick == NULL || m->recovery_ns > pick->recovery_ns))
			pick = m;
	}
	if (pick == NULL || pick->probe >= r->nprobes)
		return NULL;
	return r->probes[pick->probe].name;
}

/* Overlong forms, surrogates and values past U+10FFFF are bad bytes. */
size_t report_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = u[0] < 0x80             ? 1
	             : (u[0] & 0xE0) == 0xC0 ? 2
	             : (u[0] & 0xF0) == 0xE0 ? 3
	             : (u[0] & 0xF8) == 0xF0 ? 4
	                                     : 0;
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (len == 0 || len > n)
		goto bad;
	uint32_t c = len == 1 ? u[0] : (uint32_t)(u[0] & (0x7F >> len));
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

struct range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

/* The common combining and zero-width blocks, and the East Asian wide ones. */
int report_cp_width(uint32_t cp)
{
	static const struct range zero[] = {
	    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
	    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
	    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
	};
	static const struct range wide[] = {
	    {0x1100, 0x115F}, {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
	    {0xA000, 0xA4CF}, {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},
	    {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
	};
	if (in_ranges(cp, zero, sizeof(zero) / sizeof(zero[0])))
		return 0;
	return in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])) ? 2 : 1;
}

size_t report_text_width(const char *s)
{
	size_t w = 0, n = strlen(s);
	while (n > 0) {
		uint32_t cp;
		size_t l = report_utf8_next(s, n, &cp);
		w += cp < 0x20 || cp == 0x7F ? 1 : (size_t)report_cp_width(cp);
		s += l;
		n -= l;
	}
	return w;
}
