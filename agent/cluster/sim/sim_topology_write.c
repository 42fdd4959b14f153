/*
 * sim_topology_write.c - write a topology back as YAML in the format
 * sim_topology_load reads (docs/topology-format.md): what `faultline
 * calibrate` produces. Only settings that differ from the defaults are
 * written; names are always quoted so any name survives.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/sim.h"

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void put_list(FILE *f, char *const *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		put_str(f, v[i]);
	}
	fputc(']', f);
}

static const char *dur(uint64_t ns, char *buf, size_t len)
{
	return ns == 0 ? "0" : duration_format(ns, buf, len);
}

static void put_range(FILE *f, const char *key, const struct dist *d, const char *indent)
{
	char a[32], b[32], c[32];
	switch (d->kind) {
	case DIST_FIXED:
		if (d->min_ns)
			fprintf(f, "%s%s: %s\n", indent, key, dur(d->min_ns, a, sizeof(a)));
		return;
	case DIST_UNIFORM:
		fprintf(f, "%s%s: {min: %s, max: %s}\n", indent, key, dur(d->min_ns, a, sizeof(a)),
		        dur(d->max_ns, b, sizeof(b)));
		return;
	case DIST_LOGNORMAL:
		break;
	}
	fprintf(f, "%s%s: {median: %s, p95: %s", indent, key, dur(d->median_ns, a, sizeof(a)),
	        dur(d->p95_ns, b, sizeof(b)));
	if (d->max_ns != DIST_UNBOUNDED)
		fprintf(f, ", max: %s", dur(d->max_ns, c, sizeof(c)));
	fputs("}\n", f);
}

static void put_deps(FILE *f, const struct sim_resource_def *r)
{
	fputs("        depends_on: [", f);
	for (size_t i = 0; i < r->ndeps; i++) {
		if (i)
			fputs(", ", f);
		if (r->deps[i].nany == 1)
			put_str(f, r->deps[i].any[0]);
		else
			put_list(f, r->deps[i].any, r->deps[i].nany);
	}
	fputs("]\n", f);
}

static void put_resource(FILE *f, const struct sim_resource_def *r)
{
	struct sim_resource_def def;
	sim_resource_def_defaults(&def);
	char a[32];
	fputs("      - name: ", f);
	put_str(f, r->name);
	fputs("\n        type: ", f);
	put_str(f, r->type ? r->type : "Generic Service");
	fputc('\n', f);
	if (r->ndeps)
		put_deps(f, r);
	static const char *const actions[] = {"none", "restart", "failover"};
	if (r->restart_action != def.restart_action)
		fprintf(f, "        restart_action: %s\n", actions[r->restart_action]);
	if (r->restart_threshold != def.restart_threshold)
		fprintf(f, "        restart_threshold: %" PRIu32 "\n", r->restart_threshold);
	if (r->restart_period_ns != def.restart_period_ns)
		fprintf(f, "        restart_period: %s\n", dur(r->restart_period_ns, a, sizeof(a)));
	if (r->restart_delay_ns != def.restart_delay_ns)
		fprintf(f, "        restart_delay: %s\n", dur(r->restart_delay_ns, a, sizeof(a)));
	if (r->retry_period_ns == SIM_NEVER)
		fputs("        retry_period_on_failure: never\n", f);
	else if (r->retry_period_ns != def.retry_period_ns)
		fprintf(f, "        retry_period_on_failure: %s\n", dur(r->retry_period_ns, a, sizeof(a)));
	if (r->pending_timeout_ns != def.pending_timeout_ns)
		fprintf(f, "        pending_timeout: %s\n", dur(r->pending_timeout_ns, a, sizeof(a)));
	put_range(f, "online_time", &r->online_time, "        ");
	put_range(f, "offline_time", &r->offline_time, "        ");
	if (r->locked)
		fputs("        locked: true\n", f);
	if (r->start_offline)
		fputs("        initial: offline\n", f);
	if (r->npossible) {
		fputs("        possible_owners: ", f);
		put_list(f, r->possible, r->npossible);
		fputc('\n', f);
	}
	if (r->nbroken_on) {
		fputs("        broken_on: ", f);
		put_list(f, r->broken_on, r->nbroken_on);
		fputc('\n', f);
	}
	if (r->endpoint)
		fprintf(f, "        endpoint: %s\n", r->endpoint);
	put_range(f, "ready_after", &r->ready_after, "        ");
	if (r->monitor_interval_ns)
		fprintf(f, "        monitor_interval: %s\n", dur(r->monitor_interval_ns, a, sizeof(a)));
	if (r->migration_threshold)
		fprintf(f, "        migration_threshold: %" PRIu32 "\n", r->migration_threshold);
	if (r->failure_timeout_ns)
		fprintf(f, "        failure_timeout: %s\n", dur(r->failure_timeout_ns, a, sizeof(a)));
	if (r->stickiness)
		fprintf(f, "        stickiness: %" PRId64 "\n", r->stickiness);
}

static void put_group(FILE *f, const struct sim_topology *t, const struct sim_group_def *g)
{
	struct sim_group_def def;
	sim_group_def_defaults(&def);
	char a[32];
	fputs("  - name: ", f);
	put_str(f, g->name);
	fputc('\n', f);
	if (g->npreferred) {
		fputs("    preferred_owners: ", f);
		put_list(f, g->preferred, g->npreferred);
		fputc('\n', f);
	}
	if (g->npossible) {
		fputs("    possible_owners: ", f);
		put_list(f, g->possible, g->npossible);
		fputc('\n', f);
	}
	if (g->failover_threshold != def.failover_threshold)
		fprintf(f, "    failover_threshold: %" PRIu32 "\n", g->failover_threshold);
	if (g->failover_period_ns != def.failover_period_ns)
		fprintf(f, "    failover_period: %s\n", dur(g->failover_period_ns, a, sizeof(a)));
	if (g->auto_failback)
		fputs("    auto_failback: allow\n", f);
	if (g->failback_start_hour >= 0 && g->failback_end_hour >= 0)
		fprintf(f, "    failback_window: {start: %d, end: %d}\n", g->failback_start_hour, g->failback_end_hour);
	if (g->owner) {
		fputs("    owner: ", f);
		put_str(f, g->owner);
		fputc('\n', f);
	}
	if (g->nlocation) {
		fputs("    location: {", f);
		for (size_t i = 0; i < g->nlocation; i++) {
			fputs(i ? ", " : "", f);
			put_str(f, g->location[i].node);
			fprintf(f, ": %" PRId64, g->location[i].score);
		}
		fputs("}\n", f);
	}
	fputs("    resources:\n", f);
	for (size_t i = 0; i < t->nresources; i++)
		if (t->resources[i].group && strcmp(t->resources[i].group, g->name) == 0)
			put_resource(f, &t->resources[i]);
}

int sim_topology_write(FILE *f, const struct sim_topology *t)
{
	fputs("name: ", f);
	put_str(f, t->name ? t->name : "calibrated");
	fputc('\n', f);
	if (t->utc_offset_min) {
		int m = t->utc_offset_min < 0 ? -t->utc_offset_min : t->utc_offset_min;
		fprintf(f, "timezone_offset: \"%c%02d:%02d\"\n", t->utc_offset_min < 0 ? '-' : '+', m / 60, m % 60);
	}
	if (t->policy == SIM_POLICY_PACEMAKER) {
		fputs("policy: pacemaker\npacemaker:\n", f);
		fprintf(f, "  fail_increment: %" PRIu32 "\n", t->pcmk_fail_increment);
		put_range(f, "reaction_time", &t->pcmk_reaction, "  ");
		put_range(f, "online_reaction_time", &t->pcmk_online_reaction, "  ");
	}
	if (t->witness)
		fputs("witness: true\n", f);
	if (t->join_time_ns) {
		char b[32];
		fprintf(f, "join_time: %s\n", dur(t->join_time_ns, b, sizeof(b)));
	}
	fputs("nodes:\n", f);
	for (size_t i = 0; i < t->nnodes; i++) {
		fputs("  - {name: ", f);
		put_str(f, t->nodes[i].name);
		fprintf(f, "%s}\n", t->nodes[i].down ? ", down: true" : "");
	}
	fputs(t->ngroups ? "groups:\n" : "groups: []\n", f);
	for (size_t i = 0; i < t->ngroups; i++)
		put_group(f, t, &t->groups[i]);
	return ferror(f) ? -1 : 0;
}
