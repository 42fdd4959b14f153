/*
 * yamldoc.c - libyaml events to a bounded tree of positioned nodes.
 *
 * Hostile input is cut off as early as possible: the size cap before the
 * file is read, encoding checks before libyaml sees a byte, the depth cap on
 * each collection start, and the alias budget on each alias (aliases point
 * at the anchored node; nothing is copied, the expanded size is counted).
 *
 * Memory: every node, scalar and child array is carved from an arena of
 * 64 KiB blocks. Children of an open collection wait on one shared stack
 * and are copied into an exact-size array when it ends, so nothing in the
 * arena is ever reallocated.
 */
#include "faultline/yamldoc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "faultline/file.h"
#include "faultline/util.h"

struct anchor {
	char *name;
	struct ydoc_node *node;
	size_t weight;
};

/* A collection being built, and its expanded size so far. */
struct frame {
	struct ydoc_node *node;
	size_t weight;
	size_t first; /* its children start at this index of builder.kids (maps: key, value, key, ...) */
	char *anchor; /* registered when the collection ends */
};

#define ARENA_BLOCK (64u << 10)

struct ydoc_arena {
	struct ydoc_arena *next;
	size_t used, cap;
	max_align_t data[]; /* cap bytes */
};

struct builder {
	struct ydoc *doc;
	struct ydoc_limits lim;
	struct fl_diag *d;
	struct frame *stack;
	size_t depth, cap;
	struct ydoc_node **kids; /* children of the open collections, innermost last */
	size_t nkids, capkids;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t total; /* expanded nodes so far */
	int failed;
};

struct ydoc_limits ydoc_default_limits(void)
{
	struct ydoc_limits l = {
	    .max_file_bytes = 16u << 20,
	    .max_depth = 64,
	    .max_scalar_bytes = 1u << 20,
	    /*
	     * 4M: a 16 MiB file of plain YAML has that many nodes at ~4 bytes each,
	     * and a 100,000-resource topology ~1.2M; an alias bomb is still stopped
	     * at 4M expanded nodes, a fraction of a second of walking.
	     */
	    .max_nodes = 4000000,
	};
	return l;
}

static struct src_pos mark_pos(yaml_mark_t m)
{
	struct src_pos p = {(unsigned)m.line + 1, (unsigned)m.column + 1};
	return p;
}

/* Line and column (in characters) of byte offset off in buf. */
static struct src_pos offset_pos(const char *buf, size_t off)
{
	struct src_pos p = {1, 1};
	for (size_t i = 0; i < off; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n') {
			p.line++;
			p.col = 1;
		} else if ((c & 0xc0) != 0x80) {
			p.col++;
		}
	}
	return p;
}

/*
 * n bytes from the document's arena, at a multiple of align (a power of
 * two: 1 for strings, so a 6-byte scalar takes 7 bytes, not 16); never
 * freed alone.
 */
static void *arena_take(struct ydoc *doc, size_t n, size_t align)
{
	struct ydoc_arena *a = doc->arena;
	size_t at = a != NULL ? (a->used + align - 1) & ~(align - 1) : 0;
	if (a != NULL && at <= a->cap && a->cap - at >= n) {
		a->used = at + n;
		return (char *)a->data + at;
	}
	size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
	struct ydoc_arena *block = xmalloc(sizeof(*block) + cap);
	block->used = n;
	block->cap = cap;
	if (a != NULL && cap == n) {
		/* A big string or array gets a block of its own; the current block keeps filling. */
		block->next = a->next;
		a->next = block;
	} else {
		block->next = a;
		doc->arena = block;
	}
	return block->data;
}

static void *arena_alloc(struct ydoc *doc, size_t n)
{
	return arena_take(doc, n, _Alignof(max_align_t));
}

static struct ydoc_node *node_new(struct builder *b, enum ydoc_kind kind, yaml_mark_t m)
{
	struct ydoc_node *n = arena_take(b->doc, sizeof(*n), _Alignof(struct ydoc_node));
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->pos = mark_pos(m);
	n->offset = m.index;
	return n;
}

/* Count `w` more expanded nodes; refuse past the budget. */
static int budget(struct builder *b, size_t w, yaml_mark_t m, const char *alias)
{
	if (w > b->lim.max_nodes || b->total > b->lim.max_nodes - w) {
		if (alias != NULL)
			diag_add(b->d, mark_pos(m),
			         "alias *%s expands the document beyond %zu nodes; refusing it (alias bomb?)", alias,
			         b->lim.max_nodes);
		else
			diag_add(b->d, mark_pos(m), "document has more than %zu nodes", b->lim.max_nodes);
		return -1;
	}
	b->total += w;
	return 0;
}

static int key_is_acceptable(struct builder *b, struct ydoc_node *key)
{
	if (key->kind != YDOC_SCALAR)
		return diag_add(b->d, key->pos, "mapping keys must be strings, not a %s", ydoc_kind_str(key));
	if (key->style == YDOC_PLAIN && strcmp(key->str, "<<") == 0)
		return diag_add(b->d, key->pos, "merge keys (<<) are not supported; write the keys out");
	return 0;
}

/* Attach a finished node to the collection on top of the stack (or make it root). */
static int attach(struct builder *b, struct ydoc_node *n, size_t weight)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	f->weight += weight;
	/* In a map, every other child is a key. */
	if (f->node->kind == YDOC_MAP && (b->nkids - f->first) % 2 == 0 && key_is_acceptable(b, n) < 0)
		return -1;
	XGROW(b->kids, b->capkids, b->nkids + 1);
	b->kids[b->nkids++] = n;
	return 0;
}

/* Move a finished collection's children off the stack into an exact-size array of its own. */
static void adopt_kids(struct builder *b, const struct frame *f)
{
	struct ydoc_node *c = f->node;
	size_t n = b->nkids - f->first;
	b->nkids = f->first;
	if (n == 0)
		return; /* before any pointer arithmetic: with no child yet, kids is NULL */
	struct ydoc_node **k = b->kids + f->first;
	if (c->kind == YDOC_SEQ) {
		c->items = arena_alloc(b->doc, n * sizeof(*c->items));
		memcpy(c->items, k, n * sizeof(*c->items));
		c->nitems = n;
		return;
	}
	c->npairs = n / 2; /* libyaml ends a map only after a key's value */
	c->pairs = arena_alloc(b->doc, c->npairs * sizeof(*c->pairs));
	for (size_t i = 0; i < c->npairs; i++) {
		c->pairs[i].key = k[2 * i];
		c->pairs[i].value = k[2 * i + 1];
	}
}

static void add_anchor(struct builder *b, const char *name, struct ydoc_node *n, size_t weight)
{
	if (name == NULL)
		return;
	XGROW(b->anchors, b->capanchors, b->nanchors + 1);
	b->anchors[b->nanchors].name = xstrdup(name);
	b->anchors[b->nanchors].node = n;
	b->anchors[b->nanchors].weight = weight;
	b->nanchors++;
}

static const struct anchor *find_anchor(const struct builder *b, const char *name)
{
	/* Latest definition wins, as YAML says anchors may be redefined. */
	for (size_t i = b->nanchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return &b->anchors[i - 1];
	return NULL;
}

static enum ydoc_style scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return YDOC_SINGLE_QUOTED;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return YDOC_DOUBLE_QUOTED;
	case YAML_LITERAL_SCALAR_STYLE:
		return YDOC_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return YDOC_FOLDED;
	default:
		return YDOC_PLAIN;
	}
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length;
	if (len > b->lim.max_scalar_bytes)
		return diag_add(b->d, mark_pos(ev->start_mark), "string of %zu bytes is over the %zu-byte limit", len,
		                b->lim.max_scalar_bytes);
	if (memchr(ev->data.scalar.value, '\0', len) != NULL)
		return diag_add(b->d, mark_pos(ev->start_mark), "string contains a NUL character");
	if (budget(b, 1, ev->start_mark, NULL) < 0)
		return -1;
	struct ydoc_node *n = node_new(b, YDOC_SCALAR, ev->start_mark);
	n->str = arena_take(b->doc, len + 1, 1);
	memcpy(n->str, ev->data.scalar.value, len);
	n->str[len] = '\0';
	n->len = len;
	n->style = scalar_style(ev->data.scalar.style);
	add_anchor(b, (const char *)ev->data.scalar.anchor, n, 1);
	return attach(b, n, 1);
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum ydoc_kind kind)
{
	if (b->depth >= b->lim.max_depth)
		return diag_add(b->d, mark_pos(ev->start_mark), "nesting deeper than %zu levels", b->lim.max_depth);
	if (budget(b, 1, ev->start_mark, NULL) < 0)
		return -1;
	XGROW(b->stack, b->cap, b->depth + 1);
	struct frame *f = &b->stack[b->depth++];
	f->node = node_new(b, kind, ev->start_mark);
	f->weight = 1;
	f->first = b->nkids;
	const yaml_char_t *anchor = kind == YDOC_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct ydoc_pair *pa = *(const struct ydoc_pair *const *)a;
	const struct ydoc_pair *pb = *(const struct ydoc_pair *const *)b;
	int c = strcmp(pa->key->str, pb->key->str);
	if (c != 0)
		return c;
	return pa->key->offset < pb->key->offset ? -1 : pa->key->offset > pb->key->offset;
}

/* Report every key defined twice in a map, at the later definition. */
static int check_duplicates(struct builder *b, const struct ydoc_node *map)
{
	if (map->npairs < 2)
		return 0;
	const struct ydoc_pair **idx = xreallocarray(NULL, map->npairs, sizeof(*idx));
	for (size_t i = 0; i < map->npairs; i++)
		idx[i] = &map->pairs[i];
	qsort(idx, map->npairs, sizeof(*idx), key_cmp);
	int rc = 0;
	for (size_t i = 1; i < map->npairs; i++) {
		const struct ydoc_node *first = idx[i - 1]->key, *again = idx[i]->key;
		size_t j = i - 1;
		while (j > 0 && strcmp(idx[j - 1]->key->str, again->str) == 0)
			first = idx[--j]->key;
		if (strcmp(first->str, again->str) == 0)
			rc = diag_add(b->d, again->pos, "duplicate key \"%s\" (first at %u:%u)", again->str,
			              first->pos.line, first->pos.col);
	}
	free(idx);
	return rc;
}

static int on_end(struct builder *b)
{
	struct frame f = b->stack[--b->depth];
	adopt_kids(b, &f);
	add_anchor(b, f.anchor, f.node, f.weight);
	free(f.anchor);
	if (f.node->kind == YDOC_MAP && check_duplicates(b, f.node) < 0)
		return -1;
	return attach(b, f.node, f.weight);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = find_anchor(b, name);
	if (a == NULL)
		return diag_add(b->d, mark_pos(ev->start_mark), "unknown alias *%s", name);
	if (budget(b, a->weight, ev->start_mark, name) < 0)
		return -1;
	return attach(b, a->node, a->weight);
}

/* libyaml's words for the common mistakes, and what usually fixes them. */
static const char *syntax_hint(const char *problem)
{
	static const struct {
		const char *problem;
		const char *hint;
	} hints[] = {
	    {"found unknown escape character",
	     "in double quotes a backslash starts an escape: write a regex in single quotes ('^SQL\\d+$')"},
	    {"mapping values are not allowed in this context",
	     "a value that contains \": \" must be quoted, and a nested mapping goes on its own, more indented line"},
	    {"did not find expected '-' indicator",
	     "every item of a list starts with \"- \" in the same column: check this line's indentation"},
	    {"did not find expected key", "the keys of one mapping start in one column: check this line's indentation"},
	    {"found character that cannot start any token",
	     "YAML indents with spaces, never tabs; quote a value that starts with @ or `"},
	    {"found a tab character that violates indentation", "YAML indents with spaces, never tabs"},
	    {"found a tab character where an indentation space is expected", "YAML indents with spaces, never tabs"},
	};
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(problem, hints[i].problem) == 0)
			return hints[i].hint;
	return NULL;
}

static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "unknown problem";
	const char *hint = syntax_hint(problem);
	char ctx[160] = "";
	if (p->context != NULL)
		snprintf(ctx, sizeof(ctx), " (%s at %zu:%zu)", p->context, p->context_mark.line + 1,
		         p->context_mark.column + 1);
	diag_add(b->d, mark_pos(p->problem_mark), "YAML syntax error: %s%s%s%s", problem, ctx, hint ? "; hint: " : "",
	         hint ? hint : "");
}

/* Feed libyaml's events to the builder; stops at the first error. */
static int build(struct builder *b)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		struct src_pos none = {0, 0};
		return diag_add(b->d, none, "cannot initialise the YAML parser");
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)b->doc->src, b->doc->src_len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	int rc = 0, docs = 0, done = 0;
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(b, &p);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = diag_add(b->d, mark_pos(ev.start_mark), "more than one YAML document in the file");
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(b, &ev, YDOC_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(b, &ev, YDOC_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_end(b);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(b, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

/*
 * UTF-16 text without a byte-order mark: over the first bytes (up to 64),
 * every pair has exactly one NUL, always on the same side. One NUL near the
 * start is binary data, not UTF-16 (an ELF header, a gzip stream).
 */
static bool looks_utf16(const unsigned char *u, size_t len)
{
	size_t n = (len < 64 ? len : 64) & ~(size_t)1;
	if (n < 4)
		return false;
	int side = u[0] == 0 ? 0 : 1;
	for (size_t i = 0; i < n; i += 2)
		if (u[i + (size_t)side] != 0 || u[i + 1 - (size_t)side] == 0)
			return false;
	return true;
}

/* Refuse what is not UTF-8 text before libyaml sees it, naming what it is. */
static int check_encoding(const char *buf, size_t len, struct fl_diag *d)
{
	struct src_pos start = {1, 1};
	const unsigned char *u = (const unsigned char *)buf;
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return diag_add(d, start, "file is UTF-16 encoded (byte-order mark %02X %02X); save it as UTF-8", u[0],
		                u[1]);
	if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff)
		return diag_add(d, start, "file is UTF-32 encoded; save it as UTF-8");
	if (looks_utf16(u, len))
		return diag_add(d, start, "file looks UTF-16 encoded (NUL in every other byte); save it as UTF-8");
	size_t i = 0;
	while (i < len) {
		unsigned char c = u[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (c == 0)
			return diag_add(d, offset_pos(buf, i), "binary data: NUL byte at offset %zu; not a text file",
			                i);
		int bad = n == 0 || (n == 2 && c < 0xc2) || i + n > len;
		for (size_t k = 1; !bad && k < n; k++)
			bad = (u[i + k] & 0xc0) != 0x80;
		if (!bad && n == 3) {
			unsigned cp = ((c & 0x0fu) << 12) | ((u[i + 1] & 0x3fu) << 6) | (u[i + 2] & 0x3fu);
			bad = cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff);
		}
		if (!bad && n == 4) {
			unsigned cp = ((c & 0x07u) << 18) | ((u[i + 1] & 0x3fu) << 12) | ((u[i + 2] & 0x3fu) << 6) |
			              (u[i + 3] & 0x3fu);
			bad = cp < 0x10000 || cp > 0x10ffff;
		}
		if (bad)
			return diag_add(d, offset_pos(buf, i),
			                "invalid UTF-8 (byte 0x%02X at offset %zu); not a text file", c, i);
		i += n;
	}
	return 0;
}

void ydoc_free(struct ydoc *doc)
{
	if (doc == NULL)
		return;
	for (struct ydoc_arena *a = doc->arena, *next; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(doc->src);
	free(doc->path);
	free(doc);
}

static void builder_fini(struct builder *b)
{
	for (size_t i = 0; i < b->depth; i++)
		free(b->stack[i].anchor);
	free(b->stack);
	free(b->kids);
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
}

/* Takes ownership of src (len bytes plus a NUL). */
static struct ydoc *load_owned(const char *name, char *src, size_t len, const struct ydoc_limits *lim,
                               struct fl_diag *d)
{
	struct ydoc *doc = xcalloc(1, sizeof(*doc));
	doc->path = xstrdup(name);
	doc->src = src;
	doc->src_len = len;
	struct src_pos start = {1, 1};
	if (len == 0) {
		diag_add(d, start, "file is empty");
		goto fail;
	}
	if (check_encoding(src, len, d) < 0)
		goto fail;
	struct builder b = {.doc = doc, .lim = lim ? *lim : ydoc_default_limits(), .d = d};
	int rc = build(&b);
	builder_fini(&b);
	if (rc < 0)
		goto fail;
	if (doc->root == NULL) {
		diag_add(d, start, "document is empty (only comments or blank lines)");
		goto fail;
	}
	return doc;
fail:
	ydoc_free(doc);
	return NULL;
}

struct ydoc *ydoc_load_buf(const char *name, const char *buf, size_t len, const struct ydoc_limits *lim,
                           struct fl_diag *d)
{
	size_t max = lim ? lim->max_file_bytes : ydoc_default_limits().max_file_bytes;
	struct src_pos none = {0, 0};
	if (len > max) {
		diag_add(d, none, "input is %zu bytes, over the %zu-byte limit", len, max);
		return NULL;
	}
	char *src = xmalloc(len + 1);
	memcpy(src, buf, len);
	src[len] = '\0';
	return load_owned(name, src, len, lim, d);
}

struct ydoc *ydoc_load_file(const char *path, const struct ydoc_limits *lim, struct fl_diag *d)
{
	size_t max = lim ? lim->max_file_bytes : ydoc_default_limits().max_file_bytes;
	struct src_pos none = {0, 0};
	/* O_NONBLOCK: a FIFO without a writer must not hang open(); cleared once it is a regular file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		diag_add(d, none, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat st = {0};
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, O_RDONLY) < 0) {
		diag_add(d, none, "not a regular file (%s)", file_type_str(st.st_mode));
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		diag_add(d, none, "file is %lld bytes, over the %zu-byte limit; refusing to parse it",
		         (long long)st.st_size, max);
		close(fd);
		return NULL;
	}
	size_t len = (size_t)st.st_size, got = 0;
	char *src = xmalloc(len + 1);
	while (got < len) {
		ssize_t r = read(fd, src + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			diag_add(d, none, "read failed: %s", r < 0 ? strerror(errno) : "file shrank while reading");
			free(src);
			close(fd);
			return NULL;
		}
		got += (size_t)r;
	}
	close(fd);
	src[len] = '\0';
	return load_owned(path, src, len, lim, d);
}

struct ydoc_node *ydoc_get(const struct ydoc_node *map, const char *key)
{
	if (map == NULL || map->kind != YDOC_MAP)
		return NULL;
	/* The loaders ask for every key they know of every map: compare lengths before bytes. */
	size_t len = strlen(key);
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ydoc_node *k = map->pairs[i].key;
		if (k->len == len && memcmp(k->str, key, len) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

bool ydoc_is_null(const struct ydoc_node *n)
{
	if (n == NULL || n->kind != YDOC_SCALAR || n->style != YDOC_PLAIN)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	       strcmp(n->str, "NULL") == 0;
}

const char *ydoc_kind_str(const struct ydoc_node *n)
{
	if (n == NULL)
		return "nothing";
	switch (n->kind) {
	case YDOC_MAP:
		return "mapping";
	case YDOC_SEQ:
		return "sequence";
	default:
		return ydoc_is_null(n) ? "null" : "string";
	}
}

/* Byte offset in src of 1-based (line, col), col counted in characters. */
static size_t pos_offset(const struct ydoc *doc, struct src_pos p)
{
	size_t i = 0;
	for (unsigned line = 1; line < p.line && i < doc->src_len; i++)
		if (doc->src[i] == '\n')
			line++;
	for (unsigned col = 1; col < p.col && i < doc->src_len && doc->src[i] != '\n';) {
		i++;
		if (((unsigned char)doc->src[i] & 0xc0) != 0x80)
			col++;
	}
	return i;
}

static size_t utf8_len(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Value bytes produced by the double-quoted escape at s (after the backslash); *srclen = source bytes used. */
static size_t escape_width(const char *s, size_t *srclen)
{
	int hex = *s == 'x' ? 2 : *s == 'u' ? 4 : *s == 'U' ? 8 : 0;
	if (hex > 0) {
		char digits[9] = {0};
		for (int k = 0; k < hex && s[1 + k] != '\0'; k++)
			digits[k] = s[1 + k];
		unsigned long cp = strtoul(digits, NULL, 16);
		*srclen = 1 + (size_t)hex;
		return utf8_len(cp);
	}
	*srclen = 1;
	switch (*s) {
	case 'N':
	case '_':
		return 2;
	case 'L':
	case 'P':
		return 3;
	default:
		return 1;
	}
}

struct src_pos ydoc_scalar_pos(const struct ydoc *doc, const struct ydoc_node *n, size_t off)
{
	if (n->kind != YDOC_SCALAR || n->style == YDOC_LITERAL || n->style == YDOC_FOLDED || off > n->len)
		return n->pos;
	size_t i = pos_offset(doc, n->pos);
	struct src_pos p = n->pos;
	if (n->style != YDOC_PLAIN) {
		i++;
		p.col++;
	}
	size_t produced = 0;
	while (produced < off && i < doc->src_len) {
		const char *s = doc->src + i;
		size_t used = 1, made = 1, cols = 1;
		if (*s == '\n' || *s == '\r')
			return n->pos; /* folded across lines: give the value's start */
		if (n->style == YDOC_SINGLE_QUOTED && s[0] == '\'' && s[1] == '\'') {
			used = cols = 2;
		} else if (n->style == YDOC_DOUBLE_QUOTED && s[0] == '\\') {
			made = escape_width(s + 1, &used);
			cols = ++used;
		} else {
			unsigned char c = (unsigned char)*s;
			used = made = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
		}
		produced += made;
		i += used;
		p.col += (unsigned)cols;
	}
	return p;
}
