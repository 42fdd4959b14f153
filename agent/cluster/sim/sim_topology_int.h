/*
 * sim_topology_int.h - shared between the topology loader's files: the
 * load context, scalar readers and the cross-reference checks.
 */
#ifndef FAULTLINE_SIM_TOPOLOGY_INT_H
#define FAULTLINE_SIM_TOPOLOGY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/err.h"
#include "faultline/sim.h"
#include "faultline/yamldoc.h"

#define TOPO_MAX_DEPTH 100

struct topo_ctx {
	struct fl_diag *d;
	struct sim_topology *t;
	/* The YAML node each def came from, kept for positioning later checks. */
	const struct ydoc_node **nnode, **gnode, **rnode;
	size_t ncap, nncap, gcap, gncap, rcap, rncap, rgcap;
	size_t *rgroup; /* group index of each resource */
};

/* Report keys of map not in the NULL-terminated list, with a suggestion. */
void topo_check_keys(struct topo_ctx *c, const struct ydoc_node *map, const char *const *keys);
/* Report a missing key; returns -1. */
int topo_missing(struct topo_ctx *c, const struct ydoc_node *map, const char *what, const char *key);
/* Check n's kind; reports "key: expected a X, got a Y" and returns -1. */
int topo_want(struct topo_ctx *c, const struct ydoc_node *n, const char *key, enum ydoc_kind kind);

int topo_str(struct topo_ctx *c, const struct ydoc_node *n, const char *key, char **out);
int topo_uint(struct topo_ctx *c, const struct ydoc_node *n, const char *key, uint64_t lo, uint64_t hi, uint64_t *out);
int topo_bool(struct topo_ctx *c, const struct ydoc_node *n, const char *key, bool *out);
int topo_dur(struct topo_ctx *c, const struct ydoc_node *n, const char *key, uint64_t *out);
/* A word from names[] (NULL-terminated) or its index as a number. */
int topo_enum(struct topo_ctx *c, const struct ydoc_node *n, const char *key, const char *const *names, int *out);
/* A sequence of non-empty strings (a single string is a one-item list). */
int topo_names(struct topo_ctx *c, const struct ydoc_node *n, const char *key, char ***out, size_t *nout);
/* "+HH:MM" / "-HH:MM" to minutes. */
int topo_utc_offset(struct topo_ctx *c, const struct ydoc_node *n, const char *key, int *out);

/* Names, references, dependency graph: everything that needs the whole file. */
void topo_check_refs(struct topo_ctx *c);
/* No cycles, depth <= TOPO_MAX_DEPTH; adj[i] lists the providers of resource i. */
void topo_check_graph(struct topo_ctx *c, size_t *const *adj, const size_t *nadj);

#endif
