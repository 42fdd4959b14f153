/*
 * live.c - repaint a run's state on a terminal.
 *
 * Each frame moves the cursor up over the previous frame and rewrites every
 * line, clearing to end of line: no alternate screen, so the final frame
 * stays in the scrollback above the summary, which is what an operator
 * wants to copy into the incident channel. Moving up only works over lines
 * that are still on the screen, so a frame must never scroll: every line is
 * cut to the terminal's width (a wrapped line would be two) and the frame
 * to its height, both measured (TIOCGWINSZ) at every frame; the run redraws
 * at once on SIGWINCH.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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
	unsigned lines;      /* of the last frame */
	unsigned cols, rows; /* the terminal, measured for each frame */
	bool ended;          /* after live_end, lines print plainly */
	char *log[LOG_LINES];
	size_t nlog;
	char buf[4096]; /* the line being built, colour codes included */
	size_t len;
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

static void put_safe(struct live *l, const char *s, size_t max);

void live_log(struct live *l, const char *line)
{
	if (l->ended) { /* the restore phase comes after the last frame */
		l->len = 0;
		put_safe(l, line, SIZE_MAX);
		fwrite(l->buf, 1, l->len, l->f);
		fputc('\n', l->f);
		fflush(l->f);
		l->len = 0;
		return;
	}
	if (l->nlog == LOG_LINES) {
		free(l->log[0]);
		memmove(l->log, l->log + 1, (LOG_LINES - 1) * sizeof(*l->log));
		l->nlog--;
	}
	l->log[l->nlog++] = xstrdup(line);
}

/* Append raw bytes to the line being built (the line is cut later, at the terminal's width). */
static void add(struct live *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len)
		n = sizeof(l->buf) - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void addf(struct live *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void addf(struct live *l, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	add(l, tmp, n < 0 ? 0 : (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Append s without control characters, at most max columns. */
static void put_safe(struct live *l, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0, w = 0;
	while (n > 0) {
		uint32_t cp;
		size_t len = report_utf8_next(s, n, &cp);
		int cw = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ? 1 : report_cp_width(cp);
		if (w + (size_t)cw > max)
			break;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xFFFD)
			add(l, "\xEF\xBF\xBD", 3);
		else
			add(l, s, len);
		w += (size_t)cw;
		s += len;
		n -= len;
	}
}

/* The terminal's size now; 80x24 when it cannot say (not a terminal, or 0). */
static void measure(struct live *l)
{
	struct winsize ws;
	int fd = fileno(l->f);
	bool ok = fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0;
	l->cols = ok ? ws.ws_col : 80;
	l->rows = ok ? ws.ws_row : 24;
}

/* Start a line of the frame. */
static void line(struct live *l)
{
	l->len = 0;
}

/*
 * Write the built line cut to cols - 1 columns (the last column would make
 * some terminals wrap), colour codes kept; past rows - 1 lines the frame
 * stops growing, so moving back up over it always stays on the screen.
 */
static void eol(struct live *l)
{
	if (l->lines + 1 >= l->rows) {
		l->len = 0;
		return;
	}
	size_t w = 0, i = 0, max = l->cols > 1 ? l->cols - 1 : 1;
	bool cut = false;
	fputc('\r', l->f);
	while (i < l->len) {
		if (l->buf[i] == '\033') { /* CSI: ESC [ params final byte; no width */
			size_t j = i + 1;
			while (j < l->len && !(l->buf[j] >= 0x40 && l->buf[j] <= 0x7E && j > i + 1))
				j++;
			fwrite(l->buf + i, 1, j < l->len ? j - i + 1 : l->len - i, l->f);
			i = j + 1;
			continue;
		}
		uint32_t cp;
		size_t n = report_utf8_next(l->buf + i, l->len - i, &cp);
		size_t cw = (size_t)report_cp_width(cp);
		if (w + cw > max) {
			cut = true;
			break;
		}
		fwrite(l->buf + i, 1, n, l->f);
		w += cw;
		i += n;
	}
	if (cut && l->color)
		fputs(RESET, l->f);
	fputs("\033[K\n", l->f);
	l->lines++;
	l->len = 0;
}

static void col(struct live *l, const char *c)
{
	if (l->color)
		add(l, c, strlen(c));
}

static void put_head(struct live *l, const struct run_view *v)
{
	char el[32], nx[32];
	line(l);
	col(l, BOLD);
	add(l, "faultline ", 10);
	put_safe(l, v->plan, 40);
	col(l, RESET);
	addf(l, "  phase %s  elapsed %s", v->phase, report_fmt_duration(v->elapsed_ns, el, sizeof(el)));
	eol(l);
	line(l);
	if (v->next_known) {
		addf(l, "next injection in %s: ", report_fmt_duration(v->next_in_ns, nx, sizeof(nx)));
		put_safe(l, v->next_fault, 40);
	} else if (v->remaining > 0 && v->nopen > 0) {
		addf(l, "next injection: when the open trial(s) close (%zu more planned)", v->remaining);
	} else if (v->remaining > 0) {
		addf(l, "next injection: held until the cluster settles (%zu more planned)", v->remaining);
	} else {
		add(l, "next injection: none left", 25);
	}
	addf(l, "   trials closed %zu, recovered %zu", v->closed, v->recovered);
	eol(l);
}

static void put_open(struct live *l, const struct run_view *v)
{
	char t[32];
	line(l);
	addf(l, "open trials: %zu", v->nopen);
	eol(l);
	for (size_t i = 0; i < v->nopen && i < 8; i++) {
		line(l);
		add(l, "  ", 2);
		put_safe(l, v->open[i].fault, 24);
		addf(l, " #%u  ", v->open[i].index + 1);
		put_safe(l, v->open[i].resource, 40);
		col(l, YELLOW);
		addf(l, "  recovering for %s", report_fmt_duration(v->open[i].open_ns, t, sizeof(t)));
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
		add(l, "probe ", 6);
		put_safe(l, p->name, 24);
		add(l, "  ", 2);
		col(l, p->status == PROBE_UP ? GREEN : p->status == PROBE_UNKNOWN ? YELLOW : RED);
		addf(l, "%s", probe_status_str(p->status));
		col(l, RESET);
		addf(l, " for %s", report_fmt_duration(p->since_ns, t, sizeof(t)));
		if (p->status != PROBE_UP && p->reason && p->reason[0]) {
			add(l, "  (", 3);
			put_safe(l, p->reason, SIZE_MAX);
			add(l, ")", 1);
		}
		eol(l);
	}
}

static void put_slos(struct live *l, const struct run_view *v)
{
	for (size_t i = 0; i < v->nslos; i++) {
		const struct rec_slo *s = &v->slos[i];
		line(l);
		add(l, "slo ", 4);
		put_safe(l, s->name, 24);
		add(l, "  ", 2);
		col(l, s->verdict == SLO_PASS ? GREEN : s->verdict == SLO_FAIL ? RED : YELLOW);
		addf(l, "%s so far", slo_verdict_str(s->verdict));
		col(l, RESET);
		add(l, "  ", 2);
		put_safe(l, s->detail, SIZE_MAX);
		eol(l);
	}
}

void live_draw(struct live *l, const struct run_view *v)
{
	if (l->lines > 0)
		fprintf(l->f, "\033[%uA", l->lines);
	l->lines = 0;
	measure(l);
	put_head(l, v);
	put_open(l, v);
	put_probes(l, v);
	put_slos(l, v);
	for (size_t i = 0; i < l->nlog; i++) {
		line(l);
		add(l, "  ", 2);
		put_safe(l, l->log[i], SIZE_MAX);
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
