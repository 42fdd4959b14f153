/*
 * sim_endpoint.h - loopback TCP endpoints for simulated resources.
 *
 * While a simulated resource is online its endpoint is a real listener on a
 * loopback address, so probes (tcp, http) measure something real. ONE
 * background thread with its own epoll set services every listener: it
 * accepts, reads the request under a deadline, answers `GET /health` with
 * 200 and {"status":"ok","resource":"<name>"} (anything else 404) and closes.
 * Open and close are called from the owner's thread and are synchronous:
 * when sim_endpoint_close returns the port refuses connections and any
 * accepted but unanswered connection has been reset.
 */
#ifndef FAULTLINE_SIM_ENDPOINT_H
#define FAULTLINE_SIM_ENDPOINT_H

#include <stdint.h>

#include "faultline/err.h"

struct sim_endpoints;

/* Start the service thread. NULL with e set if the thread or epoll fail. */
struct sim_endpoints *sim_endpoints_new(struct fl_err *e);
/* Close every endpoint, stop and join the thread. NULL is a no-op. */
void sim_endpoints_free(struct sim_endpoints *eps);

/*
 * Listen on addr ("127.x.y.z:PORT"; PORT 0 picks a free port) for the
 * resource (name copied). Refuses non-loopback addresses, a resource that
 * already has an open endpoint, and bind/listen failures (e->sys = errno).
 */
int sim_endpoint_open(struct sim_endpoints *eps, const char *resource, const char *addr, struct fl_err *e);
/* Stop listening and reset pending connections. Unknown resource: no-op. */
void sim_endpoint_close(struct sim_endpoints *eps, const char *resource);
/* The bound port of the resource's open endpoint, or -1 if none. */
int sim_endpoint_port(struct sim_endpoints *eps, const char *resource);

/*
 * Parse and check "A.B.C.D:PORT": numeric IPv4 in 127.0.0.0/8, port
 * 0..65535. ip and port come out in host byte order. The message reads
 * "\"<addr>\": <why>" so callers can prefix their own context.
 */
int sim_endpoint_parse(const char *addr, uint32_t *ip, uint16_t *port, struct fl_err *e);

#endif
