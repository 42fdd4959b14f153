/*
 * select.h - resolve a selector against a cluster's resources.
 *
 * A selector's regex fields are ANDed (an absent field matches anything);
 * resources matching `exclude` or the plan's protect regex are removed;
 * then `pick` chooses all, a count, or a percentage, with a seeded
 * generator so the same seed always picks the same resources. Zero matches
 * is an error, never a silent pass.
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
	size_t matched;           /* how many matched before pick */
	size_t protected_skipped; /* matched but protected */
};

/*
 * Resolve sel against snap. protect may be NULL. seed makes pick
 * deterministic; salt (e.g. a hash of the selector name) keeps two
 * selectors with the same seed from picking in lockstep. On zero matches
 * returns -1 with a message naming the selector and what filtered
 * everything out.
 */
int select_resolve(const struct selector *sel, const struct fl_regex *protect, const struct cluster_snapshot *snap,
                   uint64_t seed, struct selection *out, struct fl_err *e);
void selection_fini(struct selection *s);

#endif
