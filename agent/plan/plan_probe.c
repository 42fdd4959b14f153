/*
 * plan_probe.c - the `probes:` section: how to tell the service is up.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/probe.h"
#include "faultline/util.h"
#include "plan_int.h"

/* Keys every probe takes beside the one naming its kind. */
static const char *const common_keys[] = {"interval", "fast_interval", "timeout", "failures", "successes", "expect"};

#define MAX_KINDS 16

/* The kind names of the registry, NULL-terminated, for "needs one of ..." and suggestions. */
static void kind_names(const char **names)
{
	size_t n = 0;
	for (const struct probe_ops *k; n + 1 < MAX_KINDS && (k = probe_kind_at(n)) != NULL; n++)
		names[n] = k->name;
	names[n] = NULL;
}

/* "http probes", or "http and grpc probes": the kinds that take `expect`. */
static void expect_kinds(char *buf, size_t len)
{
	size_t off = 0, n = 0;
	buf[0] = '\0';
	for (const struct probe_ops *k; (k = probe_kind_at(n)) != NULL && off < len; n++)
		if (k->caps & PROBE_CAP_EXPECT)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " and " : "", k->name);
	if (off < len)
		snprintf(buf + off, len - off, " probes");
}

static void load_expect(struct pctx *c, const struct ydoc_node *n, struct plan_probe *pr, const char *who)
{
	static const char *const keys[] = {"status", "body", NULL};
	if (pr->kind == NULL || !(pr->kind->caps & PROBE_CAP_EXPECT)) {
		char kinds[128];
		expect_kinds(kinds, sizeof(kinds));
		diag_add(c->d, n->pos, "expect only applies to %s", kinds);
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

/* The value of the kind's key, parsed and checked by what the kind says it holds. */
static void load_target(struct pctx *c, const struct ydoc_node *v, struct plan_probe *pr)
{
	const char *why = NULL;
	switch (pr->kind->target) {
	case PROBE_TARGET_SELECTOR:
		plan_get_str(c, v, &pr->cluster);
		break;
	case PROBE_TARGET_HOSTPORT:
		if (!plan_get_str(c, v, &pr->address))
			break;
		if (plan_parse_hostport(v->str, &pr->host, &pr->port, &why) != 0)
			diag_add(c->d, v->pos, "invalid address \"%s\": %s", v->str, why);
		break;
	case PROBE_TARGET_URL:
		if (!plan_get_str(c, v, &pr->url))
			break;
		if (plan_parse_url(v->str, &pr->host, &pr->port, &why) != 0)
			diag_add(c->d, v->pos, "invalid URL \"%s\": %s", v->str, why);
		break;
	case PROBE_TARGET_ARGV:
		plan_get_argv(c, v, &pr->argv, &pr->argc);
		break;
	}
}

/* Exactly one of the registered kinds' keys says what kind of probe this is. */
static const struct ydoc_node *find_kind(struct pctx *c, const struct ydoc_node *n, struct plan_probe *pr,
                                         const char *who)
{
	const char *names[MAX_KINDS];
	kind_names(names);
	size_t k = 0;
	const struct ydoc_node *v = plan_one_of(c, n, names, who, "a probe checks one thing", &k);
	if (v != NULL)
		pr->kind = probe_kind_at(k);
	return v;
}

static void check_keys(struct pctx *c, const struct ydoc_node *n, const char *who)
{
	const char *keys[MAX_KINDS + ARRAY_LEN(common_keys)];
	kind_names(keys);
	size_t nk = 0;
	while (keys[nk] != NULL)
		nk++;
	for (size_t i = 0; i < ARRAY_LEN(common_keys); i++)
		keys[nk++] = common_keys[i];
	keys[nk] = NULL;
	plan_keys(c, n, keys, who);
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
	check_keys(c, n, who);
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
