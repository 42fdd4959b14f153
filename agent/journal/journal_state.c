/*
 * journal_state.c - every journal under a state directory: STATE/journal
 * (a `run --state STATE`) and STATE/clusters/<id>/journal (the agent keeps
 * one per cluster). `faultline restore` and the agent's start-up both walk
 * them with these.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/file.h"
#include "faultline/journal.h"
#include "faultline/util.h"
#include "journal_int.h"

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
		if (journal_run_items(r) > 0)
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

static int peek_cb(unsigned type, char **f, size_t n, const unsigned char *frame, size_t len, void *arg,
                   struct fl_err *e)
{
	return journal_apply(arg, type, f, n, frame, len, e);
}

int journal_peek(const char *dir, struct journal_peek *out, struct fl_err *e)
{
	memset(out, 0, sizeof(*out));
	struct journal j = {.fd = -1, .lockfd = -1};
	j.path = xasprintf("%s/journal", dir);
	int fd = file_open(j.path, O_RDONLY, FILE_NOFOLLOW, JOURNAL_MAX_BYTES, e), rc = -1;
	if (fd < 0 && e->sys == ENOENT) {
		free(j.path);
		return 0;
	}
	unsigned char *buf = NULL;
	size_t size = 0, cap = 0, end;
	ssize_t got = 0;
	while (fd >= 0) {
		XGROW(buf, cap, size + 65536);
		got = read(fd, buf + size, cap - size);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		size += (size_t)got;
	}
	if (fd >= 0 && got < 0)
		err_setsys(e, "%s: read", j.path);
	else if (fd >= 0 && journal_scan(buf, size, peek_cb, &j, &end, e) == 0)
		rc = 0;
	for (const struct journal_run *r = j.runs; rc == 0 && r != NULL; r = r->next) {
		out->runs += journal_run_items(r) > 0;
		out->faults += (unsigned)journal_run_unverified(r);
	}
	journal_runs_free(&j);
	free(buf);
	if (fd >= 0)
		close(fd);
	free(j.path);
	return rc;
}
