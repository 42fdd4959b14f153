/*
 * port_fixture.h - loopback ports for tests that listen: a port nothing
 * holds right now, and a test plan copied with its placeholder port
 * replaced, so concurrent suites (two worktrees, CI beside a developer)
 * never fight over a fixed number.
 */
#ifndef FAULTLINE_TEST_PORT_FIXTURE_H
#define FAULTLINE_TEST_PORT_FIXTURE_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultline/util.h"

/* A loopback port nothing listens on right now (the kernel's pick). */
static inline unsigned free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Copy src to dir/name with every occurrence of the placeholder port `from` replaced by port. */
static inline void copy_with_port(const char *src, const char *dir, const char *name, unsigned from, unsigned port)
{
	FILE *in = fopen(src, "r");
	cr_assert_not_null(in, "%s", src);
	char *path = xasprintf("%s/%s", dir, name);
	FILE *out = fopen(path, "w");
	cr_assert_not_null(out, "%s", path);
	char line[1024], pat[16];
	snprintf(pat, sizeof(pat), "%u", from);
	while (fgets(line, sizeof(line), in) != NULL) {
		char *p = line, *hit;
		while ((hit = strstr(p, pat)) != NULL) {
			fprintf(out, "%.*s%u", (int)(hit - p), p, port);
			p = hit + strlen(pat);
		}
		fputs(p, out);
	}
	fclose(in);
	fclose(out);
	free(path);
}

#endif
