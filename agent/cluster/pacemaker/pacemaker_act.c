/*
 * pacemaker_act.c - the actions, and undoing what they leave behind.
 *
 *   fail     crm_resource --fail --resource R --node <R's node>
 *   offline  meta target-role=Stopped (previous value remembered); with
 *            do_not_update_persistent_state: crm_resource --ban on every
 *            node (R's own configuration untouched; a ban on R's node alone
 *            would move R on a multi-node cluster, not stop it); with a
 *            destination: crm_resource --move of R's group (or R) there
 *   online   undoes our offline (previous target-role back, or deletes the
 *            bans we made, by id); a failed resource gets --cleanup;
 *            otherwise target-role=Started
 *   move     deletes our earlier constraint, then --move (no node: away
 *            from its current node, the scheduler picks)
 * A constraint that is there already and not ours stops the action: we
 * would not know how to put it back. What undoes each action is recorded
 * before it (pacemaker_undo.c); the lists here serve online and move.
 * The native code is the CLI's exit status (0 = done; 105 = no such object).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

#define B(c) ((struct pcmk_backend *)(c)->impl)

int pcmk_act_run(struct pcmk_backend *b, long *code, struct fl_err *e, char *const argv[])
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

char *pcmk_ban_id(const char *rsc, const char *node)
{
	return xasprintf("cli-ban-%s-on-%s", rsc, node);
}

char *pcmk_prefer_id(const char *rsc)
{
	return xasprintf("cli-prefer-%s", rsc);
}

static ssize_t con_index(const struct pcmk_backend *b, const char *id)
{
	for (size_t i = 0; i < b->ncons; i++)
		if (strcmp(b->cons[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

static void con_drop(struct pcmk_backend *b, size_t i)
{
	free(b->cons[i].id);
	free(b->cons[i].rsc);
	b->cons[i] = b->cons[--b->ncons];
}

/* Refuse to create id when someone else's constraint has that id (we would overwrite, then delete it). */
static int con_free_to_make(struct pcmk_backend *b, const char *id, long *code, struct fl_err *e)
{
	if (con_index(b, id) >= 0)
		return 0;
	int rc = pcmk_con_exists(b, id, e);
	if (rc == 1) {
		*code = WIN_ERROR_INVALID_STATE;
		return err_set(e, "constraint \"%s\" is already there and is not faultline's; not touching it", id);
	}
	return rc;
}

static void note_con(struct pcmk_backend *b, const char *id, const char *rsc)
{
	if (con_index(b, id) >= 0)
		return;
	XGROW(b->cons, b->capcons, b->ncons + 1);
	b->cons[b->ncons++] = (struct pcmk_con){xstrdup(id), xstrdup(rsc)};
}

static bool has_cons(const struct pcmk_backend *b, const char *rsc)
{
	for (size_t i = 0; i < b->ncons; i++)
		if (strcmp(b->cons[i].rsc, rsc) == 0)
			return true;
	return false;
}

/* Delete every constraint we made for rsc, by id (never `--clear`: it also removes other people's). */
static int clear_cons(struct pcmk_backend *b, const char *rsc, long *code, struct fl_err *e)
{
	for (size_t i = b->ncons; i-- > 0;)
		if (strcmp(b->cons[i].rsc, rsc) == 0) {
			if (pcmk_con_delete(b, b->cons[i].id, e) < 0) {
				*code = -1;
				return -1;
			}
			con_drop(b, i);
		}
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
	int rc = pcmk_act_run(
	    b, code, e, (char *[]){"crm_resource", "--fail", "--resource", (char *)resource, "--node", node, NULL});
	if (rc == 0 && !in(b->failed, b->nfailed, resource, NULL)) {
		XGROW(b->failed, b->capfailed, b->nfailed + 1);
		b->failed_on = xreallocarray(b->failed_on, b->capfailed, sizeof(char *));
		b->failed[b->nfailed] = xstrdup(resource);
		b->failed_on[b->nfailed++] = xstrdup(node);
	}
	free(node);
	if (rc == 0)
		pcmk_kick(b); /* see the failure at once: the restart follows in ~60-110 ms */
	return rc;
}

/* Remember the target-role before our first change to it. */
static int note_role(struct pcmk_backend *b, const char *rsc, struct fl_err *e)
{
	for (size_t i = 0; i < b->nroles; i++)
		if (strcmp(b->roles[i].rsc, rsc) == 0)
			return 0;
	char *prev;
	if (pcmk_get_role(b, rsc, &prev, e) < 0)
		return -1;
	XGROW(b->roles, b->caproles, b->nroles + 1);
	b->roles[b->nroles].rsc = xstrdup(rsc);
	b->roles[b->nroles++].prev = prev;
	return 0;
}

static int set_role(struct pcmk_backend *b, const char *rsc, const char *role, long *code, struct fl_err *e)
{
	if (note_role(b, rsc, e) < 0)
		return -1;
	return pcmk_act_run(b, code, e,
	                    (char *[]){"crm_resource", "--resource", (char *)rsc, "--meta", "--set-parameter",
	                               "target-role", "--parameter-value", (char *)role, NULL});
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
	int rc = r->prev ? pcmk_act_run(b, code, e,
	                                (char *[]){"crm_resource", "--resource", r->rsc, "--meta", "--set-parameter",
	                                           "target-role", "--parameter-value", r->prev, NULL})
	                 : pcmk_act_run(b, code, e,
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

/* Ban r from every node: stopped where it is, moved nowhere. */
static int ban(struct pcmk_backend *b, const struct cluster_resource *r, long *code, struct fl_err *e)
{
	const struct cluster_snapshot *s = &b->cur.snap;
	char *rsc = xstrdup(r->name);
	char **ids = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(char *));
	char **nodes = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(char *));
	size_t n = s->nnodes;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		ids[i] = pcmk_ban_id(rsc, s->nodes[i].name);
		nodes[i] = xstrdup(s->nodes[i].name);
		if (rc == 0)
			rc = con_free_to_make(b, ids[i], code, e);
	}
	if (n == 0) {
		*code = WIN_ERROR_INVALID_STATE;
		rc = err_set(e, "resource \"%s\": crm_mon shows no node to ban it from", rsc);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = pcmk_act_run(b, code, e,
		                  (char *[]){"crm_resource", "--ban", "--resource", rsc, "--node", nodes[i], NULL});
		if (rc == 0)
			note_con(b, ids[i], rsc);
	}
	for (size_t i = 0; i < n; i++) {
		free(ids[i]);
		free(nodes[i]);
	}
	free(ids);
	free(nodes);
	free(rsc);
	return rc;
}

/* The node `what` (a group or resource) runs on, from the last crm_mon read. */
static const char *where(const struct pcmk_backend *b, const char *what)
{
	const struct cluster_snapshot *s = &b->cur.snap;
	for (size_t i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i].name, what) == 0)
			return s->groups[i].owner;
	const struct cluster_resource *r = cluster_snapshot_resource(s, what);
	return r ? r->owner : NULL;
}

char *pcmk_move_id(const struct pcmk_backend *b, const char *what, const char *node)
{
	const char *from = where(b, what);
	return node ? pcmk_prefer_id(what) : from ? pcmk_ban_id(what, from) : NULL;
}

static int move(struct pcmk_backend *b, const char *what, const char *node, long *code, struct fl_err *e)
{
	if (clear_cons(b, what, code, e) < 0)
		return -1;
	char *id = pcmk_move_id(b, what, node);
	if (id == NULL) {
		*code = WIN_ERROR_INVALID_STATE;
		return err_set(e, "\"%s\" runs on no node: nothing to move it away from", what);
	}
	int rc = con_free_to_make(b, id, code, e);
	if (rc == 0)
		rc = node ? pcmk_act_run(b, code, e,
		                         (char *[]){"crm_resource", "--move", "--resource", (char *)what, "--node",
		                                    (char *)node, NULL})
		          : pcmk_act_run(b, code, e,
		                         (char *[]){"crm_resource", "--move", "--resource", (char *)what, NULL});
	if (rc == 0)
		note_con(b, id, what);
	free(id);
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
	pcmk_kick(b);
	return rc;
}

static int cleanup_one(struct pcmk_backend *b, size_t i, long *code, struct fl_err *e)
{
	char *argv[] = {"crm_resource", "--cleanup", "--resource", b->failed[i], "--node", b->failed_on[i], NULL};
	if (pcmk_act_run(b, code, e, argv) < 0)
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
	if (rc == 0 && has_cons(b, resource))
		rc = clear_cons(b, resource, code, e) < 0 ? -1 : 1;
	if (rc == 0) {
		const struct cluster_resource *r = lookup(b, resource, code, e);
		if (r == NULL)
			return -1;
		if (r->state == RES_FAILED && in(b->failed, b->nfailed, resource, &i))
			rc = cleanup_one(b, i, code, e);
		else if (r->state == RES_FAILED)
			rc = pcmk_act_run(
			    b, code, e, (char *[]){"crm_resource", "--cleanup", "--resource", (char *)resource, NULL});
		else
			rc = set_role(b, resource, "Started", code, e);
	}
	pcmk_kick(b);
	return rc < 0 ? -1 : 0;
}

int pcmk_move_group(struct cluster *c, const char *group, const char *node, long *code, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	err_clear(e);
	int rc = move(b, group, node, code, e);
	pcmk_kick(b);
	return rc;
}

void pcmk_act_forget(struct pcmk_backend *b, const char *kind, const char *object)
{
	if (strcmp(kind, "constraint") == 0) {
		ssize_t i = con_index(b, object);
		if (i >= 0)
			con_drop(b, (size_t)i);
	}
	for (size_t i = b->nroles; strcmp(kind, "attr") == 0 && i-- > 0;)
		if (strcmp(b->roles[i].rsc, object) == 0) {
			free(b->roles[i].rsc);
			free(b->roles[i].prev);
			b->roles[i] = b->roles[--b->nroles];
		}
	for (size_t i = b->nfailed; strcmp(kind, "cleanup") == 0 && i-- > 0;)
		if (strcmp(b->failed[i], object) == 0) {
			free(b->failed[i]);
			free(b->failed_on[i]);
			b->nfailed--;
			b->failed[i] = b->failed[b->nfailed];
			b->failed_on[i] = b->failed_on[b->nfailed];
		}
}

void pcmk_act_fini(struct pcmk_backend *b)
{
	for (size_t i = 0; i < b->nfailed; i++) {
		free(b->failed[i]);
		free(b->failed_on[i]);
	}
	free(b->failed);
	free(b->failed_on);
	while (b->ncons > 0)
		con_drop(b, 0);
	free(b->cons);
	for (size_t i = 0; i < b->nroles; i++) {
		free(b->roles[i].rsc);
		free(b->roles[i].prev);
	}
	free(b->roles);
}
