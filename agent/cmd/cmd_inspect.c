/*
 * cmd_inspect.c - `faultline inspect` (what the cluster looks like) and
 * `faultline select` (what each selector of a plan resolves to right now).
 * Both open the cluster read-only: nothing is injected.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/regex.h"
#include "faultline/select.h"

/* Open the cluster a plan names, or a simulated topology file. */
static struct cluster *open_for(const struct plan *p, const char *topology, struct fl_clock *clk)
{
	struct cluster_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	if (p != NULL) {
		plan_cluster_config(p, &cfg);
		cfg.seed = p->seed;
	} else {
		cfg.backend = "sim";
		cfg.topology = topology;
	}
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	if (c == NULL)
		fprintf(stderr, "faultline: backend %s: %s\n", cfg.backend, e.msg);
	return c;
}

static const char *or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

static void print_cluster(const struct cluster_snapshot *s)
{
	printf("nodes (%zu):\n", s->nnodes);
	for (size_t i = 0; i < s->nnodes; i++)
		printf("  %-24s %s\n", s->nodes[i].name, node_state_str(cluster_node_state(&s->nodes[i])));
	printf("groups (%zu):\n", s->ngroups);
	for (size_t i = 0; i < s->ngroups; i++)
		printf("  %-40s %-15s on %s\n", s->groups[i].name, group_state_str(s->groups[i].state),
		       or_dash(s->groups[i].owner));
	printf("resources (%zu):\n", s->nresources);
	for (size_t i = 0; i < s->nresources; i++) {
		const struct cluster_resource *r = &s->resources[i];
		printf("  %-40s %-15s %-20s group %s on %s", r->name, res_state_str(r->state), or_dash(r->type),
		       or_dash(r->group), or_dash(r->owner));
		for (size_t k = 0; k < r->ndeps; k++)
			printf("%s%s", k == 0 ? "; depends on " : ", ", r->deps[k]);
		putchar('\n');
	}
}

/* Which resources guards.protect took away from sel: every one it would match without protect and pick. */
static void print_protected(const struct selector *sel, const struct fl_regex *protect,
                            const struct cluster_snapshot *s)
{
	struct selector all = *sel;
	all.pick = PICK_ALL;
	struct selection out;
	struct fl_err e;
	if (select_resolve(&all, NULL, s, 0, &out, &e) < 0)
		return;
	printf("  protected by guards.protect:");
	for (size_t k = 0, n = 0; k < out.n; k++)
		if (regex_match(protect, out.items[k]->name, strlen(out.items[k]->name)) == 1)
			printf("%s \"%s\"", n++ ? "," : "", out.items[k]->name);
	putchar('\n');
	selection_fini(&out);
}

static int with_cluster(const struct plan *p, const char *topology,
                        int (*fn)(const struct plan *, const struct cluster_snapshot *))
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct cluster *c = open_for(p, topology, clk);
	int code = FL_EXIT_BACKEND;
	if (c != NULL) {
		struct cluster_snapshot s;
		struct fl_err e;
		if (c->ops->snapshot(c, &s, &e) == 0) {
			code = fn(p, &s);
			cluster_snapshot_free(&s);
		} else {
			fprintf(stderr, "faultline: cannot list the cluster: %s\n", e.msg);
		}
		cluster_close(c);
	}
	clock_free(clk);
	return code;
}

static int show_cluster(const struct plan *p, const struct cluster_snapshot *s)
{
	(void)p;
	print_cluster(s);
	return FL_EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"cluster", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *topology = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: faultline inspect --cluster TOPOLOGY | faultline inspect PLAN\n");
			return FL_EXIT_OK;
		}
		if (c != 'c') {
			fprintf(stderr, "usage: faultline inspect --cluster TOPOLOGY | faultline inspect PLAN\n");
			return FL_EXIT_INVALID;
		}
		topology = optarg;
	}
	bool by_plan = topology == NULL && optind == argc - 1;
	if (!by_plan && !(topology != NULL && optind == argc)) {
		fprintf(stderr, "usage: faultline inspect --cluster TOPOLOGY | faultline inspect PLAN\n");
		return FL_EXIT_INVALID;
	}
	if (topology != NULL)
		return with_cluster(NULL, topology, show_cluster);
	struct plan *p = plan_load_report(argv[optind], stderr);
	if (p == NULL)
		return FL_EXIT_INVALID;
	int code = with_cluster(p, NULL, show_cluster);
	plan_free(p);
	return code;
}

static void print_filter(const char *what, const struct fl_regex *re)
{
	if (re != NULL)
		printf(" %s~/%s/", what, regex_pattern(re));
}

static int show_selection(const struct plan *p, const struct cluster_snapshot *s)
{
	int code = FL_EXIT_OK;
	for (size_t i = 0; i < p->nselectors; i++) {
		const struct selector *sel = &p->selectors[i];
		printf("selector %s:", sel->name);
		print_filter("name", sel->name_re);
		print_filter("group", sel->group_re);
		print_filter("type", sel->type_re);
		print_filter("node", sel->node_re);
		print_filter("exclude", sel->exclude_re);
		putchar('\n');
		struct selection out;
		struct fl_err e;
		if (select_resolve(sel, p->guards.protect, s, p->seed, &out, &e) < 0) {
			printf("  ERROR: %s\n", e.msg);
			code = FL_EXIT_INVALID;
			continue;
		}
		printf("  %zu matched, %zu protected, %zu picked (seed %llu):\n", out.matched, out.protected_skipped,
		       out.n, (unsigned long long)p->seed);
		if (out.protected_skipped > 0)
			print_protected(sel, p->guards.protect, s);
		for (size_t k = 0; k < out.n; k++)
			printf("    %-40s %-12s %s on %s\n", out.items[k]->name, res_state_str(out.items[k]->state),
			       or_dash(out.items[k]->group), or_dash(out.items[k]->owner));
		selection_fini(&out);
	}
	return code;
}

int cmd_select(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: faultline select PLAN\n  what each selector resolves to in the plan's cluster\n");
		return FL_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: faultline select PLAN\n");
		return FL_EXIT_INVALID;
	}
	struct plan *p = plan_load_report(argv[1], stderr);
	if (p == NULL)
		return FL_EXIT_INVALID;
	int code = with_cluster(p, NULL, show_selection);
	plan_free(p);
	return code;
}
