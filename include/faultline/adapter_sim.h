/*
 * adapter_sim.h - the simulator as an exec adapter (`faultline
 * sim-adapter`), and the stdio<->socket bridge that lets an exec backend
 * reach a long-lived one.
 */
#ifndef FAULTLINE_ADAPTER_SIM_H
#define FAULTLINE_ADAPTER_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/err.h"

/*
 * Serve the topology's simulated cluster (real clock, loopback endpoints
 * open) over the exec protocol: on stdin/stdout until stdin ends, or, with
 * listen_path, to every client of that Unix socket until SIGTERM/SIGINT.
 * The hello's cluster name is the topology file's name without ".yaml".
 * -1 with e set if it cannot start.
 */
struct adapter_sim_opts {
	const char *topology;    /* path */
	uint64_t seed;           /* random durations */
	const char *listen_path; /* NULL: stdin/stdout */
	bool endpoints;          /* open the topology's loopback endpoints */
};

int adapter_sim_serve(const struct adapter_sim_opts *o, struct fl_err *e);

/*
 * Copy stdin to the Unix socket and the socket to stdout until the socket
 * closes (stdin's EOF is passed on as a half-close). -1 with e set if the
 * socket cannot be reached.
 */
int adapter_bridge(const char *socket_path, struct fl_err *e);

#endif
