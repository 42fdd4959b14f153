/*
 * regex.h - PCRE2 behind a small interface (pcre2.h stays out of headers).
 *
 * Patterns are UTF-8, compiled once (with JIT when available and enabled)
 * and matched many times. A compiled regex is immutable and may be shared.
 */
#ifndef FAULTLINE_REGEX_H
#define FAULTLINE_REGEX_H

#include <stdbool.h>
#include <stddef.h>

struct fl_regex;

/*
 * Compile `pattern`. On failure returns NULL, writes PCRE2's message into
 * errbuf and the byte offset (into pattern) of the offending character into
 * *erroff.
 */
struct fl_regex *regex_compile(const char *pattern, size_t *erroff, char *errbuf, size_t errlen);
void regex_free(struct fl_regex *re);
/* 1 match, 0 no match, -1 matching error (e.g. match limit) with errbuf set. */
int regex_match(const struct fl_regex *re, const char *subject, size_t len);
const char *regex_pattern(const struct fl_regex *re);

/*
 * Reusable match scratch for hot loops: regex_match allocates PCRE2 match
 * data on every call, which dominates when one selector is tried against
 * thousands of names. A scratch is created once, serves any regex (we only
 * ask "does it match", so one ovector pair is enough), and belongs to one
 * thread at a time. regex_scratch_free(NULL) is a no-op.
 */
struct fl_regex_scratch;
struct fl_regex_scratch *regex_scratch_new(void);
void regex_scratch_free(struct fl_regex_scratch *s);
/* Same result as regex_match, without allocating. */
int regex_match_with(const struct fl_regex *re, struct fl_regex_scratch *s, const char *subject, size_t len);
/* Why the last regex_match_with on s returned -1 (PCRE2's words), into buf. */
const char *regex_scratch_error(const struct fl_regex_scratch *s, char *buf, size_t len);
/*
 * JIT is used by default when PCRE2 supports it; tests turn it off to prove
 * both paths agree. Affects regexes compiled afterwards.
 */
void regex_set_jit(bool on);
/* Whether re was JIT-compiled (so a parity test knows both paths ran). */
bool regex_is_jit(const struct fl_regex *re);

#endif
