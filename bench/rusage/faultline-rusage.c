/*
 * faultline-rusage.c - `faultline-rusage FD PROG ARGS...`: run PROG, wait,
 * write "status wall_ns user_us sys_us maxrss_kib\n" to descriptor FD.
 *
 * Why the bench needs it: a child's ru_maxrss counts the memory of the
 * process it was exec'd from (exec records the old address space's peak),
 * and a posix_spawn or fork from the bench starts from the bench's own
 * address space - 190 MiB after the 100,000-resource section. This small
 * program, linked with libc alone, is that parent instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: faultline-rusage FD PROG [ARGS...]\n");
		return 2;
	}
	int fd = atoi(argv[1]);
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(fd);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	int st = 0;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0)
		return 1;
	long long wall = now_ns() - t0;
	dprintf(fd, "%d %lld %lld %lld %ld\n", st, wall,
	        (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
	        (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec, ru.ru_maxrss);
	return 0;
}
