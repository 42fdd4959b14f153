/*
 * probe_config.h - one probe as a plan configures it, and what the plan
 * language knows about a probe kind.
 *
 * Apart from plan.h so that the probes (probes/) need nothing of the plan
 * module: the plan loader uses the probe kinds' registry (probe.h), and a
 * probe reads only this struct. The dependency goes one way, plan → probes.
 */
#ifndef FAULTLINE_PROBE_CONFIG_H
#define FAULTLINE_PROBE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

struct fl_regex;
struct probe_ops;

/*
 * What the key naming a probe's kind holds (`tcp: host:port`): the plan
 * loader parses and checks it, so a new kind with one of these targets
 * brings no parser of its own.
 */
enum probe_target {
	PROBE_TARGET_SELECTOR, /* a selector's name: fills cluster, resolved into cluster_idx */
	PROBE_TARGET_HOSTPORT, /* "host:port": fills address, host, port */
	PROBE_TARGET_URL,      /* an http:// or https:// URL: fills url, host, port */
	PROBE_TARGET_ARGV,     /* a program and its arguments: fills argv, argc */
};

/* What a kind can do and needs (struct probe_ops.caps). */
#define PROBE_CAP_EXPECT    0x1u /* takes `expect: {status, body}` */
#define PROBE_CAP_CLUSTER   0x2u /* watches a selector's resources: its ctx is a struct cluster_probe_ctx */
#define PROBE_CAP_NETWORK   0x4u /* checks an endpoint: in virtual time the simulated network stands in */
#define PROBE_CAP_REAL_TIME 0x8u /* runs a real process: cannot run on a virtual clock */

struct plan_probe {
	char *name;
	const struct probe_ops *kind; /* from the registry (probe_kind()); never NULL in a loaded plan */
	char *cluster;                /* PROBE_TARGET_SELECTOR: selector name */
	size_t cluster_idx;           /* into plan.selectors, or PLAN_NONE */
	char *address;                /* PROBE_TARGET_HOSTPORT: "host:port" as written */
	char *host;                   /* hostport, url */
	unsigned port;                /* hostport, url (default 80/443) */
	char *url;                    /* PROBE_TARGET_URL */
	char **argv;                  /* PROBE_TARGET_ARGV: NULL-terminated, no shell */
	size_t argc;
	uint64_t interval_ns;         /* default 1s */
	uint64_t fast_interval_ns;    /* default 100ms, while down or a fault is active */
	uint64_t timeout_ns;          /* default 1s */
	unsigned failures;            /* consecutive failures to call it down, default 1 */
	unsigned successes;           /* consecutive successes to call it up, default 1 */
	unsigned expect_status;       /* PROBE_CAP_EXPECT: 0 = any 2xx */
	struct fl_regex *expect_body; /* PROBE_CAP_EXPECT, or NULL */
	struct src_pos pos;
};

/* What the probe checks, as one string: the selector, address, URL or program (borrowed; "" if unset). */
const char *probe_config_target(const struct plan_probe *pr);

#endif
