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

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("run", "the run engine is being built; use `faultline validate` and `faultline sim`");
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

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("report", "reports come with `run`");
}

int cmd_select(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("select", "selection in progress");
}

int cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("inspect", "simulator in progress");
}

int cmd_sim(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pending("sim", "simulator in progress");
}
