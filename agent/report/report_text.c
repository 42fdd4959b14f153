/*
 * report_text.c - the terminal summary of a run.
 *
 * Tables are laid out by display width, not bytes, because resource and
 * node names are often not ASCII. Names come from the cluster, so control
 * characters are never written to the terminal (an escape sequence in a
 * resource name must not repaint the operator's screen).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/log.h"
#include "faultline/report.h"
#include "faultline/util.h"

#define GREEN  "\033[32m"
#define RED    "\033[31m"
#define YELLOW "\033[33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"
#define MAXCOL 8 /* the widest table: trials, 7 columns */

struct cell {
	char *text;        /* owned */
	const char *color; /* NULL: none */
};

struct table {
	size_t ncols;
	size_t n, cap; /* cells, filled row by row */
	struct cell *cells;
};

static void table_add(struct table *t, const char *color, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void table_add(struct table *t, const char *color, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	XGROW(t->cells, t->cap, t->n + 1);
	t->cells[t->n++] = (struct cell){xvasprintf(fmt, ap), color};
	va_end(ap);
}

static void table_fini(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i].text);
	free(t->cells);
}

/* Write s with control characters and bad bytes as U+FFFD. */
static void put_safe(FILE *f, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		uint32_t cp;
		size_t l = report_utf8_next(s, n, &cp);
		if (cp < 0x20 || cp == 0x7F || cp == 0xFFFD || (cp >= 0x80 && cp < 0xA0))
			fputs("\xEF\xBF\xBD", f);
		else
			fwrite(s, 1, l, f);
		s += l;
		n -= l;
	}
}

/* Columns two spaces apart, the last one unpadded; the first row is the heading. */
static void table_print(FILE *f, const struct table *t, bool color)
{
	size_t width[MAXCOL] = {0};
	if (t->ncols == 0 || t->ncols > MAXCOL)
		fatalx("report_text: a table of %zu columns (at most %d)", t->ncols, MAXCOL); /* a broken invariant */
	for (size_t i = 0; i < t->n; i++) {
		size_t w = report_text_width(t->cells[i].text);
		if (w > width[i % t->ncols])
			width[i % t->ncols] = w;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->ncols;
		const char *c = i < t->ncols ? BOLD : t->cells[i].color;
		if (color && c != NULL)
			fputs(c, f);
		put_safe(f, t->cells[i].text);
		if (color && c != NULL)
			fputs(RESET, f);
		if (col + 1 == t->ncols) {
			fputc('\n', f);
			continue;
		}
		for (size_t w = report_text_width(t->cells[i].text); w < width[col] + 2; w++)
			fputc(' ', f);
	}
}

static const char *outcome_color(enum trial_outcome o)
{
	return o == TRIAL_RECOVERED ? GREEN : o == TRIAL_NOT_RECOVERED || o == TRIAL_INJECT_FAILED ? RED : YELLOW;
}

static const char *outcome_text(enum trial_outcome o)
{
	static const char *const words[] = {"pending", "recovered", "not recovered", "inject failed", "aborted"};
	return (unsigned)o < ARRAY_LEN(words) ? words[o] : "?";
}

static const char *verdict_color(enum slo_verdict v)
{
	return v == SLO_PASS ? GREEN : v == SLO_FAIL ? RED : YELLOW;
}

/* "6.512 s ±20 ms", "≤ 20 ms (outage not observed)", "> 30 s (recovery_timeout)", "-" */
static void recovery_text(const struct rec_trial *t, char *buf, size_t len)
{
	char rec[32], res[32], tmo[32];
	report_fmt_duration(t->recovery_ns, rec, sizeof(rec));
	report_fmt_duration(t->resolution_ns, res, sizeof(res));
	report_fmt_duration(t->timeout_ns, tmo, sizeof(tmo));
	bool late = t->timeout_ns > 0 && t->recovery_ns > t->timeout_ns;
	if (t->outcome == TRIAL_RECOVERED && !t->outage_observed)
		snprintf(buf, len, "≤ %s (outage not observed)", res);
	else if (t->outcome == TRIAL_RECOVERED || (t->outcome == TRIAL_NOT_RECOVERED && late))
		snprintf(buf, len, "%s ±%s", rec, res);
	else if (t->outcome == TRIAL_NOT_RECOVERED && t->timeout_ns > 0)
		snprintf(buf, len, "> %s (recovery_timeout)", tmo);
	else
		snprintf(buf, len, "-");
}

static void put_trials(FILE *f, const struct run_record *r, bool color)
{
	if (r->ntrials == 0) {
		fputs("\nTrials: none (nothing was injected)\n", f);
		return;
	}
	struct table t = {.ncols = 7};
	static const char *const head[] = {"fault", "#", "resource", "node", "outcome", "recovery", "by probe"};
	for (size_t i = 0; i < ARRAY_LEN(head); i++)
		table_add(&t, NULL, "%s", head[i]);
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct rec_trial *tr = &r->trials[i];
		char rec[96];
		recovery_text(tr, rec, sizeof(rec));
		table_add(&t, NULL, "%s", tr->fault_name ? tr->fault_name : "?");
		table_add(&t, NULL, "%u", tr->index + 1);
		table_add(&t, NULL, "%s", tr->resource ? tr->resource : "?");
		table_add(&t, NULL, "%s → %s", tr->node_before ? tr->node_before : "?",
		          tr->node_after ? tr->node_after : "?");
		table_add(&t, outcome_color(tr->outcome), "%s", outcome_text(tr->outcome));
		table_add(&t, NULL, "%s", rec);
		const char *by = report_trial_probe(r, tr);
		table_add(&t, NULL, "%s", by ? by : "-");
	}
	fputs("\nTrials (recovery: the slowest probe's; SLOs name their own probe)\n", f);
	table_print(f, &t, color);
	table_fini(&t);
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct rec_trial *tr = &r->trials[i];
		if (tr->outcome != TRIAL_INJECT_FAILED)
			continue;
		fprintf(f, "  %s #%u: injection failed (code %ld): ", tr->fault_name ? tr->fault_name : "?",
		        tr->index + 1, tr->code);
		put_safe(f, tr->error ? tr->error : "no detail");
		fputc('\n', f);
	}
}

static void put_slos(FILE *f, const struct run_record *r, bool color)
{
	if (r->nslos == 0) {
		fputs("\nSLOs: none in this plan\n", f);
		return;
	}
	struct table t = {.ncols = 4};
	table_add(&t, NULL, "slo");
	table_add(&t, NULL, "kind");
	table_add(&t, NULL, "verdict");
	table_add(&t, NULL, "detail");
	for (size_t i = 0; i < r->nslos; i++) {
		const struct rec_slo *s = &r->slos[i];
		table_add(&t, NULL, "%s", s->name ? s->name : "?");
		table_add(&t, NULL, "%s", s->kind ? s->kind : "?");
		table_add(&t, verdict_color(s->verdict), "%s", slo_verdict_str(s->verdict));
		table_add(&t, NULL, "%s", s->detail ? s->detail : "");
	}
	fputs("\nSLOs\n", f);
	table_print(f, &t, color);
	table_fini(&t);
}

static void put_restores(FILE *f, const struct run_record *r, bool color)
{
	if (r->nrestores == 0)
		return;
	fputs("\nRestore\n", f);
	for (size_t i = 0; i < r->nrestores; i++) {
		const struct rec_restore *rs = &r->restores[i];
		const char *c = rs->ok ? GREEN : RED;
		fprintf(f, "  %s%-6s%s  ", color ? c : "", rs->ok ? "ok" : "FAILED", color ? RESET : "");
		put_safe(f, rs->resource ? rs->resource : "?");
		fputs(": ", f);
		put_safe(f, rs->action ? rs->action : "?");
		if (rs->detail != NULL) {
			fputs(" (", f);
			put_safe(f, rs->detail);
			fputc(')', f);
		}
		fputc('\n', f);
	}
}

static void put_verdict(FILE *f, const struct run_record *r, bool color)
{
	static const char *const words[] = {"PASS", "FAIL", "INCONCLUSIVE", "ABORTED", "ERROR"};
	static const char *const colors[] = {GREEN, RED, YELLOW, YELLOW, RED};
	bool known = (unsigned)r->verdict < ARRAY_LEN(words);
	fprintf(f, "\nverdict: %s%s%s (exit %d: %s", color && known ? colors[r->verdict] : "",
	        known ? words[r->verdict] : "?", color && known ? RESET : "", r->exit_code,
	        verdict_reason_text(r->reason));
	if (r->reason_detail != NULL) {
		fputs(": ", f);
		put_safe(f, r->reason_detail);
	}
	size_t bad = 0;
	for (size_t i = 0; i < r->nrestores; i++)
		bad += !r->restores[i].ok;
	/* the SLOs may pass, the run did not: say why it exits 4 */
	if (bad > 0)
		fprintf(f, "; restore NOT verified for %zu resource(s): the cluster needs an operator", bad);
	fputs(")\n", f);
}

void report_text_write(const struct run_record *r, FILE *f, bool color)
{
	char when[40], dur[32];
	fputs("plan ", f);
	put_safe(f, r->plan_name ? r->plan_name : "?");
	fprintf(f, "  seed %llu  backend ", (unsigned long long)r->seed);
	put_safe(f, r->backend ? r->backend : "?");
	fprintf(f, "%s%s\nstarted %s  duration %s\n", r->virtual_time ? " (virtual time)" : "",
	        r->dry_run ? " (dry run)" : "", report_fmt_rfc3339(r->started_wall, when, sizeof(when)),
	        report_fmt_duration(r->duration_ns, dur, sizeof(dur)));
	put_trials(f, r, color);
	put_slos(f, r, color);
	put_restores(f, r, color);
	put_verdict(f, r, color);
}
