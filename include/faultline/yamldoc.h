/*
 * yamldoc.h - a bounded, position-keeping YAML document tree over libyaml.
 *
 * Loads one YAML document into an immutable tree whose every node remembers
 * where it starts in the file (1-based line and column), so loaders built on
 * top can say "file:line:col: ..." for any value. Hostile input is refused
 * before it costs anything: a file-size cap checked before reading, UTF-8
 * validation (UTF-16 and binary named as such), a nesting-depth cap enforced
 * on the event stream, a scalar-size cap, and an alias-expansion budget
 * (aliases are shared, never copied, and the expanded size is counted, so an
 * alias bomb fails at once). All nodes belong to the document: they are
 * carved from a few large blocks (an arena: no allocation per node or
 * string), and ydoc_free releases everything at once.
 */
#ifndef FAULTLINE_YAMLDOC_H
#define FAULTLINE_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "faultline/err.h"

enum ydoc_kind { YDOC_SCALAR, YDOC_MAP, YDOC_SEQ };

enum ydoc_style { YDOC_PLAIN, YDOC_SINGLE_QUOTED, YDOC_DOUBLE_QUOTED, YDOC_LITERAL, YDOC_FOLDED };

struct ydoc_node;

struct ydoc_pair {
	struct ydoc_node *key; /* always a scalar (non-scalar keys are refused) */
	struct ydoc_node *value;
};

struct ydoc_node {
	enum ydoc_kind kind;
	enum ydoc_style style; /* YDOC_SCALAR; here to pack the struct (72 bytes, not 80) */
	struct src_pos pos;    /* where the node starts (for a quoted scalar: the quote) */
	size_t offset;         /* byte offset of pos in the source */
	/* YDOC_SCALAR */
	char *str; /* NUL-terminated value (may contain no NUL: refused at load) */
	size_t len;
	/* YDOC_MAP */
	struct ydoc_pair *pairs;
	size_t npairs;
	/* YDOC_SEQ */
	struct ydoc_node **items;
	size_t nitems;
};

struct ydoc_limits {
	size_t max_file_bytes;   /* default 16 MiB */
	size_t max_depth;        /* default 64 */
	size_t max_scalar_bytes; /* default 1 MiB */
	size_t max_nodes;        /* nodes after alias expansion; default 4,000,000 */
};

struct ydoc_arena;

struct ydoc {
	char *path; /* as given */
	char *src;  /* the whole file, NUL-terminated */
	size_t src_len;
	struct ydoc_node *root; /* NULL for an empty document */
	/* internal: nodes, strings and child arrays live in big blocks, freed at once */
	struct ydoc_arena *arena;
};

/* The defaults above. */
struct ydoc_limits ydoc_default_limits(void);

/*
 * Read and parse `path`. Returns the document, or NULL after adding every
 * problem found to `d` (diagnostics are positioned where possible). lim may
 * be NULL for the defaults. Duplicate mapping keys are reported as errors.
 * An empty file or a document with no content is an error ("empty").
 */
struct ydoc *ydoc_load_file(const char *path, const struct ydoc_limits *lim, struct fl_diag *d);
/* Same, from memory; `name` is used in diagnostics. The buffer is copied. */
struct ydoc *ydoc_load_buf(const char *name, const char *buf, size_t len, const struct ydoc_limits *lim,
                           struct fl_diag *d);
void ydoc_free(struct ydoc *doc);

/* Look up key in a mapping node; NULL if absent or node is not a map. */
struct ydoc_node *ydoc_get(const struct ydoc_node *map, const char *key);
/* True for a plain scalar spelled null, Null, NULL or ~ (or empty plain). */
bool ydoc_is_null(const struct ydoc_node *n);
/* "mapping", "sequence", "string" - for "expected X, got Y" messages. */
const char *ydoc_kind_str(const struct ydoc_node *n);

/*
 * Position, in the file, of byte `off` of scalar n's value: accounts for the
 * opening quote and escape sequences of quoted styles, so a regex error
 * offset can point at the offending character. Falls back to n->pos for
 * block scalars and multi-line values it cannot map.
 */
struct src_pos ydoc_scalar_pos(const struct ydoc *doc, const struct ydoc_node *n, size_t off);

#endif
