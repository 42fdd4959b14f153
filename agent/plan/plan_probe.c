/*
 * plan_probe.c - the `probes:` section: how to tell the service is up.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/util.h"
#include "plan_int.h"

static const char *const probe_keys[] = {"cluster", "tcp",      "http",      "exec",   "interval", "fast_interval",
                                         "timeout", "failures", "successes", "expect", NULL};
static const char *const kinds[] = {"cluster", "tcp", "http", "exec", NULL};

static void load_expect(struct pctx *c, const struct ydoc_node *n, struct plan_probe *pr, const char *who)
{
	static const char *const keys[] = {"status", "body", NULL};
	if (pr->kind != PROBE_KIND_HTTP) {
		diag_add(c->d, n->pos, "expect only applies to http probes");
		return;
	}
	if (!plan_is_map(c, n))
		return;
	char where[300];
	snprintf(where, sizeof(where), "expect of %.280s", who);
	plan_keys(c, n, keys, where);
	const struct ydoc_node *v;
	uint64_t st;
	if ((v = ydoc_get(n, "status")) != NULL && plan_get_uint(c, v, 100, 599, &st))
		pr->expect_status = (unsigned)st;
	if ((v = ydoc_get(n, "body")) != NULL)
		plan_get_regex(c, v, who, "expect.body", &pr->expect_body);
}

static void load_target(struct pctx *c, const struct ydoc_node *v, struct plan_probe *pr)
{
	const char *why = NULL;
	switch (pr->kind) {
	case PROBE_KIND_CLUSTER:
		plan_get_str(c, v, &pr->cluster);
		break;
	case PROBE_KIND_TCP:
		if (!plan_get_str(c, v, &pr->address))
			break;
		if (plan_parse_hostport(v->str, &pr->host, &pr->port, &why) != 0)
			diag_add(c->d, v->pos, "invalid address \"%s\": %s", v->str, why);
		break;
	case PROBE_KIND_HTTP:
		if (!plan_get_str(c, v, &pr->url))
			break;
		if (plan_parse_url(v->str, &pr->host, &pr->port, &why) != 0)
			diag_add(c->d, v->pos, "invalid URL \"%s\": %s", v->str, why);
		break;
	case PROBE_KIND_EXEC:
		plan_get_argv(c, v, &pr->argv, &pr->argc);
		break;
	}
}

/* Exactly one of cluster/tcp/http/exec says what kind of probe this is. */
static const struct ydoc_node *find_kind(struct pctx *c, const struct ydoc_node *n, struct plan_probe *pr,
                                         const char *who)
{
	size_t k = 0;
	const struct ydoc_node *v = plan_one_of(c, n, kinds, who, "a probe checks one thing", &k);
	pr->kind = (enum plan_probe_kind)k;
	return v;
}

static void load_timing(struct pctx *c, const struct ydoc_node *n, struct plan_probe *pr)
{
	const struct ydoc_node *v, *fast = ydoc_get(n, "fast_interval"), *to = ydoc_get(n, "timeout");
	uint64_t u;
	if ((v = ydoc_get(n, "interval")) != NULL && plan_get_duration(c, v, &pr->interval_ns) && pr->interval_ns == 0)
		diag_add(c->d, v->pos, "interval must be greater than 0");
	if (fast != NULL && plan_get_duration(c, fast, &pr->fast_interval_ns) && pr->fast_interval_ns == 0)
		diag_add(c->d, fast->pos, "fast_interval must be greater than 0");
	if (to != NULL && plan_get_duration(c, to, &pr->timeout_ns) && pr->timeout_ns == 0)
		diag_add(c->d, to->pos, "timeout must be greater than 0");
	/* Defaults shrink to a short interval; explicit values must fit in it. */
	if (pr->fast_interval_ns > pr->interval_ns && fast == NULL)
		pr->fast_interval_ns = pr->interval_ns;
	else if (pr->fast_interval_ns > pr->interval_ns)
		diag_add(c->d, fast->pos, "fast_interval must not be longer than interval");
	if (pr->timeout_ns > pr->interval_ns && to == NULL)
		pr->timeout_ns = pr->interval_ns;
	else if (pr->timeout_ns > pr->interval_ns)
		diag_add(c->d, to->pos, "timeout must not be longer than interval");
	if ((v = ydoc_get(n, "failures")) != NULL && plan_get_uint(c, v, 1, 1000, &u))
		pr->failures = (unsigned)u;
	if ((v = ydoc_get(n, "successes")) != NULL && plan_get_uint(c, v, 1, 1000, &u))
		pr->successes = (unsigned)u;
}

static void load_one(struct pctx *c, const struct ydoc_node *key, const struct ydoc_node *n, struct plan_probe *pr)
{
	char who[300];
	snprintf(who, sizeof(who), "probe \"%s\"", key->str);
	pr->name = xstrdup(key->str);
	pr->pos = key->pos;
	pr->cluster_idx = PLAN_NONE;
	pr->interval_ns = NSEC_PER_SEC;
	pr->fast_interval_ns = 100 * NSEC_PER_MSEC;
	pr->timeout_ns = NSEC_PER_SEC;
	pr->failures = pr->successes = 1;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, probe_keys, who);
	const struct ydoc_node *v = find_kind(c, n, pr, who);
	if (v != NULL)
		load_target(c, v, pr);
	load_timing(c, n, pr);
	if ((v = ydoc_get(n, "expect")) != NULL)
		load_expect(c, v, pr, who);
}

void plan_load_probes(struct pctx *c, const struct ydoc_node *n)
{
	if (!plan_is_map(c, n))
		return;
	struct plan *p = c->p;
	p->probes = xcalloc(n->npairs, sizeof(*p->probes));
	for (size_t i = 0; i < n->npairs; i++)
		load_one(c, n->pairs[i].key, n->pairs[i].value, &p->probes[p->nprobes++]);
}

size_t plan_find_probe(const struct plan *p, const char *name)
{
	for (size_t i = 0; name != NULL && i < p->nprobes; i++)
		if (strcmp(p->probes[i].name, name) == 0)
			return i;
	return PLAN_NONE;
}

const char *plan_probe_kind_str(enum plan_probe_kind k)
{
	return k <= PROBE_KIND_EXEC ? kinds[k] : "?";
}
