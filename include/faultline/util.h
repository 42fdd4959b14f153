/*
 * util.h - allocation that cannot fail, small string helpers.
 *
 * x* allocators abort the process on out-of-memory (the only sane reaction
 * for a tool that must not run half-initialised), so callers never check for
 * NULL.
 */
#ifndef FAULTLINE_UTIL_H
#define FAULTLINE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: like reallocarray(3), aborts on overflow or OOM. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* argv's words joined by single spaces, for messages (caller frees). */
char *argv_join(char *const *argv);
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Grow *items so that it can hold at least `need` elements of `size` bytes;
 * *cap is updated. Amortised doubling.
 */
void xgrow(void **items, size_t *cap, size_t need, size_t size);
#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* Levenshtein distance between a and b, capped at `limit` (returns limit+1 beyond). */
size_t str_distance(const char *a, const char *b, size_t limit);

/*
 * The longest prefix of s[0..len) that is at most max bytes and does not end
 * inside a UTF-8 sequence: THE way to cut text anywhere in faultline, so a
 * cut message stays valid UTF-8 for every JSON encoder and decoder.
 */
size_t utf8_cut(const char *s, size_t len, size_t max);
/* Copy src into dst[cap] (NUL-terminated), cut with utf8_cut; returns the length copied. */
size_t utf8_copy(char *dst, size_t cap, const char *src);

/* Wall-clock time (CLOCK_REALTIME) in Unix-epoch nanoseconds: for humans only, never for measuring. */
int64_t wall_now_ns(void);
/* Format a wall time as RFC 3339 UTC with milliseconds into buf. */
const char *wall_format(int64_t ns, char *buf, size_t len);

#endif
