/*
 * journal_items.c - what NODE and EXEC_UNDO records mean: the nodes a run
 * acted on (with their state before the run) and its exec faults' undo
 * commands, beside the resources its INTENTs named (journal_model.c).
 * A RESTORED record settles them: "node NAME" verifies a node, an exec
 * undo's key says the undo ran (verified: it exited 0).
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "journal_int.h"

static char **argv_copy(char *const *f, size_t n)
{
	char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(f[i]);
	return v;
}

void journal_argv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The first NODE record of a node holds its pre-run state; later ones add nothing. */
static int node(struct journal_run *r, char **f, size_t n, struct fl_err *e)
{
	if (n != 3)
		return err_set(e, "NODE: %zu field(s)", n);
	for (size_t i = 0; i < r->nnodes; i++)
		if (strcmp(r->nodes[i].name, f[1]) == 0)
			return 0;
	XGROW(r->nodes, r->capnodes, r->nnodes + 1);
	r->nodes[r->nnodes++] = (struct journal_node){xstrdup(f[1]), atoi(f[2]), false};
	return 0;
}

static int exec_undo(struct journal_run *r, char **f, size_t n, struct fl_err *e)
{
	size_t envc = n >= 5 ? (size_t)strtoul(f[4], NULL, 10) : 0;
	if (n < 6 || envc > n - 6)
		return err_set(e, "EXEC_UNDO: %zu field(s)", n);
	if (journal_exec_find(r, f[1]) != NULL)
		return 0;
	XGROW(r->execs, r->capexecs, r->nexecs + 1);
	struct journal_exec *x = &r->execs[r->nexecs++];
	memset(x, 0, sizeof(*x));
	x->key = xstrdup(f[1]);
	x->timeout_ns = strtoull(f[2], NULL, 10);
	x->target = f[3][0] ? xstrdup(f[3]) : NULL;
	x->env = argv_copy(f + 5, envc);
	x->argv = argv_copy(f + 5 + envc, n - 5 - envc);
	return 0;
}

int journal_items_apply(struct journal_run *r, unsigned type, char **f, size_t n, struct fl_err *e)
{
	return type == JR_NODE ? node(r, f, n, e) : exec_undo(r, f, n, e);
}

const struct journal_exec *journal_exec_find(const struct journal_run *r, const char *key)
{
	for (size_t i = 0; i < r->nexecs; i++)
		if (strcmp(r->execs[i].key, key) == 0)
			return &r->execs[i];
	return NULL;
}

void journal_items_restored(struct journal_run *r, const char *what, bool ok)
{
	if (strncmp(what, "node ", 5) == 0)
		for (size_t i = 0; i < r->nnodes; i++)
			if (strcmp(r->nodes[i].name, what + 5) == 0)
				r->nodes[i].verified = ok;
	for (size_t i = 0; i < r->nexecs; i++)
		if (strcmp(r->execs[i].key, what) == 0) {
			r->execs[i].ran = true;
			r->execs[i].ok = ok;
		}
}

size_t journal_run_unverified(const struct journal_run *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ntouched; i++)
		n += !r->verified[i];
	for (size_t i = 0; i < r->nnodes; i++)
		n += !r->nodes[i].verified;
	for (size_t i = 0; i < r->nexecs; i++)
		n += !r->execs[i].ok;
	return n;
}

size_t journal_run_items(const struct journal_run *r)
{
	return r->ntouched + r->nnodes + r->nexecs;
}

void journal_items_free(struct journal_run *r)
{
	for (size_t i = 0; i < r->nnodes; i++)
		free(r->nodes[i].name);
	free(r->nodes);
	for (size_t i = 0; i < r->nexecs; i++) {
		free(r->execs[i].key);
		free(r->execs[i].target);
		journal_argv_free(r->execs[i].argv);
		journal_argv_free(r->execs[i].env);
	}
	free(r->execs);
	journal_argv_free(r->node_down);
	journal_argv_free(r->node_up);
}
