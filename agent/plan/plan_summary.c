/*
 * plan_summary.c - say what a plan will do, in plain words: the output of
 * `faultline validate --summary`, and the first thing a new user sees.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/probe.h"
#include "faultline/regex.h"
#include "plan_int.h"

#define SHOW_TRIALS 5 /* trial times listed before "..." */

static const char *dur(uint64_t ns, char *buf)
{
	return duration_format(ns, buf, 32);
}

static void sum_selector(const struct selector *s, FILE *f)
{
	const struct fl_regex *re[] = {s->name_re, s->group_re, s->type_re, s->node_re, s->exclude_re};
	const char *what[] = {"name", "group", "type", "node", "not name"};
	bool nodes =
	    s->node_re != NULL && s->name_re == NULL && s->group_re == NULL && s->type_re == NULL && s->state == -2;
	/* Node actions pick the nodes themselves; every other use, the resources on them. */
	fprintf(f, "  %s: %s", s->name,
	        nodes ? "nodes (for node actions; else resources on them) whose" : "resources whose");
	for (size_t i = 0, n = 0; i < 5; i++)
		if (re[i] != NULL)
			fprintf(f, "%s %s ~ /%s/", n++ ? "," : "", what[i], regex_pattern(re[i]));
	if (s->state != -2)
		fprintf(f, ", state %s", res_state_str(s->state));
	if (s->pick == PICK_ALL)
		fputs("; all of them\n", f);
	else if (s->pick == PICK_COUNT)
		fprintf(f, "; pick %u at random (seeded)\n", s->pick_count);
	else
		fprintf(f, "; pick %g%% at random (seeded)\n", s->pick_percent);
}

/* Node actions in words: what the cluster is expected to do. */
static void sum_node_action(const struct plan_fault *ft, FILE *f)
{
	static const char *const failbacks[] = {
	    "no group fails back (DoNotFailbackGroups)",
	    "the groups that prefer them fail back at once (FailbackGroupsImmediately)",
	    "groups fail back as their failback policy says (FailbackGroupsPerPolicy)"};
	fprintf(f, "  %s: ", ft->name);
	switch (ft->action) {
	case PLAN_NODE_DOWN:
		fprintf(f,
		        "crash the nodes of %s (they leave the cluster abruptly; their groups fail over to the next "
		        "preferred owner; restore brings them back)\n",
		        ft->target);
		break;
	case PLAN_NODE_UP:
		fprintf(f, "bring the nodes of %s back into the cluster (groups that prefer them may fail back)\n",
		        ft->target);
		break;
	case PLAN_NODE_PAUSE:
		fprintf(f, "pause the nodes of %s (nothing moves to them%s; restore resumes them)\n", ft->target,
		        ft->drain ? "; drain: their groups move away" : "; no drain: what runs there stays");
		break;
	default:
		fprintf(f, "resume the paused nodes of %s; %s\n", ft->target, failbacks[ft->failback]);
		break;
	}
}

/* argv as it would be typed, words with blanks or quotes in single quotes (no shell runs it). */
static void sum_argv(char *const *argv, FILE *f)
{
	for (size_t i = 0; argv[i] != NULL; i++) {
		bool quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t\"'$;&|<>*?()") != NULL;
		fprintf(f, "%s%s%s%s", i ? " " : "", quote ? "'" : "", argv[i], quote ? "'" : "");
	}
}

/* "load: run `scripts/load.sh 100` (no shell, killed after 1m) for each resource of app; the restore runs ..." */
static void sum_exec(const struct plan_fault *ft, FILE *f)
{
	char b[32];
	fprintf(f, "  %s: run `", ft->name);
	sum_argv(ft->command, f);
	fprintf(f, "` (no shell, killed after %s)", dur(ft->timeout_ns, b));
	if (ft->target != NULL)
		fprintf(f, " once for each resource of %s (FAULTLINE_TARGET)", ft->target);
	if (ft->undo != NULL) {
		fputs("; the restore runs `", f);
		sum_argv(ft->undo, f);
		fputc('`', f);
	}
	fputc('\n', f);
}

static void sum_action(const struct plan_fault *ft, FILE *f)
{
	static const char *const verbs[] = {"fail (FailClusterResource)", "take offline", "bring online",
	                                    "move the group of"};
	char b[32];
	if (plan_action_is_node(ft->action)) {
		sum_node_action(ft, f);
		return;
	}
	if (ft->action == PLAN_EXEC) {
		sum_exec(ft, f);
		return;
	}
	fprintf(f, "  %s: %s %s", ft->name, verbs[ft->action], ft->target);
	for (unsigned i = 0, n = 0; offline_flag_names[i] != NULL; i++)
		if (ft->flags & (1u << i))
			fprintf(f, "%s%s", n++ ? ", " : " with flags ", offline_flag_names[i]);
	if (ft->destination != NULL)
		fprintf(f, " to %s", ft->destination);
	if (ft->has_online_after)
		fprintf(f, ", back online after %s", dur(ft->online_after_ns, b));
	fputc('\n', f);
}

static void sum_fault(const struct plan_fault *ft, FILE *f)
{
	char b[32], c[32];
	sum_action(ft, f);
	fprintf(f, "    at %s", dur(ft->at_ns, b));
	if (ft->after != NULL)
		fprintf(f, " after %s has finished", ft->after);
	if (ft->repeat.count > 1) {
		fprintf(f, ", then every %s", dur(ft->repeat.every_ns, b));
		if (ft->repeat.jitter_ns)
			fprintf(f, " ±%s", dur(ft->repeat.jitter_ns, c));
		fprintf(f, ", %u times:", ft->repeat.count);
		unsigned n = ft->repeat.count < SHOW_TRIALS ? ft->repeat.count : SHOW_TRIALS;
		for (unsigned i = 0; i < n; i++)
			fprintf(f, " %s", dur(plan_trial_at(ft, i), b));
		if (ft->repeat.count > n)
			fprintf(f, " ... %s", dur(plan_trial_at(ft, ft->repeat.count - 1), b));
	} else {
		fputs(", once", f);
	}
	fprintf(f, "\n    each trial waits up to %s for recovery\n", dur(ft->recovery_timeout_ns, b));
}

static void sum_probe(const struct plan_probe *pr, FILE *f)
{
	char b[32], c[32], d[32];
	fprintf(f, "  %s: ", pr->name);
	fprintf(f, pr->kind->summary, probe_config_target(pr));
	fprintf(f, " every %s (%s while down), timeout %s", dur(pr->interval_ns, b), dur(pr->fast_interval_ns, c),
	        dur(pr->timeout_ns, d));
	if (pr->expect_status)
		fprintf(f, ", expects status %u", pr->expect_status);
	if (pr->expect_body)
		fprintf(f, ", body ~ /%s/", regex_pattern(pr->expect_body));
	fputc('\n', f);
}

static void sum_slo(const struct plan_slo *s, FILE *f)
{
	const char *keys[] = {"p50", "p90", "p95", "p99", "max"};
	const struct plan_recovery *r = &s->recovery;
	uint64_t vals[] = {r->p50_ns, r->p90_ns, r->p95_ns, r->p99_ns, r->max_ns};
	char b[32];
	fprintf(f, "  %s: ", s->name);
	switch (s->kind) {
	case SLO_RECOVERY:
		fprintf(f, "%s recovers", s->probe);
		for (size_t k = 0; k < s->nfaults; k++)
			fprintf(f, "%s%s", k ? ", " : " from faults ", s->faults[k]);
		fputs(" with", f);
		for (size_t i = 0, n = 0; i < 5; i++)
			if (vals[i])
				fprintf(f, "%s %s <= %s", n++ ? "," : "", keys[i], dur(vals[i], b));
		if (r->confidence > 0)
			fprintf(f, " (percentiles as %g%% upper confidence bounds)\n", r->confidence * 100);
		else
			fputc('\n', f);
		break;
	case SLO_AVAILABILITY:
		fprintf(f, "%s is up at least %g%% of the run\n", s->probe, s->availability);
		break;
	case SLO_EXPECT:
		fprintf(f, "%s is expected to %s", s->target,
		        s->expect == EXPECT_RESTART    ? "restart in place"
		        : s->expect == EXPECT_FAILOVER ? "fail over"
		                                       : "stay failed");
		if (s->to != NULL)
			fprintf(f, " to a node ~ /%s/", regex_pattern(s->to));
		fputc('\n', f);
		break;
	case SLO_MAX_RESTARTS:
		fprintf(f, "%s restarts at most %u times\n", s->target, s->max_restarts);
		break;
	}
}

static void sum_hook(const char *when, char *const *argv, FILE *f)
{
	if (argv == NULL)
		return;
	fprintf(f, "  %s: `", when);
	sum_argv(argv, f);
	fputs("`\n", f);
}

static void sum_hooks(const struct plan *p, FILE *f)
{
	const struct plan_hooks *h = &p->hooks;
	char b[32];
	if (h->before_run == NULL && h->after_trial == NULL && h->after_restore == NULL)
		return;
	fprintf(f, "hooks (no shell, each killed after %s; output in the report):\n", dur(h->timeout_ns, b));
	sum_hook("before the run (its failure aborts the run)", h->before_run, f);
	sum_hook("after each trial", h->after_trial, f);
	sum_hook("after the restore", h->after_restore, f);
}

static void sum_guards(const struct plan *p, FILE *f)
{
	char b[32];
	const struct plan_guards *g = &p->guards;
	fputs("guards:\n", f);
	if (g->protect != NULL)
		fprintf(f, "  never touch resources ~ /%s/\n", regex_pattern(g->protect));
	fprintf(f, "  at most %u fault(s) at a time\n", g->max_concurrent_faults);
	for (size_t i = 0; i < g->nabort; i++)
		fprintf(f, "  abort if %s is down for %s\n", g->abort_when[i].probe,
		        dur(g->abort_when[i].down_for_ns, b));
	fprintf(f, "  restore: %s\n", g->restore == RESTORE_ALWAYS ? "always, even on abort" : "never");
	for (size_t i = 0; i < p->nfaults; i++)
		if (plan_action_is_node(p->faults[i].action)) {
			fputs(g->allow_quorum_loss ? "  node faults MAY cost quorum or leave a group without an owner "
			                             "(allow_quorum_loss)\n"
			                           : "  quorum guard: no node fault may cost quorum or leave a group "
			                             "without a possible owner\n",
			      f);
			break;
		}
}

static void sum_schedule(const struct plan_schedule *s, FILE *f)
{
	char b[32];
	if (!s->present) {
		fputs("schedule: none (runs only when asked)\n", f);
		return;
	}
	fprintf(f, "schedule: cron '%s' in %s", s->cron_text, s->timezone);
	if (s->has_window)
		fprintf(f, ", only between %02d:%02d and %02d:%02d", s->window.start_min / 60, s->window.start_min % 60,
		        s->window.end_min / 60, s->window.end_min % 60);
	for (size_t i = 0; i < s->nblackouts; i++)
		fprintf(f, ", never %02d:%02d-%02d:%02d", s->blackouts[i].start_min / 60,
		        s->blackouts[i].start_min % 60, s->blackouts[i].end_min / 60, s->blackouts[i].end_min % 60);
	if (s->jitter_ns)
		fprintf(f, ", jitter %s", dur(s->jitter_ns, b));
	fprintf(f, "; missed runs: %s; overlapping runs: %s\n", s->missed == MISSED_SKIP ? "skip" : "run once",
	        s->concurrency == CONCURRENCY_QUEUE ? "queue" : "skip");
}

void plan_summary(const struct plan *p, FILE *f)
{
	char b[32];
	fprintf(f, "plan %s (seed %llu)\n", p->name, (unsigned long long)p->seed);
	if (p->description != NULL)
		fprintf(f, "  %s\n", p->description);
	fprintf(f, "cluster: backend %s", p->cluster.backend);
	if (p->cluster.topology != NULL)
		fprintf(f, ", topology %s", p->cluster.topology);
	if (p->cluster.node_down_command != NULL) {
		fputs("\n  node_down crashes a node by running `", f);
		sum_argv(p->cluster.node_down_command, f);
		fputs("`; node_up and the restore bring it back with `", f);
		sum_argv(p->cluster.node_up_command, f);
		fprintf(f, "` ({node}: its name; no shell, killed after %s)",
		        dur(p->cluster.node_command_timeout_ns, b));
	}
	fputs("\nselectors:\n", f);
	for (size_t i = 0; i < p->nselectors; i++)
		sum_selector(&p->selectors[i], f);
	fprintf(f, "faults (after %s of steady state):\n", dur(p->run.settle_ns, b));
	for (size_t i = 0; i < p->nfaults; i++)
		sum_fault(&p->faults[i], f);
	fputs(p->nprobes ? "probes:\n" : "probes: none\n", f);
	for (size_t i = 0; i < p->nprobes; i++)
		sum_probe(&p->probes[i], f);
	fputs(p->nslos ? "slo:\n" : "slo: none\n", f);
	for (size_t i = 0; i < p->nslos; i++)
		sum_slo(&p->slos[i], f);
	sum_guards(p, f);
	sum_hooks(p, f);
	sum_schedule(&p->schedule, f);
}
