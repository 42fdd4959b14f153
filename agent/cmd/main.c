/* main.c - the faultline command: dispatch to a subcommand. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "faultline/cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"validate", cmd_validate, "check plans; every error with file:line:column"},
    {"run", cmd_run, "run one chaos plan: inject, probe, measure, judge, restore"},
    {"agent", cmd_agent, "the long-running daemon: scheduled plans, journal, control"},
    {"restore", cmd_restore, "restore every fault the journal says is still injected"},
    {"status", cmd_status, "ask a running agent what it is doing"},
    {"pause", cmd_pause, "tell the agent to start no new runs (kill switch)"},
    {"resume", cmd_resume, "let the agent start runs on schedule again"},
    {"abort", cmd_abort, "stop one of the agent's runs (it restores and reports)"},
    {"select", cmd_select, "show what each selector of a plan resolves to"},
    {"inspect", cmd_inspect, "list a cluster's nodes, groups and resources"},
    {"sim", cmd_sim, "replay operations against a simulated topology, print the trace"},
    {"calibrate", cmd_calibrate, "fit a simulator topology's times to real runs' JSON records"},
    {"sim-adapter", cmd_sim_adapter, "serve a simulated cluster over the exec adapter protocol"},
    {"report", cmd_report, "re-render a run's JSON record as text, JUnit or HTML"},
    {"compare", cmd_compare, "is a new run's recovery significantly slower than an old one's?"},
    {"help", cmd_help, "show the manual page of a subcommand: faultline help run"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	        "\nexit codes: 0 pass, 1 fail (an SLO failed or was inconclusive, a trial did not recover), 2 invalid "
	        "plan or usage,\n  3 aborted (guard, deadline, signal, not steady), 4 backend or environment error\n");
}

int main(int argc, char **argv)
{
	/*
	 * A reader that went away (the agent that started this run was killed,
	 * `| head`) must not kill us mid-run with faults injected: writes fail
	 * with EPIPE instead, and each writer decides what that means.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return FL_EXIT_INVALID;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "faultline: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return FL_EXIT_INVALID;
}
