/*
 * exec_sweep.c - kill what an exec probe's command left behind in other
 * sessions.
 *
 * The command runs in its own session and process group, and the group is
 * killed when the check ends; a descendant that called setsid() (a
 * daemonizing script) is in neither. Each command gets a token in its
 * environment, which its descendants inherit; at the end of the check every
 * process of ours whose environment holds that token is killed. Cheap
 * enough per check (one read of /proc/N/environ per process we may read)
 * and needs neither a subreaper (we would have to reap strangers) nor a
 * cgroup (not delegated to us on most hosts).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_int.h"

#define ENVIRON_MAX (256 * 1024) /* read no more of anyone's environment than this */

/* Does the NUL-separated environment in buf[n] hold the entry token? */
static bool holds(const char *buf, size_t n, const char *token, size_t tlen)
{
	for (size_t i = 0; i < n;) {
		size_t len = strnlen(buf + i, n - i);
		if (len == tlen && memcmp(buf + i, token, tlen) == 0)
			return true;
		i += len + 1;
	}
	return false;
}

static bool pid_holds(long pid, const char *token, char *buf)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* gone, or not ours to read: not ours to kill either */
	size_t n = 0;
	ssize_t r;
	while (n < ENVIRON_MAX && ((r = read(fd, buf + n, ENVIRON_MAX - n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	close(fd);
	return holds(buf, n, token, strlen(token));
}

unsigned exec_sweep(const char *token)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return 0;
	char *buf = malloc(ENVIRON_MAX);
	unsigned killed = 0;
	struct dirent *de;
	long self = (long)getpid();
	while (buf != NULL && (de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 1 || pid == self)
			continue;
		if (pid_holds(pid, token, buf) && kill((pid_t)pid, SIGKILL) == 0)
			killed++;
	}
	free(buf);
	closedir(d);
	return killed;
}

char **exec_sweep_env(const char *token)
{
	extern char **environ;
	size_t n = 0;
	while (environ[n] != NULL)
		n++;
	char **env = calloc(n + 2, sizeof(*env));
	if (env == NULL)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], EXEC_TOKEN_VAR "=", sizeof(EXEC_TOKEN_VAR)) != 0) /* not our own parent's */
			env[j++] = environ[i];
	env[j++] = (char *)token;
	env[j] = NULL;
	return env;
}
