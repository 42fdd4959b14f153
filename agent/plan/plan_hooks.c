/*
 * plan_hooks.c - the `hooks:` section: commands run before the run, after
 * each trial and after the restore (load generators, notifications).
 */
#include "faultline/util.h"
#include "plan_int.h"

void plan_load_hooks(struct pctx *c, const struct ydoc_node *n)
{
	static const char *const keys[] = {"before_run", "after_trial", "after_restore", "timeout", NULL};
	struct plan_hooks *h = &c->p->hooks;
	if (!plan_is_map(c, n))
		return;
	plan_keys(c, n, keys, "hooks");
	const struct ydoc_node *v;
	if ((v = ydoc_get(n, "before_run")) != NULL)
		plan_get_argv(c, v, &h->before_run, &h->nbefore_run);
	if ((v = ydoc_get(n, "after_trial")) != NULL)
		plan_get_argv(c, v, &h->after_trial, &h->nafter_trial);
	if ((v = ydoc_get(n, "after_restore")) != NULL)
		plan_get_argv(c, v, &h->after_restore, &h->nafter_restore);
	if ((v = ydoc_get(n, "timeout")) != NULL && plan_get_duration(c, v, &h->timeout_ns) && h->timeout_ns == 0)
		diag_add(c->d, v->pos, "timeout must be greater than 0");
}
