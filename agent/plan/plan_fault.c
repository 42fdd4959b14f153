/*
 * plan_fault.c - the `faults:` section: what to inject, where and when.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/util.h"
#include "plan_int.h"

static const char *const fault_keys[] = {
    "name",  "action", "target",   "at",      "repeat", "flags",   "destination", "online_after", "recovery_timeout",
    "after", "drain",  "failback", "command", "undo",   "timeout", NULL};
static const char *const actions[] = {"fail",    "offline",    "online",      "move", "node_down",
                                      "node_up", "node_pause", "node_resume", "exec", NULL};
static const char *const failbacks[] = {"none", "immediate", "policy", NULL};
static const char *const booleans[] = {"false", "true", NULL};

static void load_repeat(struct pctx *c, const struct ydoc_node *n, struct plan_fault *f, const char *who)
{
	static const char *const keys[] = {"count", "every", "jitter", NULL};
	if (!plan_is_map(c, n))
		return;
	char where[300];
	snprintf(where, sizeof(where), "repeat of %.280s", who);
	plan_keys(c, n, keys, where);
	const struct ydoc_node *cnt = plan_need(c, n, "count", where);
	const struct ydoc_node *every = ydoc_get(n, "every"), *jit = ydoc_get(n, "jitter");
	uint64_t v;
	if (cnt != NULL && plan_get_uint(c, cnt, 1, 100000, &v))
		f->repeat.count = (unsigned)v;
	if (every != NULL && plan_get_duration(c, every, &f->repeat.every_ns) && f->repeat.every_ns == 0)
		diag_add(c->d, every->pos, "every must be greater than 0");
	if (every == NULL && f->repeat.count > 1)
		diag_add(c->d, n->pos, "missing required key \"every\" in %s (count is %u)", where, f->repeat.count);
	if (jit != NULL && plan_get_duration(c, jit, &f->repeat.jitter_ns) && f->repeat.every_ns > 0 &&
	    f->repeat.jitter_ns >= f->repeat.every_ns)
		diag_add(c->d, jit->pos, "jitter must be less than every");
}

static void load_flags(struct pctx *c, const struct ydoc_node *n, struct plan_fault *f)
{
	if (f->action != PLAN_OFFLINE) {
		diag_add(c->d, n->pos, "flags only apply to action \"offline\"");
		return;
	}
	if (!plan_is_seq(c, n))
		return;
	for (size_t i = 0; i < n->nitems; i++) {
		const struct ydoc_node *it = n->items[i];
		int bit = plan_get_enum(c, it, "offline flag", offline_flag_names);
		if (bit < 0)
			continue;
		if (f->flags & (1u << bit))
			diag_add(c->d, it->pos, "duplicate offline flag \"%s\"", it->str);
		f->flags |= 1u << bit;
	}
}

/* exec: command (required), undo, timeout; refused on every other action. */
static void load_exec(struct pctx *c, const struct ydoc_node *n, struct plan_fault *f)
{
	static const char *const keys[] = {"command", "undo", "timeout"};
	bool exec = f->action == PLAN_EXEC;
	for (size_t i = 0; !exec && i < 3; i++) {
		const struct ydoc_node *v = ydoc_get(n, keys[i]);
		if (v != NULL)
			diag_add(c->d, v->pos, "%s only applies to action \"exec\"", keys[i]);
	}
	if (!exec)
		return;
	char who[300];
	snprintf(who, sizeof(who), "fault \"%.280s\"", f->name ? f->name : "?");
	const struct ydoc_node *v = plan_need(c, n, "command", who);
	if (v != NULL)
		plan_get_argv(c, v, &f->command, &f->ncommand);
	if ((v = ydoc_get(n, "undo")) != NULL)
		plan_get_argv(c, v, &f->undo, &f->nundo);
	f->timeout_ns = 60 * NSEC_PER_SEC;
	if ((v = ydoc_get(n, "timeout")) != NULL && plan_get_duration(c, v, &f->timeout_ns) && f->timeout_ns == 0)
		diag_add(c->d, v->pos, "timeout must be greater than 0");
}

static void load_options(struct pctx *c, const struct ydoc_node *n, struct plan_fault *f)
{
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "flags")) != NULL)
		load_flags(c, v, f);
	if ((v = ydoc_get(n, "destination")) != NULL) {
		if (f->action == PLAN_OFFLINE || f->action == PLAN_MOVE)
			plan_get_str(c, v, &f->destination);
		else
			diag_add(c->d, v->pos, "destination only applies to actions \"offline\" and \"move\"");
	}
	if ((v = ydoc_get(n, "online_after")) != NULL) {
		if (f->action != PLAN_OFFLINE)
			diag_add(c->d, v->pos, "online_after only applies to action \"offline\"");
		else
			f->has_online_after = plan_get_duration(c, v, &f->online_after_ns);
	}
	if ((v = ydoc_get(n, "drain")) != NULL) {
		int b = f->action == PLAN_NODE_PAUSE ? plan_get_enum(c, v, "boolean", booleans) : -1;
		if (f->action != PLAN_NODE_PAUSE)
			diag_add(c->d, v->pos, "drain only applies to action \"node_pause\"");
		f->drain = b == 1;
	}
	if ((v = ydoc_get(n, "failback")) != NULL) {
		int b = f->action == PLAN_NODE_RESUME ? plan_get_enum(c, v, "failback", failbacks) : -1;
		if (f->action != PLAN_NODE_RESUME)
			diag_add(c->d, v->pos, "failback only applies to action \"node_resume\"");
		if (b >= 0)
			f->failback = (enum node_failback)b;
	}
	load_exec(c, n, f);
	if ((v = ydoc_get(n, "recovery_timeout")) != NULL && plan_get_duration(c, v, &f->recovery_timeout_ns) &&
	    f->recovery_timeout_ns == 0)
		diag_add(c->d, v->pos, "recovery_timeout must be greater than 0");
}

static void load_one(struct pctx *c, const struct ydoc_node *n, size_t idx, struct plan_fault *f)
{
	char who[300];
	snprintf(who, sizeof(who), "fault #%zu", idx + 1);
	f->pos = n->pos;
	f->repeat.count = 1;
	f->target_idx = f->after_idx = PLAN_NONE;
	f->failback = NODE_FAILBACK_POLICY;
	if (!plan_is_map(c, n))
		return;
	const struct ydoc_node *v = ydoc_get(n, "name");
	if (v != NULL && plan_get_str(c, v, &f->name))
		snprintf(who, sizeof(who), "fault \"%s\"", f->name);
	else if (v == NULL)
		plan_need(c, n, "name", who);
	plan_keys(c, n, fault_keys, who);
	int a = -1;
	if ((v = plan_need(c, n, "action", who)) != NULL)
		a = plan_get_enum(c, v, "action", actions);
	f->action = a < 0 ? PLAN_FAIL : (enum plan_action)a;
	if ((v = a == PLAN_EXEC ? ydoc_get(n, "target") : plan_need(c, n, "target", who)) != NULL)
		plan_get_str(c, v, &f->target);
	if ((v = ydoc_get(n, "at")) != NULL)
		plan_get_duration(c, v, &f->at_ns);
	if ((v = ydoc_get(n, "repeat")) != NULL)
		load_repeat(c, v, f, who);
	if ((v = ydoc_get(n, "after")) != NULL)
		plan_get_str(c, v, &f->after);
	f->recovery_timeout_ns = c->p->run.recovery_timeout_ns;
	if (a >= 0)
		load_options(c, n, f);
}

static bool fault_named(size_t i, void *arg)
{
	const struct plan *p = arg;
	return p->faults[i].name != NULL;
}

void plan_load_faults(struct pctx *c, const struct ydoc_node *n)
{
	if (!plan_is_seq(c, n))
		return;
	if (n->nitems == 0) {
		diag_add(c->d, n->pos, "faults needs at least one fault");
		return;
	}
	struct plan *p = c->p;
	p->faults = xcalloc(n->nitems, sizeof(*p->faults));
	for (size_t i = 0; i < n->nitems; i++)
		load_one(c, n->items[i], i, &p->faults[p->nfaults++]);
	plan_check_dup_names(c, n, "fault", fault_named, p);
}

size_t plan_find_fault(const struct plan *p, const char *name)
{
	for (size_t i = 0; name != NULL && i < p->nfaults; i++)
		if (p->faults[i].name != NULL && strcmp(p->faults[i].name, name) == 0)
			return i;
	return PLAN_NONE;
}

uint64_t plan_trial_at(const struct plan_fault *f, unsigned i)
{
	return f->at_ns + (uint64_t)i * f->repeat.every_ns;
}

const char *plan_action_str(enum plan_action a)
{
	return a <= PLAN_EXEC ? actions[a] : "?";
}

bool plan_action_is_node(enum plan_action a)
{
	return a >= PLAN_NODE_DOWN && a <= PLAN_NODE_RESUME;
}

const char *plan_failback_str(enum node_failback f)
{
	return f <= NODE_FAILBACK_POLICY ? failbacks[f] : "?";
}
