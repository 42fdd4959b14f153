/*
 * agent_state.c - the last fire time of each plan, kept in STATE/last-run
 * so the missed-run policy knows, after downtime, what was missed.
 *
 * One "unix-seconds plan-name" line per plan, written whole to a temporary
 * file, fsync'd, then renamed over the old one: a crash leaves either the
 * old or the new file, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_int.h"
#include "faultline/file.h"
#include "faultline/log.h"
#include "faultline/util.h"

void agent_state_load(const char *dir, struct agent_planset *s)
{
	char *path = xasprintf("%s/last-run", dir);
	struct fl_err e;
	int fd = file_open(path, O_RDONLY, FILE_NOFOLLOW, 1 << 20, &e);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[1024];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *name = NULL;
		long long t = strtoll(line, &name, 10);
		if (name == NULL || *name != ' ')
			continue;
		name[strcspn(name, "\n")] = '\0';
		struct agent_plan *ap = agent_planset_find(s, name + 1);
		if (ap != NULL && t > 0)
			ap->last_run = t;
	}
	if (f != NULL)
		fclose(f);
	else if (fd < 0 && e.sys != ENOENT)
		log_warnx("agent: ignoring the last-run times: %s", e.msg);
	free(path);
}

int agent_state_save(const char *dir, const struct agent_planset *s)
{
	char *path = xasprintf("%s/last-run", dir), *tmp = xasprintf("%s/last-run.tmp", dir);
	int rc = -1;
	FILE *f = fopen(tmp, "w");
	if (f != NULL) {
		for (size_t i = 0; i < s->n; i++)
			if (s->items[i].last_run > 0)
				fprintf(f, "%lld %s\n", (long long)s->items[i].last_run, s->items[i].plan->name);
		bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
		ok = fclose(f) == 0 && ok;
		rc = ok && rename(tmp, path) == 0 ? 0 : -1;
	}
	if (rc < 0)
		log_warn("saving %s", path);
	free(path);
	free(tmp);
	return rc;
}
