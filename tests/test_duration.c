/* test_duration.c - the one duration parser everyone uses. */
#include <criterion/criterion.h>

#include "faultline/duration.h"

static uint64_t parse_ok(const char *s)
{
	uint64_t ns = 12345;
	cr_assert_eq(duration_parse(s, &ns), 0, "\"%s\" should parse", s);
	return ns;
}

Test(duration, parses_each_unit)
{
	cr_assert_eq(parse_ok("250ms"), 250000000ULL);
	cr_assert_eq(parse_ok("90s"), 90000000000ULL);
	cr_assert_eq(parse_ok("2m"), 120000000000ULL);
	cr_assert_eq(parse_ok("1h30m"), 5400000000000ULL);
	cr_assert_eq(parse_ok("1d"), 86400000000000ULL);
	cr_assert_eq(parse_ok("36500d"), DURATION_MAX_NS); /* the largest: 100 years */
	cr_assert_eq(parse_ok("7us"), 7000ULL);
	cr_assert_eq(parse_ok("3ns"), 3ULL);
	cr_assert_eq(parse_ok("0"), 0ULL);
	cr_assert_eq(parse_ok("0s"), 0ULL);
	cr_assert_eq(parse_ok("1m500ms"), 60500000000ULL);
}

Test(duration, rejects_malformed)
{
	const char *bad[] = {"",
	                     "10",
	                     "10 sec",
	                     "-5s",
	                     "1.5s",
	                     "30m1h",
	                     "1h1h",
	                     "s",
	                     "5x",
	                     "1hh",
	                     "99999999999999999999s",
	                     "213504d",
	                     "1s ",
	                     "36500d1ns",
	                     "10000000h"};
	uint64_t ns;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(duration_parse(bad[i], &ns), -1, "\"%s\" should be refused", bad[i]);
}

Test(duration, formats_round_trip)
{
	char buf[64];
	cr_assert_str_eq(duration_format(5400000000000ULL, buf, sizeof(buf)), "1h30m");
	cr_assert_str_eq(duration_format(250000000ULL, buf, sizeof(buf)), "250ms");
	cr_assert_str_eq(duration_format(0, buf, sizeof(buf)), "0s");
	cr_assert_str_eq(duration_format(60500000000ULL, buf, sizeof(buf)), "1m500ms");
	uint64_t ns;
	cr_assert_eq(duration_parse(duration_format(93784005006007ULL, buf, sizeof(buf)), &ns), 0);
	cr_assert_eq(ns, 93784005006007ULL);
}
