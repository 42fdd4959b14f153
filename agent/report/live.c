/*
 * live.c - repaint a run's state on a terminal.
 *
 * Each frame moves the cursor up over the previous frame and rewrites every
 * line, clearing to end of line: no alternate screen, so the final frame
 * stays in the scrollback above the summary, which is what an operator
 * wants to copy into the incident channel.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/live.h"
#include "faultline/report.h"
#include "faultline/util.h"

#define LOG_LINES 5
#define GREEN     "\033[32m"
#define RED       "\033[31m"
#define YELLOW    "\033[33m"
#define BOLD      "\033[1m"
#define RESET     "\033[0m"

struct live {
	FILE *f;
	bool color;
	unsigned lines; /* of the last frame */
	bool ended;     /* after live_end, lines print plainly */
	char *log[LOG_LINES];
	size_t nlog;
};

struct live *live_new(FILE *f, bool color)
{
	struct live *l = xcalloc(1, sizeof(*l));
	l->f = f;
	l->color = color;
	return l;
}

void live_free(struct live *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nlog; i++)
		free(l->log[i]);
	free(l);
}

static void put_safe(FILE *f, const char *s, size_t max);

void live_log(struct live *l, const char *line)
{
	if (l->ended) { /* the restore phase comes after the last frame */
		put_safe(l->f, line, SIZE_MAX);
		fputc('\n', l->f);
		fflush(l->f);
		return;
	}
	if (l->nlog == LOG_LINES) {
		free(l->log[0]);
		memmove(l->log, l->log + 1, (LOG_LINES - 1) * sizeof(*l->log));
		l->nlog--;
	}
	l->log[l->nlog++] = xstrdup(line);
}

/* Write s without control characters, at most max columns. */
static void put_safe(FILE *f, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0, w = 0;
	while (n > 0) {
		uint32_t cp;
		size_t len = report_utf8_next(s, n, &cp);
		int cw = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ? 1 : report_cp_width(cp);
		if (w + (size_t)cw > max)
			break;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xFFFD)
			fputs("\xEF\xBF\xBD", f);
		else
			fwrite(s, 1, len, f);
		w += (size_t)cw;
		s += len;
		n -= len;
	}
}

/* Start a line of the frame: back to column 0, count it. */
static void line(struct live *l)
{
	fputs("\r", l->f);
	l->lines++;
}

static void eol(struct live *l)
{
	fputs("\033[K\n", l->f);
}

static void col(struct live *l, const char *c)
{
	if (l->color)
		fputs(c, l->f);
}

static void put_head(struct live *l, const struct run_view *v)
{
	char el[32], nx[32];
	line(l);
	col(l, BOLD);
	fputs("faultline ", l->f);
	put_safe(l->f, v->plan, 40);
	col(l, RESET);
	fprintf(l->f, "  phase %s  elapsed %s", v->phase, report_fmt_duration(v->elapsed_ns, el, sizeof(el)));
	eol(l);
	line(l);
	if (v->next_known) {
		fprintf(l->f, "next injection in %s: ", report_fmt_duration(v->next_in_ns, nx, sizeof(nx)));
		put_safe(l->f, v->next_fault, 40);
	} else {
		fputs("next injection: none pending", l->f);
	}
	fprintf(l->f, "   trials closed %zu, recovered %zu", v->closed, v->recovered);
	eol(l);
}

static void put_open(struct live *l, const struct run_view *v)
{
	char t[32];
	line(l);
	fprintf(l->f, "open trials: %zu", v->nopen);
	eol(l);
	for (size_t i = 0; i < v->nopen && i < 8; i++) {
		line(l);
		fputs("  ", l->f);
		put_safe(l->f, v->open[i].fault, 24);
		fprintf(l->f, " #%u  ", v->open[i].index + 1);
		put_safe(l->f, v->open[i].resource, 40);
		col(l, YELLOW);
		fprintf(l->f, "  recovering for %s", report_fmt_duration(v->open[i].open_ns, t, sizeof(t)));
		col(l, RESET);
		eol(l);
	}
}

static void put_probes(struct live *l, const struct run_view *v)
{
	char t[32];
	for (size_t i = 0; i < v->nprobes; i++) {
		const struct run_view_probe *p = &v->probes[i];
		line(l);
		fputs("probe ", l->f);
		put_safe(l->f, p->name, 24);
		fputs("  ", l->f);
		col(l, p->status == PROBE_UP ? GREEN : p->status == PROBE_UNKNOWN ? YELLOW : RED);
		fputs(probe_status_str(p->status), l->f);
		col(l, RESET);
		fprintf(l->f, " for %s", report_fmt_duration(p->since_ns, t, sizeof(t)));
		if (p->status != PROBE_UP && p->reason && p->reason[0]) {
			fputs("  (", l->f);
			put_safe(l->f, p->reason, 60);
			fputc(')', l->f);
		}
		eol(l);
	}
}

static void put_slos(struct live *l, const struct run_view *v)
{
	for (size_t i = 0; i < v->nslos; i++) {
		const struct rec_slo *s = &v->slos[i];
		line(l);
		fputs("slo ", l->f);
		put_safe(l->f, s->name, 24);
		fputs("  ", l->f);
		col(l, s->verdict == SLO_PASS ? GREEN : s->verdict == SLO_FAIL ? RED : YELLOW);
		fprintf(l->f, "%s so far", slo_verdict_str(s->verdict));
		col(l, RESET);
		fputs("  ", l->f);
		put_safe(l->f, s->detail, 90);
		eol(l);
	}
}

void live_draw(struct live *l, const struct run_view *v)
{
	if (l->lines > 0)
		fprintf(l->f, "\033[%uA", l->lines);
	l->lines = 0;
	put_head(l, v);
	put_open(l, v);
	put_probes(l, v);
	put_slos(l, v);
	for (size_t i = 0; i < l->nlog; i++) {
		line(l);
		fputs("  ", l->f);
		put_safe(l->f, l->log[i], 110);
		eol(l);
	}
	fputs("\033[J", l->f); /* a shorter frame leaves nothing of the last one */
	fflush(l->f);
}

void live_end(struct live *l)
{
	l->lines = 0;
	l->ended = true;
	fflush(l->f);
}
