/*
 * cmd_compare.c - `faultline compare OLD.json NEW.json`: the pre-release
 * qualification gate. Recovery distributions side by side, a one-sided
 * Mann-Whitney test per row (compare.h says why), the SLO verdicts of both
 * runs; exit 1 when NEW is significantly slower, 0 otherwise, 2 on bad input.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/compare.h"
#include "faultline/report.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline compare OLD.json NEW.json\n"
	           "  per distribution (all trials, each fault, each probe): n, p50, p95, max of both runs,\n"
	           "  the Hodges-Lehmann shift and a one-sided Mann-Whitney U test (NEW slower), alpha 0.05,\n"
	           "  Holm-corrected across distinct sample sets (p and adjusted p shown), the smallest slowdown\n"
	           "  each row's sizes can detect, and SLO verdicts that flipped. Trials that did not recover\n"
	           "  rank slowest. Too few trials to detect a 2x slowdown is \"inconclusive\", not a pass.\n"
	           "exit codes: 0 no significant regression (or inconclusive), 1 NEW is significantly slower,\n"
	           "  2 bad input or usage\n");
}

static const char *ms(uint64_t ns, char *buf, size_t len)
{
	if (ns == COMPARE_NOT_RECOVERED)
		return snprintf(buf, len, "not recovered"), buf;
	return report_fmt_duration(ns, buf, len);
}

/* "+1.1 s", "-300 ms", "+never" (NEW did not recover where OLD did) */
static const char *shift(double hl, char *buf, size_t len)
{
	char d[32];
	if (isinf(hl))
		snprintf(buf, len, "%snever", hl < 0 ? "-" : "+");
	else
		snprintf(buf, len, "%s%s", hl < 0 ? "-" : "+", report_fmt_duration((uint64_t)fabs(hl), d, sizeof(d)));
	return buf;
}

static void put_row(FILE *f, const struct cmp_result *c, const struct cmp_row *r)
{
	char a[32], b[32], cc[32], d[32], e[32], g[32], h[40], det[32];
	fprintf(f, "%-24.24s %3zu %3zu  %13s %13s  %13s %13s  %13s %13s  ", r->what, r->old.n, r->new.n,
	        ms(r->old.p50, a, 32), ms(r->new.p50, b, 32), ms(r->old.p95, cc, 32), ms(r->new.p95, d, 32),
	        ms(r->old.max, e, 32), ms(r->new.max, g, 32));
	if (!r->tested) {
		fputs("not tested (no samples on one side)\n", f);
		return;
	}
	if (isinf(r->detect))
		snprintf(det, sizeof(det), "none");
	else
		snprintf(det, sizeof(det), "×%.2g", r->detect);
	fprintf(f, "%-10s %-9.4g %-9.4g %-6s %-6s %s", shift(r->mw.hl_ns, h, sizeof(h)), r->mw.p, r->p_adj,
	        r->mw.exact ? "exact" : "normal", det, r->slower ? "SLOWER" : "-");
	if (r->same_as >= 0)
		fprintf(f, " (same samples as %s)", c->rows[r->same_as].what);
	fputc('\n', f);
}

static void put_slos(FILE *f, const struct run_record *a, const struct run_record *b)
{
	fputs("\nSLOs (old → new)\n", f);
	for (size_t i = 0; i < b->nslos; i++) {
		const struct rec_slo *n = &b->slos[i], *o = NULL;
		for (size_t k = 0; k < a->nslos && o == NULL; k++)
			if (a->slos[k].name && n->name && strcmp(a->slos[k].name, n->name) == 0)
				o = &a->slos[k];
		bool flipped = o != NULL && o->verdict != n->verdict;
		fprintf(f, "  %-28s %-12s → %s%s\n", n->name ? n->name : "?",
		        o ? slo_verdict_str(o->verdict) : "(absent)", slo_verdict_str(n->verdict),
		        flipped ? (n->verdict == SLO_FAIL ? "  FLIPPED (now failing)" : "  FLIPPED") : "");
	}
}

static void compare_write(FILE *f, const char *pa, const struct run_record *a, const char *pb,
                          const struct run_record *b, const struct cmp_result *c)
{
	fprintf(f, "old %s: plan %s, seed %llu, %zu trial(s), verdict %s\n", pa, a->plan_name ? a->plan_name : "?",
	        (unsigned long long)a->seed, a->ntrials, verdict_str(a->verdict));
	fprintf(f, "new %s: plan %s, seed %llu, %zu trial(s), verdict %s\n", pb, b->plan_name ? b->plan_name : "?",
	        (unsigned long long)b->seed, b->ntrials, verdict_str(b->verdict));
	if (a->plan_sha256 && b->plan_sha256 && strcmp(a->plan_sha256, b->plan_sha256) != 0)
		fputs("note: the two runs used different plans (sha256 differs)\n", f);
	fprintf(f, "\n%-24s %3s %3s  %27s  %27s  %27s  %-10s %-9s %-9s %-6s %-6s %s\n", "recovery", "n", "n'",
	        "p50 old           new", "p95 old           new", "max old           new", "shift", "p", "p adj",
	        "test", "detect", "verdict");
	for (size_t i = 0; i < c->nrows; i++)
		put_row(f, c, &c->rows[i]);
	put_slos(f, a, b);
	fprintf(f,
	        "\none-sided Mann-Whitney U (H1: new slower), alpha %.2f, Holm-corrected over %zu distinct sample "
	        "set(s); shift = Hodges-Lehmann median of new - old; not recovered ranks slowest; detect = the "
	        "smallest slowdown (old x f) these sizes can detect\n",
	        COMPARE_ALPHA, c->ntested);
	if (c->regression)
		fputs("verdict: REGRESSION: new is significantly slower (exit 1)\n", f);
	else if (c->inconclusive && c->need_n > 0)
		fprintf(f, "verdict: inconclusive: too few trials (need ≥ %zu per side for a 2× shift) (exit 0)\n",
		        c->need_n);
	else if (c->inconclusive)
		fprintf(f,
		        "verdict: inconclusive: too few trials, and old's spread hides even a 2× shift below %d per "
		        "side (exit 0)\n",
		        COMPARE_NEED_MAX);
	else
		fputs("verdict: no significant regression (exit 0)\n", f);
}

int cmd_compare(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	if (argc != 3) {
		usage(stderr);
		return FL_EXIT_INVALID;
	}
	struct run_record a, b;
	struct fl_err e = {0};
	if (report_json_read(argv[1], &a, &e) < 0) {
		fprintf(stderr, "faultline compare: %s\n", e.msg);
		return FL_EXIT_INVALID;
	}
	if (report_json_read(argv[2], &b, &e) < 0) {
		fprintf(stderr, "faultline compare: %s\n", e.msg);
		record_fini(&a);
		return FL_EXIT_INVALID;
	}
	struct cmp_result c;
	compare_runs(&a, &b, &c);
	compare_write(stdout, argv[1], &a, argv[2], &b, &c);
	int code = c.regression ? FL_EXIT_SLO : FL_EXIT_OK; /* inconclusive says so, but blocks nothing */
	compare_fini(&c);
	record_fini(&a);
	record_fini(&b);
	return code;
}
