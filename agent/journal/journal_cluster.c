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
	cfg->node_down_command = r->node_down;
	cfg->node_up_command = r->node_up;
	cfg->node_command_timeout_ns = r->node_timeout_ns;
}

/* One counted argv of the tail at f[*k]; NULL when it does not fit. */
static char **counted_argv(char **f, size_t n, size_t *k)
{
	if (*k >= n)
		return NULL;
	size_t c = (size_t)strtoul(f[*k], NULL, 10);
	if (c == 0 || c > n - *k - 1)
		return NULL;
	char **v = xcalloc(c + 1, sizeof(char *));
	for (size_t i = 0; i < c; i++)
		v[i] = xstrdup(f[*k + 1 + i]);
	*k += 1 + c;
	return v;
}

int journal_node_cmds_parse(struct journal_run *r, char **f, size_t n, struct fl_err *e)
{
	if (n == 0)
		return 0;
	size_t k = 1;
	r->node_timeout_ns = strtoull(f[0], NULL, 10);
	r->node_down = counted_argv(f, n, &k);
	r->node_up = counted_argv(f, n, &k);
	if (r->node_down == NULL || r->node_up == NULL || k != n)
		return err_set(e, "RUN_START: node commands: %zu field(s)", n);
	return 0;
}

const struct journal_run *journal_held(const struct journal *j, const char *key)
{
	for (const struct journal_run *r = j->runs; r != NULL; r = r->next)
		if ((r->orphan || r->ended) && strcmp(r->key, key) == 0)
			return r;
	return NULL;
}
