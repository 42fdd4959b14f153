/*
 * plan_int.h - shared by the plan loader's files (plan*.c), not exported.
 *
 * The loader walks the yamldoc tree section by section; each helper checks
 * one node, adds a positioned diagnostic when it is wrong, and returns
 * false so the caller moves on. Nothing stops at the first error.
 */
#ifndef FAULTLINE_PLAN_INT_H
#define FAULTLINE_PLAN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/plan.h"
#include "faultline/yamldoc.h"

struct pctx {
	const struct ydoc *doc;
	struct fl_diag *d;
	struct plan *p;
	const char *dir;           /* the plan file's directory, for relative paths */
	struct sim_topology *topo; /* backend sim: the loaded topology, for cross-checks */
	struct plan_refs *refs;    /* plan_check.c: name indexes while references are resolved */
};

/* Report every key of map not in `allowed` (NULL-terminated), with a suggestion. */
void plan_keys(struct pctx *c, const struct ydoc_node *map, const char *const *allowed, const char *where);
/* "did you mean" helper: the closest of names (NULL-terminated) within 2 edits, or NULL. */
const char *plan_suggest(const char *word, const char *const *names);
/* Add "missing required key" at map's position when key is absent; returns the value or NULL. */
const struct ydoc_node *plan_need(struct pctx *c, const struct ydoc_node *map, const char *key, const char *where);

bool plan_is_map(struct pctx *c, const struct ydoc_node *n);
bool plan_is_seq(struct pctx *c, const struct ydoc_node *n);
bool plan_get_str(struct pctx *c, const struct ydoc_node *n, char **out);
bool plan_get_duration(struct pctx *c, const struct ydoc_node *n, uint64_t *out);
bool plan_get_uint(struct pctx *c, const struct ydoc_node *n, uint64_t min, uint64_t max, uint64_t *out);
bool plan_get_percent(struct pctx *c, const struct ydoc_node *n, double *out);
bool plan_get_fraction(struct pctx *c, const struct ydoc_node *n, double *out);
/* Compile a regex; on error, point at the offending character. */
bool plan_get_regex(struct pctx *c, const struct ydoc_node *n, const char *who, const char *field,
                    struct fl_regex **out);
/* One of words (NULL-terminated); returns the index or -1 after reporting. */
int plan_get_enum(struct pctx *c, const struct ydoc_node *n, const char *what, const char *const *words);
/* A list of strings (argv); NULL-terminated copy. */
bool plan_get_argv(struct pctx *c, const struct ydoc_node *n, char ***out, size_t *count);

/*
 * Exactly one of keys (NULL-terminated) must be present in map n: returns
 * its value and sets *index, or reports "both X and Y; why_one" / "needs one
 * of ..." and returns NULL (or the first one found).
 */
const struct ydoc_node *plan_one_of(struct pctx *c, const struct ydoc_node *n, const char *const *keys, const char *who,
                                    const char *why_one, size_t *index);

void plan_load_selectors(struct pctx *c, const struct ydoc_node *n);
void plan_load_faults(struct pctx *c, const struct ydoc_node *n);
void plan_load_probes(struct pctx *c, const struct ydoc_node *n);
void plan_load_slos(struct pctx *c, const struct ydoc_node *n);
void plan_load_guards(struct pctx *c, const struct ydoc_node *n);
void plan_load_schedule(struct pctx *c, const struct ydoc_node *n);
void plan_load_hooks(struct pctx *c, const struct ydoc_node *n);
/* plan_node.c: node faults pick nodes; the quorum guard against the sim topology. */
void plan_check_nodes(struct pctx *c);
/* Resolve names between sections; runs after every section is loaded. */
void plan_check_refs(struct pctx *c);
/*
 * Report every entry of list whose `name` repeats an earlier entry's, as
 * "duplicate KIND name "x" (first defined at L:C)" at the repeat, when
 * loaded(i, arg) says entry i's name was loaded. O(n log n).
 */
void plan_check_dup_names(struct pctx *c, const struct ydoc_node *list, const char *kind,
                          bool (*loaded)(size_t i, void *arg), void *arg);

/* Memory the overrides added to a ydoc (whose own nodes live in its arena). */
struct plan_set_mem {
	void **ptrs;
	size_t n;
};
/* Apply `--set PATH=VALUE` overrides to doc (plan_set.c); -1 after reporting in d. */
int plan_apply_sets(struct ydoc *doc, const char *const *sets, size_t n, struct plan_set_mem *m, struct fl_diag *d);
void plan_set_mem_fini(struct plan_set_mem *m);

/* Index of the selector/probe/fault named `name`, or PLAN_NONE. */
size_t plan_find_selector(const struct plan *p, const char *name);
size_t plan_find_probe(const struct plan *p, const char *name);
size_t plan_find_fault(const struct plan *p, const char *name);

#endif
