/*
 * cmd_sim_adapter.c - `faultline sim-adapter`: the simulator as an exec
 * adapter (docs/exec-protocol.md).
 *
 *   faultline sim-adapter TOPOLOGY [--seed N] [--no-endpoints]  serve on stdin/stdout
 *   faultline sim-adapter TOPOLOGY [--seed N] --listen S  serve on Unix socket S until SIGTERM
 *   faultline sim-adapter --connect S                     bridge stdin/stdout to S
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultline/adapter_sim.h"
#include "faultline/cmd.h"
#include "faultline/log.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline sim-adapter TOPOLOGY [--seed N] [--listen SOCKET] [--no-endpoints]\n"
	           "       faultline sim-adapter --connect SOCKET\n"
	           "  serve a simulated cluster (real time, loopback endpoints) over the exec protocol:\n"
	           "  on stdin/stdout, or to every client of a Unix socket until SIGTERM;\n"
	           "  --connect bridges stdin/stdout to such a socket (use it as an exec backend command)\n"
	           "plan: cluster: { backend: exec, command: [faultline, sim-adapter, clusters/sql-3node.yaml] }\n");
}

int cmd_sim_adapter(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"seed", required_argument, NULL, 's'},    {"listen", required_argument, NULL, 'l'},
	    {"connect", required_argument, NULL, 'c'}, {"no-endpoints", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *connect_path = NULL;
	struct adapter_sim_opts o = {.seed = 1, .endpoints = true};
	char *end;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:l:c:nh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.seed = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0') {
				fprintf(stderr, "faultline sim-adapter: --seed \"%s\": not a number\n", optarg);
				return FL_EXIT_INVALID;
			}
			break;
		case 'l':
			o.listen_path = optarg;
			break;
		case 'c':
			connect_path = optarg;
			break;
		case 'n':
			o.endpoints = false;
			break;
		case 'h':
			usage(stdout);
			return FL_EXIT_OK;
		default:
			usage(stderr);
			return FL_EXIT_INVALID;
		}
	}
	struct fl_err e;
	log_init(LOG_LVL_WARN, 0);
	if (connect_path != NULL && optind == argc && o.listen_path == NULL) {
		if (adapter_bridge(connect_path, &e) == 0)
			return FL_EXIT_OK;
	} else if (connect_path == NULL && optind == argc - 1) {
		o.topology = argv[optind];
		if (adapter_sim_serve(&o, &e) == 0)
			return FL_EXIT_OK;
	} else {
		usage(stderr);
		return FL_EXIT_INVALID;
	}
	fprintf(stderr, "faultline sim-adapter: %s\n", e.msg);
	return FL_EXIT_BACKEND;
}
