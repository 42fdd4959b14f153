/*
 * select.h - resolve a selector against a cluster's resources.
 *
 * A selector's regex fields are ANDed (an absent field matches anything);
 * resources matching `exclude` or the plan's protect regex are removed;
 * then `pick` chooses all, a count, or a percentage, with a seeded
 * generator so the same seed always picks the same resources. Zero matches
 * is an error, never a silent pass.
 *
 * Details callers can rely on:
 * - Regexes search, unanchored (PCRE2's default): anchor with ^ and $.
 * - name_re, exclude_re and protect are matched against the resource name,
 *   type_re against its type, group_re its group, node_re its owner node. A
 *   missing value (e.g. no owner) never matches a present regex.
 * - PICK_COUNT larger than the matches picks all matches; a count of 0 is
 *   an error.
 * - PICK_PERCENT rounds up, and picks at least 1 when anything matched
 *   (30% of 10 is 3; 25% of 10 is 3; 0.1% of 10 is 1).
 * - Picks are a uniform sample (partial Fisher-Yates on
 *   rng_init(seed, rng_salt(sel->name))) returned in snapshot order.
 */
#ifndef FAULTLINE_SELECT_H
#define FAULTLINE_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/cluster.h"
#include "faultline/err.h"

struct fl_regex;

enum pick_mode { PICK_ALL, PICK_COUNT, PICK_PERCENT };

struct selector {
	char *name;               /* the selector's key in `select:` (owned) */
	struct fl_regex *name_re; /* each NULL when absent; owned */
	struct fl_regex *group_re;
	struct fl_regex *type_re;
	struct fl_regex *node_re;
	struct fl_regex *exclude_re;
	int state; /* enum res_state, or -2 for any */
	enum pick_mode pick;
	unsigned pick_count; /* PICK_COUNT */
	double pick_percent; /* PICK_PERCENT, (0, 100] */
	struct src_pos pos;  /* where the selector is defined */
};

void selector_fini(struct selector *s);

struct selection {
	const struct cluster_resource **items; /* borrowed from the snapshot, in snapshot order */
	size_t n;
	size_t matched;           /* survived every filter, exclude and protect: before pick */
	size_t protected_skipped; /* passed the filters and exclude, removed by protect */
};

/*
 * Resolve sel against snap. protect may be NULL. seed makes pick
 * deterministic; the selector name salts the stream, which keeps two
 * selectors with the same seed from picking in lockstep. On zero matches
 * returns -1 with a message naming the selector and what filtered
 * everything out, e.g.
 *   selector "sql": no resource matches (12 resources; 3 match name, 0 of them match state online)
 *   selector "sql": 2 matched but all are protected by guards.protect
 * A PCRE2 matching error (match limit, invalid UTF-8 name) is also -1.
 * out borrows pointers into snap: free out (selection_fini) before snap.
 * Allocates no memory per resource: one match scratch serves the call.
 */
int select_resolve(const struct selector *sel, const struct fl_regex *protect, const struct cluster_snapshot *snap,
                   uint64_t seed, struct selection *out, struct fl_err *e);
void selection_fini(struct selection *s);

/*
 * Resolve sel against node names (node faults): node_re must match the
 * name, exclude_re and protect must not; then pick as for resources, with
 * the same seeded sample. out (room for n) receives the indices of the
 * picked names in order, *nout how many. Zero matches is -1 with e naming
 * the selector, e.g. selector "a": no node matches (3 nodes; 0 match node).
 */
int select_resolve_nodes(const struct selector *sel, const struct fl_regex *protect, const char *const *names, size_t n,
                         uint64_t seed, size_t *out, size_t *nout, struct fl_err *e);

#endif
