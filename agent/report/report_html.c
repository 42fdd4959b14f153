/*
 * report_html.c - a run as one self-contained HTML page.
 *
 * Everything is inline (CSS, SVG), nothing is fetched and no script runs:
 * the file is mailed around after a game day and opened years later, maybe
 * offline, maybe in a viewer that blocks scripts. The timeline comes from
 * report_html_svg.c; this file writes the page around it: verdict, the
 * SLO table, trials, probes, restore results and the run's identity.
 */
#include <math.h>
#include <string.h>

#include "faultline/report.h"
#include "faultline/util.h"
#include "report_html_int.h"

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2329;background:#fff}"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}"
    ".sub{color:#56606b}.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;"
    "font-weight:600}.v-pass{background:#2e8540}.v-fail{background:#c9302c}.v-inconclusive,.v-aborted,.v-error"
    "{background:#b7791f}table{border-collapse:collapse;margin:4px 0}th,td{text-align:left;padding:3px 10px;"
    "border-bottom:1px solid #e3e6e9;vertical-align:top}th{background:#f4f6f8}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}.pass{color:#2e8540;font-weight:600}.fail{color:#c9302c;"
    "font-weight:600}.inconclusive{color:#b7791f;font-weight:600}.legend span{display:inline-block;"
    "margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;"
    "vertical-align:-1px;border-radius:2px}code{font-size:12px}"
    ".s-online{fill:#3a9a4f;background:#3a9a4f}.s-pending{fill:#e5a50a;background:#e5a50a}"
    ".s-failed{fill:#d0342c;background:#d0342c}.s-offline{fill:#6b7785;background:#6b7785}"
    ".s-unknown,.p-unknown{fill:#dde1e5;background:#dde1e5}.p-up{fill:#8fd19e;background:#8fd19e}"
    ".p-down{fill:#f08a84;background:#f08a84}.p-error{fill:#f5b971;background:#f5b971}"
    "svg.timeline{font:10.5px system-ui,sans-serif;display:block;margin:8px 0}"
    "svg .lname{text-anchor:end;fill:#1d2329}svg .node{fill:#fff;font-weight:600}"
    "svg .clock{fill:#56606b}svg .clock.end{text-anchor:end}"
    "svg .gap line{stroke:#9aa4ae;stroke-dasharray:2 3}"
    "svg .inject line{stroke:#1d2329;stroke-width:1.2}svg .inject path{fill:#1d2329}"
    "svg .recovery.ok rect{fill:#1f6fb2}svg .recovery.late rect{fill:#c9302c}"
    "svg .recovery text{fill:#1d2329}"
    ".charts{display:flex;flex-wrap:wrap;gap:16px}svg.chart{font:10.5px system-ui,sans-serif}"
    "svg.chart .rec{fill:#1f6fb2}svg.chart .never{fill:#c9302c}svg.chart .base{stroke:#9aa4ae}"
    "svg.chart .limit line{stroke:#b7791f;stroke-dasharray:4 3}svg.chart .limit text{fill:#b7791f;"
    "text-anchor:end}svg.chart .axis{fill:#56606b;text-anchor:end}svg.chart .ctitle{fill:#1d2329}"
    ".wall{color:#56606b;font-size:12px}";

void html_put(FILE *f, const char *s, size_t max_cols)
{
	size_t n = s ? strlen(s) : 0, cols = 0;
	if (s == NULL)
		fputc('?', f);
	while (n > 0) {
		uint32_t cp;
		size_t l = report_utf8_next(s, n, &cp);
		if (max_cols > 0 && ++cols > max_cols) {
			fputs("…", f);
			return;
		}
		if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\'')
			fputs("&#39;", f);
		else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xFFFD)
			fputs("\xEF\xBF\xBD", f);
		else
			fwrite(s, 1, l, f);
		s += l;
		n -= l;
	}
}

const char *html_fmt_clock(uint64_t ns, char *buf, size_t len)
{
	uint64_t ms = ns / 1000000, s = ms / 1000, h = s / 3600;
	if (h > 0)
		snprintf(buf, len, "%llu:%02u:%02u", (unsigned long long)h, (unsigned)(s / 60 % 60),
		         (unsigned)(s % 60));
	else
		snprintf(buf, len, "%u:%02u.%03u", (unsigned)(s / 60), (unsigned)(s % 60), (unsigned)(ms % 1000));
	return buf;
}

static const char *verdict_word(const struct run_record *r)
{
	return verdict_str(r->verdict);
}

static void put_cell(FILE *f, const char *cls, const char *s)
{
	fprintf(f, cls ? "<td class=\"%s\">" : "<td>", cls);
	html_put(f, s, 0);
	fputs("</td>", f);
}

static void put_head(FILE *f, const struct run_record *r)
{
	char when[40], dur[32], clk[32];
	fputs("<h1>", f);
	html_put(f, r->plan_name, 0);
	fprintf(f, " <span class=\"verdict v-%s\">%s</span></h1>\n<div class=\"sub\">", verdict_word(r),
	        verdict_word(r));
	fprintf(f, "exit %d: %s", r->exit_code, verdict_reason_text(r->reason));
	if (r->reason_detail) {
		fputs(": ", f);
		html_put(f, r->reason_detail, 0);
	}
	fprintf(f, " · started %s · duration %s (%s)%s · %zu trial(s)</div>\n",
	        report_fmt_rfc3339(r->started_wall, when, sizeof(when)), html_fmt_clock(r->duration_ns, clk, 32),
	        report_fmt_duration(r->duration_ns, dur, 32), r->virtual_time ? " (virtual time)" : "", r->ntrials);
	if (r->plan_description != NULL) {
		fputs("<p class=\"description\">", f);
		html_put(f, r->plan_description, 0);
		fputs("</p>\n", f);
	}
}

static void put_legend(FILE *f)
{
	static const char *const items[][2] = {
	    {"s-online", "Online"}, {"s-pending", "Pending"}, {"s-failed", "Failed"},     {"s-offline", "Offline"},
	    {"p-up", "probe up"},   {"p-down", "probe down"}, {"p-error", "probe error"},
	};
	fputs("<h2>Timeline</h2>\n<div class=\"legend sub\">", f);
	for (size_t i = 0; i < ARRAY_LEN(items); i++)
		fprintf(f, "<span><i class=\"%s\"></i>%s</span>", items[i][0], items[i][1]);
	fputs("<span>▼ injection</span><span>▬ recovery (time ±resolution · what the cluster did)</span>"
	      "<span>┆ idle stretch, not drawn (hover for its length)</span></div>\n",
	      f);
}

static void put_slos(FILE *f, const struct run_record *r)
{
	fputs("<h2>SLOs</h2>\n<table class=\"slos\"><tr><th>slo</th><th>kind</th><th>verdict</th><th>samples</th>"
	      "<th>observed</th><th>limit</th><th>detail</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->nslos; i++) {
		const struct rec_slo *s = &r->slos[i];
		bool ns = s->kind && strcmp(s->kind, "recovery") == 0;
		char o[32] = "-", l[32] = "-";
		if (isfinite(s->observed))
			ns ? (void)report_fmt_duration((uint64_t)s->observed, o, 32)
			   : (void)snprintf(o, 32, "%g", s->observed);
		if (isfinite(s->limit))
			ns ? (void)report_fmt_duration((uint64_t)s->limit, l, 32)
			   : (void)snprintf(l, 32, "%g", s->limit);
		fputs("<tr>", f);
		put_cell(f, NULL, s->name);
		put_cell(f, NULL, s->kind);
		put_cell(f, slo_verdict_str(s->verdict), slo_verdict_str(s->verdict));
		fprintf(f, "<td class=\"num\">%zu</td><td class=\"num\">%s</td><td class=\"num\">%s</td>", s->samples,
		        o, l);
		put_cell(f, NULL, s->detail ? s->detail : "");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void put_trial(FILE *f, const struct run_record *r, const struct rec_trial *t)
{
	char at[32], rec[32], res[32];
	fputs("<tr>", f);
	put_cell(f, NULL, t->fault_name);
	fprintf(f, "<td class=\"num\">%u</td><td>%s</td>", t->index + 1, t->action ? t->action : "?");
	put_cell(f, NULL, t->resource);
	/* A dry run injected nothing: its trials are the plan's, at their planned times. */
	fprintf(f, "<td class=\"num\">%sT+%s", r->dry_run ? "planned " : "",
	        html_fmt_clock(r->dry_run ? t->planned_at : t->injected_at, at, sizeof(at)));
	/* Wall-clock UTC too, to line up with Cluster.log or pacemaker.log. */
	if (!r->virtual_time && t->injected_wall > 0) { /* a virtual run's wall clock says nothing */
		char wall[40];
		report_fmt_rfc3339(t->injected_wall, wall, sizeof(wall));
		fprintf(f, "<br><span class=\"wall\">%s</span>", wall);
	}
	fputs("</td><td>", f);
	html_put(f, t->node_before, 0);
	fputs(" → ", f);
	html_put(f, t->node_after, 0);
	fprintf(f, "</td><td class=\"%s\">%s</td>",
	        t->outcome == TRIAL_RECOVERED ? "pass"
	        : r->dry_run                  ? "inconclusive"
	                                      : "fail",
	        r->dry_run ? "not run (dry run)" : trial_outcome_str(t->outcome));
	if (t->outcome == TRIAL_RECOVERED && !t->outage_observed)
		fprintf(f, "<td class=\"num\">≤ %s (no outage seen)</td>",
		        report_fmt_duration(t->resolution_ns, res, sizeof(res)));
	else if (t->outcome == TRIAL_RECOVERED)
		fprintf(f, "<td class=\"num\">%s ±%s</td>", report_fmt_duration(t->recovery_ns, rec, sizeof(rec)),
		        report_fmt_duration(t->resolution_ns, res, sizeof(res)));
	else
		fputs("<td class=\"num\">-</td>", f);
	put_cell(f, NULL, report_trial_probe(r, t) ? report_trial_probe(r, t) : "-");
	fprintf(f, "<td>%s, %u restart(s), %u failover(s)", cluster_outcome_str(t->cluster), t->restarts, t->failovers);
	if (t->error) {
		fprintf(f, "; code %ld: ", t->code);
		html_put(f, t->error, 0);
	}
	fputs("</td></tr>\n", f);
}

static void put_trials(FILE *f, const struct run_record *r)
{
	fputs(
	    "<h2>Trials</h2>\n<table class=\"trials\"><tr><th>fault</th><th>#</th><th>action</th><th>resource</th>"
	    "<th>injected</th><th>owner</th><th>outcome</th><th>recovery</th><th>by probe</th><th>cluster</th></tr>\n",
	    f);
	for (size_t i = 0; i < r->ntrials; i++)
		put_trial(f, r, &r->trials[i]);
	fputs("</table>\n", f);
}

static void put_probes(FILE *f, const struct run_record *r)
{
	fputs("<h2>Probes</h2>\n<table class=\"probes\"><tr><th>probe</th><th>kind</th><th>target</th><th>checks</th>"
	      "<th>failures</th><th>errors</th><th>up</th><th>down</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->nprobes; i++) {
		const struct rec_probe *p = &r->probes[i];
		char up[32], down[32];
		fputs("<tr>", f);
		put_cell(f, NULL, p->name);
		put_cell(f, NULL, p->kind);
		put_cell(f, NULL, p->target);
		fprintf(f,
		        "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
		        "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
		        (unsigned long long)p->checks, (unsigned long long)p->failures, (unsigned long long)p->errors,
		        report_fmt_duration(p->up_ns, up, 32), report_fmt_duration(p->down_ns, down, 32));
	}
	fputs("</table>\n", f);
}

static void put_restores(FILE *f, const struct run_record *r)
{
	fputs("<h2>Restore</h2>\n<table class=\"restore\"><tr><th>resource</th><th>action</th><th>result</th>"
	      "<th>detail</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->nrestores; i++) {
		const struct rec_restore *rs = &r->restores[i];
		fputs("<tr>", f);
		put_cell(f, NULL, rs->resource);
		put_cell(f, NULL, rs->action);
		put_cell(f, rs->ok ? "pass" : "fail", rs->ok ? "ok" : "FAILED");
		put_cell(f, NULL, rs->detail ? rs->detail : "");
		fputs("</tr>\n", f);
	}
	if (r->nrestores == 0)
		fputs("<tr><td colspan=\"4\">nothing was restored</td></tr>\n", f);
	fputs("</table>\n", f);
}

static void put_identity(FILE *f, const struct run_record *r)
{
	char when[40];
	fputs("<h2>Identity</h2>\n<table class=\"identity\"><tr><th>plan</th>", f);
	put_cell(f, NULL, r->plan_name);
	fputs("</tr><tr><th>plan file</th>", f);
	put_cell(f, NULL, r->plan_path ? r->plan_path : "-");
	fputs("</tr><tr><th>plan sha256</th><td><code>", f);
	html_put(f, r->plan_sha256, 0);
	fprintf(f, "</code></td></tr><tr><th>seed</th><td>%llu</td></tr><tr><th>backend</th>",
	        (unsigned long long)r->seed);
	put_cell(f, NULL, r->backend);
	fputs("</tr><tr><th>faultline</th>", f);
	put_cell(f, NULL, r->version);
	fprintf(f, "</tr><tr><th>started</th><td>%s</td></tr><tr><th>mode</th><td>%s%s</td></tr></table>\n",
	        report_fmt_rfc3339(r->started_wall, when, sizeof(when)), r->virtual_time ? "virtual time" : "real time",
	        r->dry_run ? ", dry run" : "");
}

int report_html_write(const struct run_record *r, FILE *f, struct fl_err *e)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>faultline: ", f);
	html_put(f, r->plan_name, 0);
	fprintf(f, " (%s)</title>\n<style>%s</style></head>\n<body>\n", verdict_word(r), css);
	put_head(f, r);
	html_svg_overview(r, f); /* first: a 60-trial gate at a glance, before 60 timeline windows */
	if (!r->dry_run) {       /* nothing happened to draw */
		put_legend(f);
		html_svg_timeline(r, f);
	}
	put_slos(f, r);
	put_trials(f, r);
	put_probes(f, r);
	put_restores(f, r);
	put_identity(f, r);
	fputs("</body></html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return err_setsys(e, "writing the HTML report");
	return 0;
}
