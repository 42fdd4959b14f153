/*
 * plan_value.c - parsers for the plan's small value languages: host:port,
 * URLs, percentages, times of day, time zones, and the names of offline
 * flags and resource states. Pure functions: no diagnostics here, the
 * caller positions the message.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/util.h"
#include "plan_int.h"

static bool host_ok(const char *h, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)h[i];
		if (!isalnum(ch) && ch != '-' && ch != '.' && ch != '_')
			return false;
	}
	return h[0] != '-' && h[0] != '.';
}

static bool ipv6_ok(const char *h, size_t n)
{
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
			return false;
	return true;
}

static int parse_port(const char *s, unsigned *port, const char **why)
{
	char *end;
	if (!isdigit((unsigned char)s[0])) {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < 1 || v > 65535) {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

/* host:port or [v6]:port, up to `stop` (exclusive). */
static int split_hostport(const char *s, size_t len, char **host, unsigned *port, bool need_port, const char **why)
{
	const char *colon, *h = s;
	size_t hl;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close == NULL || !ipv6_ok(s + 1, (size_t)(close - s - 1)))
			return *why = "bad IPv6 address (write it as [::1]:port)", -1;
		h = s + 1;
		hl = (size_t)(close - s - 1);
		colon = close + 1 < s + len && close[1] == ':' ? close + 1 : NULL;
		if (colon == NULL && close + 1 != s + len)
			return *why = "expected :port after the IPv6 address", -1;
	} else {
		colon = memchr(s, ':', len);
		hl = colon ? (size_t)(colon - s) : len;
		if (!host_ok(s, hl))
			return *why = "host must be a name or an IP address", -1;
	}
	if (colon == NULL && need_port)
		return *why = "missing :port", -1;
	if (colon != NULL) {
		char *ps = xstrndup(colon + 1, len - (size_t)(colon + 1 - s));
		int rc = parse_port(ps, port, why);
		free(ps);
		if (rc != 0)
			return -1;
	}
	*host = xstrndup(h, hl);
	return 0;
}

int plan_parse_hostport(const char *s, char **host, unsigned *port, const char **why)
{
	*why = "";
	if (s[0] == '\0')
		return *why = "empty address", -1;
	return split_hostport(s, strlen(s), host, port, true, why);
}

int plan_parse_url(const char *s, char **host, unsigned *port, const char **why)
{
	const char *rest;
	*why = "";
	if (strncmp(s, "http://", 7) == 0) {
		rest = s + 7;
		*port = 80;
	} else if (strncmp(s, "https://", 8) == 0) {
		rest = s + 8;
		*port = 443;
	} else
		return *why = "only http:// and https:// URLs are supported", -1;
	size_t hl = strcspn(rest, "/?#");
	if (memchr(rest, '@', hl) != NULL)
		return *why = "user:password@ is not supported", -1;
	if (hl == 0)
		return *why = "missing host", -1;
	for (const char *p = rest + hl; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return *why = "spaces and control characters must be %-encoded", -1;
	return split_hostport(rest, hl, host, port, false, why);
}

int plan_parse_percent(const char *s, double *pct)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32 || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -1;
	char buf[40];
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == '%')
		buf[n - 1] = '\0';
	char *end;
	double v = strtod(buf, &end);
	if (*end != '\0' || end == buf || !isfinite(v) || v <= 0 || v > 100)
		return -1;
	*pct = v;
	return 0;
}

int plan_parse_time_of_day(const char *s, int *minutes)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && !isdigit((unsigned char)s[i]))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

/* An IANA name ("Europe/Paris") present in the system's zoneinfo, or UTC. */
bool plan_timezone_valid(const char *tz)
{
	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0)
		return true;
	if (tz[0] == '\0' || tz[0] == '/' || tz[0] == '.' || strstr(tz, "..") != NULL || strlen(tz) > 64)
		return false;
	for (const char *p = tz; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return false;
	char path[128];
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	char magic[4] = {0};
	size_t got = fread(magic, 1, 4, f);
	fclose(f);
	return got == 4 && memcmp(magic, "TZif", 4) == 0;
}

bool plan_window_contains(const struct plan_window *w, int m)
{
	if (w->start_min <= w->end_min)
		return m >= w->start_min && m < w->end_min;
	return m >= w->start_min || m < w->end_min;
}

bool plan_schedule_allows_minute(const struct plan_schedule *s, int m)
{
	if (s->has_window && !plan_window_contains(&s->window, m))
		return false;
	for (size_t i = 0; i < s->nblackouts; i++)
		if (plan_window_contains(&s->blackouts[i], m))
			return false;
	return true;
}
