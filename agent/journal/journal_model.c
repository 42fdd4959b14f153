/*
 * journal_model.c - what the records mean: the runs still unsettled.
 *
 * A run is unsettled from RUN_START until RUN_END with every touched
 * resource verified by a RESTORED record, or until an operator's ACK.
 * Only unsettled runs are kept (with their records, for compaction), so
 * memory and the compacted file stay bounded by what is actually open.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "faultline/cluster.h"
#include "faultline/util.h"
#include "journal_int.h"

struct journal_run *journal_find(const struct journal *j, const char *id)
{
	for (struct journal_run *r = j->runs; r != NULL; r = r->next)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

static void run_free(struct journal_run *r)
{
	free(r->id);
	free(r->plan_path);
	free(r->plan_sha256);
	free(r->backend);
	free(r->topology);
	for (size_t i = 0; i < r->ncommand; i++)
		free(r->command[i]);
	free(r->command);
	free(r->key);
	for (size_t i = 0; i < r->ntouched; i++)
		touched_fini(&r->touched[i]);
	free(r->touched);
	free(r->verified);
	journal_items_free(r);
	cluster_undo_fini(&r->undo);
	for (size_t i = 0; i < r->nraw; i++)
		free(r->raw[i].bytes);
	free(r->raw);
	free(r);
}

void journal_runs_free(struct journal *j)
{
	while (j->runs != NULL) {
		struct journal_run *r = j->runs;
		j->runs = r->next;
		run_free(r);
	}
}

static void unlink_run(struct journal *j, struct journal_run *r)
{
	struct journal_run **pp = &j->runs;
	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
	run_free(r);
}

static bool settled(const struct journal_run *r)
{
	return r->ended && journal_run_unverified(r) == 0;
}

static int run_start(struct journal *j, char **f, size_t n, struct fl_err *e)
{
	size_t argc = n >= 8 ? (size_t)strtoul(f[7], NULL, 10) : 0;
	if (n < 8 || argc > n - 8)
		return err_set(e, "RUN_START: %zu field(s)", n);
	if (journal_find(j, f[0]) != NULL)
		return err_set(e, "run %s started twice", f[0]);
	struct journal_run *r = xcalloc(1, sizeof(*r));
	r->id = xstrdup(f[0]);
	r->plan_path = xstrdup(f[1]);
	r->plan_sha256 = xstrdup(f[2]);
	r->backend = xstrdup(f[3]);
	r->topology = xstrdup(f[4]);
	r->seed = strtoull(f[5], NULL, 10);
	r->timeout_ns = strtoull(f[6], NULL, 10);
	r->ncommand = argc;
	r->command = xcalloc(r->ncommand + 1, sizeof(char *));
	for (size_t i = 0; i < r->ncommand; i++)
		r->command[i] = xstrdup(f[8 + i]);
	if (journal_node_cmds_parse(r, f + 8 + argc, n - 8 - argc, e) < 0) {
		run_free(r);
		return -1;
	}
	struct cluster_config cfg;
	journal_run_config(r, &cfg);
	r->key = journal_cluster_key(&cfg);
	struct journal_run **pp = &j->runs;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = r;
	return 0;
}

static ssize_t touched_index(const struct journal_run *r, const char *resource)
{
	for (size_t i = 0; i < r->ntouched; i++)
		if (strcmp(r->touched[i].resource, resource) == 0)
			return (ssize_t)i;
	return -1;
}

/* The first INTENT naming a resource holds its pre-run state; later ones add nothing. */
static void add_touched(struct journal_run *r, char **f)
{
	if (touched_index(r, f[0]) >= 0)
		return;
	size_t cap = r->captouched;
	XGROW(r->touched, r->captouched, r->ntouched + 1);
	XGROW(r->verified, cap, r->ntouched + 1);
	struct touched *t = &r->touched[r->ntouched];
	t->resource = xstrdup(f[0]);
	t->group = f[1][0] ? xstrdup(f[1]) : NULL;
	t->owner = f[2][0] ? xstrdup(f[2]) : NULL;
	t->state = atoi(f[3]);
	r->verified[r->ntouched++] = false;
}

static int intent(struct journal_run *r, char **f, size_t n, struct fl_err *e)
{
	if (n < 4 || (n - 4) % 4 != 0)
		return err_set(e, "INTENT: %zu field(s)", n);
	r->intents++;
	for (size_t i = 4; i < n; i += 4)
		add_touched(r, f + i);
	return 0;
}

static int restored(struct journal_run *r, char **f, size_t n, struct fl_err *e)
{
	if (n != 4)
		return err_set(e, "RESTORED: %zu field(s)", n);
	ssize_t i = touched_index(r, f[1]);
	if (i >= 0)
		r->verified[i] = strcmp(f[2], "1") == 0;
	journal_items_restored(r, f[1], strcmp(f[2], "1") == 0);
	return 0;
}

static void keep_raw(struct journal_run *r, const unsigned char *frame, size_t len)
{
	XGROW(r->raw, r->capraw, r->nraw + 1);
	r->raw[r->nraw].bytes = xmalloc(len);
	memcpy(r->raw[r->nraw].bytes, frame, len);
	r->raw[r->nraw++].len = len;
}

static int apply_to(struct journal *j, struct journal_run *r, unsigned type, char **f, size_t n, struct fl_err *e)
{
	switch (type) {
	case JR_INTENT:
		return intent(r, f, n, e);
	case JR_INJECTED:
		r->injected++;
		return 0;
	case JR_UNDO:
		for (size_t i = 1; i < n; i++)
			cluster_undo_add(&r->undo, f[i]);
		return 0;
	case JR_RESTORED:
		return restored(r, f, n, e);
	case JR_NODE:
	case JR_EXEC_UNDO:
		return journal_items_apply(r, type, f, n, e);
	case JR_RUN_END:
		r->ended = true;
		return 0;
	case JR_ACK:
		unlink_run(j, r);
		return 1; /* settled by the operator */
	default:
		return err_set(e, "unknown record type %u", type);
	}
}

int journal_apply(struct journal *j, unsigned type, char **f, size_t n, const unsigned char *frame, size_t len,
                  struct fl_err *e)
{
	if (type == JR_RUN_START) {
		if (run_start(j, f, n, e) < 0)
			return -1;
		struct journal_run *r = j->runs;
		while (r->next != NULL)
			r = r->next;
		keep_raw(r, frame, len);
		return 0;
	}
	struct journal_run *r = n > 0 ? journal_find(j, f[0]) : NULL;
	if (r == NULL)
		return err_set(e, "%s for a run with no RUN_START (\"%s\")", journal_type_str(type), n > 0 ? f[0] : "");
	int rc = apply_to(j, r, type, f, n, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (settled(r))
		unlink_run(j, r);
	else
		keep_raw(r, frame, len);
	return 0;
}
