/*
 * plan_print.c - print a loaded plan back as YAML with every default
 * filled in. The output loads again to the same plan: strings are quoted,
 * durations use the canonical spelling, the topology path is absolute.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/probe.h"
#include "faultline/regex.h"
#include "plan_int.h"

/* Single quotes when printable, else double quotes with escapes. */
static void q(FILE *f, const char *s)
{
	bool plain = true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			plain = false;
	if (plain) {
		fputc('\'', f);
		for (; *s; s++)
			fputs(*s == '\'' ? "''" : (char[]){*s, 0}, f);
		fputc('\'', f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char *dur(uint64_t ns, char *buf)
{
	return duration_format(ns, buf, 32);
}

static void print_re(FILE *f, const char *indent, const char *key, const struct fl_regex *re)
{
	if (re == NULL)
		return;
	fprintf(f, "%s%s: ", indent, key);
	q(f, regex_pattern(re));
	fputc('\n', f);
}

static void print_argv(FILE *f, char **argv)
{
	fputc('[', f);
	for (size_t i = 0; argv[i] != NULL; i++) {
		fputs(i ? ", " : "", f);
		q(f, argv[i]);
	}
	fputc(']', f);
}

static void print_cluster(const struct plan *p, FILE *f)
{
	char b[32];
	fprintf(f, "cluster:\n  backend: %s\n", p->cluster.backend);
	if (p->cluster.topology_path != NULL) {
		char *abs = realpath(p->cluster.topology_path, NULL);
		fputs("  topology: ", f);
		q(f, abs ? abs : p->cluster.topology_path);
		fputc('\n', f);
		free(abs);
	}
	if (p->cluster.command != NULL) {
		fputs("  command: ", f);
		print_argv(f, p->cluster.command);
		fputc('\n', f);
	}
	fprintf(f, "  timeout: %s\n", dur(p->cluster.timeout_ns, b));
	if (p->cluster.node_down_command != NULL) {
		fputs("  node_down_command: ", f);
		print_argv(f, p->cluster.node_down_command);
		fputs("\n  node_up_command: ", f);
		print_argv(f, p->cluster.node_up_command);
		fprintf(f, "\n  node_command_timeout: %s\n", dur(p->cluster.node_command_timeout_ns, b));
	}
}

static void print_selectors(const struct plan *p, FILE *f)
{
	fputs("select:\n", f);
	for (size_t i = 0; i < p->nselectors; i++) {
		const struct selector *s = &p->selectors[i];
		fputs("  ", f);
		q(f, s->name);
		fputs(":\n", f);
		print_re(f, "    ", "name", s->name_re);
		print_re(f, "    ", "group", s->group_re);
		print_re(f, "    ", "type", s->type_re);
		print_re(f, "    ", "node", s->node_re);
		print_re(f, "    ", "exclude", s->exclude_re);
		if (s->state != -2)
			fprintf(f, "    state: %s\n", res_state_str(s->state));
		if (s->pick == PICK_ALL)
			fputs("    pick: all\n", f);
		else if (s->pick == PICK_COUNT)
			fprintf(f, "    pick: { count: %u }\n", s->pick_count);
		else
			fprintf(f, "    pick: { percent: %.10g%% }\n", s->pick_percent);
	}
}

static void print_hooks(const struct plan_hooks *h, FILE *f)
{
	char b[32];
	if (h->before_run == NULL && h->after_trial == NULL && h->after_restore == NULL)
		return;
	fputs("hooks:\n", f);
	char **argv[] = {h->before_run, h->after_trial, h->after_restore};
	const char *keys[] = {"before_run", "after_trial", "after_restore"};
	for (size_t i = 0; i < 3; i++) {
		if (argv[i] == NULL)
			continue;
		fprintf(f, "  %s: ", keys[i]);
		print_argv(f, argv[i]);
		fputc('\n', f);
	}
	fprintf(f, "  timeout: %s\n", dur(h->timeout_ns, b));
}

static void print_fault(const struct plan_fault *ft, FILE *f)
{
	char b[32];
	fputs("  - name: ", f);
	q(f, ft->name);
	fprintf(f, "\n    action: %s\n", plan_action_str(ft->action));
	if (ft->target != NULL) {
		fputs("    target: ", f);
		q(f, ft->target);
		fputc('\n', f);
	}
	fprintf(f, "    at: %s\n", dur(ft->at_ns, b));
	if (ft->after != NULL) {
		fputs("    after: ", f);
		q(f, ft->after);
		fputc('\n', f);
	}
	fprintf(f, "    repeat: { count: %u", ft->repeat.count);
	if (ft->repeat.every_ns)
		fprintf(f, ", every: %s", dur(ft->repeat.every_ns, b));
	fprintf(f, ", jitter: %s }\n", dur(ft->repeat.jitter_ns, b));
	if (ft->action == PLAN_OFFLINE) {
		fputs("    flags: [", f);
		for (unsigned i = 0, n = 0; offline_flag_names[i] != NULL; i++)
			if (ft->flags & (1u << i))
				fprintf(f, "%s%s", n++ ? ", " : "", offline_flag_names[i]);
		fputs("]\n", f);
	}
	if (ft->destination != NULL) {
		fputs("    destination: ", f);
		q(f, ft->destination);
		fputc('\n', f);
	}
	if (ft->has_online_after)
		fprintf(f, "    online_after: %s\n", dur(ft->online_after_ns, b));
	if (ft->action == PLAN_EXEC) {
		fputs("    command: ", f);
		print_argv(f, ft->command);
		if (ft->undo != NULL) {
			fputs("\n    undo: ", f);
			print_argv(f, ft->undo);
		}
		fputc('\n', f);
		fprintf(f, "    timeout: %s\n", dur(ft->timeout_ns, b));
	}
	if (ft->action == PLAN_NODE_PAUSE)
		fprintf(f, "    drain: %s\n", ft->drain ? "true" : "false");
	if (ft->action == PLAN_NODE_RESUME)
		fprintf(f, "    failback: %s\n", plan_failback_str(ft->failback));
	fprintf(f, "    recovery_timeout: %s\n", dur(ft->recovery_timeout_ns, b));
}

static void print_probe(const struct plan_probe *pr, FILE *f)
{
	char b[32];
	fputs("  ", f);
	q(f, pr->name);
	fprintf(f, ":\n    %s: ", pr->kind->name);
	if (pr->kind->target == PROBE_TARGET_ARGV)
		print_argv(f, pr->argv);
	else
		q(f, probe_config_target(pr));
	fprintf(f, "\n    interval: %s\n", dur(pr->interval_ns, b));
	fprintf(f, "    fast_interval: %s\n", dur(pr->fast_interval_ns, b));
	fprintf(f, "    timeout: %s\n", dur(pr->timeout_ns, b));
	fprintf(f, "    failures: %u\n    successes: %u\n", pr->failures, pr->successes);
	if ((pr->kind->caps & PROBE_CAP_EXPECT) && (pr->expect_status || pr->expect_body)) {
		fputs("    expect:\n", f);
		if (pr->expect_status)
			fprintf(f, "      status: %u\n", pr->expect_status);
		print_re(f, "      ", "body", pr->expect_body);
	}
}

static void print_recovery(const struct plan_recovery *r, FILE *f)
{
	const char *keys[] = {"p50", "p90", "p95", "p99", "max"};
	uint64_t vals[] = {r->p50_ns, r->p90_ns, r->p95_ns, r->p99_ns, r->max_ns};
	char b[32];
	fputs("    recovery: {", f);
	const char *sep = "";
	for (size_t i = 0; i < 5; i++)
		if (vals[i]) {
			fprintf(f, "%s %s: %s", sep, keys[i], dur(vals[i], b));
			sep = ",";
		}
	if (r->confidence > 0)
		fprintf(f, ", confidence: %.10g", r->confidence);
	fputs(" }\n", f);
}

static void print_slo(const struct plan_slo *s, FILE *f)
{
	fputs("  - name: ", f);
	q(f, s->name);
	fputc('\n', f);
	if (s->probe != NULL) {
		fputs("    probe: ", f);
		q(f, s->probe);
		fputc('\n', f);
	}
	if (s->target != NULL) {
		fputs("    target: ", f);
		q(f, s->target);
		fputc('\n', f);
	}
	if (s->nfaults > 0) {
		fputs("    faults: [", f);
		for (size_t k = 0; k < s->nfaults; k++) {
			fputs(k ? ", " : "", f);
			q(f, s->faults[k]);
		}
		fputs("]\n", f);
	}
	if (s->kind == SLO_RECOVERY)
		print_recovery(&s->recovery, f);
	else if (s->kind == SLO_AVAILABILITY)
		fprintf(f, "    availability: %.10g%%\n", s->availability);
	else if (s->kind == SLO_EXPECT)
		fprintf(f, "    expect: %s\n", plan_expect_str(s->expect));
	else
		fprintf(f, "    max_restarts: %u\n", s->max_restarts);
	print_re(f, "    ", "to", s->to);
}

static void print_guards_run(const struct plan *p, FILE *f)
{
	char b[32];
	const struct plan_guards *g = &p->guards;
	fputs("guards:\n", f);
	print_re(f, "  ", "protect", g->protect);
	fprintf(f, "  max_concurrent_faults: %u\n", g->max_concurrent_faults);
	fputs("  abort_when:", f);
	fputs(g->nabort ? "\n" : " []\n", f);
	for (size_t i = 0; i < g->nabort; i++) {
		fputs("    - probe: ", f);
		q(f, g->abort_when[i].probe);
		fprintf(f, "\n      down_for: %s\n", dur(g->abort_when[i].down_for_ns, b));
	}
	fprintf(f, "  restore: %s\n", g->restore == RESTORE_ALWAYS ? "always" : "never");
	if (g->allow_quorum_loss)
		fputs("  allow_quorum_loss: true\n", f);
	fprintf(f, "run:\n  settle: %s\n", dur(p->run.settle_ns, b));
	fprintf(f, "  steady_state: %s\n", dur(p->run.steady_state_ns, b));
	fprintf(f, "  deadline: %s\n", dur(p->run.deadline_ns, b));
	fprintf(f, "  recovery_timeout: %s\n", dur(p->run.recovery_timeout_ns, b));
}

static void print_window(FILE *f, const char *indent, const struct plan_window *w)
{
	fprintf(f, "%s{ start: '%02d:%02d', end: '%02d:%02d' }\n", indent, w->start_min / 60, w->start_min % 60,
	        w->end_min / 60, w->end_min % 60);
}

static void print_schedule(const struct plan_schedule *s, FILE *f)
{
	char b[32];
	if (!s->present)
		return;
	fputs("schedule:\n  cron: ", f);
	q(f, s->cron_text);
	fputs("\n  timezone: ", f);
	q(f, s->timezone);
	fputc('\n', f);
	if (s->has_window)
		print_window(f, "  window: ", &s->window);
	fputs("  blackout:", f);
	fputs(s->nblackouts ? "\n" : " []\n", f);
	for (size_t i = 0; i < s->nblackouts; i++)
		print_window(f, "    - ", &s->blackouts[i]);
	fprintf(f, "  jitter: %s\n", dur(s->jitter_ns, b));
	fprintf(f, "  missed: %s\n", s->missed == MISSED_SKIP ? "skip" : "run_once");
	fprintf(f, "  concurrency: %s\n", s->concurrency == CONCURRENCY_QUEUE ? "queue" : "skip");
}

void plan_print(const struct plan *p, FILE *f)
{
	fprintf(f, "version: %d\nname: ", PLAN_VERSION);
	q(f, p->name);
	if (p->description != NULL) {
		fputs("\ndescription: ", f);
		q(f, p->description);
	}
	fprintf(f, "\nseed: %llu\n", (unsigned long long)p->seed);
	print_cluster(p, f);
	print_selectors(p, f);
	fputs("faults:\n", f);
	for (size_t i = 0; i < p->nfaults; i++)
		print_fault(&p->faults[i], f);
	fputs(p->nprobes ? "probes:\n" : "probes: {}\n", f);
	for (size_t i = 0; i < p->nprobes; i++)
		print_probe(&p->probes[i], f);
	fputs(p->nslos ? "slo:\n" : "slo: []\n", f);
	for (size_t i = 0; i < p->nslos; i++)
		print_slo(&p->slos[i], f);
	print_guards_run(p, f);
	print_schedule(&p->schedule, f);
	print_hooks(&p->hooks, f);
}
