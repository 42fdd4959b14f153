/*
 * sim_fixture.h - topologies built in C for the simulator tests, and the
 * trace as one string so a test can assert the exact sequence and times.
 * Everything is allocated the way the loader does, so sim_topology_free
 * releases it.
 */
#ifndef FAULTLINE_TEST_SIM_FIXTURE_H
#define FAULTLINE_TEST_SIM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/sim.h"
#include "faultline/util.h"

#define MS(x)  ((uint64_t)(x)*NSEC_PER_MSEC)
#define SEC(x) ((uint64_t)(x)*NSEC_PER_SEC)

struct fx {
	struct sim_topology *t;
	struct fl_clock *clk;
	struct sim *s;
	struct fl_err err;
	long code;
};

static inline struct sim_topology *fx_topology(const char *nodes)
{
	struct sim_topology *t = xcalloc(1, sizeof(*t));
	t->name = xstrdup("test");
	char *copy = xstrdup(nodes), *save = NULL;
	for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		t->nodes = xreallocarray(t->nodes, t->nnodes + 1, sizeof(*t->nodes));
		memset(&t->nodes[t->nnodes], 0, sizeof(t->nodes[0]));
		t->nodes[t->nnodes++].name = xstrdup(n);
	}
	free(copy);
	return t;
}

static inline char **fx_list(const char *csv, const char *sep, size_t *n)
{
	char **v = NULL;
	*n = 0;
	char *copy = xstrdup(csv), *save = NULL;
	for (char *p = strtok_r(copy, sep, &save); p; p = strtok_r(NULL, sep, &save)) {
		v = xreallocarray(v, *n + 1, sizeof(char *));
		v[(*n)++] = xstrdup(p);
	}
	free(copy);
	return v;
}

/* preferred: "n1,n2" or "" */
static inline struct sim_group_def *fx_group(struct sim_topology *t, const char *name, const char *preferred)
{
	t->groups = xreallocarray(t->groups, t->ngroups + 1, sizeof(*t->groups));
	struct sim_group_def *g = &t->groups[t->ngroups++];
	sim_group_def_defaults(g);
	g->name = xstrdup(name);
	g->preferred = fx_list(preferred, ",", &g->npreferred);
	return g;
}

/* deps: "a|b,c" = ([a] or [b]) and ([c]); "" for none. Online/offline times fixed. */
static inline struct sim_resource_def *fx_res(struct sim_topology *t, const char *group, const char *name,
                                              const char *deps, uint64_t online, uint64_t offline)
{
	t->resources = xreallocarray(t->resources, t->nresources + 1, sizeof(*t->resources));
	struct sim_resource_def *r = &t->resources[t->nresources++];
	sim_resource_def_defaults(r);
	r->name = xstrdup(name);
	r->type = xstrdup("Generic Service");
	r->group = xstrdup(group);
	size_t nterms;
	char **terms = fx_list(deps, ",", &nterms);
	r->deps = xcalloc(nterms, sizeof(*r->deps));
	r->ndeps = nterms;
	for (size_t i = 0; i < nterms; i++) {
		r->deps[i].any = fx_list(terms[i], "|", &r->deps[i].nany);
		free(terms[i]);
	}
	free(terms);
	r->online_time.min_ns = r->online_time.max_ns = online;
	r->offline_time.min_ns = r->offline_time.max_ns = offline;
	return r;
}

/* The usual test cluster: nodes n1..n3, group G preferring n1,n2,n3, ip <- name <- app. */
static inline struct sim_topology *fx_chain(void)
{
	struct sim_topology *t = fx_topology("n1,n2,n3");
	fx_group(t, "G", "n1,n2,n3");
	fx_res(t, "G", "ip", "", MS(100), MS(50));
	fx_res(t, "G", "name", "ip", MS(200), MS(50));
	fx_res(t, "G", "app", "name", SEC(1), MS(500));
	return t;
}

/* The T3: nodes n1, n2; IP <- NAME <- SVC, each online 1 s, offline 0.5 s. */
static inline struct sim_topology *fx_t3(void)
{
	struct sim_topology *t = fx_topology("n1,n2");
	fx_group(t, "G", "n1,n2");
	fx_res(t, "G", "IP", "", SEC(1), MS(500));
	fx_res(t, "G", "NAME", "IP", SEC(1), MS(500));
	fx_res(t, "G", "SVC", "NAME", SEC(1), MS(500));
	return t;
}

static inline struct sim_resource_def *fx_find(struct sim_topology *t, const char *name)
{
	for (size_t i = 0; i < t->nresources; i++)
		if (strcmp(t->resources[i].name, name) == 0)
			return &t->resources[i];
	return NULL;
}

static inline void fx_start(struct fx *f, struct sim_topology *t, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->t = t;
	f->clk = clock_new_virtual(0);
	f->s = sim_new(t, f->clk, seed, &f->err);
	if (f->s == NULL) {
		fprintf(stderr, "sim_new: %s\n", f->err.msg);
		abort();
	}
}

/* Run the virtual clock to `until` (bounded). */
static inline void fx_run(struct fx *f, uint64_t until)
{
	clock_advance(f->clk, until, 100000);
}

/* The trace as text; caller frees. */
static inline char *fx_trace(struct fx *f)
{
	size_t n, len = 0;
	const struct sim_transition *tr = sim_trace(f->s, &n);
	char *out = xstrdup(""), line[1024];
	for (size_t i = 0; i < n; i++) {
		size_t add = strlen(sim_transition_format(f->s, &tr[i], line, sizeof(line)));
		out = xrealloc(out, len + add + 2);
		memcpy(out + len, line, add);
		len += add;
		out[len++] = '\n';
		out[len] = '\0';
	}
	return out;
}

#define ASSERT_TRACE(f, expect)                                                                                        \
	do {                                                                                                           \
		char *got_ = fx_trace(f);                                                                              \
		cr_assert_str_eq(got_, expect);                                                                        \
		free(got_);                                                                                            \
	} while (0)

static inline void fx_end(struct fx *f)
{
	sim_free(f->s);
	clock_free(f->clk);
	sim_topology_free(f->t);
}

#endif
