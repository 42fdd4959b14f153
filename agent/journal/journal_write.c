/*
 * journal_write.c - the typed records a run writes. Which cluster a run
 * acted on, and whether that cluster is held, is journal_cluster.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/testkill.h"
#include "faultline/util.h"
#include "journal_int.h"

static size_t argv_len(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

struct fields {
	const char **f;
	size_t n, cap;
};

static void add(struct fields *fs, const char *s)
{
	XGROW(fs->f, fs->cap, fs->n + 1);
	fs->f[fs->n++] = s;
}

static void add_argv(struct fields *fs, char *const *v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		add(fs, v[i]);
}

struct journal_run *journal_begin(struct journal *j, const char *id, const struct cluster_config *cfg,
                                  const char *plan_path, const char *plan_sha256, struct fl_err *e)
{
	if (journal_find(j, id) != NULL) {
		err_set(e, "journal %s: run %s is already recorded", j->path, id);
		return NULL;
	}
	char seed[24], timeout[24], argc[24], ntmo[24], ndown[24], nup[24];
	snprintf(seed, sizeof(seed), "%" PRIu64, cfg->seed);
	snprintf(timeout, sizeof(timeout), "%" PRIu64, cfg->timeout_ns);
	snprintf(argc, sizeof(argc), "%zu", argv_len(cfg->command));
	struct fields fs = {0};
	const char *fixed[] = {id,      plan_path, plan_sha256 ? plan_sha256 : "", cfg->backend, cfg->topology, seed,
	                       timeout, argc};
	for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
		add(&fs, fixed[i]);
	add_argv(&fs, cfg->command);
	/* The tail only when there are node commands: a plan without them writes what older versions wrote. */
	if (cfg->node_down_command != NULL && cfg->node_up_command != NULL) {
		snprintf(ntmo, sizeof(ntmo), "%" PRIu64, cfg->node_command_timeout_ns);
		snprintf(ndown, sizeof(ndown), "%zu", argv_len(cfg->node_down_command));
		snprintf(nup, sizeof(nup), "%zu", argv_len(cfg->node_up_command));
		add(&fs, ntmo);
		add(&fs, ndown);
		add_argv(&fs, cfg->node_down_command);
		add(&fs, nup);
		add_argv(&fs, cfg->node_up_command);
	}
	int rc = journal_append(j, JR_RUN_START, fs.f, fs.n, true, e);
	free(fs.f);
	testkill_at("run-start");
	return rc < 0 ? NULL : journal_find(j, id);
}

int journal_node(struct journal *j, struct journal_run *r, const char *node, int before, struct fl_err *e)
{
	char st[16];
	snprintf(st, sizeof(st), "%d", before);
	const char *f[] = {r->id, node, st};
	return journal_append(j, JR_NODE, f, 3, true, e);
}

int journal_exec_undo(struct journal *j, struct journal_run *r, const char *key, char *const *argv, char *const *env,
                      const char *target, uint64_t timeout_ns, struct fl_err *e)
{
	char tmo[24], envc[24];
	snprintf(tmo, sizeof(tmo), "%" PRIu64, timeout_ns);
	snprintf(envc, sizeof(envc), "%zu", argv_len(env));
	struct fields fs = {0};
	add(&fs, r->id);
	add(&fs, key);
	add(&fs, tmo);
	add(&fs, target ? target : "");
	add(&fs, envc);
	add_argv(&fs, env);
	add_argv(&fs, argv);
	int rc = journal_append(j, JR_EXEC_UNDO, fs.f, fs.n, true, e);
	free(fs.f);
	return rc;
}

int journal_intent(struct journal *j, struct journal_run *r, const char *action, const char *resource,
                   const struct touched *items, size_t n, struct fl_err *e)
{
	char seq[24];
	snprintf(seq, sizeof(seq), "%u", r->intents + 1);
	const char **f = xcalloc(4 + 4 * n, sizeof(char *));
	char(*states)[16] = xcalloc(n ? n : 1, sizeof(*states));
	f[0] = r->id;
	f[1] = seq;
	f[2] = action;
	f[3] = resource;
	for (size_t i = 0; i < n; i++) {
		snprintf(states[i], sizeof(states[i]), "%d", items[i].state);
		f[4 + 4 * i] = items[i].resource;
		f[5 + 4 * i] = items[i].group;
		f[6 + 4 * i] = items[i].owner;
		f[7 + 4 * i] = states[i];
	}
	int rc = journal_append(j, JR_INTENT, f, 4 + 4 * n, true, e);
	free(states);
	free(f);
	return rc;
}

int journal_undo(struct journal *j, struct journal_run *r, const char *const *items, size_t n, struct fl_err *e)
{
	const char **f = xcalloc(n + 1, sizeof(char *));
	f[0] = r->id;
	memcpy(f + 1, items, n * sizeof(char *));
	int rc = journal_append(j, JR_UNDO, f, n + 1, true, e);
	free(f);
	return rc;
}

int journal_injected(struct journal *j, struct journal_run *r, long code, const char *error, struct fl_err *e)
{
	char seq[24], c[24];
	snprintf(seq, sizeof(seq), "%u", r->intents);
	snprintf(c, sizeof(c), "%ld", code);
	/* Not synced: if it is lost, the INTENT alone already makes reconciliation restore. */
	const char *f[] = {r->id, seq, c, error ? error : ""};
	return journal_append(j, JR_INJECTED, f, 4, false, e);
}

int journal_restored(struct journal *j, struct journal_run *r, const char *resource, bool ok, const char *detail,
                     struct fl_err *e)
{
	const char *f[] = {r->id, resource, ok ? "1" : "0", detail ? detail : ""};
	return journal_append(j, JR_RESTORED, f, 4, true, e);
}

int journal_end(struct journal *j, struct journal_run *r, int exit_code, const char *how, struct fl_err *e)
{
	char c[24];
	snprintf(c, sizeof(c), "%d", exit_code);
	const char *f[] = {r->id, c, how};
	return journal_append(j, JR_RUN_END, f, 3, true, e);
}

int journal_ack(struct journal *j, struct journal_run *r, const char *why, struct fl_err *e)
{
	const char *f[] = {r->id, why};
	return journal_append(j, JR_ACK, f, 2, true, e);
}
