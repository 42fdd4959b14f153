/*
 * duration.h - human durations ("250ms", "90s", "2m", "1h30m", "1d") to and
 * from nanoseconds. One parser for plans, topologies and the command line.
 */
#ifndef FAULTLINE_DURATION_H
#define FAULTLINE_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse s: one or more <digits><unit> terms, units ns us ms s m h d, each
 * unit at most once and in decreasing order ("1h30m", not "30m1h"); "0" alone
 * is zero. Returns 0, or -1 for a malformed value or one over DURATION_MAX_NS.
 */
#define DURATION_MAX_NS (36500ULL * 86400 * 1000000000) /* 100 years: now + d + d stays in an int64 */
int duration_parse(const char *s, uint64_t *ns);
/* Format ns the same way ("1h30m", "250ms", "1.5s" never): into buf. */
const char *duration_format(uint64_t ns, char *buf, size_t len);

/* For people: "20 ms", "0.250 ms", "2.513 s", "3m 12.5 s". */
const char *duration_human(uint64_t ns, char *buf, size_t len);

/* Compact, to the millisecond, for timelines: "0s", "12s", "1m10.837s", "1h4m20.526s". */
const char *duration_clock(uint64_t ns, char *buf, size_t len);

#endif
