/*
 * report_html_chart.c - recovery across trials, for the HTML report: one
 * bar per trial in run order (a 60-trial release gate at a glance), then
 * the same times sorted (the distribution), each with the recovery SLOs'
 * limits drawn across. A trial that did not recover is a full-height red
 * bar marked "not recovered": slower than anything on the scale.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/report.h"
#include "faultline/util.h"
#include "report_html_int.h"

#define CH_W   420.0
#define CH_H   160.0
#define CH_L   56.0 /* room for the axis labels */
#define CH_TOP 14.0

struct bar {
	const struct rec_trial *t;
	bool never; /* did not recover (or never measured) */
	uint64_t ns;
};

static int bar_cmp(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	if (x->never != y->never)
		return x->never ? 1 : -1;
	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

/* The scale's top: the slowest recovery or the highest SLO limit, plus room. */
static double scale_top(const struct bar *b, size_t n, const struct run_record *r)
{
	double top = 0;
	for (size_t i = 0; i < n; i++)
		if (!b[i].never && (double)b[i].ns > top)
			top = (double)b[i].ns;
	for (size_t i = 0; i < r->nslos; i++)
		if (r->slos[i].kind && strcmp(r->slos[i].kind, "recovery") == 0 && isfinite(r->slos[i].limit) &&
		    r->slos[i].limit > top)
			top = r->slos[i].limit;
	return top > 0 ? top * 1.15 : 1e9;
}

static void put_limits(FILE *f, const struct run_record *r, double top, double x0, double w)
{
	char d[32];
	for (size_t i = 0; i < r->nslos; i++) {
		const struct rec_slo *s = &r->slos[i];
		if (!s->kind || strcmp(s->kind, "recovery") != 0 || !isfinite(s->limit) || s->limit <= 0)
			continue;
		double y = CH_TOP + CH_H - s->limit / top * CH_H;
		fprintf(f,
		        "<g class=\"limit\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" "
		        "y=\"%.1f\">",
		        x0, y, x0 + w, y, x0 + w, y - 3);
		html_put(f, s->name, 24);
		fprintf(f, " ≤ %s</text></g>", report_fmt_duration((uint64_t)s->limit, d, sizeof(d)));
	}
}

static void put_chart(FILE *f, const struct run_record *r, const struct bar *b, size_t n, const char *title)
{
	double top = scale_top(b, n, r), slot = CH_W / (double)n, bw = slot > 3 ? slot * 0.8 : slot;
	char d[32];
	fprintf(f,
	        "<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" role=\"img\"><text class=\"ctitle\" x=\"%.0f\" "
	        "y=\"10\">%s</text>",
	        CH_L + CH_W + 8, CH_TOP + CH_H + 20, CH_L, title);
	fprintf(
	    f,
	    "<text class=\"axis\" x=\"%.0f\" y=\"%.0f\">%s</text><text class=\"axis\" x=\"%.0f\" y=\"%.0f\">0</text>",
	    CH_L - 4, CH_TOP + 8, report_fmt_duration((uint64_t)top, d, sizeof(d)), CH_L - 4, CH_TOP + CH_H);
	fprintf(f, "<line class=\"base\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>", CH_L, CH_TOP + CH_H,
	        CH_L + CH_W, CH_TOP + CH_H);
	for (size_t i = 0; i < n; i++) {
		double h = b[i].never ? CH_H : (double)b[i].ns / top * CH_H, x = CH_L + (double)i * slot;
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
		        b[i].never ? "never" : "rec", x, CH_TOP + CH_H - h, bw, h > 0.5 ? h : 0.5);
		html_put(f, b[i].t->fault_name, 0);
		fprintf(f, " #%u: %s</title></rect>", b[i].t->index + 1,
		        b[i].never ? "not recovered" : report_fmt_duration(b[i].ns, d, sizeof(d)));
	}
	put_limits(f, r, top, CH_L, CH_W);
	fputs("</svg>\n", f);
}

void html_svg_overview(const struct run_record *r, FILE *f)
{
	struct bar *b = xcalloc(r->ntrials + 1, sizeof(*b));
	size_t n = 0, never = 0;
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct rec_trial *t = &r->trials[i];
		if (t->outcome != TRIAL_RECOVERED && t->outcome != TRIAL_NOT_RECOVERED)
			continue; /* refused or aborted: nothing was measured */
		b[n] = (struct bar){t, t->outcome != TRIAL_RECOVERED, t->recovery_ns};
		never += b[n++].never;
	}
	if (n > 0) {
		fprintf(f, "<h2>Recovery across trials</h2>\n<div class=\"sub\">%zu measured trial(s)", n);
		if (never > 0)
			fprintf(f, ", %zu not recovered (full red bars)", never);
		fputs("; lines: the recovery SLOs' limits</div>\n<div class=\"charts\">", f);
		put_chart(f, r, b, n, "each trial, in order");
		qsort(b, n, sizeof(*b), bar_cmp);
		put_chart(f, r, b, n, "sorted: the distribution");
		fputs("</div>\n", f);
	}
	free(b);
}
