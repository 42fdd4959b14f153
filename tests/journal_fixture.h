/*
 * journal_fixture.h - a scratch state directory and a sample journal for
 * the journal tests.
 */
#ifndef FAULTLINE_TEST_JOURNAL_FIXTURE_H
#define FAULTLINE_TEST_JOURNAL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/cluster.h"
#include "faultline/journal.h"
#include "faultline/util.h"
#include "scratch_dir.h"

/* A fresh directory, removed when the test's process exits; caller frees the name. */
static inline char *jfx_dir(void)
{
	return scratch_dir("fl-journal");
}

/* The journal's WORKDIR line a run started by this test writes (the test's directory). */
static inline char *jfx_workdir_line(const char *id)
{
	char *cwd = getcwd(NULL, 0), *line = xasprintf("WORKDIR %s %s\n", id, cwd ? cwd : "?");
	free(cwd);
	return line;
}

static inline struct cluster_config jfx_cfg(void)
{
	struct cluster_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.backend = "sim";
	cfg.topology = "plans/clusters/sql-3node.yaml";
	cfg.seed = 7;
	return cfg;
}

/* The SQL group as it was before the run: everything online on node-a. */
static inline struct touched jfx_item(const char *resource)
{
	struct touched t = {(char *)resource, (char *)"SQL Server (MSSQLSERVER)", (char *)"node-a", RES_ONLINE};
	return t;
}

/* Dump the journal in dir as text; caller frees. */
static inline char *jfx_dump(const char *dir)
{
	char *path = xasprintf("%s/journal", dir), *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct fl_err e;
	if (journal_dump(path, m, &e) < 0)
		fprintf(m, "error: %s\n", e.msg);
	fclose(m);
	free(path);
	return buf;
}

static inline long jfx_file_size(const char *dir)
{
	char *path = xasprintf("%s/journal", dir);
	FILE *f = fopen(path, "rb");
	free(path);
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

#endif
