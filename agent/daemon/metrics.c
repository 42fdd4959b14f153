/*
 * metrics.c - the metric families and their rendering (metrics.h).
 *
 * A few dozen series at most (plans x actions x probes), so series are a
 * plain array searched linearly, in creation order per family: the output
 * is stable from one scrape to the next.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/log.h"
#include "faultline/metrics.h"
#include "faultline/util.h"

enum kind { COUNTER, GAUGE, HISTOGRAM };

struct family {
	const char *name;
	enum kind kind;
	const char *help;
};

static const struct family families[] = {
    {"faultline_build_info", GAUGE, "Always 1; the version in a label."},
    {"faultline_injections_total", COUNTER, "Fault injections by plan, action and result (accepted or refused)."},
    {"faultline_recovery_seconds", HISTOGRAM, "Measured recovery time of closed trials, per plan and probe."},
    {"faultline_slo_verdict", GAUGE, "Last verdict of each SLO: 1 pass, 0 fail, -1 inconclusive."},
    {"faultline_runs_total", COUNTER, "Finished runs by plan and outcome."},
    {"faultline_faults_open", GAUGE,
     "Faults injected and not yet undone: open trials of the agent's runs, and resources an orphaned or "
     "crashed run's journal has not restored."},
    {"faultline_journal_pending_restores", GAUGE,
     "Runs in the journals whose injected faults are not restored yet (their clusters are held)."},
    {"faultline_last_run_timestamp_seconds", GAUGE, "Unix time the plan's last run finished."},
    {"faultline_last_run_verdict", GAUGE,
     "Always 1: the verdict (pass, fail, inconclusive, aborted, error) and reason of the plan's last run."},
    {"faultline_last_run_exit_code", GAUGE, "Exit code of the plan's last run (0 pass, 1 fail, 3 aborted, 4 error)."},
    {"faultline_agent_paused", GAUGE, "1 while chaos is paused from the control socket."},
    {"faultline_config_last_reload_successful", GAUGE,
     "0 after a SIGHUP reload was refused (the old plans stay), 1 otherwise."},
};

/* Recovery buckets, seconds: failover clusters recover in seconds to minutes. */
static const double buckets[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300};
#define NBUCKETS ARRAY_LEN(buckets)

struct series {
	size_t family;
	char *labels; /* rendered: plan="a",probe="b" */
	double value; /* counter, gauge; histogram: sum */
	uint64_t count, bucket[NBUCKETS];
};

struct metrics {
	struct series *s;
	size_t n, cap;
};

struct metrics *metrics_new(void)
{
	return xcalloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->s[i].labels);
	free(m->s);
	free(m);
}

static size_t family_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(families); i++)
		if (strcmp(families[i].name, name) == 0)
			return i;
	fatalx("metrics: unknown family %s", name);
}

static void escape(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static char *labels(va_list ap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		fatal("open_memstream");
	const char *name;
	for (int i = 0; (name = va_arg(ap, const char *)) != NULL; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", name);
		escape(f, va_arg(ap, const char *));
		fputc('"', f);
	}
	fclose(f);
	return buf;
}

static struct series *series(struct metrics *m, const char *family, va_list ap)
{
	size_t fam = family_of(family);
	char *l = labels(ap);
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i].family == fam && strcmp(m->s[i].labels, l) == 0) {
			free(l);
			return &m->s[i];
		}
	XGROW(m->s, m->cap, m->n + 1);
	struct series *s = &m->s[m->n++];
	memset(s, 0, sizeof(*s));
	s->family = fam;
	s->labels = l;
	return s;
}

void metrics_add(struct metrics *m, const char *family, double v, ...)
{
	va_list ap;
	va_start(ap, v);
	series(m, family, ap)->value += v;
	va_end(ap);
}

void metrics_set(struct metrics *m, const char *family, double v, ...)
{
	va_list ap;
	va_start(ap, v);
	series(m, family, ap)->value = v;
	va_end(ap);
}

void metrics_observe(struct metrics *m, const char *family, double v, ...)
{
	va_list ap;
	va_start(ap, v);
	struct series *s = series(m, family, ap);
	va_end(ap);
	s->value += v;
	s->count++;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (v <= buckets[i])
			s->bucket[i]++;
}

void metrics_forget(struct metrics *m, const char *family, const char *name, const char *value)
{
	size_t fam = family_of(family), o = 0;
	char *want = xasprintf("%s=\"%s\"", name, value);
	for (size_t i = 0; i < m->n; i++) {
		const char *hit = m->s[i].family == fam ? strstr(m->s[i].labels, want) : NULL;
		bool drop = hit != NULL && (hit == m->s[i].labels || hit[-1] == ',');
		if (drop)
			free(m->s[i].labels);
		else
			m->s[o++] = m->s[i];
	}
	m->n = o;
	free(want);
}

static void number(FILE *f, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f\n", v);
	else
		fprintf(f, "%.9g\n", v);
}

static void render_histogram(const struct series *s, const char *name, FILE *f)
{
	const char *sep = s->labels[0] ? "," : "";
	for (size_t i = 0; i < NBUCKETS; i++)
		fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, s->labels, sep, buckets[i],
		        (unsigned long long)s->bucket[i]);
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, s->labels, sep, (unsigned long long)s->count);
	fprintf(f, "%s_sum{%s} ", name, s->labels);
	number(f, s->value);
	fprintf(f, "%s_count{%s} %llu\n", name, s->labels, (unsigned long long)s->count);
}

void metrics_render(const struct metrics *m, FILE *f)
{
	static const char *const kinds[] = {"counter", "gauge", "histogram"};
	for (size_t fam = 0; fam < ARRAY_LEN(families); fam++) {
		const struct family *F = &families[fam];
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", F->name, F->help, F->name, kinds[F->kind]);
		for (size_t i = 0; i < m->n; i++) {
			const struct series *s = &m->s[i];
			if (s->family != fam)
				continue;
			if (F->kind == HISTOGRAM) {
				render_histogram(s, F->name, f);
				continue;
			}
			if (s->labels[0])
				fprintf(f, "%s{%s} ", F->name, s->labels);
			else
				fprintf(f, "%s ", F->name);
			number(f, s->value);
		}
	}
}
