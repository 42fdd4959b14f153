/*
 * pacemaker_node.c - node_pause and node_resume on Pacemaker: the node's
 * permanent `standby` attribute (crm_attribute --node N --name standby, in
 * the CIB's configuration/nodes section). Standby always moves every
 * resource away from the node (Pacemaker has no pause without drain):
 * drain: false is carried out as drain: true (docs/backends.md). Resume
 * sets standby off and leaves failback to the cluster's own placement
 * (stickiness, location scores): the failback type is not honoured. What
 * either changes is journaled first (pacemaker_undo.c: "standby" items),
 * so a restore puts back exactly the value from before the run, or
 * deletes the attribute when there was none.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

#define B(c)       ((struct pcmk_backend *)(c)->impl)
#define CRM_NOSUCH 105 /* CRM_EX_NOSUCH: the attribute is not set */

int pcmk_get_standby(struct pcmk_backend *b, const char *node, char **value, struct fl_err *e)
{
	struct pcmk_out o;
	char *argv[] = {"crm_attribute", "--node", (char *)node, "--name", "standby", "--query", "--quiet", NULL};
	*value = NULL;
	if (pcmk_cli_run(argv, b->tmo, &o, e) < 0)
		return -1;
	int rc = 0;
	if (o.status == 0) {
		o.out[strcspn(o.out, "\n")] = '\0';
		*value = o.out[0] ? xstrdup(o.out) : NULL;
	} else if (o.status != CRM_NOSUCH)
		rc = err_set(e, "crm_attribute --node %s --name standby --query: exit %d: %s", node, o.status,
		             o.err[0] ? o.err : "(no message)");
	pcmk_out_fini(&o);
	return rc;
}

int pcmk_set_standby(struct pcmk_backend *b, const char *node, const char *value, long *code, struct fl_err *e)
{
	if (value != NULL)
		return pcmk_act_run(b, code, e,
		                    (char *[]){"crm_attribute", "--node", (char *)node, "--name", "standby", "--update",
		                               (char *)value, NULL});
	char *now = NULL;
	int rc = pcmk_get_standby(b, node, &now, e);
	if (rc == 0 && now != NULL)
		rc = pcmk_act_run(
		    b, code, e,
		    (char *[]){"crm_attribute", "--node", (char *)node, "--name", "standby", "--delete", NULL});
	free(now);
	return rc;
}

static int known_node(struct pcmk_backend *b, const char *node, long *code, struct fl_err *e)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->cur.snap.nnodes; i++)
			if (strcmp(b->cur.snap.nodes[i].name, node) == 0)
				return 0;
		if (pass == 0 && pcmk_refresh(b, 0, e) < 0)
			return -1;
	}
	*code = WIN_ERROR_NODE_NOT_FOUND;
	return err_set(e, "pacemaker: no node \"%s\" in the cluster", node);
}

int pcmk_node_pause(struct cluster *c, const char *node, bool drain, long *code, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	(void)drain; /* standby always drains */
	*code = 0;
	err_clear(e);
	if (known_node(b, node, code, e) < 0)
		return -1;
	int rc = pcmk_set_standby(b, node, "on", code, e);
	pcmk_kick(b);
	return rc;
}

int pcmk_node_resume(struct cluster *c, const char *node, enum node_failback failback, long *code, struct fl_err *e)
{
	struct pcmk_backend *b = B(c);
	(void)failback; /* placement scores decide where resources go */
	*code = 0;
	err_clear(e);
	if (known_node(b, node, code, e) < 0)
		return -1;
	int rc = pcmk_set_standby(b, node, "off", code, e);
	pcmk_kick(b);
	return rc;
}
