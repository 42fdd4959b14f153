/*
 * cmd_help.c - `faultline help SUBCOMMAND`: the subcommand's own usage
 * (each one prints it for --help, so the two can never disagree), then
 * where the full manual is. `faultline help plan` points at the plan format.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/cmd.h"

struct topic {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *man; /* the manual page that documents it */
};

static const struct topic topics[] = {
    {"validate", cmd_validate, "faultline(1)"},
    {"run", cmd_run, "faultline(1)"},
    {"agent", cmd_agent, "faultline-agent(8)"},
    {"restore", cmd_restore, "faultline-agent(8)"},
    {"status", cmd_status, "faultline-agent(8)"},
    {"select", cmd_select, "faultline(1)"},
    {"inspect", cmd_inspect, "faultline(1)"},
    {"sim", cmd_sim, "faultline(1)"},
    {"calibrate", cmd_calibrate, "faultline(1)"},
    {"report", cmd_report, "faultline(1)"},
    {"compare", cmd_compare, "faultline(1)"},
    {"version", cmd_version, "faultline(1)"},
    {"pause", cmd_pause, "faultline-agent(8)"},
    {"resume", cmd_resume, "faultline-agent(8)"},
    {"abort", cmd_abort, "faultline-agent(8)"},
    {"sim-adapter", cmd_sim_adapter, "faultline(1)"},
    {"help", NULL, "faultline(1)"},
    {"plan", NULL, "faultline-plan(5)"},
};

int cmd_help(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: faultline help SUBCOMMAND | faultline help plan\n");
		return FL_EXIT_OK;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: faultline help SUBCOMMAND | faultline help plan\n");
		return FL_EXIT_INVALID;
	}
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		const struct topic *t = &topics[i];
		if (strcmp(argv[1], t->name) != 0)
			continue;
		if (t->fn != NULL) {
			char *args[] = {argv[1], "--help", NULL};
			fflush(stdout);
			t->fn(2, args);
			fflush(stdout);
		} else if (strcmp(t->name, "plan") == 0) {
			printf("A plan is a YAML file: cluster, selectors, probes, faults, SLOs, guards, restore.\n");
		} else {
			printf("usage: faultline help SUBCOMMAND | faultline help plan\n");
		}
		/* Before `make install` the pages are only in the source tree: say where. */
		int name = (int)strcspn(t->man, "("), sect = (int)strcspn(t->man + name + 1, ")");
		printf("\nThe full manual: man %.*s (%s); in a source tree: man ./man/%.*s.%.*s\n", name, t->man,
		       t->man, name, t->man, sect, t->man + name + 1);
		return FL_EXIT_OK;
	}
	fprintf(stderr, "faultline help: no subcommand or topic \"%s\" (see faultline --help)\n", argv[1]);
	return FL_EXIT_INVALID;
}
