/*
 * report_html_int.h - shared by agent/report_html*.c only.
 *
 * report_html.c writes the page (identity, tables); report_html_svg.c
 * writes the timeline. Both escape every string through html_put: names
 * come from clusters and plans and are hostile input.
 */
#ifndef FAULTLINE_REPORT_HTML_INT_H
#define FAULTLINE_REPORT_HTML_INT_H

#include <stdint.h>
#include <stdio.h>

#include "faultline/record.h"

/*
 * Write s escaped for HTML text and attribute values (& < > " '). Control
 * characters and invalid UTF-8 become U+FFFD; NULL writes "?". At most
 * max_cols code points are written, then "…" (0 = no limit).
 */
void html_put(FILE *f, const char *s, size_t max_cols);
/* Run time as a clock reading from the run's start: "0:04.250", "15:44:03". */
const char *html_fmt_clock(uint64_t ns, char *buf, size_t len);
/* The <svg> timeline of r (lanes, injection markers, recovery bars). */
void html_svg_timeline(const struct run_record *r, FILE *f);
/* Recovery across trials (report_html_chart.c): per trial and sorted, SLO limits drawn; nothing without trials. */
void html_svg_overview(const struct run_record *r, FILE *f);

#endif
