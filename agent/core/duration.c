/* duration.c - parse and format "1h30m"-style durations. */
#include "faultline/duration.h"

#include <stdio.h>
#include <string.h>

struct unit {
	const char *name;
	uint64_t ns;
};

/* Longest names first where one is a prefix of another ("ms" before "m"). */
static const struct unit units[] = {
    {"d", 86400000000000ULL}, {"h", 3600000000000ULL}, {"ms", 1000000ULL}, {"m", 60000000000ULL},
    {"s", 1000000000ULL},     {"us", 1000ULL},         {"ns", 1ULL},
};

/* Rank of each unit in decreasing size, for the ordering rule. */
static int unit_rank(uint64_t ns)
{
	return ns >= 86400000000000ULL  ? 0
	       : ns >= 3600000000000ULL ? 1
	       : ns >= 60000000000ULL   ? 2
	       : ns >= 1000000000ULL    ? 3
	       : ns >= 1000000ULL       ? 4
	       : ns >= 1000ULL          ? 5
	                                : 6;
}

static const struct unit *match_unit(const char *p)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);
		if (strncmp(p, units[i].name, n) == 0 && !(p[n] >= 'a' && p[n] <= 'z'))
			return &units[i];
	}
	return NULL;
}

int duration_parse(const char *s, uint64_t *ns)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	uint64_t total = 0;
	int last_rank = -1;
	const char *p = s;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			return -1;
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*p++ - '0');
		}
		const struct unit *u = match_unit(p);
		if (u == NULL)
			return -1;
		int rank = unit_rank(u->ns);
		if (rank <= last_rank)
			return -1;
		last_rank = rank;
		if (v != 0 && u->ns > UINT64_MAX / v)
			return -1;
		if (total > UINT64_MAX - v * u->ns)
			return -1;
		total += v * u->ns;
		p += strlen(u->name);
	}
	if (total > DURATION_MAX_NS)
		return -1; /* callers add durations to int64 clocks: keep far from overflow */
	*ns = total;
	return 0;
}

const char *duration_format(uint64_t ns, char *buf, size_t len)
{
	static const struct unit order[] = {
	    {"d", 86400000000000ULL}, {"h", 3600000000000ULL}, {"m", 60000000000ULL}, {"s", 1000000000ULL},
	    {"ms", 1000000ULL},       {"us", 1000ULL},         {"ns", 1ULL},
	};
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (ns == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	size_t off = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && ns > 0; i++) {
		uint64_t q = ns / order[i].ns;
		if (q == 0)
			continue;
		ns -= q * order[i].ns;
		int n = snprintf(buf + off, len - off, "%llu%s", (unsigned long long)q, order[i].name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

const char *duration_clock(uint64_t ns, char *buf, size_t len)
{
	uint64_t ms = (ns + 500000ULL) / 1000000ULL, s = ms / 1000;
	unsigned long long h = s / 3600, m = s % 3600 / 60, sec = s % 60;
	size_t off = 0;
	buf[0] = '\0';
	if (h > 0)
		off += (size_t)snprintf(buf + off, len - off, "%lluh", h);
	if (m > 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%llum", m);
	if (off >= len)
		return buf;
	if (ms % 1000)
		snprintf(buf + off, len - off, "%llu.%03us", sec, (unsigned)(ms % 1000));
	else if (sec > 0 || off == 0)
		snprintf(buf + off, len - off, "%llus", sec);
	return buf;
}

const char *duration_human(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000000ULL)
		snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
	else if (ns < 1000000000ULL)
		snprintf(buf, len, "%llu ms", (unsigned long long)(ns / 1000000ULL));
	else if (ns < 60000000000ULL)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (ns < 3600000000000ULL)
		snprintf(buf, len, "%llum %.1f s", (unsigned long long)(ns / 60000000000ULL),
		         (double)(ns % 60000000000ULL) / 1e9);
	else
		snprintf(buf, len, "%lluh %02llum", (unsigned long long)(ns / 3600000000000ULL),
		         (unsigned long long)(ns % 3600000000000ULL / 60000000000ULL));
	return buf;
}
