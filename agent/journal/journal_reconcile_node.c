/*
 * journal_reconcile_node.c - bring back the nodes a dead process left
 * changed: every NODE record not yet verified goes to restore_node()
 * (agent/cluster/restore_node.c, the run's own code) with its pre-run
 * state, and its outcome is journaled (RESTORED "node NAME") as soon as it
 * is known. A node already back is only verified. Nodes come before the
 * resources: a group can only go back to a node that is up.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "journal_int.h"

int journal_reconcile_nodes(struct journal *j, const char *id, const struct restore_ctx *c, struct fl_err *e)
{
	struct journal_run *r = journal_find(j, id);
	if (r == NULL || r->nnodes == 0)
		return 0;
	/* A copy: journaling the last outcome may settle and free the run. */
	size_t n = 0;
	struct journal_node *todo = xcalloc(r->nnodes, sizeof(*todo));
	for (size_t i = 0; i < r->nnodes; i++)
		if (!r->nodes[i].verified)
			todo[n++] = (struct journal_node){xstrdup(r->nodes[i].name), r->nodes[i].before, false};
	uint64_t deadline = restore_node_deadline(c);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct run_record rec;
		memset(&rec, 0, sizeof(rec));
		restore_node(c, todo[i].name, (enum node_state)todo[i].before, deadline, &rec);
		struct journal_run *cur = journal_find(j, id);
		if (rc == 0 && cur != NULL)
			rc = journal_restored(j, cur, rec.restores[0].resource, rec.restores[0].ok,
			                      rec.restores[0].detail, e);
		record_fini(&rec);
	}
	for (size_t i = 0; i < n; i++)
		free(todo[i].name);
	free(todo);
	return rc;
}
