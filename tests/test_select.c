/* test_select.c - filters, guards, seeded picks and zero-match messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/regex.h"
#include "faultline/select.h"
#include "faultline/util.h"

struct fixture_res {
	const char *name, *type, *group, *owner;
	enum res_state state;
};

/* A two-instance SQL Server failover cluster as WSFC lists it. */
static const struct fixture_res sql_cluster[] = {
    {"Cluster Name", "Network Name", "Cluster Group", "SQLN1", RES_ONLINE},
    {"Cluster IP Address", "IP Address", "Cluster Group", "SQLN1", RES_ONLINE},
    {"File Share Witness", "File Share Witness", "Cluster Group", "SQLN1", RES_ONLINE},
    {"SQL Server (INST1)", "SQL Server", "SQL Server (INST1)", "SQLN1", RES_ONLINE},
    {"SQL Server Agent (INST1)", "SQL Server Agent", "SQL Server (INST1)", "SQLN1", RES_ONLINE},
    {"SQL IP Address 1 (SQLVS1)", "IP Address", "SQL Server (INST1)", "SQLN1", RES_ONLINE},
    {"SQL Network Name (SQLVS1)", "Network Name", "SQL Server (INST1)", "SQLN1", RES_ONLINE},
    {"Cluster Disk 1", "Physical Disk", "SQL Server (INST1)", "SQLN1", RES_ONLINE},
    {"SQL Server (INST2)", "SQL Server", "SQL Server (INST2)", "SQLN2", RES_OFFLINE},
    {"SQL Server Agent (INST2)", "SQL Server Agent", "SQL Server (INST2)", "SQLN2", RES_OFFLINE},
    {"Cluster Disk 2", "Physical Disk", "SQL Server (INST2)", "SQLN2", RES_FAILED},
    {"Cluster Disk 3", "Physical Disk", "Available Storage", NULL, RES_OFFLINE},
};

static char *dup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

static void snap_from(struct cluster_snapshot *snap, const struct fixture_res *f, size_t n)
{
	memset(snap, 0, sizeof(*snap));
	snap->resources = xcalloc(n, sizeof(*snap->resources));
	snap->nresources = n;
	for (size_t i = 0; i < n; i++) {
		struct cluster_resource *r = &snap->resources[i];
		r->name = xstrdup(f[i].name);
		r->type = xstrdup(f[i].type);
		r->group = xstrdup(f[i].group);
		r->owner = dup_or_null(f[i].owner);
		r->state = f[i].state;
	}
}

/* 10,000 resources: 1000 groups of 10, four nodes, every 7th one offline. */
static void snap_generated(struct cluster_snapshot *snap, size_t n)
{
	static const char *types[] = {"SQL Server", "IP Address", "Network Name", "Physical Disk", "Generic Service"};
	memset(snap, 0, sizeof(*snap));
	snap->resources = xcalloc(n, sizeof(*snap->resources));
	snap->nresources = n;
	for (size_t i = 0; i < n; i++) {
		struct cluster_resource *r = &snap->resources[i];
		r->name = xasprintf("res-%05zu", i);
		r->type = xstrdup(types[i % ARRAY_LEN(types)]);
		r->group = xasprintf("grp-%03zu", i / 10);
		r->owner = xasprintf("node%zu", i % 4);
		r->state = i % 7 == 0 ? RES_OFFLINE : RES_ONLINE;
	}
}

static void snap_fini(struct cluster_snapshot *snap)
{
	cluster_snapshot_free(snap);
	memset(snap, 0, sizeof(*snap));
}

static struct fl_regex *re(const char *pattern)
{
	if (pattern == NULL)
		return NULL;
	char buf[256];
	size_t off;
	struct fl_regex *r = regex_compile(pattern, &off, buf, sizeof(buf));
	cr_assert_not_null(r, "pattern /%s/: %s at %zu", pattern, buf, off);
	return r;
}

struct sel_spec {
	const char *name, *type, *group, *node, *exclude;
	int state;
};

static void sel_init(struct selector *s, const char *selname, struct sel_spec sp)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(selname);
	s->name_re = re(sp.name);
	s->type_re = re(sp.type);
	s->group_re = re(sp.group);
	s->node_re = re(sp.node);
	s->exclude_re = re(sp.exclude);
	s->state = sp.state;
	s->pick = PICK_ALL;
}

#define ANY .state = -2

static struct cluster_snapshot sql;

static void sql_setup(void)
{
	snap_from(&sql, sql_cluster, ARRAY_LEN(sql_cluster));
}

static void sql_teardown(void)
{
	snap_fini(&sql);
}

/* Resolve with PICK_ALL and compare the picked indices into sql_cluster. */
static void expect_picks(struct sel_spec sp, const char *protect, const size_t *want, size_t nwant)
{
	struct selector s;
	sel_init(&s, "t", sp);
	struct fl_regex *prot = re(protect);
	struct selection out;
	struct fl_err e = {0};
	cr_assert_eq(select_resolve(&s, prot, &sql, 1, &out, &e), 0, "%s", e.msg);
	cr_assert_eq(out.n, nwant, "picked %zu, want %zu", out.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		cr_assert_eq(out.items[i], &sql.resources[want[i]], "item %zu is \"%s\", want \"%s\"", i,
		             out.items[i]->name, sql.resources[want[i]].name);
	selection_fini(&out);
	regex_free(prot);
	selector_fini(&s);
}

static void expect_error(const char *selname, struct sel_spec sp, const char *protect,
                         const struct cluster_snapshot *snap, const char *msg)
{
	struct selector s;
	sel_init(&s, selname, sp);
	struct fl_regex *prot = re(protect);
	struct selection out;
	struct fl_err e = {0};
	cr_assert_eq(select_resolve(&s, prot, snap, 1, &out, &e), -1);
	cr_assert_str_eq(e.msg, msg);
	cr_assert_eq(out.n, 0);
	cr_assert_null(out.items);
	regex_free(prot);
	selector_fini(&s);
}

TestSuite(select, .init = sql_setup, .fini = sql_teardown);

Test(select, name_regex_searches_unanchored)
{
	expect_picks((struct sel_spec){.name = "Agent", ANY}, NULL, (size_t[]){4, 9}, 2);
	expect_picks((struct sel_spec){.name = "^SQL Server \\(", ANY}, NULL, (size_t[]){3, 8}, 2);
}

Test(select, type_group_node_filters)
{
	expect_picks((struct sel_spec){.type = "^Physical Disk$", ANY}, NULL, (size_t[]){7, 10, 11}, 3);
	expect_picks((struct sel_spec){.group = "INST2", ANY}, NULL, (size_t[]){8, 9, 10}, 3);
	expect_picks((struct sel_spec){.node = "^SQLN2$", ANY}, NULL, (size_t[]){8, 9, 10}, 3);
}

Test(select, ownerless_resource_never_matches_node)
{
	/* Cluster Disk 3 has no owner: even "" must not select it. */
	expect_picks((struct sel_spec){.type = "Disk", .node = "", ANY}, NULL, (size_t[]){7, 10}, 2);
}

Test(select, state_filter)
{
	expect_picks((struct sel_spec){.state = RES_OFFLINE}, NULL, (size_t[]){8, 9, 11}, 3);
	expect_picks((struct sel_spec){.state = RES_FAILED}, NULL, (size_t[]){10}, 1);
}

Test(select, fields_are_anded)
{
	expect_picks((struct sel_spec){.type = "Disk", .state = RES_ONLINE}, NULL, (size_t[]){7}, 1);
	expect_picks((struct sel_spec){.name = "^SQL", .type = "Address", .group = "INST1", .node = "1$", ANY}, NULL,
	             (size_t[]){5}, 1);
}

Test(select, exclude_removes_by_name)
{
	/* type "SQL Server" also matches "SQL Server Agent": exclude narrows it. */
	expect_picks((struct sel_spec){.type = "SQL Server", ANY}, NULL, (size_t[]){3, 4, 8, 9}, 4);
	expect_picks((struct sel_spec){.type = "SQL Server", .exclude = "Agent", ANY}, NULL, (size_t[]){3, 8}, 2);
}

Test(select, protect_removes_and_is_counted)
{
	struct selector s;
	sel_init(&s, "core", (struct sel_spec){.name = "^Cluster", ANY});
	struct fl_regex *prot = re("^Cluster (Name|IP Address)$");
	struct selection out;
	struct fl_err e = {0};
	cr_assert_eq(select_resolve(&s, prot, &sql, 7, &out, &e), 0, "%s", e.msg);
	cr_assert_eq(out.n, 3);
	cr_assert_str_eq(out.items[0]->name, "Cluster Disk 1");
	cr_assert_str_eq(out.items[1]->name, "Cluster Disk 2");
	cr_assert_str_eq(out.items[2]->name, "Cluster Disk 3");
	cr_assert_eq(out.matched, 3);
	cr_assert_eq(out.protected_skipped, 2);
	selection_fini(&out);
	regex_free(prot);
	selector_fini(&s);
}

Test(select, zero_match_names_the_last_filter)
{
	expect_error("sql", (struct sel_spec){.name = "nothing-like-this", ANY}, NULL, &sql,
	             "selector \"sql\": no resource matches (12 resources; 0 match name)");
	expect_error(
	    "sql", (struct sel_spec){.name = "^SQL Server \\(", .state = RES_FAILED}, NULL, &sql,
	    "selector \"sql\": no resource matches (12 resources; 2 match name, 0 of them match state failed)");
	expect_error("sql", (struct sel_spec){.type = "Disk", .group = "INST", .node = "SQLN3", ANY}, NULL, &sql,
	             "selector \"sql\": no resource matches (12 resources; 3 match type, 2 of them match group, "
	             "0 of them match node)");
	expect_error(
	    "sql", (struct sel_spec){.type = "SQL Server", .exclude = "SQL", ANY}, NULL, &sql,
	    "selector \"sql\": no resource matches (12 resources; 4 match type, 0 of them remain after exclude)");
}

Test(select, zero_match_by_protect)
{
	expect_error("core", (struct sel_spec){.name = "^Cluster (Name|IP Address)$", ANY}, "^Cluster", &sql,
	             "selector \"core\": 2 matched but all are protected by guards.protect");
	/* When a filter already left nothing, protect is not blamed. */
	expect_error("core", (struct sel_spec){.name = "^Quorum", ANY}, "^Cluster", &sql,
	             "selector \"core\": no resource matches (12 resources; 0 match name)");
}

Test(select, zero_match_on_empty_or_tiny_snapshots)
{
	struct cluster_snapshot empty = {0};
	expect_error("any", (struct sel_spec){ANY}, NULL, &empty,
	             "selector \"any\": no resource matches (0 resources)");
	struct cluster_snapshot one;
	snap_from(&one, sql_cluster, 1);
	expect_error("x", (struct sel_spec){.name = "Disk", ANY}, NULL, &one,
	             "selector \"x\": no resource matches (1 resource; 0 match name)");
	snap_fini(&one);
}

Test(select, matching_error_is_reported)
{
	/* An inline match limit makes PCRE2 give up: an error, not a "no". */
	for (int jit = 0; jit < 2; jit++) {
		regex_set_jit(jit);
		expect_error("slow", (struct sel_spec){.name = "(*LIMIT_MATCH=1)(\\w+\\s?)+\\)$", ANY}, NULL, &sql,
		             "selector \"slow\": name /(*LIMIT_MATCH=1)(\\w+\\s?)+\\)$/ on \"SQL Server (INST1)\": "
		             "match limit exceeded");
	}
}

/* Resolve sel over snap with seed; the picks as snapshot indices. */
static size_t resolve_idx(const struct selector *s, const struct cluster_snapshot *snap, uint64_t seed, size_t *idx,
                          size_t cap)
{
	struct selection out;
	struct fl_err e = {0};
	cr_assert_eq(select_resolve(s, NULL, snap, seed, &out, &e), 0, "%s", e.msg);
	cr_assert_leq(out.n, cap);
	for (size_t i = 0; i < out.n; i++) {
		idx[i] = (size_t)(out.items[i] - snap->resources);
		if (i > 0)
			cr_assert_gt(idx[i], idx[i - 1], "picks must be distinct and in snapshot order");
	}
	size_t n = out.n;
	selection_fini(&out);
	return n;
}

TestSuite(select_pick, .init = sql_setup, .fini = sql_teardown);

Test(select_pick, count_is_seeded_and_in_snapshot_order)
{
	struct cluster_snapshot big;
	snap_generated(&big, 10000);
	struct selector s;
	sel_init(&s, "web", (struct sel_spec){.type = "^IP Address$", ANY});
	s.pick = PICK_COUNT;
	s.pick_count = 50;
	size_t a[50], b[50], c[50];
	cr_assert_eq(resolve_idx(&s, &big, 42, a, 50), 50);
	cr_assert_eq(resolve_idx(&s, &big, 42, b, 50), 50);
	cr_assert_eq(resolve_idx(&s, &big, 43, c, 50), 50);
	cr_assert_arr_eq(a, b, sizeof(a), "same seed, same picks");
	cr_assert(memcmp(a, c, sizeof(a)) != 0, "a different seed picks differently");
	for (size_t i = 0; i < 50; i++)
		cr_assert_eq(a[i] % 5, 1, "picked %zu is not an IP Address", a[i]);
	/* The selector name salts the stream: same seed, other name, other picks. */
	free(s.name);
	s.name = xstrdup("web2");
	cr_assert_eq(resolve_idx(&s, &big, 42, c, 50), 50);
	cr_assert(memcmp(a, c, sizeof(a)) != 0);
	selector_fini(&s);
	snap_fini(&big);
}

Test(select_pick, golden_picks_for_a_fixed_seed)
{
	/* Pins the algorithm: changing it silently would change every plan's picks. */
	struct selector s;
	sel_init(&s, "sql", (struct sel_spec){ANY});
	s.pick = PICK_COUNT;
	s.pick_count = 3;
	size_t got[3];
	cr_assert_eq(resolve_idx(&s, &sql, 1, got, 3), 3);
	size_t want[3] = {0, 1, 5};
	cr_assert_arr_eq(got, want, sizeof(got), "got %zu %zu %zu", got[0], got[1], got[2]);
	selector_fini(&s);
}

Test(select_pick, count_larger_than_matches_takes_all)
{
	struct selector s;
	sel_init(&s, "disks", (struct sel_spec){.type = "Disk", ANY});
	s.pick = PICK_COUNT;
	s.pick_count = 10;
	size_t got[12];
	cr_assert_eq(resolve_idx(&s, &sql, 9, got, 12), 3);
	cr_assert_eq(got[0], 7);
	cr_assert_eq(got[1], 10);
	cr_assert_eq(got[2], 11);
	s.pick_count = 0;
	struct selection out;
	struct fl_err e = {0};
	cr_assert_eq(select_resolve(&s, NULL, &sql, 9, &out, &e), -1);
	cr_assert_str_eq(e.msg, "selector \"disks\": pick count is 0");
	selector_fini(&s);
}

static size_t percent_of(const struct cluster_snapshot *snap, size_t nmatch, double pct)
{
	struct selector s;
	char pat[32];
	/* res-00000 .. res-(nmatch-1) for nmatch <= 10 */
	snprintf(pat, sizeof(pat), "^res-0000[0-%zu]$", nmatch - 1);
	sel_init(&s, "p", (struct sel_spec){.name = pat, ANY});
	s.pick = PICK_PERCENT;
	s.pick_percent = pct;
	size_t got[10];
	size_t n = resolve_idx(&s, snap, 5, got, 10);
	selector_fini(&s);
	return n;
}

Test(select_pick, percent_rounds_up_to_at_least_one)
{
	struct cluster_snapshot big;
	snap_generated(&big, 100);
	cr_assert_eq(percent_of(&big, 10, 30), 3, "30%% of 10 is exactly 3, not 4 by float noise");
	cr_assert_eq(percent_of(&big, 10, 25), 3);
	cr_assert_eq(percent_of(&big, 10, 0.1), 1);
	cr_assert_eq(percent_of(&big, 10, 100), 10);
	cr_assert_eq(percent_of(&big, 3, 50), 2);
	cr_assert_eq(percent_of(&big, 1, 1), 1);
	snap_fini(&big);
}

Test(select_pick, ten_thousand_resources)
{
	struct cluster_snapshot big;
	snap_generated(&big, 10000);
	struct selector s;
	/* Every filter present, so each resource meets every regex once. */
	sel_init(&s, "big",
	         (struct sel_spec){.name = "^res-",
	                           .type = "SQL Server",
	                           .group = "^grp-",
	                           .node = "node[02]",
	                           .exclude = "7$",
	                           .state = RES_ONLINE});
	struct selection out;
	struct fl_err e = {0};
	for (int round = 0; round < 20; round++) {
		cr_assert_eq(select_resolve(&s, NULL, &big, 1, &out, &e), 0, "%s", e.msg);
		size_t want = 0;
		for (size_t i = 0; i < 10000; i++)
			want += i % 5 == 0 && i % 4 % 2 == 0 && i % 10 != 7 && i % 7 != 0;
		cr_assert_eq(out.n, want);
		cr_assert_eq(out.matched, want);
		selection_fini(&out);
	}
	selector_fini(&s);
	snap_fini(&big);
}

static const char *const parity_patterns[] = {
    "^res-0*1",
    "[13579]$",
    "res-(00|99)",
    "^(?:res)-\\d{5}$",
    "0{3}",
    "^res-\\d*?5\\d$",
    "(?i)RES-000",
    "node[0-3]",
    "^grp-(\\d)\\1",
    "(a|b|c)*res",
    "-(?=9)",
    "(?<!-)0$",
    "^$",
    "",
    ".",
    "\\bres\\b",
    "[^0-9]+",
    "^(res|grp|node)-?\\d+$",
    "(?:(\\d)(?!\\1)){3}",
    "\\d{2,3}+4",
    "SQL|Disk",
    "^Gen.*ice$",
};

Test(select_regex, jit_and_interpreter_agree)
{
	struct cluster_snapshot big;
	snap_generated(&big, 2000);
	struct fl_regex_scratch *sc = regex_scratch_new();
	bool jit_seen = false;
	for (size_t p = 0; p < ARRAY_LEN(parity_patterns); p++) {
		regex_set_jit(true);
		struct fl_regex *rj = re(parity_patterns[p]);
		regex_set_jit(false);
		struct fl_regex *ri = re(parity_patterns[p]);
		cr_assert(!regex_is_jit(ri));
		jit_seen |= regex_is_jit(rj);
		for (size_t i = 0; i < big.nresources; i++) {
			const char *subj[] = {big.resources[i].name, big.resources[i].group, big.resources[i].type};
			for (size_t k = 0; k < ARRAY_LEN(subj); k++) {
				size_t len = strlen(subj[k]);
				int m = regex_match(ri, subj[k], len);
				cr_assert_neq(m, -1);
				cr_assert_eq(regex_match(rj, subj[k], len), m, "/%s/ on \"%s\"", parity_patterns[p],
				             subj[k]);
				cr_assert_eq(regex_match_with(rj, sc, subj[k], len), m);
				cr_assert_eq(regex_match_with(ri, sc, subj[k], len), m);
			}
		}
		regex_free(rj);
		regex_free(ri);
	}
	cr_assert(jit_seen, "PCRE2 here has no JIT: the parity test proves nothing");
	regex_scratch_free(sc);
	snap_fini(&big);
}

Test(select_regex, jit_and_interpreter_select_the_same)
{
	struct cluster_snapshot big;
	snap_generated(&big, 10000);
	for (size_t p = 0; p < ARRAY_LEN(parity_patterns); p++) {
		size_t n[2], *idx[2];
		for (int jit = 0; jit < 2; jit++) {
			regex_set_jit(jit);
			struct selector s;
			sel_init(&s, "par", (struct sel_spec){.name = parity_patterns[p], ANY});
			s.pick = PICK_PERCENT;
			s.pick_percent = 10;
			idx[jit] = xcalloc(10000, sizeof(size_t));
			struct selection out;
			struct fl_err e = {0};
			if (select_resolve(&s, NULL, &big, 77, &out, &e) == 0) {
				n[jit] = out.n;
				for (size_t i = 0; i < out.n; i++)
					idx[jit][i] = (size_t)(out.items[i] - big.resources);
				selection_fini(&out);
			} else {
				n[jit] = 0;
			}
			selector_fini(&s);
		}
		cr_assert_eq(n[0], n[1], "/%s/", parity_patterns[p]);
		cr_assert_arr_eq(idx[0], idx[1], n[0] * sizeof(size_t), "/%s/", parity_patterns[p]);
		free(idx[0]);
		free(idx[1]);
	}
	snap_fini(&big);
}
