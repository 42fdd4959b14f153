/*
 * agent_results.c - keep the results directory within its limits: at most
 * keep_runs runs and none older than keep_days. A run is the set of files
 * sharing a stem (<id>.json, <id>.xml, later <id>.html); its age is its
 * JSON file's modification time.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_int.h"
#include "faultline/log.h"
#include "faultline/util.h"

struct result {
	char *stem;
	int64_t mtime;
};

static int newest_first(const void *x, const void *y)
{
	const struct result *a = x, *b = y;
	if (a->mtime != b->mtime)
		return a->mtime > b->mtime ? -1 : 1;
	return -strcmp(a->stem, b->stem);
}

static size_t list_results(const char *dir, struct result **out)
{
	DIR *d = opendir(dir);
	size_t n = 0, cap = 0;
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 && stat(path, &st) == 0) {
			XGROW(*out, cap, n + 1);
			(*out)[n].stem = xstrndup(de->d_name, len - 5);
			(*out)[n++].mtime = st.st_mtim.tv_sec;
		}
		free(path);
	}
	if (d != NULL)
		closedir(d);
	return n;
}

static void remove_run(const char *dir, const char *stem)
{
	static const char *const exts[] = {".json", ".xml", ".html"};
	for (size_t i = 0; i < ARRAY_LEN(exts); i++) {
		char *path = xasprintf("%s/%s%s", dir, stem, exts[i]);
		unlink(path);
		free(path);
	}
	log_info("results: removed %s (retention)", stem);
}

void agent_results_prune(const char *dir, unsigned keep_runs, unsigned keep_days, int64_t now)
{
	struct result *r = NULL;
	size_t n = list_results(dir, &r);
	if (n > 1)
		qsort(r, n, sizeof(*r), newest_first);
	for (size_t i = 0; i < n; i++) {
		bool too_many = keep_runs > 0 && i >= keep_runs;
		bool too_old = keep_days > 0 && now - r[i].mtime > (int64_t)keep_days * 86400;
		if (too_many || too_old)
			remove_run(dir, r[i].stem);
		free(r[i].stem);
	}
	free(r);
}
