/*
 * test_yamldoc.c - the YAML layer: positions, and hostile input refused
 * quickly with a clear, positioned message.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/util.h"
#include "faultline/yamldoc.h"

static struct fl_diag diag;

static void setup(void)
{
	diag_init(&diag, "t.yaml");
}

static void teardown(void)
{
	diag_fini(&diag);
}

TestSuite(yamldoc, .init = setup, .fini = teardown, .timeout = 10);

static struct ydoc *load(const char *text)
{
	return ydoc_load_buf("t.yaml", text, strlen(text), NULL, &diag);
}

/* The only diagnostic, formatted; asserts there is exactly one. */
static char *only_error(void)
{
	cr_assert_eq(diag.n, 1, "expected exactly one error, got %zu", diag.n);
	return diag_format(&diag, 0);
}

static void expect_error(const char *text, size_t len, const char *want)
{
	struct ydoc *doc = ydoc_load_buf("t.yaml", text, len, NULL, &diag);
	cr_assert_null(doc);
	char *got = only_error();
	cr_assert_str_eq(got, want);
	free(got);
}

Test(yamldoc, builds_tree_with_positions)
{
	struct ydoc *doc = load("name: demo\nprobes:\n  a: { tcp: '127.0.0.1:80', interval: 1s }\nlist: [x, \"y\"]\n");
	cr_assert_not_null(doc);
	cr_assert_eq(doc->root->kind, YDOC_MAP);
	struct ydoc_node *name = ydoc_get(doc->root, "name");
	cr_assert_str_eq(name->str, "demo");
	cr_assert_eq(name->pos.line, 1);
	cr_assert_eq(name->pos.col, 7);
	struct ydoc_node *a = ydoc_get(ydoc_get(doc->root, "probes"), "a");
	cr_assert_eq(a->kind, YDOC_MAP);
	struct ydoc_node *tcp = ydoc_get(a, "tcp");
	cr_assert_str_eq(tcp->str, "127.0.0.1:80");
	cr_assert_eq(tcp->style, YDOC_SINGLE_QUOTED);
	cr_assert_eq(tcp->pos.line, 3);
	cr_assert_eq(tcp->pos.col, 13);
	struct ydoc_node *list = ydoc_get(doc->root, "list");
	cr_assert_eq(list->nitems, 2);
	cr_assert_eq(list->items[1]->style, YDOC_DOUBLE_QUOTED);
	cr_assert_null(ydoc_get(doc->root, "missing"));
	ydoc_free(doc);
}

Test(yamldoc, null_and_kind_names)
{
	struct ydoc *doc = load("a: ~\nb:\nc: 'null'\nd: [1]\n");
	cr_assert(ydoc_is_null(ydoc_get(doc->root, "a")));
	cr_assert(ydoc_is_null(ydoc_get(doc->root, "b")));
	cr_assert_not(ydoc_is_null(ydoc_get(doc->root, "c")));
	cr_assert_str_eq(ydoc_kind_str(ydoc_get(doc->root, "d")), "sequence");
	cr_assert_str_eq(ydoc_kind_str(doc->root), "mapping");
	cr_assert_str_eq(ydoc_kind_str(ydoc_get(doc->root, "c")), "string");
	ydoc_free(doc);
}

Test(yamldoc, scalar_pos_maps_value_offsets_to_file_columns)
{
	/* The ( at value offset 3 of each pattern. */
	struct ydoc *doc = load("p: ab[(\nq: 'a''[('\nr: \"\\\\d[(\"\ns: \"\\x41[(\"\n");
	cr_assert_not_null(doc);
	struct src_pos p = ydoc_scalar_pos(doc, ydoc_get(doc->root, "p"), 3);
	cr_assert_eq(p.line, 1);
	cr_assert_eq(p.col, 7);
	/* 'a''[(' : value a'[( ; offset 3 is '(' at file column 9 */
	p = ydoc_scalar_pos(doc, ydoc_get(doc->root, "q"), 3);
	cr_assert_eq(p.line, 2);
	cr_assert_eq(p.col, 9);
	/* "\\d[(" : value \d[( ; offset 3 is '(' at column 9 */
	p = ydoc_scalar_pos(doc, ydoc_get(doc->root, "r"), 3);
	cr_assert_eq(p.col, 9);
	/* "\x41[(" : value A[( ; offset 2 is '(' at column 10 */
	p = ydoc_scalar_pos(doc, ydoc_get(doc->root, "s"), 2);
	cr_assert_eq(p.line, 4);
	cr_assert_eq(p.col, 10);
	ydoc_free(doc);
}

Test(yamldoc, scalar_pos_counts_characters_not_bytes)
{
	struct ydoc *doc = load("n: 'é€x('\n");
	cr_assert_not_null(doc);
	/* é is 2 bytes, € is 3: byte offset 6 is '(' at column 8 */
	struct src_pos p = ydoc_scalar_pos(doc, ydoc_get(doc->root, "n"), 6);
	cr_assert_eq(p.col, 8);
	ydoc_free(doc);
}

Test(yamldoc, duplicate_keys_reported_at_second)
{
	const char *t = "a: 1\nb: 2\na: 3\n";
	expect_error(t, strlen(t), "t.yaml:3:1: duplicate key \"a\" (first at 1:1)");
}

Test(yamldoc, non_scalar_key_refused)
{
	const char *t = "? [a, b]\n: 1\n";
	expect_error(t, strlen(t), "t.yaml:1:3: mapping keys must be strings, not a sequence");
}

Test(yamldoc, merge_key_refused)
{
	const char *t = "base: &b {x: 1}\nother:\n  <<: *b\n";
	expect_error(t, strlen(t), "t.yaml:3:3: merge keys (<<) are not supported; write the keys out");
}

Test(yamldoc, unknown_alias)
{
	const char *t = "a: *nope\n";
	expect_error(t, strlen(t), "t.yaml:1:4: unknown alias *nope");
}

Test(yamldoc, alias_to_enclosing_node_is_unknown)
{
	const char *t = "a: &x [1, *x]\n";
	expect_error(t, strlen(t), "t.yaml:1:11: unknown alias *x");
}

Test(yamldoc, modest_aliases_are_shared)
{
	struct ydoc *doc = load("d: &d {interval: 1s}\np: *d\nq: *d\n");
	cr_assert_not_null(doc);
	cr_assert_eq(ydoc_get(doc->root, "p"), ydoc_get(doc->root, "q"));
	cr_assert_str_eq(ydoc_get(ydoc_get(doc->root, "q"), "interval")->str, "1s");
	ydoc_free(doc);
}

Test(yamldoc, two_documents_refused)
{
	const char *t = "a: 1\n---\nb: 2\n";
	expect_error(t, strlen(t), "t.yaml:2:1: more than one YAML document in the file");
}

Test(yamldoc, syntax_error_positioned)
{
	const char *t = "a: 1\n b: 2\n";
	expect_error(
	    t, strlen(t),
	    "t.yaml:2:3: YAML syntax error: mapping values are not allowed in this context; hint: a value that "
	    "contains \": \" must be quoted, and a nested mapping goes on its own, more indented line");
}

Test(yamldoc, empty_file)
{
	expect_error("", 0, "t.yaml:1:1: file is empty");
}

Test(yamldoc, comments_only)
{
	const char *t = "# nothing here\n\n";
	expect_error(t, strlen(t), "t.yaml:1:1: document is empty (only comments or blank lines)");
}

Test(yamldoc, utf16_with_bom)
{
	const char t[] = "\xff\xfev\0e\0r\0:\0 \0001\0\n\0";
	expect_error(t, sizeof(t) - 1, "t.yaml:1:1: file is UTF-16 encoded (byte-order mark FF FE); save it as UTF-8");
}

Test(yamldoc, utf16_without_bom)
{
	const char t[] = "v\0e\0r\0:\0 \0001\0\n\0";
	expect_error(t, sizeof(t) - 1,
	             "t.yaml:1:1: file looks UTF-16 encoded (NUL in every other byte); save it as UTF-8");
}

/* A NUL in the second byte is binary data, not UTF-16 (issue 18: "UTF-16" for an ELF file). */
Test(yamldoc, one_early_nul_is_binary_not_utf16)
{
	const char t[] = "\x7f\0LF\x02\x01\x01\x03\x04\x05";
	expect_error(t, sizeof(t) - 1, "t.yaml:1:2: binary data: NUL byte at offset 1; not a text file");
}

/*
 * An empty collection before any child was ever pushed: the builder's kids
 * array is still NULL (fuzz_plan under UBSan: "applying zero offset to
 * null pointer"; make asan runs this test).
 */
Test(yamldoc, empty_collections_first)
{
	const char *texts[] = {"{}\n", "[]\n", "- {}\n- []\n"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct ydoc *doc = load(texts[i]);
		cr_assert_not_null(doc, "%s", texts[i]);
		cr_assert_eq(diag.n, 0);
		ydoc_free(doc);
	}
}

Test(yamldoc, binary_garbage)
{
	char buf[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	buf[0] = 'a';
	buf[1] = 'b';
	struct ydoc *doc = ydoc_load_buf("t.yaml", buf, sizeof(buf), NULL, &diag);
	cr_assert_null(doc);
	char *got = only_error();
	cr_assert(strstr(got, "not a text file") != NULL, "got: %s", got);
	free(got);
}

Test(yamldoc, invalid_utf8_positioned)
{
	const char *t = "name: ok\nbad: caf\xc3(\n";
	expect_error(t, strlen(t), "t.yaml:2:9: invalid UTF-8 (byte 0xC3 at offset 17); not a text file");
}

Test(yamldoc, overlong_utf8_refused)
{
	const char *t = "a: \xc0\xaf\n";
	expect_error(t, strlen(t), "t.yaml:1:4: invalid UTF-8 (byte 0xC0 at offset 3); not a text file");
}

Test(yamldoc, nul_escape_refused)
{
	const char *t = "a: \"x\\0y\"\n";
	expect_error(t, strlen(t), "t.yaml:1:4: string contains a NUL character");
}

Test(yamldoc, alias_bomb_refused)
{
	const char *t = "a: &a [x, x, x, x, x, x, x, x, x]\n"
	                "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	                "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	                "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct ydoc *doc = load(t);
	cr_assert_null(doc);
	char *got = only_error();
	cr_assert(strstr(got, "expands the document beyond 4000000 nodes; refusing it (alias bomb?)") != NULL,
	          "got: %s", got);
	cr_assert(strncmp(got, "t.yaml:7:", 9) == 0, "got: %s", got);
	free(got);
}

Test(yamldoc, deep_flow_nesting_refused)
{
	size_t depth = 100000;
	char *t = xmalloc(2 * depth + 2);
	memset(t, '[', depth);
	memset(t + depth, ']', depth);
	t[2 * depth] = '\n';
	t[2 * depth + 1] = '\0';
	expect_error(t, 2 * depth + 1, "t.yaml:1:65: nesting deeper than 64 levels");
	free(t);
}

Test(yamldoc, deep_block_nesting_refused)
{
	/* 70 nested block mappings */
	char *t = xmalloc(70 * 80);
	size_t off = 0;
	for (int i = 0; i < 70; i++)
		off += (size_t)sprintf(t + off, "%*sk%d:\n", i, "", i);
	off += (size_t)sprintf(t + off, "%*sv\n", 70, "");
	struct ydoc *doc = ydoc_load_buf("t.yaml", t, off, NULL, &diag);
	cr_assert_null(doc);
	char *got = only_error();
	cr_assert(strstr(got, "nesting deeper than 64 levels") != NULL, "got: %s", got);
	free(got);
	free(t);
}

Test(yamldoc, long_scalar_over_limit)
{
	size_t n = (1u << 20) + 10;
	char *t = xmalloc(n + 8);
	memcpy(t, "a: ", 3);
	memset(t + 3, 'x', n);
	t[3 + n] = '\n';
	expect_error(t, n + 4, "t.yaml:1:4: string of 1048586 bytes is over the 1048576-byte limit");
	free(t);
}

Test(yamldoc, huge_file_refused_before_reading)
{
	char path[] = "/tmp/faultline-test-huge-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	/* A 64 MiB scalar: a sparse file costs no disk and no time. */
	cr_assert_eq(write(fd, "a: ", 3), 3);
	cr_assert_eq(ftruncate(fd, 64 << 20), 0);
	close(fd);
	struct fl_diag d;
	diag_init(&d, path);
	struct ydoc *doc = ydoc_load_file(path, NULL, &d);
	unlink(path);
	cr_assert_null(doc);
	cr_assert_eq(d.n, 1);
	char *got = diag_format(&d, 0);
	char *want = xasprintf("%s: file is 67108864 bytes, over the 16777216-byte limit; refusing to parse it", path);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	diag_fini(&d);
}

Test(yamldoc, missing_file)
{
	struct fl_diag d;
	diag_init(&d, "/nonexistent/plan.yaml");
	cr_assert_null(ydoc_load_file("/nonexistent/plan.yaml", NULL, &d));
	char *got = diag_format(&d, 0);
	cr_assert_str_eq(got, "/nonexistent/plan.yaml: cannot open: No such file or directory");
	free(got);
	diag_fini(&d);
}

Test(yamldoc, directory_is_not_a_plan)
{
	struct fl_diag d;
	diag_init(&d, "tests");
	cr_assert_null(ydoc_load_file("tests", NULL, &d));
	char *got = diag_format(&d, 0);
	cr_assert_str_eq(got, "tests: not a regular file (a directory)");
	free(got);
	diag_fini(&d);
}
