/*
 * run_inject.c - the one place a fault reaches the cluster: write the
 * intent to the journal, call the backend, journal what it answered.
 */
#include "faultline/testkill.h"
#include "run_int.h"

/* The backend's name of a resource action, for its undo_plan: 0, or -1 for node and exec actions. */
static int cluster_act_of(enum plan_action a, enum cluster_act *act)
{
	switch (a) {
	case PLAN_FAIL:
		*act = CLUSTER_ACT_FAIL;
		return 0;
	case PLAN_OFFLINE:
		*act = CLUSTER_ACT_OFFLINE;
		return 0;
	case PLAN_ONLINE:
		*act = CLUSTER_ACT_ONLINE;
		return 0;
	case PLAN_MOVE:
		*act = CLUSTER_ACT_MOVE;
		return 0;
	default:
		return -1;
	}
}

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
	enum cluster_act act;
	if (cluster_act_of(f->action, &act) < 0)
		return err_set(e, "fault %s: action %s does not act on a resource", f->name,
		               plan_action_str(f->action));
	const char *target = f->action == PLAN_MOVE && group ? group : resource;
	if (r->jrun != NULL)
		testkill_at("before-intent"); /* nothing of this injection journaled yet */
	/* No durable record of how to undo it, no injection. */
	int rc = run_journal_undo(r, act, target, f->flags, f->destination, e);
	if (rc < 0)
		return rc;
	/* No durable intent, no injection. */
	if (run_journal_intent(r, plan_action_str(f->action), resource, group, e) < 0)
		return RUN_INJECT_NO_JOURNAL;
	rc = call_backend(r, f, resource, group, code, e);
	run_journal_injected(r, *code, rc < 0 ? e->msg : NULL);
	return rc;
}
