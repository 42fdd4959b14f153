/*
 * plan_slo.c - the `slo:` and `guards:` sections: what passing means, and
 * what must never happen.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/util.h"
#include "plan_int.h"

static const char *const slo_keys[] = {"name",   "probe", "target",       "recovery", "availability",
                                       "expect", "to",    "max_restarts", "faults",   NULL};
static const char *const kinds[] = {"recovery", "availability", "expect", "max_restarts", NULL};
static const char *const expects[] = {"restart", "failover", "stays_failed", NULL};

/* p50 <= p90 <= p95 <= p99 <= max, for the ones that are set. */
static void check_order(struct pctx *c, const struct ydoc_node *n, const char *const *keys, uint64_t *vals, size_t k)
{
	size_t prev = k;
	for (size_t i = 0; i < k; i++) {
		if (vals[i] == 0)
			continue;
		if (prev < k && vals[i] < vals[prev]) {
			char a[32], b[32];
			diag_add(c->d, ydoc_get(n, keys[i])->pos, "%s (%s) must not be less than %s (%s)", keys[i],
			         duration_format(vals[i], a, sizeof(a)), keys[prev],
			         duration_format(vals[prev], b, sizeof(b)));
		}
		prev = i;
	}
}

static void load_recovery(struct pctx *c, const struct ydoc_node *n, struct plan_slo *s, const char *who)
{
	static const char *const keys[] = {"p50", "p90", "p95", "p99", "max", "confidence", NULL};
	struct plan_recovery *r = &s->recovery;
	uint64_t *vals[] = {&r->p50_ns, &r->p90_ns, &r->p95_ns, &r->p99_ns, &r->max_ns};
	r->confidence = 0; /* not set: percentiles are point estimates */
	if (!plan_is_map(c, n))
		return;
	char where[300];
	snprintf(where, sizeof(where), "recovery of %.280s", who);
	plan_keys(c, n, keys, where);
	bool any = false, ok = true;
	for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
		const struct ydoc_node *v = ydoc_get(n, keys[i]);
		if (v == NULL)
			continue;
		any = true;
		if (!plan_get_duration(c, v, vals[i]))
			ok = false;
		else if (*vals[i] == 0)
			ok = diag_add(c->d, v->pos, "%s must be greater than 0", keys[i]) == 0;
	}
	if (!any)
		diag_add(c->d, n->pos, "%s needs at least one of p50, p90, p95, p99 or max", where);
	uint64_t copy[5] = {r->p50_ns, r->p90_ns, r->p95_ns, r->p99_ns, r->max_ns};
	if (ok)
		check_order(c, n, keys, copy, 5);
	const struct ydoc_node *v = ydoc_get(n, "confidence");
	if (v != NULL)
		plan_get_fraction(c, v, &r->confidence);
}

static void load_kind(struct pctx *c, const struct ydoc_node *n, const struct ydoc_node *v, struct plan_slo *s,
                      const char *who)
{
	uint64_t u;
	int e;
	switch (s->kind) {
	case SLO_RECOVERY:
		load_recovery(c, v, s, who);
		break;
	case SLO_AVAILABILITY:
		plan_get_percent(c, v, &s->availability);
		break;
	case SLO_EXPECT:
		if ((e = plan_get_enum(c, v, "expectation", expects)) >= 0)
			s->expect = (enum plan_expect)e;
		break;
	case SLO_MAX_RESTARTS:
		if (plan_get_uint(c, v, 0, 1000000, &u))
			s->max_restarts = (unsigned)u;
		break;
	}
	const struct ydoc_node *to = ydoc_get(n, "to");
	if (to != NULL && (s->kind != SLO_EXPECT || s->expect != EXPECT_FAILOVER))
		diag_add(c->d, to->pos, "to only applies to expect: failover");
	else if (to != NULL)
		plan_get_regex(c, to, who, "to", &s->to);
}

static const struct ydoc_node *find_kind(struct pctx *c, const struct ydoc_node *n, struct plan_slo *s, const char *who)
{
	size_t k = 0;
	const struct ydoc_node *v = plan_one_of(c, n, kinds, who, "write one SLO for each", &k);
	s->kind = (enum plan_slo_kind)k;
	return v;
}

/* `faults: [a, b]` narrows a recovery, expect or max_restarts SLO to the trials of those faults. */
static void load_faults(struct pctx *c, const struct ydoc_node *v, struct plan_slo *s)
{
	if (v == NULL)
		return;
	if (s->kind == SLO_AVAILABILITY) {
		diag_add(c->d, v->pos,
		         "faults applies to recovery, expect and max_restarts, not to availability (it "
		         "counts probe time, not trials)");
		return;
	}
	if (!plan_is_seq(c, v))
		return;
	if (v->nitems == 0) {
		diag_add(c->d, v->pos, "faults needs at least one fault name (leave it out to count every fault)");
		return;
	}
	s->faults = xcalloc(v->nitems + 1, sizeof(*s->faults));
	for (size_t i = 0; i < v->nitems; i++)
		if (plan_get_str(c, v->items[i], &s->faults[s->nfaults]))
			s->nfaults++;
}

/* recovery/availability measure a probe; expect/max_restarts watch a selector's resources. */
static void load_subject(struct pctx *c, const struct ydoc_node *n, struct plan_slo *s, const char *who)
{
	bool by_probe = s->kind == SLO_RECOVERY || s->kind == SLO_AVAILABILITY;
	const struct ydoc_node *pr = ydoc_get(n, "probe"), *tg = ydoc_get(n, "target");
	if (by_probe && pr == NULL)
		diag_add(c->d, n->pos, "missing required key \"probe\" in %s (%s is measured by a probe)", who,
		         kinds[s->kind]);
	if (!by_probe && tg == NULL)
		diag_add(c->d, n->pos, "missing required key \"target\" in %s (%s watches a selector)", who,
		         kinds[s->kind]);
	if (pr != NULL && !by_probe)
		diag_add(c->d, pr->pos, "probe does not apply to %s; use target", kinds[s->kind]);
	else if (pr != NULL)
		plan_get_str(c, pr, &s->probe);
	load_faults(c, ydoc_get(n, "faults"), s);
	if (tg != NULL && by_probe)
		diag_add(c->d, tg->pos, "target does not apply to %s; use probe", kinds[s->kind]);
	else if (tg != NULL)
		plan_get_str(c, tg, &s->target);
}

static void load_one(struct pctx *c, const struct ydoc_node *list, size_t idx, struct plan_slo *s)
{
	const struct ydoc_node *n = list->items[idx];
	char who[300];
	snprintf(who, sizeof(who), "slo #%zu", idx + 1);
	s->pos = n->pos;
	s->probe_idx = s->target_idx = PLAN_NONE;
	s->recovery.confidence = 0;
	if (!plan_is_map(c, n))
		return;
	const struct ydoc_node *v = plan_need(c, n, "name", who);
	if (v != NULL && plan_get_str(c, v, &s->name))
		snprintf(who, sizeof(who), "slo \"%s\"", s->name);
	plan_keys(c, n, slo_keys, who);
	if ((v = find_kind(c, n, s, who)) == NULL)
		return;
	load_kind(c, n, v, s, who);
	load_subject(c, n, s, who);
}

static bool slo_named(size_t i, void *arg)
{
	const struct plan *p = arg;
	return p->slos[i].name != NULL;
}

void plan_load_slos(struct pctx *c, const struct ydoc_node *n)
{
	if (!plan_is_seq(c, n))
		return;
	struct plan *p = c->p;
	p->slos = xcalloc(n->nitems, sizeof(*p->slos));
	for (size_t i = 0; i < n->nitems; i++)
		load_one(c, n, i, &p->slos[p->nslos++]);
	plan_check_dup_names(c, n, "slo", slo_named, p);
}

static void load_abort(struct pctx *c, const struct ydoc_node *n, struct plan_abort *a)
{
	static const char *const keys[] = {"probe", "down_for", NULL};
	a->pos = n->pos;
	a->probe_idx = PLAN_NONE;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, keys, "abort_when");
	const struct ydoc_node *v;
	if ((v = plan_need(c, n, "probe", "abort_when")) != NULL)
		plan_get_str(c, v, &a->probe);
	if ((v = plan_need(c, n, "down_for", "abort_when")) != NULL && plan_get_duration(c, v, &a->down_for_ns) &&
	    a->down_for_ns == 0)
		diag_add(c->d, v->pos, "down_for must be greater than 0");
}

void plan_load_guards(struct pctx *c, const struct ydoc_node *n)
{
	static const char *const keys[] = {"protect", "max_concurrent_faults", "abort_when",
	                                   "restore", "allow_quorum_loss",     NULL};
	static const char *const restores[] = {"always", "never", NULL};
	static const char *const booleans[] = {"false", "true", NULL};
	struct plan_guards *g = &c->p->guards;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, keys, "guards");
	const struct ydoc_node *v;
	uint64_t u;
	int r;
	if ((v = ydoc_get(n, "protect")) != NULL)
		plan_get_regex(c, v, "guards", "protect", &g->protect);
	if ((v = ydoc_get(n, "max_concurrent_faults")) != NULL && plan_get_uint(c, v, 1, 1000, &u))
		g->max_concurrent_faults = (unsigned)u;
	if ((v = ydoc_get(n, "restore")) != NULL && (r = plan_get_enum(c, v, "restore policy", restores)) >= 0)
		g->restore = (enum plan_restore)r;
	if ((v = ydoc_get(n, "allow_quorum_loss")) != NULL && (r = plan_get_enum(c, v, "boolean", booleans)) >= 0)
		g->allow_quorum_loss = r == 1;
	if ((v = ydoc_get(n, "abort_when")) == NULL || !plan_is_seq(c, v))
		return;
	g->abort_when = xcalloc(v->nitems, sizeof(*g->abort_when));
	for (size_t i = 0; i < v->nitems; i++)
		load_abort(c, v->items[i], &g->abort_when[g->nabort++]);
}

const char *plan_expect_str(enum plan_expect e)
{
	return e <= EXPECT_STAYS_FAILED ? expects[e] : "?";
}
