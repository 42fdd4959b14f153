/*
 * cmd_pending.c - subcommands whose issue has not landed yet. Each says so
 * plainly and exits 2; none pretends to work.
 */
#include <stdio.h>

#include "faultline/cmd.h"

static int pending(const char *name, const char *what)
{
	fprintf(stderr, "faultline %s: not available in this build yet (%s)\n", name, what);
	return FL_EXIT_INVALID;
}

int cmd_agent(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("agent", "the daemon builds on `run`");
}

int cmd_restore(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("restore", "the journal comes with the agent");
}

int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("status", "the control socket comes with the agent");
}
