/*
 * scratch_dir.h - a fresh directory under /tmp for one test process,
 * removed with everything in it when that process exits (Criterion runs
 * each test in a worker of its own), so a suite leaves no trace behind.
 */
#ifndef FAULTLINE_TEST_SCRATCH_DIR_H
#define FAULTLINE_TEST_SCRATCH_DIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/util.h"

static inline int scratch_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	chmod(path, 0700); /* a test may have made it read-only */
	remove(path);
	return 0;
}

/* dir != NULL: remember it; NULL: remove every remembered one (at exit). */
static inline void scratch_track(const char *dir)
{
	static char *dirs[256];
	static size_t n;
	if (dir != NULL) {
		if (n < sizeof(dirs) / sizeof(dirs[0]))
			dirs[n++] = xstrdup(dir);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		nftw(dirs[i], scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		free(dirs[i]);
	}
	n = 0;
}

static inline void scratch_at_exit(void)
{
	scratch_track(NULL);
}

/* mkdtemp of /tmp/PREFIX-XXXXXX, removed at exit; caller frees the name. */
static inline char *scratch_dir(const char *prefix)
{
	static int registered;
	char *d = xasprintf("/tmp/%s-XXXXXX", prefix);
	if (mkdtemp(d) == NULL)
		abort();
	if (!registered && atexit(scratch_at_exit) == 0)
		registered = 1;
	scratch_track(d);
	return d;
}

#endif
