/*
 * run_inject.c - the one place a fault reaches the cluster: write the
 * intent to the journal, call the backend, journal what it answered.
 */
#include "run_int.h"

/* The backend call for the fault's action; its native result code goes to *code. */
static int call_backend(struct run *r, const struct plan_fault *f, const char *resource, const char *group, long *code,
                        struct fl_err *e)
{
	const struct cluster_ops *ops = r->cl->ops;
	switch (f->action) {
	case PLAN_FAIL:
		return ops->fail(r->cl, resource, code, e);
	case PLAN_OFFLINE:
		return ops->offline(r->cl, resource, f->flags, f->destination, code, e);
	case PLAN_ONLINE:
		return ops->online(r->cl, resource, code, e);
	case PLAN_MOVE:
		return ops->move_group(r->cl, group, f->destination, code, e);
	default: /* node and exec actions: run_node.c, run_exec.c */
		break;
	}
	return err_set(e, "fault %s: action %d has no backend call", f->name, (int)f->action);
}

int run_inject(struct run *r, const struct plan_fault *f, const char *resource, const char *group, long *code,
               struct fl_err *e)
{
	*code = 0;
	/* No durable intent, no injection. */
	if (run_journal_intent(r, plan_action_str(f->action), resource, group, e) < 0)
		return RUN_INJECT_NO_JOURNAL;
	int rc = call_backend(r, f, resource, group, code, e);
	run_journal_injected(r, *code, rc < 0 ? e->msg : NULL);
	return rc;
}
