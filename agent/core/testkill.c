/* testkill.c - FAULTLINE_TEST_KILL_AT: SIGKILL ourselves at a named point (crash test only). */
#include "faultline/testkill.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool loaded;
static char point[64];
static unsigned target, seen;

static void load(void)
{
	loaded = true;
	const char *v = getenv("FAULTLINE_TEST_KILL_AT");
	if (v == NULL || v[0] == '\0')
		return;
	const char *colon = strchr(v, ':');
	size_t len = colon ? (size_t)(colon - v) : strlen(v);
	if (len >= sizeof(point))
		return;
	memcpy(point, v, len);
	point[len] = '\0';
	target = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 1;
}

void testkill_at(const char *where)
{
	if (!loaded)
		load();
	if (point[0] == '\0' || strcmp(point, where) != 0)
		return;
	if (++seen == target)
		kill(getpid(), SIGKILL); /* no cleanup, no atexit: exactly a crash */
}
