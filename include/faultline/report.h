/*
 * report.h - reports rendered from a struct run_record.
 *
 * Three renderers (JSON, JUnit XML, a terminal summary) and the JSON reader
 * that lets `faultline report` re-render and `faultline compare` compare a
 * finished run. The JSON layout is documented in docs/report-format.md.
 * Renderers only read the record; the reader fills one the caller owns
 * (release it with record_fini).
 */
#ifndef FAULTLINE_REPORT_H
#define FAULTLINE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/err.h"
#include "faultline/record.h"

/* Version written as "format_version"; the reader accepts only this one. */
#define REPORT_FORMAT_VERSION 1
/* The reader refuses larger files before parsing them. */
#define REPORT_JSON_MAX_BYTES (64u * 1024 * 1024)

/*
 * Write r as JSON (format_version 1, two-space indent, trailing newline).
 * Times are ms with µs precision. wall_clock false leaves out every
 * wall-clock field (started_at, trials[].injected_at_utc) so two runs with
 * the same seed in virtual time compare byte for byte. Strings that are not
 * valid UTF-8 are written with U+FFFD in place of the bad bytes.
 * Returns 0, or -1 with e set when the stream fails.
 */
int report_json_write_opts(const struct run_record *r, FILE *f, bool wall_clock, struct fl_err *e);
/* report_json_write_opts with wall_clock true. */
int report_json_write(const struct run_record *r, FILE *f, struct fl_err *e);

/*
 * Read a JSON report written by report_json_write into *out (zeroed first;
 * on success the caller owns it and frees it with record_fini; on failure
 * nothing is left to free). Every field is type-checked; errors read
 * "<path>: trials[3].recovery_ms: expected a number". Files larger than
 * REPORT_JSON_MAX_BYTES are refused; nesting depth is bounded by jansson.
 */
int report_json_read(const char *path, struct run_record *out, struct fl_err *e);
/* Same from memory; name is what messages show in front of the JSON path. */
int report_json_parse(const char *text, size_t len, const char *name, struct run_record *out, struct fl_err *e);

/*
 * Write r as one JUnit <testsuite> named after the plan: one testcase per
 * SLO (classname "slo") and per trial (classname "trial.<fault>"). Failed
 * SLOs and unrecovered trials are <failure>, refused injections <error>,
 * inconclusive SLOs and aborted trials <skipped>. Every string is escaped;
 * control characters and invalid UTF-8 become U+FFFD (XML 1.0 forbids them).
 * Returns 0, or -1 with e set when the stream fails.
 */
int report_junit_write(const struct run_record *r, FILE *f, struct fl_err *e);

/*
 * Write r as one self-contained HTML page (inline CSS and SVG, no script,
 * nothing fetched): verdict, an SVG timeline (a lane per touched resource
 * and per probe, injection markers, recovery bars; idle stretches
 * collapsed), the SLO, trial, probe and restore tables and the run's
 * identity. Every string is escaped. Returns 0, or -1 with e set when the
 * stream fails.
 */
int report_html_write(const struct run_record *r, FILE *f, struct fl_err *e);

/*
 * Write the terminal summary: trials table, SLO table, restore lines and
 * the verdict with the meaning of the exit code. Columns are aligned by
 * display width (UTF-8, wide and combining characters). color: ANSI colors
 * for verdicts and outcomes; the caller decides (isatty, NO_COLOR).
 * Control characters in names are shown as U+FFFD, never sent to the tty.
 */
void report_text_write(const struct run_record *r, FILE *f, bool color);

/*
 * Helpers shared by the renderers (report_util.c).
 */
/*
 * The probe that set a trial's recovery figure: the slowest that recovered,
 * or the first that did not. NULL if no probe measured the trial. Borrowed.
 */
const char *report_trial_probe(const struct run_record *r, const struct rec_trial *t);
/* "6.512 s", "41.2 s", "20 ms", "1.5 ms", "250 µs", "0 s": into buf. */
const char *report_fmt_duration(uint64_t ns, char *buf, size_t len);
/* Unix-epoch ns as RFC 3339 UTC with ms: "2025-03-01T12:00:05.123Z". */
const char *report_fmt_rfc3339(int64_t wall_ns, char *buf, size_t len);
/* Parse exactly the form above; returns 0 or -1. */
int report_parse_rfc3339(const char *s, int64_t *wall_ns);
/*
 * Decode one UTF-8 character at s (n bytes available). Returns its length
 * (1..4) and the code point in *cp, or 1 with *cp = 0xFFFD for a bad byte.
 */
size_t report_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Terminal columns of a code point: 0 (combining), 1 or 2 (wide). */
int report_cp_width(uint32_t cp);
/* Display width of a UTF-8 string (control characters count 1: shown as U+FFFD). */
size_t report_text_width(const char *s);

#endif
