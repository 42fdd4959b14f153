/*
 * plan_offline.c - what `validate` can know about a run without a real
 * cluster: selectors that match nothing in the simulated topology the plan
 * names (the run would stop with exit 2), and confidence SLOs that need
 * more trials than the plan runs (the verdict would be inconclusive).
 */
#include <stdio.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/plan.h"
#include "faultline/select.h"
#include "faultline/stats.h"

/* Trials the plan runs that the SLO counts. */
static size_t planned_trials(const struct plan *p, const struct plan_slo *slo)
{
	size_t n = 0;
	for (size_t f = 0; f < p->nfaults; f++) {
		bool counted = slo->nfaults == 0;
		for (size_t k = 0; !counted && k < slo->nfaults; k++)
			counted = slo->fault_idx != NULL && slo->fault_idx[k] == f;
		n += counted ? p->faults[f].repeat.count : 0;
	}
	return n;
}

static void check_confidence(const struct plan *p, struct fl_diag *warnings)
{
	for (size_t i = 0; i < p->nslos; i++) {
		const struct plan_slo *s = &p->slos[i];
		const struct plan_recovery *rc = &s->recovery;
		if (s->kind != SLO_RECOVERY || rc->confidence <= 0)
			continue;
		const struct {
			const char *name;
			double q;
			uint64_t limit;
		} pct[] = {{"p50", 0.5, rc->p50_ns},
		           {"p90", 0.9, rc->p90_ns},
		           {"p95", 0.95, rc->p95_ns},
		           {"p99", 0.99, rc->p99_ns}};
		size_t have = planned_trials(p, s);
		for (size_t k = 0; k < sizeof(pct) / sizeof(pct[0]); k++) {
			size_t need = pct[k].limit ? stats_min_samples(pct[k].q, rc->confidence) : 0;
			if (need > have)
				diag_add(
				    warnings, s->pos,
				    "slo \"%s\": %s at %.0f%% confidence needs at least %zu trials, the plan runs %zu: "
				    "its verdict will be inconclusive",
				    s->name, pct[k].name, rc->confidence * 100, need, have);
		}
	}
}

/* A cluster probe on a selector that guards.protect narrowed does not watch the protected resources. */
static void check_probe_protect(const struct plan *p, size_t selector, const struct selection *sel,
                                struct fl_diag *warnings)
{
	for (size_t i = 0; sel->protected_skipped > 0 && i < p->nprobes; i++)
		if (p->probes[i].cluster_idx == selector) /* only cluster probes have one */
			diag_add(
			    warnings, p->probes[i].pos,
			    "probe \"%s\" watches selector \"%s\", from which guards.protect removed %zu resource(s): "
			    "the probe does not watch them",
			    p->probes[i].name, p->selectors[selector].name, sel->protected_skipped);
}

/* Resolve every selector against the simulated cluster, as the run will at its start. */
static void check_selectors(const struct plan *p, struct fl_diag *errors, struct fl_diag *warnings)
{
	if (p->cluster.backend == NULL || strcmp(p->cluster.backend, "sim") != 0 || p->cluster.topology_path == NULL)
		return;
	struct cluster_config cfg;
	plan_cluster_config(p, &cfg);
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster *cl = cluster_open(&cfg, clk, &e);
	struct cluster_snapshot snap;
	if (cl != NULL && cl->ops->snapshot(cl, &snap, &e) == 0) {
		for (size_t i = 0; i < p->nselectors; i++) {
			struct selection sel;
			memset(&sel, 0, sizeof(sel));
			if (select_resolve(&p->selectors[i], p->guards.protect, &snap, p->seed, &sel, &e) < 0)
				diag_add(errors, p->selectors[i].pos, "%s in topology \"%s\"", e.msg,
				         p->cluster.topology);
			else
				check_probe_protect(p, i, &sel, warnings);
			selection_fini(&sel);
		}
		cluster_snapshot_free(&snap);
	} else {
		diag_add(errors, (struct src_pos){0, 0}, "backend sim: %s", e.msg);
	}
	cluster_close(cl);
	clock_free(clk);
}

int plan_check_offline(const struct plan *p, struct fl_diag *errors, struct fl_diag *warnings)
{
	check_selectors(p, errors, warnings);
	check_confidence(p, warnings);
	return errors->n > 0 ? -1 : 0;
}
