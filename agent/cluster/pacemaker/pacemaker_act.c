/*
 * pacemaker_act.c - the actions, and undoing what they leave behind.
 *
 *   fail     crm_resource --fail --resource R --node <R's node>
 *   offline  meta target-role=Stopped (previous value remembered); with
 *            do_not_update_persistent_state: crm_resource --ban on R's node
 *            (R's own configuration untouched); with a destination:
 *            crm_resource --move of R's group (or R) to that node
 *   online   undoes our offline (previous target-role back, or --clear);
 *            a failed resource gets --cleanup; otherwise target-role=Started
 *   move     --clear our earlier constraint, then --move (no node: away
 *            from its current node, the scheduler picks)
 *   cleanup  (restore) --clear every constraint we made, put back every
 *            target-role we changed, --cleanup every resource we --fail'ed
 * The native code is the CLI's exit status (0 = done; 105 = no such object).
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

#define B(c) ((struct pcmk_backend *)(c)->impl)

static int run(struct pcmk_backend *b, long *code, struct fl_err *e, char *const argv[])
{
	struct pcmk_out o;
	int rc = pcmk_cli_check(argv, b->tmo, &o, e);
	if (code != NULL)
		*code = rc < 0 && o.status == 0 ? -1 : o.status;
	pcmk_out_fini(&o);
	return rc;
}

static bool in(char **v, size_t n, const char *s, size_t *at)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0) {
			if (at != NULL)
				*at = i;
			return true;
		}
	return false;
}

static void note_cons(struct pcmk_backend *b, const char *rsc)
{
	if (in(b->cons, b->ncons, rsc, NULL))
		return;
	XGROW(b->cons, b->capcons, b->ncons + 1);
	b->cons[b->ncons++] = xstrdup(rsc);
}

static int clear_cons(struct pcmk_backend *b, const char *rsc, long *code, struct fl_err *e)
{
	size_t i;
	if (!in(b->cons, b->ncons, rsc, &i))
		return 0;
	if (run(b, code, e, (char *[]){"crm_resource", "--clear", "--resource", (char *)rsc, NULL}) < 0)
		return -1;
	free(b->cons[i]);
	b->cons[i] = b->cons[--b->ncons];
	return 0;
}

/* The resource as crm_mon showed it last, re-read once if unknown. */
static const struct cluster_resource *lookup(struct pcmk_backend *b, const char *rsc, long *code, struct fl_err *e)
{
	const struct cluster_resource *r = pcmk_find(b, rsc);
	if (r == NULL && pcmk_refresh(b, 0, e) == 0)
		r = pcmk_find(b, rsc);
	if (r == NULL) {
		*code = 105; /* CRM_EX_NOSUCH, what crm_resource would say */
		if (b->cur.snap.nresources || e->msg[0] == '\0')
			err_set(e, "resource \"%s\": not found in crm_mon's output", rsc);
	}
	return r;
}

int pcmk_fail(struct cluster *c, const char *resource, long *code, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	err_clear(e);
	const struct cluster_resource *r = lookup(b, resource, code, e);
	if (r == NULL)
		return -1;
	if (r->owner == NULL) {
		*code = WIN_ERROR_INVALID_STATE;
		return err_set(e, "resource \"%s\" is %s on no node: --fail needs the node it runs on", resource,
		               res_state_str(r->state));
	}
	char *node = xstrdup(r->owner);
	int rc =
	    run(b, code, e, (char *[]){"crm_resource", "--fail", "--resource", (char *)resource, "--node", node, NULL});
	if (rc == 0 && !in(b->failed, b->nfailed, resource, NULL)) {
		XGROW(b->failed, b->capfailed, b->nfailed + 1);
		b->failed_on = xreallocarray(b->failed_on, b->capfailed, sizeof(char *));
		b->failed[b->nfailed] = xstrdup(resource);
		b->failed_on[b->nfailed++] = xstrdup(node);
	}
	free(node);
	struct fl_err ignore;
	if (rc == 0)
		pcmk_refresh(b, 0, &ignore); /* see the failure now: the restart follows in ~60-110 ms */
	return rc;
}

/* Remember the target-role before our first change to it. */
static int note_role(struct pcmk_backend *b, const char *rsc, struct fl_err *e)
{
	for (size_t i = 0; i < b->nroles; i++)
		if (strcmp(b->roles[i].rsc, rsc) == 0)
			return 0;
	struct pcmk_out o;
	char *argv[] = {"crm_resource", "--resource", (char *)rsc, "--meta", "--get-parameter", "target-role", NULL};
	if (pcmk_cli_check(argv, b->tmo, &o, e) < 0) {
		pcmk_out_fini(&o);
		return -1;
	}
	o.out[strcspn(o.out, "\n")] = '\0';
	XGROW(b->roles, b->caproles, b->nroles + 1);
	b->roles[b->nroles].rsc = xstrdup(rsc);
	b->roles[b->nroles++].prev = o.out[0] ? xstrdup(o.out) : NULL;
	pcmk_out_fini(&o);
	return 0;
}

static int set_role(struct pcmk_backend *b, const char *rsc, const char *role, long *code, struct fl_err *e)
{
	if (note_role(b, rsc, e) < 0)
		return -1;
	return run(b, code, e,
	           (char *[]){"crm_resource", "--resource", (char *)rsc, "--meta", "--set-parameter", "target-role",
	                      "--parameter-value", (char *)role, NULL});
}

/* Put back the target-role we changed; 0 if we changed none. */
static int reset_role(struct pcmk_backend *b, const char *rsc, long *code, struct fl_err *e)
{
	size_t i = 0;
	while (i < b->nroles && strcmp(b->roles[i].rsc, rsc) != 0)
		i++;
	if (i == b->nroles)
		return 0;
	struct pcmk_role *r = &b->roles[i];
	int rc = r->prev ? run(b, code, e,
	                       (char *[]){"crm_resource", "--resource", r->rsc, "--meta", "--set-parameter",
	                                  "target-role", "--parameter-value", r->prev, NULL})
	                 : run(b, code, e,
	                       (char *[]){"crm_resource", "--resource", r->rsc, "--meta", "--delete-parameter",
	                                  "target-role", NULL});
	if (rc == 0) {
		free(r->rsc);
		free(r->prev);
		*r = b->roles[--b->nroles];
	}
	return rc < 0 ? -1 : 1;
}

enum pcmk_offline_how pcmk_offline_how(unsigned flags, const char *destination)
{
	if (destination != NULL)
		return PCMK_OFF_MOVE;
	return flags & OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE ? PCMK_OFF_BAN : PCMK_OFF_TARGET_ROLE;
}

unsigned pcmk_offline_unsupported(unsigned flags)
{
	unsigned bad = flags & OFFLINE_ALL_FLAGS & ~PCMK_OFFLINE_FLAGS;
	return bad & -bad; /* lowest bit */
}

static int ban(struct pcmk_backend *b, const struct cluster_resource *r, long *code, struct fl_err *e)
{
	if (r->owner == NULL) {
		*code = WIN_ERROR_INVALID_STATE;
		return err_set(e, "resource \"%s\" runs on no node: nothing to ban it from", r->name);
	}
	if (pcmk_status_banned(&b->cur, r->name) && !in(b->cons, b->ncons, r->name, NULL)) {
		*code = WIN_ERROR_INVALID_STATE;
		return err_set(e, "resource \"%s\" already has a ban faultline did not make; not touching it", r->name);
	}
	char *rsc = xstrdup(r->name), *node = xstrdup(r->owner);
	int rc = run(b, code, e, (char *[]){"crm_resource", "--ban", "--resource", rsc, "--node", node, NULL});
	if (rc == 0)
		note_cons(b, rsc);
	free(rsc);
	free(node);
	return rc;
}

static int move(struct pcmk_backend *b, const char *what, const char *node, long *code, struct fl_err *e)
{
	if (clear_cons(b, what, code, e) < 0)
		return -1;
	int rc =
	    node ? run(b, code, e,
	               (char *[]){"crm_resource", "--move", "--resource", (char *)what, "--node", (char *)node, NULL})
	         : run(b, code, e, (char *[]){"crm_resource", "--move", "--resource", (char *)what, NULL});
	if (rc == 0)
		note_cons(b, what);
	return rc;
}

int pcmk_offline(struct cluster *c, const char *resource, unsigned flags, const char *destination, long *code,
                 struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	err_clear(e);
	unsigned bad = pcmk_offline_unsupported(flags);
	if (bad) {
		*code = WIN_ERROR_INVALID_PARAMETER;
		return err_set(e, "offline flag \"%s\" has no Pacemaker equivalent", offline_flag_str(bad));
	}
	const struct cluster_resource *r = lookup(b, resource, code, e);
	if (r == NULL)
		return -1;
	if (!(flags & OFFLINE_IGNORE_RESOURCE_STATUS) && r->state != RES_ONLINE) {
		*code = WIN_ERROR_INVALID_STATE;
		return err_set(e, "resource \"%s\" is %s, not online (flag ignore_resource_status overrides)", resource,
		               res_state_str(r->state));
	}
	int rc;
	char *grp = r->group ? xstrdup(r->group) : NULL;
	switch (pcmk_offline_how(flags, destination)) {
	case PCMK_OFF_MOVE:
		rc = move(b, grp ? grp : resource, destination, code, e);
		break;
	case PCMK_OFF_BAN:
		rc = ban(b, r, code, e);
		break;
	default:
		rc = set_role(b, resource, "Stopped", code, e);
		break;
	}
	free(grp);
	struct fl_err ignore;
	pcmk_refresh(b, 0, &ignore);
	return rc;
}

static int cleanup_one(struct pcmk_backend *b, size_t i, long *code, struct fl_err *e)
{
	char *argv[] = {"crm_resource", "--cleanup", "--resource", b->failed[i], "--node", b->failed_on[i], NULL};
	if (run(b, code, e, argv) < 0)
		return -1;
	free(b->failed[i]);
	free(b->failed_on[i]);
	b->nfailed--;
	b->failed[i] = b->failed[b->nfailed];
	b->failed_on[i] = b->failed_on[b->nfailed];
	return 0;
}

int pcmk_online(struct cluster *c, const char *resource, long *code, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	err_clear(e);
	*code = 0;
	int rc = reset_role(b, resource, code, e);
	size_t i;
	if (rc == 0 && in(b->cons, b->ncons, resource, NULL))
		rc = clear_cons(b, resource, code, e) < 0 ? -1 : 1;
	if (rc == 0) {
		const struct cluster_resource *r = lookup(b, resource, code, e);
		if (r == NULL)
			return -1;
		if (r->state == RES_FAILED && in(b->failed, b->nfailed, resource, &i))
			rc = cleanup_one(b, i, code, e);
		else if (r->state == RES_FAILED)
			rc = run(b, code, e,
			         (char *[]){"crm_resource", "--cleanup", "--resource", (char *)resource, NULL});
		else
			rc = set_role(b, resource, "Started", code, e);
	}
	struct fl_err ignore;
	pcmk_refresh(b, 0, &ignore);
	return rc < 0 ? -1 : 0;
}

int pcmk_move_group(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	err_clear(e);
	int rc = move(b, group, node, code, e);
	struct fl_err ignore;
	pcmk_refresh(b, 0, &ignore);
	return rc;
}

/* Undo everything; keep going after an error and report the first. */
int pcmk_cleanup(struct cluster *c, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	struct fl_err one;
	long code;
	int rc = 0;
	err_clear(e);
	for (size_t i = b->ncons; i-- > 0;)
		if (clear_cons(b, b->cons[i], &code, &one) < 0 && rc-- == 0)
			*e = one;
	for (size_t i = b->nroles; i-- > 0;)
		if (reset_role(b, b->roles[i].rsc, &code, &one) < 0 && rc-- == 0)
			*e = one;
	for (size_t i = b->nfailed; i-- > 0;)
		if (cleanup_one(b, i, &code, &one) < 0 && rc-- == 0)
			*e = one;
	pcmk_refresh(b, 0, &one);
	return rc < 0 ? -1 : 0;
}

void pcmk_act_fini(struct pcmk_backend *b)
{
	for (size_t i = 0; i < b->nfailed; i++) {
		free(b->failed[i]);
		free(b->failed_on[i]);
	}
	free(b->failed);
	free(b->failed_on);
	for (size_t i = 0; i < b->ncons; i++)
		free(b->cons[i]);
	free(b->cons);
	for (size_t i = 0; i < b->nroles; i++) {
		free(b->roles[i].rsc);
		free(b->roles[i].prev);
	}
	free(b->roles);
}
