/*
 * pacemaker_undo.c - what undoes each Pacemaker action, written down before
 * the action (the run journals it), and undoing exactly that afterwards,
 * in this process or in `faultline restore` after a crash.
 *
 * Items (struct cluster_undo, tab-separated):
 *   constraint R ID        a cli-ban-* / cli-prefer-* location constraint of
 *                          R (resource or group) the action creates; undo
 *                          deletes exactly that id
 *   attr R target-role [V] R's target-role before the action: V, or absent
 *                          (no 4th field); undo sets V back or deletes it
 *   cleanup R              fail counts and failed operations a --fail
 *                          causes; undo: crm_resource --cleanup --resource R
 *   nodeattr N standby [V] node N's permanent standby attribute before a
 *                          node_pause / node_resume: V, or absent; undo
 *                          sets V back or deletes it
 * Nothing else is ever touched: no `--clear` (it removes every cli-*
 * constraint of a resource, whoever made it).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

#define B(c)       ((struct pcmk_backend *)(c)->impl)
#define CRM_NOSUCH 105 /* CRM_EX_NOSUCH */

int pcmk_get_role(struct pcmk_backend *b, const char *rsc, char **value, struct fl_err *e)
{
	struct pcmk_out o;
	char *argv[] = {"crm_resource", "--resource", (char *)rsc, "--meta", "--get-parameter", "target-role", NULL};
	*value = NULL;
	if (pcmk_cli_run(argv, b->tmo, &o, e) < 0)
		return -1;
	int rc = 0;
	if (o.status == 0) {
		o.out[strcspn(o.out, "\n")] = '\0';
		*value = o.out[0] ? xstrdup(o.out) : NULL;
	} else if (o.status != CRM_NOSUCH || strstr(o.err, "target-role") == NULL) {
		/* 105 naming the attribute: it is not set; 105 about the resource is an error */
		rc = err_set(e, "crm_resource --resource %s --meta --get-parameter target-role: exit %d: %s", rsc,
		             o.status, o.err[0] ? o.err : "(no message)");
	}
	pcmk_out_fini(&o);
	return rc;
}

/* Whether the CIB has a node matching xp (freed here): 1, 0, or -1 with e. */
static int xpath_exists(struct pcmk_backend *b, char *xp, struct fl_err *e)
{
	char *argv[] = {"cibadmin", "--query", "--xpath", xp, NULL};
	struct pcmk_out o;
	int rc = pcmk_cli_run(argv, b->tmo, &o, e);
	if (rc == 0) {
		rc = o.status == 0 ? 1 : o.status == CRM_NOSUCH ? 0 : -1;
		if (rc < 0)
			err_set(e, "cibadmin --query --xpath %s: exit %d: %s", xp, o.status, o.err);
		pcmk_out_fini(&o);
	}
	free(xp);
	return rc;
}

int pcmk_con_exists(struct pcmk_backend *b, const char *id, struct fl_err *e)
{
	char *xp = xasprintf("//constraints/rsc_location[@id='%s']", id);
	return xpath_exists(b, xp, e);
}

int pcmk_con_delete(struct pcmk_backend *b, const char *id, struct fl_err *e)
{
	int there = pcmk_con_exists(b, id, e);
	if (there <= 0)
		return there;
	char *xml = xasprintf("<rsc_location id=\"%s\"/>", id);
	long code;
	int rc = pcmk_act_run(b, &code, e,
	                      (char *[]){"cibadmin", "--delete", "--scope", "constraints", "--xml-text", xml, NULL});
	free(xml);
	return rc;
}

static void add(struct cluster_undo *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct cluster_undo *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *item = xvasprintf(fmt, ap);
	va_end(ap);
	cluster_undo_add(u, item);
	free(item);
}

static int plan_role(struct pcmk_backend *b, const char *rsc, struct cluster_undo *u, struct fl_err *e)
{
	char *v;
	if (pcmk_get_role(b, rsc, &v, e) < 0)
		return -1;
	if (v != NULL)
		add(u, "attr\t%s\ttarget-role\t%s", rsc, v);
	else
		add(u, "attr\t%s\ttarget-role", rsc);
	free(v);
	return 0;
}

static int plan_standby(struct pcmk_backend *b, const char *node, struct cluster_undo *u, struct fl_err *e)
{
	char *v;
	if (pcmk_get_standby(b, node, &v, e) < 0)
		return -1;
	if (v != NULL)
		add(u, "nodeattr\t%s\tstandby\t%s", node, v);
	else
		add(u, "nodeattr\t%s\tstandby", node);
	free(v);
	return 0;
}

static bool remembered_role(const struct pcmk_backend *b, const char *rsc)
{
	for (size_t i = 0; i < b->nroles; i++)
		if (strcmp(b->roles[i].rsc, rsc) == 0)
			return true;
	return false;
}

/* What pcmk_online will do to rsc, mirrored: only a target-role it sets, or a --cleanup, is new. */
static int plan_online(struct pcmk_backend *b, const char *rsc, struct cluster_undo *u, struct fl_err *e)
{
	if (remembered_role(b, rsc))
		return 0; /* online puts back the value already recorded */
	for (size_t i = 0; i < b->ncons; i++)
		if (strcmp(b->cons[i].rsc, rsc) == 0)
			return 0; /* online deletes our own constraints */
	const struct cluster_resource *r = pcmk_find(b, rsc);
	if (r != NULL && r->state == RES_FAILED) {
		add(u, "cleanup\t%s", rsc);
		return 0;
	}
	return plan_role(b, rsc, u, e);
}

static int failures_left(struct pcmk_backend *b, const char *rsc, struct fl_err *e);

/*
 * A --cleanup cannot tell whose failures it removes: fail only a resource
 * whose fail counts are all ours (none, or from this process's own fails).
 */
static int plan_fail(struct pcmk_backend *b, const char *rsc, struct cluster_undo *u, struct fl_err *e)
{
	bool ours = false;
	for (size_t i = 0; i < b->nfailed && !ours; i++)
		ours = strcmp(b->failed[i], rsc) == 0;
	int left = ours ? 0 : failures_left(b, rsc, e);
	if (left < 0)
		return -1;
	if (left > 0)
		return err_set(e,
		               "resource \"%s\" has fail counts faultline did not cause; not failing it (the restore's "
		               "cleanup would erase them too)",
		               rsc);
	add(u, "cleanup\t%s", rsc);
	return 0;
}

int pcmk_undo_plan(struct cluster *c, enum cluster_act act, const char *target, unsigned flags, const char *destination,
                   struct cluster_undo *u, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	err_clear(e);
	if (pcmk_find(b, target) == NULL && act != CLUSTER_ACT_MOVE && act != CLUSTER_ACT_NODE_PAUSE &&
	    act != CLUSTER_ACT_NODE_RESUME)
		pcmk_refresh(b, 0, e);
	const struct cluster_resource *r = pcmk_find(b, target);
	char *id = NULL;
	const char *of = target;
	switch (act) {
	case CLUSTER_ACT_NODE_PAUSE:
	case CLUSTER_ACT_NODE_RESUME:
		return plan_standby(b, target, u, e);
	case CLUSTER_ACT_FAIL:
		return plan_fail(b, target, u, e);
	case CLUSTER_ACT_ONLINE:
		return plan_online(b, target, u, e);
	case CLUSTER_ACT_MOVE:
		id = pcmk_move_id(b, target, destination);
		break;
	case CLUSTER_ACT_OFFLINE:
		if (pcmk_offline_unsupported(flags) || r == NULL)
			return 0; /* refused before it touches anything */
		switch (pcmk_offline_how(flags, destination)) {
		case PCMK_OFF_MOVE:
			of = r->group ? r->group : target;
			id = pcmk_move_id(b, of, destination);
			break;
		case PCMK_OFF_BAN:
			for (size_t i = 0; i < b->cur.snap.nnodes; i++)
				add(u, "constraint\t%s\tcli-ban-%s-on-%s", target, target, b->cur.snap.nodes[i].name);
			return 0;
		default:
			return plan_role(b, target, u, e);
		}
		break;
	}
	if (id != NULL)
		add(u, "constraint\t%s\t%s", of, id);
	free(id);
	return 0;
}

/* Split item into at most 4 fields (in buf); returns how many. */
static size_t fields(const char *item, char *buf, size_t len, char *f[4])
{
	snprintf(buf, len, "%s", item);
	size_t n = 0;
	for (char *p = buf; n < 4 && p != NULL; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (p != NULL)
			*p++ = '\0';
	}
	return n;
}

int pcmk_undo(struct cluster *c, const char *item, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	char buf[1024], *f[4];
	size_t n = fields(item, buf, sizeof(buf), f);
	long code;
	int rc;
	err_clear(e);
	if (n == 3 && strcmp(f[0], "constraint") == 0)
		rc = pcmk_con_delete(b, f[2], e);
	else if (n == 2 && strcmp(f[0], "cleanup") == 0)
		rc = pcmk_act_run(b, &code, e, (char *[]){"crm_resource", "--cleanup", "--resource", f[1], NULL});
	else if (n == 4 && strcmp(f[0], "attr") == 0)
		rc = pcmk_act_run(b, &code, e,
		                  (char *[]){"crm_resource", "--resource", f[1], "--meta", "--set-parameter", f[2],
		                             "--parameter-value", f[3], NULL});
	else if (n == 3 && strcmp(f[0], "attr") == 0 && strcmp(f[2], "target-role") == 0) {
		char *now = NULL;
		rc = pcmk_get_role(b, f[1], &now, e); /* deleting what is not there is an error to crm_resource */
		if (rc == 0 && now != NULL)
			rc = pcmk_act_run(
			    b, &code, e,
			    (char *[]){"crm_resource", "--resource", f[1], "--meta", "--delete-parameter", f[2], NULL});
		free(now);
	} else if ((n == 3 || n == 4) && strcmp(f[0], "nodeattr") == 0 && strcmp(f[2], "standby") == 0)
		rc = pcmk_set_standby(b, f[1], n == 4 ? f[3] : NULL, &code, e);
	else
		return err_set(e, "pacemaker: cannot undo \"%s\": not an item this backend writes", item);
	if (rc == 0)
		pcmk_act_forget(b, f[0], strcmp(f[0], "constraint") == 0 ? f[2] : f[1]);
	return rc;
}

/* Fail counts or failed operations of rsc in the status section: 1, 0, or -1. */
static int failures_left(struct pcmk_backend *b, const char *rsc, struct fl_err *e)
{
	char *xp = xasprintf("//status//nvpair[starts-with(@name,'fail-count-%s#') or "
	                     "starts-with(@name,'last-failure-%s#')]",
	                     rsc, rsc);
	return xpath_exists(b, xp, e);
}

int pcmk_undo_left(struct cluster *c, const char *item, char *why, size_t len, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	char buf[1024], *f[4];
	size_t n = fields(item, buf, sizeof(buf), f);
	int rc;
	if (n == 3 && strcmp(f[0], "constraint") == 0) {
		rc = pcmk_con_exists(b, f[2], e);
		snprintf(why, len, "constraint %s is still in the CIB", f[2]);
	} else if (n == 2 && strcmp(f[0], "cleanup") == 0) {
		rc = failures_left(b, f[1], e);
		snprintf(why, len, "fail-count/last-failure of %s still in the CIB", f[1]);
	} else if ((n == 3 || n == 4) && strcmp(f[0], "attr") == 0 && strcmp(f[2], "target-role") == 0) {
		char *now;
		if (pcmk_get_role(b, f[1], &now, e) < 0)
			return -1;
		rc = n == 3 ? now != NULL : now == NULL || strcmp(now, f[3]) != 0;
		snprintf(why, len, "%s's %s is %s (before the run: %s)", f[1], f[2], now ? now : "not set",
		         n == 4 ? f[3] : "not set");
		free(now);
	} else if ((n == 3 || n == 4) && strcmp(f[0], "nodeattr") == 0 && strcmp(f[2], "standby") == 0) {
		char *now;
		if (pcmk_get_standby(b, f[1], &now, e) < 0)
			return -1;
		rc = n == 3 ? now != NULL : now == NULL || strcmp(now, f[3]) != 0;
		snprintf(why, len, "node %s's standby is %s (before the run: %s)", f[1], now ? now : "not set",
		         n == 4 ? f[3] : "not set");
		free(now);
	} else
		return err_set(e, "pacemaker: \"%s\" is not an item this backend writes", item);
	return rc;
}
