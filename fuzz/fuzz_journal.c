/*
 * fuzz_journal.c - libFuzzer harness for the journal reader: any file as
 * STATE/journal must be read (locked open, lock-free peek, dump) or refused
 * with a message naming the damage, never a crash, leak or UB.
 */
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/err.h"
#include "faultline/journal.h"
#include "faultline/log.h"
#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_LVL_ERROR, 0); /* "ignored a torn last record" on every other input */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_setup("journal");
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	fuzz_file_write(path, data, size);
	struct fl_err e;
	struct journal_peek pk;
	journal_peek(dir, &pk, &e);
	FILE *null = fopen("/dev/null", "w");
	if (null != NULL) {
		journal_dump(path, null, &e);
		fclose(null);
	}
	struct journal *j = journal_open(dir, &e);
	for (const struct journal_run *r = j ? journal_runs(j) : NULL; r != NULL; r = r->next) {
		struct cluster_config cfg;
		journal_run_config(r, &cfg);
		free(journal_cluster_key(&cfg));
	}
	journal_close(j);
	return 0;
}
