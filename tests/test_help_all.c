/*
 * test_help_all.c - every subcommand that `faultline --help` lists answers
 * `--help` with its usage on stdout and exit 0, and `faultline help NAME`
 * shows the same usage and names its manual page.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faultline/util.h"

/* stdout only; stderr must stay empty. */
static int faultline(const char *args, char **out, char **err)
{
	char *errpath = xstrdup("/tmp/faultline-help-XXXXXX");
	int fd = mkstemp(errpath);
	cr_assert_geq(fd, 0);
	close(fd);
	char *cmd = xasprintf("./faultline %s 2>%s", args, errpath);
	FILE *p = popen(cmd, "r");
	free(cmd);
	char *buf = xcalloc(1, 16384);
	size_t n = fread(buf, 1, 16383, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	FILE *f = fopen(errpath, "r");
	*err = xcalloc(1, 4096);
	n = fread(*err, 1, 4095, f);
	fclose(f);
	unlink(errpath);
	free(errpath);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(help_all, every_command_answers_help_with_exit_0)
{
	char *list, *err;
	cr_assert_eq(faultline("--help", &list, &err), 0);
	const char *p = strstr(list, "commands:\n");
	cr_assert_not_null(p);
	size_t seen = 0;
	for (p += strlen("commands:\n"); strncmp(p, "  ", 2) == 0; p = strchr(p, '\n') + 1) {
		char name[32];
		cr_assert_eq(sscanf(p, " %31s", name), 1);
		char *out, *e2, *args = xasprintf("%s --help", name), *want = xasprintf("usage: faultline %s", name);
		cr_assert_eq(faultline(args, &out, &e2), 0, "faultline %s: %s%s", args, out, e2);
		cr_assert_not_null(strstr(out, want), "faultline %s on stdout: %s", args, out);
		cr_assert_str_empty(e2, "faultline %s wrote to stderr: %s", args, e2);
		free(args), free(out), free(e2);
		args = xasprintf("help %s", name);
		cr_assert_eq(faultline(args, &out, &e2), 0, "faultline %s: %s%s", args, out, e2);
		cr_assert_not_null(strstr(out, want), "faultline %s: %s", args, out);
		cr_assert_not_null(strstr(out, "\nThe full manual: man faultline"), "faultline %s: %s", args, out);
		cr_assert_str_empty(e2, "faultline %s wrote to stderr: %s", args, e2);
		free(args), free(out), free(e2), free(want);
		seen++;
	}
	cr_assert_eq(seen, 17, "commands listed: %zu\n%s", seen, list);
	free(list), free(err);
}
