/*
 * plan.c - load a plan: the top level, `cluster:` and `run:`, and freeing.
 *
 * Sections live in their own files (plan_select.c, plan_fault.c, ...);
 * this file walks the document, fills defaults and hands over. Every
 * problem goes to the diag list and loading goes on, so one run of
 * `faultline validate` shows them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/regex.h"
#include "faultline/sim.h"
#include "faultline/util.h"
#include "plan_int.h"

#define SEC(n) ((uint64_t)(n)*NSEC_PER_SEC)

static const char *const top_keys[] = {"version", "name", "description", "seed",     "cluster", "select", "faults",
                                       "probes",  "slo",  "guards",      "schedule", "run",     "hooks",  NULL};

static void defaults(struct plan *p)
{
	p->seed = 1;
	p->cluster.timeout_ns = SEC(30);
	p->cluster.node_command_timeout_ns = SEC(60);
	p->guards.max_concurrent_faults = 1;
	p->guards.restore = RESTORE_ALWAYS;
	p->run.settle_ns = SEC(5);
	p->run.steady_state_ns = SEC(60);
	p->run.deadline_ns = SEC(3600);
	p->run.recovery_timeout_ns = SEC(120);
	p->schedule.timezone = xstrdup("UTC");
	p->hooks.timeout_ns = SEC(30);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void load_topology(struct pctx *c, const struct ydoc_node *n)
{
	struct plan_cluster *cl = &c->p->cluster;
	if (!plan_get_str(c, n, &cl->topology))
		return;
	if (cl->topology[0] == '/')
		cl->topology_path = xstrdup(cl->topology);
	else
		cl->topology_path = xasprintf("%s/%s", c->dir, cl->topology);
	if (access(cl->topology_path, R_OK) != 0) {
		diag_add(c->d, n->pos, "cannot read topology \"%s\" (looked for %s: %s)", cl->topology,
		         cl->topology_path, strerror(errno)); /* ENOENT, EACCES, ELOOP: each wants a different fix */
		return;
	}
	/* A plan is only as valid as the cluster it rehearses against. */
	struct fl_diag td;
	diag_init(&td, cl->topology_path);
	c->topo = sim_topology_load(cl->topology_path, &td);
	diag_sort(&td);
	for (size_t i = 0; i < td.n; i++) {
		char *msg = diag_format(&td, i);
		diag_add(c->d, n->pos, "topology \"%s\" is invalid: %s", cl->topology, msg);
		free(msg);
	}
	diag_fini(&td);
}

static void load_command(struct pctx *c, const struct ydoc_node *n)
{
	struct plan_cluster *cl = &c->p->cluster;
	plan_get_argv(c, n, &cl->command, &cl->ncommand);
}

static void load_node_down(struct pctx *c, const struct ydoc_node *n)
{
	struct plan_cluster *cl = &c->p->cluster;
	plan_get_argv(c, n, &cl->node_down_command, &cl->nnode_down_command);
}

static void load_node_up(struct pctx *c, const struct ydoc_node *n)
{
	struct plan_cluster *cl = &c->p->cluster;
	plan_get_argv(c, n, &cl->node_up_command, &cl->nnode_up_command);
}

static void load_node_timeout(struct pctx *c, const struct ydoc_node *n)
{
	struct plan_cluster *cl = &c->p->cluster;
	if (plan_get_duration(c, n, &cl->node_command_timeout_ns) && cl->node_command_timeout_ns == 0)
		diag_add(c->d, n->pos, "node_command_timeout must be greater than 0");
}

/* The `cluster:` keys a backend may take (its ops table's plan_keys say which), and how each loads. */
static const struct {
	unsigned key;
	const char *name;
	void (*load)(struct pctx *c, const struct ydoc_node *n);
} backend_keys[] = {
    {CLUSTER_KEY_TOPOLOGY, "topology", load_topology},
    {CLUSTER_KEY_COMMAND, "command", load_command},
    {CLUSTER_KEY_NODE_CMD, "node_down_command", load_node_down},
    {CLUSTER_KEY_NODE_CMD, "node_up_command", load_node_up},
    {CLUSTER_KEY_NODE_CMD, "node_command_timeout", load_node_timeout},
};

/* "backend \"sim\"" or "backends \"exec\" and \"wsfc\"": who reads `key`. */
static void readers_of(unsigned key, char *buf, size_t len)
{
	const struct cluster_ops *o;
	size_t n = 0, off = 0;
	for (size_t i = 0; (o = cluster_backend_at(i)) != NULL; i++)
		n += (o->plan_keys & key) != 0;
	off = (size_t)snprintf(buf, len, "backend%s", n == 1 ? "" : "s");
	for (size_t i = 0, k = 0; (o = cluster_backend_at(i)) != NULL && off < len; i++)
		if (o->plan_keys & key) {
			k++;
			const char *sep = k == 1 ? " " : k == n ? " and " : ", ";
			off += (size_t)snprintf(buf + off, len - off, "%s\"%s\"", sep, o->name);
		}
}

/* topology, command: what the chosen backend takes and needs, said by its ops table. */
static void load_backend_keys(struct pctx *c, const struct ydoc_node *n, const struct cluster_ops *ops)
{
	for (size_t i = 0; i < ARRAY_LEN(backend_keys); i++) {
		const struct ydoc_node *v = ydoc_get(n, backend_keys[i].name);
		unsigned key = backend_keys[i].key;
		if (ops != NULL && v == NULL && (ops->plan_needs & key))
			diag_add(c->d, n->pos, "missing required key \"%s\" in cluster (backend \"%s\" needs one)",
			         backend_keys[i].name, ops->name);
		if (v == NULL)
			continue;
		if (ops != NULL && !(ops->plan_keys & key)) {
			char who[128];
			readers_of(key, who, sizeof(who));
			diag_add(c->d, v->pos, "%s is only used by %s, not \"%s\"", backend_keys[i].name, who,
			         ops->name);
		} else {
			backend_keys[i].load(c, v);
		}
	}
}

static void load_cluster(struct pctx *c, const struct ydoc_node *n)
{
	static const char *const keys[] = {
	    "backend", "topology", "command", "timeout", "node_down_command", "node_up_command", "node_command_timeout",
	    NULL};
	const char *names[16] = {NULL};
	for (size_t i = 0; i + 1 < ARRAY_LEN(names) && cluster_backend_at(i) != NULL; i++)
		names[i] = cluster_backend_at(i)->name;
	struct plan_cluster *cl = &c->p->cluster;
	cl->pos = n->pos;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, keys, "cluster");
	const struct ydoc_node *v = plan_need(c, n, "backend", "cluster");
	int b = v ? plan_get_enum(c, v, "backend", names) : -1;
	if (b >= 0)
		cl->backend = xstrdup(names[b]);
	load_backend_keys(c, n, b >= 0 ? cluster_backend(names[b]) : NULL);
	/* A crash needs its undo: the restore brings a node back with node_up_command. */
	const struct ydoc_node *down = ydoc_get(n, "node_down_command"), *up = ydoc_get(n, "node_up_command");
	if ((down == NULL) != (up == NULL) && ydoc_get(n, "backend") != NULL)
		diag_add(c->d, (down ? down : up)->pos,
		         "%s needs %s too (the restore brings a crashed node back with node_up_command)",
		         down ? "node_down_command" : "node_up_command",
		         down ? "node_up_command" : "node_down_command");
	if ((v = ydoc_get(n, "timeout")) != NULL && plan_get_duration(c, v, &cl->timeout_ns) && cl->timeout_ns == 0)
		diag_add(c->d, v->pos, "timeout must be greater than 0");
}

static void load_run(struct pctx *c, const struct ydoc_node *n)
{
	static const char *const keys[] = {"settle", "steady_state", "deadline", "recovery_timeout", NULL};
	struct plan_run *r = &c->p->run;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, keys, "run");
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "settle")) != NULL)
		plan_get_duration(c, v, &r->settle_ns);
	if ((v = ydoc_get(n, "steady_state")) != NULL)
		plan_get_duration(c, v, &r->steady_state_ns);
	if ((v = ydoc_get(n, "deadline")) != NULL && plan_get_duration(c, v, &r->deadline_ns) && r->deadline_ns == 0)
		diag_add(c->d, v->pos, "deadline must be greater than 0");
	if ((v = ydoc_get(n, "recovery_timeout")) != NULL && plan_get_duration(c, v, &r->recovery_timeout_ns) &&
	    r->recovery_timeout_ns == 0)
		diag_add(c->d, v->pos, "recovery_timeout must be greater than 0");
}

static void load_header(struct pctx *c, const struct ydoc_node *root)
{
	const struct ydoc_node *v = plan_need(c, root, "version", "plan");
	uint64_t ver;
	if (v != NULL && plan_get_uint(c, v, 1, 1000, &ver) && ver != PLAN_VERSION)
		diag_add(c->d, v->pos, "unsupported plan version %llu (this faultline reads version %d)",
		         (unsigned long long)ver, PLAN_VERSION);
	if ((v = plan_need(c, root, "name", "plan")) != NULL)
		plan_get_str(c, v, &c->p->name);
	if ((v = ydoc_get(root, "description")) != NULL)
		plan_get_str(c, v, &c->p->description);
	if ((v = ydoc_get(root, "seed")) != NULL)
		plan_get_uint(c, v, 0, UINT64_MAX, &c->p->seed);
}

static void load_root(struct pctx *c, const struct ydoc_node *root)
{
	if (root->kind != YDOC_MAP) {
		diag_add(c->d, root->pos, "a plan must be a mapping of keys (version, name, cluster, ...), got a %s",
		         ydoc_kind_str(root));
		return;
	}
	plan_keys(c, root, top_keys, "plan");
	load_header(c, root);
	const struct ydoc_node *v;
	if ((v = plan_need(c, root, "cluster", "plan")) != NULL)
		load_cluster(c, v);
	if ((v = ydoc_get(root, "run")) != NULL)
		load_run(c, v);
	if ((v = plan_need(c, root, "select", "plan")) != NULL)
		plan_load_selectors(c, v);
	if ((v = plan_need(c, root, "faults", "plan")) != NULL)
		plan_load_faults(c, v);
	if ((v = ydoc_get(root, "probes")) != NULL)
		plan_load_probes(c, v);
	if ((v = ydoc_get(root, "slo")) != NULL)
		plan_load_slos(c, v);
	if ((v = ydoc_get(root, "guards")) != NULL)
		plan_load_guards(c, v);
	if ((v = ydoc_get(root, "schedule")) != NULL)
		plan_load_schedule(c, v);
	if ((v = ydoc_get(root, "hooks")) != NULL)
		plan_load_hooks(c, v);
	plan_check_refs(c);
}

struct plan *plan_load(const char *path, struct fl_diag *d)
{
	return plan_load_with(path, NULL, 0, d);
}

struct plan *plan_load_with(const char *path, const char *const *sets, size_t nsets, struct fl_diag *d)
{
	size_t before = d->n + d->dropped;
	struct ydoc *doc = ydoc_load_file(path, NULL, d);
	if (doc == NULL)
		return NULL;
	struct plan_set_mem mem = {0};
	if (plan_apply_sets(doc, sets, nsets, &mem, d) < 0) {
		plan_set_mem_fini(&mem);
		ydoc_free(doc);
		return NULL;
	}
	struct plan *p = xcalloc(1, sizeof(*p));
	p->path = xstrdup(path);
	defaults(p);
	char *dir = dir_of(path);
	struct pctx c = {.doc = doc, .d = d, .p = p, .dir = dir};
	if (doc->root != NULL)
		load_root(&c, doc->root);
	else
		diag_add(d, (struct src_pos){1, 1}, "empty plan");
	free(dir);
	sim_topology_free(c.topo);
	ydoc_free(doc);
	plan_set_mem_fini(&mem);
	if (d->n + d->dropped != before) {
		plan_free(p);
		return NULL;
	}
	return p;
}

static void free_argv(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void free_faults(struct plan *p)
{
	for (size_t i = 0; i < p->nfaults; i++) {
		struct plan_fault *f = &p->faults[i];
		free(f->name);
		free(f->target);
		free(f->destination);
		free(f->after);
		free_argv(f->command);
		free_argv(f->undo);
	}
	free(p->faults);
}

static void free_probes(struct plan *p)
{
	for (size_t i = 0; i < p->nprobes; i++) {
		struct plan_probe *pr = &p->probes[i];
		free(pr->name);
		free(pr->cluster);
		free(pr->address);
		free(pr->host);
		free(pr->url);
		free_argv(pr->argv);
		regex_free(pr->expect_body);
	}
	free(p->probes);
}

static void free_slos(struct plan *p)
{
	for (size_t i = 0; i < p->nslos; i++) {
		struct plan_slo *s = &p->slos[i];
		free(s->name);
		free(s->probe);
		free(s->target);
		regex_free(s->to);
		for (size_t k = 0; k < s->nfaults; k++)
			free(s->faults[k]);
		free(s->faults);
		free(s->fault_idx);
	}
	free(p->slos);
}

/* Until agent/plan/select.c lands on main: selector_fini's job, done here. */
void plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->name);
	free(p->description);
	free(p->cluster.backend);
	free(p->cluster.topology);
	free(p->cluster.topology_path);
	free_argv(p->cluster.command);
	free_argv(p->cluster.node_down_command);
	free_argv(p->cluster.node_up_command);
	for (size_t i = 0; i < p->nselectors; i++)
		selector_fini(&p->selectors[i]);
	free(p->selectors);
	free_faults(p);
	free_probes(p);
	free_slos(p);
	for (size_t i = 0; i < p->guards.nabort; i++)
		free(p->guards.abort_when[i].probe);
	free(p->guards.abort_when);
	regex_free(p->guards.protect);
	free(p->schedule.cron_text);
	free(p->schedule.timezone);
	free(p->schedule.blackouts);
	free_argv(p->hooks.before_run);
	free_argv(p->hooks.after_trial);
	free_argv(p->hooks.after_restore);
	free(p);
}

void plan_cluster_config(const struct plan *p, struct cluster_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->backend = p->cluster.backend;
	cfg->topology = p->cluster.topology_path;
	cfg->command = p->cluster.command;
	cfg->seed = p->seed;
	cfg->timeout_ns = p->cluster.timeout_ns;
	cfg->node_down_command = p->cluster.node_down_command;
	cfg->node_up_command = p->cluster.node_up_command;
	cfg->node_command_timeout_ns = p->cluster.node_command_timeout_ns;
}

struct plan *plan_load_report(const char *path, FILE *err)
{
	return plan_load_report_with(path, NULL, 0, err);
}

struct plan *plan_load_report_with(const char *path, const char *const *sets, size_t nsets, FILE *err)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load_with(path, sets, nsets, &d);
	diag_sort(&d);
	diag_print(&d, err);
	diag_fini(&d);
	return p;
}
