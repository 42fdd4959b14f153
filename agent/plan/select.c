/*
 * select.c - resolve a selector against a snapshot: filter, then pick.
 *
 * Filters run in a fixed order (name, type, group, node, state, exclude,
 * protect) and stop at the first that rejects a resource, counting how
 * many survive each stage: that chain of counts is what the zero-match
 * message reports, so the user sees which filter removed the last
 * candidates. One PCRE2 scratch serves the whole call.
 */
#include "faultline/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/regex.h"
#include "faultline/rng.h"
#include "faultline/util.h"

enum stage { ST_NAME, ST_TYPE, ST_GROUP, ST_NODE, ST_STATE, ST_EXCLUDE, ST_PROTECT, ST_COUNT };

static const char *const stage_names[ST_COUNT] = {"name", "type", "group", "node", "state", "exclude", "protect"};

struct filter {
	const struct selector *sel;
	const struct fl_regex *protect;
	struct fl_regex_scratch *scratch;
	size_t passed[ST_COUNT]; /* resources that survived stages 0..i */
	int failed_stage;        /* stage of a matching error, or -1 */
};

void selector_fini(struct selector *s)
{
	if (s == NULL)
		return;
	free(s->name);
	regex_free(s->name_re);
	regex_free(s->group_re);
	regex_free(s->type_re);
	regex_free(s->node_re);
	regex_free(s->exclude_re);
	memset(s, 0, sizeof(*s));
}

void selection_fini(struct selection *s)
{
	if (s == NULL)
		return;
	free(s->items);
	memset(s, 0, sizeof(*s));
}

static const struct fl_regex *stage_regex(const struct filter *f, enum stage st)
{
	switch (st) {
	case ST_NAME:
		return f->sel->name_re;
	case ST_TYPE:
		return f->sel->type_re;
	case ST_GROUP:
		return f->sel->group_re;
	case ST_NODE:
		return f->sel->node_re;
	case ST_EXCLUDE:
		return f->sel->exclude_re;
	case ST_PROTECT:
		return f->protect;
	default:
		return NULL;
	}
}

static bool stage_present(const struct filter *f, enum stage st)
{
	if (st == ST_STATE)
		return f->sel->state != -2;
	return stage_regex(f, st) != NULL;
}

/* The text a stage looks at. exclude and protect judge the resource name. */
static const char *stage_subject(const struct cluster_resource *r, enum stage st)
{
	switch (st) {
	case ST_TYPE:
		return r->type;
	case ST_GROUP:
		return r->group;
	case ST_NODE:
		return r->owner;
	default:
		return r->name;
	}
}

/* 1 pass, 0 reject, -1 matching error. */
static int stage_pass(struct filter *f, const struct cluster_resource *r, enum stage st)
{
	if (st == ST_STATE)
		return f->sel->state == -2 || (int)r->state == f->sel->state;
	const struct fl_regex *re = stage_regex(f, st);
	if (re == NULL)
		return 1;
	const char *subj = stage_subject(r, st);
	/* No owner (or type, group) never matches a pattern, not even ".*". */
	int m = subj == NULL ? 0 : regex_match_with(re, f->scratch, subj, strlen(subj));
	if (m < 0)
		return -1;
	bool negate = st == ST_EXCLUDE || st == ST_PROTECT;
	return negate ? !m : m;
}

/* 1 if r survives every stage, 0 if not, -1 on a matching error. */
static int filter_one(struct filter *f, const struct cluster_resource *r)
{
	for (int st = 0; st < ST_COUNT; st++) {
		int rc = stage_pass(f, r, (enum stage)st);
		if (rc < 0) {
			f->failed_stage = st;
			return -1;
		}
		if (rc == 0)
			return 0;
		f->passed[st]++;
	}
	return 1;
}

/*
 * "(12 resources; 3 match name, 0 of them match state online)": every
 * present stage up to the one that left nothing. Protect has its own
 * sentence because removing everything there is a guard doing its job.
 */
static int zero_match_error(const struct filter *f, size_t total, struct fl_err *e)
{
	const char *sname = f->sel->name;
	if (f->protect != NULL && f->passed[ST_EXCLUDE] > 0)
		return err_set(e, "selector \"%s\": %zu matched but all are protected by guards.protect", sname,
		               f->passed[ST_EXCLUDE]);
	char buf[400];
	int len = snprintf(buf, sizeof(buf), "%zu resource%s", total, total == 1 ? "" : "s");
	const char *sep = "; ";
	bool first = true;
	for (int st = 0; st < ST_PROTECT && len < (int)sizeof(buf); st++) {
		if (!stage_present(f, (enum stage)st))
			continue;
		size_t n = f->passed[st];
		const char *them = first ? "" : " of them";
		if (st == ST_EXCLUDE)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%zu%s remain after exclude", sep, n, them);
		else if (st == ST_STATE)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%zu%s match state %s", sep, n, them,
			                res_state_str((enum res_state)f->sel->state));
		else
			len +=
			    snprintf(buf + len, sizeof(buf) - len, "%s%zu%s match %s", sep, n, them, stage_names[st]);
		sep = ", ";
		first = false;
		if (n == 0)
			break;
	}
	return err_set(e, "selector \"%s\": no resource matches (%s)", sname, buf);
}

/* How many to pick from n candidates (n > 0). */
static size_t pick_target(const struct selector *sel, size_t n)
{
	size_t k = n;
	if (sel->pick == PICK_COUNT) {
		k = sel->pick_count;
	} else if (sel->pick == PICK_PERCENT) {
		double x = (double)n * sel->pick_percent / 100.0;
		k = (size_t)x;
		/* Round up, but not on float noise: 30% of 10 is 3, not 4. */
		if (x - (double)k > 1e-9)
			k++;
		if (k == 0)
			k = 1;
	}
	return k < n ? k : n;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/*
 * Partial Fisher-Yates over the candidate indices: the first k slots are a
 * uniform sample. Sorting them back restores snapshot order, so a report
 * lists picks the way the cluster lists resources.
 */
static void pick_sample(size_t *idx, size_t n, size_t k, uint64_t seed, const char *salt)
{
	struct rng r;
	rng_init(&r, seed, rng_salt(salt != NULL ? salt : ""));
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)rng_below(&r, n - i);
		size_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	qsort(idx, k, sizeof(*idx), cmp_size);
}

static int match_error(const struct filter *f, const struct cluster_resource *r, struct fl_err *e)
{
	enum stage st = (enum stage)f->failed_stage;
	char why[128];
	return err_set(e, "selector \"%s\": %s /%s/ on \"%s\": %s", f->sel->name, stage_names[st],
	               regex_pattern(stage_regex(f, st)), stage_subject(r, st),
	               regex_scratch_error(f->scratch, why, sizeof(why)));
}

/* Fill idx with the snapshot positions of every surviving resource. */
static int filter_all(struct filter *f, const struct cluster_snapshot *snap, size_t *idx, size_t *n, struct fl_err *e)
{
	*n = 0;
	for (size_t i = 0; i < snap->nresources; i++) {
		const struct cluster_resource *r = &snap->resources[i];
		int rc = filter_one(f, r);
		if (rc < 0)
			return match_error(f, r, e);
		if (rc == 1)
			idx[(*n)++] = i;
	}
	return 0;
}

int select_resolve(const struct selector *sel, const struct fl_regex *protect, const struct cluster_snapshot *snap,
                   uint64_t seed, struct selection *out, struct fl_err *e)
{
	memset(out, 0, sizeof(*out));
	if (sel->pick == PICK_COUNT && sel->pick_count == 0)
		return err_set(e, "selector \"%s\": pick count is 0", sel->name);
	struct filter f = {.sel = sel, .protect = protect, .failed_stage = -1};
	f.scratch = regex_scratch_new();
	size_t *idx = xcalloc(snap->nresources, sizeof(*idx));
	size_t n = 0;
	int rc = filter_all(&f, snap, idx, &n, e);
	if (rc == 0 && n == 0)
		rc = zero_match_error(&f, snap->nresources, e);
	if (rc == 0) {
		size_t k = pick_target(sel, n);
		if (k < n)
			pick_sample(idx, n, k, seed, sel->name);
		out->items = xcalloc(k, sizeof(*out->items));
		for (size_t i = 0; i < k; i++)
			out->items[i] = &snap->resources[idx[i]];
		out->n = k;
		out->matched = n;
		out->protected_skipped = f.passed[ST_EXCLUDE] - f.passed[ST_PROTECT];
	}
	free(idx);
	regex_scratch_free(f.scratch);
	return rc;
}

/* 1 if the node name passes node, exclude and protect; 0 if not; -1 on a matching error. */
static int node_pass(const struct selector *sel, const struct fl_regex *protect, const char *name, int *removed_by)
{
	const struct fl_regex *res[] = {sel->node_re, sel->exclude_re, protect};
	for (int i = 0; i < 3; i++) {
		if (res[i] == NULL)
			continue;
		int m = regex_match(res[i], name, strlen(name));
		if (m < 0)
			return -1;
		if ((i == 0) != (m == 1)) {
			*removed_by = i;
			return 0;
		}
	}
	return 1;
}

int select_resolve_nodes(const struct selector *sel, const struct fl_regex *protect, const char *const *names, size_t n,
                         uint64_t seed, size_t *out, size_t *nout, struct fl_err *e)
{
	*nout = 0;
	if (sel->pick == PICK_COUNT && sel->pick_count == 0)
		return err_set(e, "selector \"%s\": pick count is 0", sel->name);
	size_t protected_out = 0, matched_node = 0;
	for (size_t i = 0; i < n; i++) {
		int by = -1, rc = node_pass(sel, protect, names[i], &by);
		if (rc < 0)
			return err_set(e, "selector \"%s\": matching node \"%s\" failed", sel->name, names[i]);
		matched_node += rc == 1 || by > 0;
		protected_out += by == 2;
		if (rc == 1)
			out[(*nout)++] = i;
	}
	if (*nout == 0 && protected_out > 0)
		return err_set(e, "selector \"%s\": %zu node(s) matched but all are protected by guards.protect",
		               sel->name, protected_out);
	if (*nout == 0)
		return err_set(e, "selector \"%s\": no node matches (%zu node%s; %zu match node%s)", sel->name, n,
		               n == 1 ? "" : "s", matched_node,
		               matched_node && sel->exclude_re ? ", none remain after exclude" : "");
	size_t k = pick_target(sel, *nout);
	if (k < *nout)
		pick_sample(out, *nout, k, seed, sel->name);
	*nout = k;
	return 0;
}
