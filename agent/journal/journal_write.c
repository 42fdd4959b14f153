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

struct journal_run *journal_begin(struct journal *j, const char *id, const struct cluster_config *cfg,
                                  const char *plan_path, const char *plan_sha256, struct fl_err *e)
{
	if (journal_find(j, id) != NULL) {
		err_set(e, "journal %s: run %s is already recorded", j->path, id);
		return NULL;
	}
	size_t nargv = 0;
	while (cfg->command != NULL && cfg->command[nargv] != NULL)
		nargv++;
	char seed[24], timeout[24], argc[24];
	snprintf(seed, sizeof(seed), "%" PRIu64, cfg->seed);
	snprintf(timeout, sizeof(timeout), "%" PRIu64, cfg->timeout_ns);
	snprintf(argc, sizeof(argc), "%zu", nargv);
	const char **f = xcalloc(8 + nargv, sizeof(char *));
	const char *fixed[] = {id,      plan_path, plan_sha256 ? plan_sha256 : "", cfg->backend, cfg->topology, seed,
	                       timeout, argc};
	memcpy(f, fixed, sizeof(fixed));
	for (size_t i = 0; i < nargv; i++)
		f[8 + i] = cfg->command[i];
	int rc = journal_append(j, JR_RUN_START, f, 8 + nargv, true, e);
	free(f);
	testkill_at("run-start");
	return rc < 0 ? NULL : journal_find(j, id);
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
