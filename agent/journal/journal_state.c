/*
 * journal_state.c - every journal under a state directory: STATE/journal
 * (a `run --state STATE`) and STATE/clusters/<id>/journal (the agent keeps
 * one per cluster). `faultline restore` and the agent's start-up both walk
 * them with these.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "faultline/journal.h"
#include "faultline/util.h"

int journal_state_each(const char *state, int (*fn)(const char *dir, void *arg), void *arg)
{
	char *cdir = xasprintf("%s/clusters", state), *top = xasprintf("%s/journal", state);
	int worst = 0, c;
	DIR *d = opendir(cdir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", cdir, de->d_name);
		if ((c = fn(sub, arg)) != 0)
			worst = c;
		free(sub);
	}
	if ((d == NULL || access(top, F_OK) == 0) && (c = fn(state, arg)) != 0)
		worst = c;
	if (d != NULL)
		closedir(d);
	free(cdir);
	free(top);
	return worst;
}

static int count_one(const char *dir, void *arg)
{
	size_t *n = arg;
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	if (j == NULL) /* held by a running process, or damaged: that one is not pending here */
		return 0;
	for (const struct journal_run *r = journal_runs(j); r != NULL; r = r->next)
		if (r->ntouched > 0)
			(*n)++;
	journal_close(j);
	return 0;
}

size_t journal_state_pending(const char *state)
{
	size_t n = 0;
	journal_state_each(state, count_one, &n);
	return n;
}
