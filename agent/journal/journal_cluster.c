/*
 * journal_cluster.c - which cluster a journalled run acted on (its key, its
 * state directory, its backend configuration), and whether that cluster is
 * held for an operator. Used by the writer, the model and reconciliation
 * alike, so it is none of theirs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/util.h"
#include "journal_int.h"

char *journal_cluster_key(const struct cluster_config *cfg)
{
	char *k = xasprintf("%s:%s", cfg->backend ? cfg->backend : "", cfg->topology ? cfg->topology : "");
	for (size_t i = 0; cfg->command != NULL && cfg->command[i] != NULL; i++) {
		char *n = xasprintf("%s%s%s", k, i ? " " : "", cfg->command[i]);
		free(k);
		k = n;
	}
	return k;
}

char *journal_cluster_dir(const char *state, const struct cluster_config *cfg)
{
	char *key = journal_cluster_key(cfg);
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a: a stable name, not a security boundary */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	free(key);
	return xasprintf("%s/clusters/%016" PRIx64, state, h);
}

void journal_run_config(const struct journal_run *r, struct cluster_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->backend = r->backend;
	cfg->topology = r->topology[0] ? r->topology : NULL;
	cfg->command = r->ncommand ? r->command : NULL;
	cfg->seed = r->seed;
	cfg->timeout_ns = r->timeout_ns;
}

const struct journal_run *journal_held(const struct journal *j, const char *key)
{
	for (const struct journal_run *r = j->runs; r != NULL; r = r->next)
		if ((r->orphan || r->ended) && strcmp(r->key, key) == 0)
			return r;
	return NULL;
}
