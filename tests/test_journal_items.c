/*
 * test_journal_items.c - the journal's node and exec-undo records: RUN_START
 * with the node commands (and RUN_START as older versions wrote it, which
 * must still load), NODE and EXEC_UNDO round trips, the RESTORED records
 * that settle them, and a torn EXEC_UNDO cut off at every byte.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/crc32c.h"
#include "faultline/log.h"
#include "journal_fixture.h"

TestSuite(journal_items, .timeout = 30);

static char *down_cmd[] = {"tests/node-kill.sh", "{node}", NULL};
static char *up_cmd[] = {"tests/node-start.sh", "{node}", "--wait", NULL};
static char *undo_argv[] = {"scripts/load.sh", "--stop", NULL};
static char *undo_env[] = {"FAULTLINE_PLAN=p", "FAULTLINE_FAULT=load", "FAULTLINE_UNDO=1", NULL};

/* RUN_START with node commands, NODE node-a (twice: the first wins), two EXEC_UNDOs; sizes after each. */
static void sample(const char *dir, long ends[4])
{
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	struct cluster_config cfg = jfx_cfg();
	cfg.node_down_command = down_cmd;
	cfg.node_up_command = up_cmd;
	cfg.node_command_timeout_ns = 30 * NSEC_PER_SEC;
	struct journal_run *r = journal_begin(j, "r1", &cfg, "p.yaml", "", &e);
	cr_assert_not_null(r, "%s", e.msg);
	ends[0] = (long)journal_size(j);
	cr_assert_eq(journal_node(j, r, "node-a", NODE_UP, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_node(j, r, "node-a", NODE_DOWN, &e), 0, "%s", e.msg);
	ends[1] = (long)journal_size(j);
	cr_assert_eq(journal_exec_undo(j, r, "undo load #1", undo_argv, undo_env, NULL, 5 * NSEC_PER_SEC, &e), 0);
	ends[2] = (long)journal_size(j);
	cr_assert_eq(journal_exec_undo(j, r, "undo load #2 for SQL", undo_argv, undo_env, "SQL", 0, &e), 0);
	ends[3] = (long)journal_size(j);
	journal_close(j);
}

Test(journal_items, node_commands_nodes_and_exec_undos_round_trip)
{
	char *dir = jfx_dir();
	long ends[4];
	sample(dir, ends);
	char *got = jfx_dump(dir);
	cr_assert_str_eq(got, "RUN_START r1 p.yaml \"\" sim plans/clusters/sql-3node.yaml 7 0 0 30000000000 2 "
	                      "tests/node-kill.sh {node} 3 tests/node-start.sh {node} --wait\n"
	                      "NODE r1 node-a 0\n"
	                      "NODE r1 node-a 1\n"
	                      "EXEC_UNDO r1 \"undo load #1\" 5000000000 \"\" 3 FAULTLINE_PLAN=p FAULTLINE_FAULT=load "
	                      "FAULTLINE_UNDO=1 scripts/load.sh --stop\n"
	                      "EXEC_UNDO r1 \"undo load #2 for SQL\" 0 SQL 3 FAULTLINE_PLAN=p FAULTLINE_FAULT=load "
	                      "FAULTLINE_UNDO=1 scripts/load.sh --stop\n");
	free(got);
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	struct journal_run *r = journal_runs(j);
	cr_assert_not_null(r);
	struct cluster_config cfg;
	journal_run_config(r, &cfg);
	cr_assert_str_eq(cfg.node_down_command[0], "tests/node-kill.sh");
	cr_assert_str_eq(cfg.node_down_command[1], "{node}");
	cr_assert_null(cfg.node_down_command[2]);
	cr_assert_str_eq(cfg.node_up_command[2], "--wait");
	cr_assert_null(cfg.node_up_command[3]);
	cr_assert_eq(cfg.node_command_timeout_ns, 30 * NSEC_PER_SEC);
	cr_assert_str_eq(r->key, "sim:plans/clusters/sql-3node.yaml", "node commands are not the cluster's identity");
	cr_assert_eq(r->nnodes, 1, "one per node, the first state kept");
	cr_assert_str_eq(r->nodes[0].name, "node-a");
	cr_assert_eq(r->nodes[0].before, NODE_UP);
	cr_assert_eq(r->nexecs, 2);
	const struct journal_exec *x = journal_exec_find(r, "undo load #1");
	cr_assert_not_null(x);
	cr_assert_null(x->target);
	cr_assert_eq(x->timeout_ns, 5 * NSEC_PER_SEC);
	cr_assert_str_eq(x->argv[1], "--stop");
	cr_assert_null(x->argv[2]);
	cr_assert_str_eq(x->env[2], "FAULTLINE_UNDO=1");
	cr_assert_null(x->env[3]);
	cr_assert_str_eq(journal_exec_find(r, "undo load #2 for SQL")->target, "SQL");
	cr_assert_eq(journal_run_items(r), 3);
	cr_assert_eq(journal_run_unverified(r), 3);

	/* RESTORED settles them: "node NAME" a node, the key an undo (ran; verified = exit 0). */
	cr_assert_eq(journal_restored(j, r, "node node-a", true, "verified: up", &e), 0);
	cr_assert_eq(journal_restored(j, r, "undo load #1", false, "NOT RESTORED: exit status 3", &e), 0);
	cr_assert_eq(journal_restored(j, r, "undo load #2 for SQL", true, "verified: exit status 0", &e), 0);
	cr_assert(r->nodes[0].verified);
	x = journal_exec_find(r, "undo load #1");
	cr_assert(x->ran && !x->ok, "ran, and failed: never run again, still not restored");
	cr_assert_eq(journal_run_unverified(r), 1);
	cr_assert_eq(journal_end(j, r, 0, "completed", &e), 0);
	cr_assert_not_null(journal_held(j, "sim:plans/clusters/sql-3node.yaml"), "a failed undo holds the cluster");
	struct journal_peek pk;
	journal_close(j);
	cr_assert_eq(journal_peek(dir, &pk, &e), 0, "%s", e.msg);
	cr_assert_eq(pk.runs, 1);
	cr_assert_eq(pk.faults, 1);
	free(dir);
}

/* A record framed by hand, as any version wrote it. */
static void append_frame(const char *dir, unsigned type, const char *const *f, size_t n)
{
	unsigned char body[1024];
	size_t len = 0;
	body[len++] = (unsigned char)type;
	for (size_t i = 0; i < n; i++) {
		memcpy(body + len, f[i], strlen(f[i]) + 1);
		len += strlen(f[i]) + 1;
	}
	unsigned char hdr[12];
	uint32_t v[3] = {(uint32_t)len, 0, crc32c(0, body, len)};
	for (int i = 0; i < 4; i++)
		hdr[i] = (unsigned char)(v[0] >> (8 * i));
	v[1] = crc32c(0, hdr, 4);
	for (int k = 1; k < 3; k++)
		for (int i = 0; i < 4; i++)
			hdr[4 * k + i] = (unsigned char)(v[k] >> (8 * i));
	char *path = xasprintf("%s/journal", dir);
	FILE *fp = fopen(path, "ab");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(hdr, 1, 12, fp), 12);
	cr_assert_eq(fwrite(body, 1, len, fp), len);
	fclose(fp);
	free(path);
}

Test(journal_items, run_start_as_older_versions_wrote_it_still_loads)
{
	char *dir = jfx_dir();
	const char *start[] = {"r0", "p.yaml", "", "exec", "", "3", "10000000000", "2", "adapter", "--x"};
	append_frame(dir, 1, start, 10);
	const char *intent[] = {"r0", "1", "fail", "app", "app", "App", "n1", "2"};
	append_frame(dir, 2, intent, 8);
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	struct journal_run *r = journal_runs(j);
	cr_assert_not_null(r);
	cr_assert_eq(r->ncommand, 2);
	cr_assert_str_eq(r->command[1], "--x");
	cr_assert_str_eq(r->key, "exec:adapter --x");
	cr_assert_null(r->node_down);
	cr_assert_null(r->node_up);
	cr_assert_eq(r->nnodes, 0);
	cr_assert_eq(r->nexecs, 0);
	cr_assert_eq(journal_run_unverified(r), 1);
	struct cluster_config cfg;
	journal_run_config(r, &cfg);
	cr_assert_null(cfg.node_down_command);
	cr_assert_eq(cfg.timeout_ns, 10 * NSEC_PER_SEC);
	journal_close(j);
	free(dir);
}

Test(journal_items, a_node_command_tail_that_does_not_add_up_is_refused)
{
	char *dir = jfx_dir();
	const char *start[] = {"r0", "p.yaml", "", "exec", "", "3", "0", "1", "adapter", "0", "2", "kill.sh", "1"};
	append_frame(dir, 1, start, 13);
	const char *end[] = {"r0", "0", "completed"};
	append_frame(dir, 5, end, 3); /* a record after it: damage, not a torn tail */
	struct fl_err e;
	cr_assert_null(journal_open(dir, &e));
	cr_assert(strstr(e.msg, "record at offset 0 (RUN_START): RUN_START: node commands: 4 field(s)") != NULL, "%s",
	          e.msg);
	free(dir);
}

static void copy_file(const char *from, const char *to)
{
	char *src = xasprintf("%s/journal", from), *dst = xasprintf("%s/journal", to);
	FILE *a = fopen(src, "rb"), *b = fopen(dst, "wb");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
		fwrite(buf, 1, n, b);
	fclose(a);
	fclose(b);
	free(src);
	free(dst);
}

Test(journal_items, a_torn_exec_undo_is_cut_at_every_byte)
{
	log_init(LOG_LVL_ERROR, 0); /* one "ignored a torn last record" per cut */
	char *dir = jfx_dir();
	long ends[4];
	sample(dir, ends);
	for (long cut = ends[2]; cut < ends[3]; cut++) {
		char *d = jfx_dir(), *path = xasprintf("%s/journal", d);
		copy_file(dir, d);
		cr_assert_eq(truncate(path, cut), 0);
		struct fl_err e;
		struct journal *j = journal_open(d, &e);
		cr_assert_not_null(j, "cut at %ld: %s", cut, e.msg);
		struct journal_run *r = journal_runs(j);
		cr_assert_eq(r->nexecs, 1, "cut at %ld: only the whole EXEC_UNDO", cut);
		cr_assert_eq(r->nnodes, 1);
		cr_assert_eq((long)journal_size(j), ends[2], "cut at %ld: the torn record is cut off", cut);
		journal_close(j);
		free(path);
		free(d);
	}
	free(dir);
}
