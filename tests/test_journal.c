/*
 * test_journal.c - the journal file: framing and checksums, a torn last
 * record cut at every byte, damage in the middle refused, the lock, which
 * clusters are held, and compaction keeping the open runs.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/crc32c.h"
#include "journal_fixture.h"

TestSuite(journal, .timeout = 30);

/* RUN_START r1, INTENT (two items), INJECTED; sizes after each record in ends[]. */
static void sample(const char *dir, long ends[3])
{
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(j, "r1", &cfg, "plans/demo.yaml", "abc", &e);
	cr_assert_not_null(r, "%s", e.msg);
	ends[0] = (long)journal_size(j);
	struct touched items[] = {jfx_item("Cluster Disk 1"), jfx_item("SQL Server (MSSQLSERVER)")};
	cr_assert_eq(journal_intent(j, r, "fail", "SQL Server (MSSQLSERVER)", items, 2, &e), 0, "%s", e.msg);
	ends[1] = (long)journal_size(j);
	cr_assert_eq(journal_injected(j, r, 0, NULL, &e), 0, "%s", e.msg);
	ends[2] = (long)journal_size(j);
	journal_close(j);
}

static void flip_byte(const char *dir, long off)
{
	char *path = xasprintf("%s/journal", dir);
	int fd = open(path, O_RDWR);
	unsigned char b;
	cr_assert_eq(pread(fd, &b, 1, off), 1);
	b ^= 0x40;
	cr_assert_eq(pwrite(fd, &b, 1, off), 1);
	close(fd);
	free(path);
}

static void cut(const char *dir, long size)
{
	char *path = xasprintf("%s/journal", dir);
	cr_assert_eq(truncate(path, size), 0);
	free(path);
}

Test(journal, crc32c_check_value)
{
	cr_assert_eq(crc32c(0, "123456789", 9), 0xe3069283u);
	cr_assert_eq(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
}

Test(journal, records_round_trip_and_dump)
{
	char *dir = jfx_dir();
	long ends[3];
	sample(dir, ends);
	char *got = jfx_dump(dir), *wd = jfx_workdir_line("r1");
	char *want = xasprintf("RUN_START r1 plans/demo.yaml abc sim plans/clusters/sql-3node.yaml 7 0 0\n"
	                       "%s"
	                       "INTENT r1 1 fail \"SQL Server (MSSQLSERVER)\" \"Cluster Disk 1\" \"SQL Server "
	                       "(MSSQLSERVER)\" node-a 2 \"SQL Server (MSSQLSERVER)\" \"SQL Server (MSSQLSERVER)\" "
	                       "node-a 2\n"
	                       "INJECTED r1 1 0 \"\"\n",
	                       wd);
	cr_assert_str_eq(got, want);
	free(got), free(wd), free(want);
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	struct journal_run *r = journal_runs(j);
	cr_assert_not_null(r);
	cr_assert_str_eq(r->id, "r1");
	cr_assert(r->orphan);
	cr_assert_eq(r->intents, 1);
	cr_assert_eq(r->injected, 1);
	cr_assert_eq(r->ntouched, 2);
	cr_assert_str_eq(r->touched[0].resource, "Cluster Disk 1");
	cr_assert_str_eq(r->touched[0].owner, "node-a");
	cr_assert_eq(r->touched[0].state, RES_ONLINE);
	cr_assert_str_eq(r->key, "sim:plans/clusters/sql-3node.yaml");
	cr_assert_null(r->next);
	journal_close(j);
	free(dir);
}

Test(journal, torn_last_record_cut_at_every_byte)
{
	char *dir = jfx_dir();
	long ends[3];
	sample(dir, ends);
	char *path = xasprintf("%s/journal", dir), *keep = xasprintf("%s/journal.full", dir);
	char *cmd = xasprintf("cp %s %s", path, keep);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	for (long size = ends[1]; size < ends[2]; size++) {
		cmd = xasprintf("cp %s %s", keep, path);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
		cut(dir, size);
		struct fl_err e;
		struct journal *j = journal_open(dir, &e);
		cr_assert_not_null(j, "cut at %ld: %s", size, e.msg);
		struct journal_run *r = journal_runs(j);
		cr_assert(r != NULL && r->intents == 1 && r->injected == 0, "cut at %ld", size);
		cr_assert_eq((long)journal_size(j), ends[1], "cut at %ld", size);
		journal_close(j);
		cr_assert_eq(jfx_file_size(dir), ends[1], "cut at %ld: the torn bytes are truncated", size);
	}
	free(path);
	free(keep);
	free(dir);
}

Test(journal, damaged_last_record_is_torn_too)
{
	char *dir = jfx_dir();
	long ends[3];
	sample(dir, ends);
	flip_byte(dir, ends[2] - 2);
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	cr_assert_eq(journal_runs(j)->injected, 0);
	cr_assert_eq((long)journal_size(j), ends[1]);
	journal_close(j);
	free(dir);
}

Test(journal, zeros_past_the_end_are_torn)
{
	char *dir = jfx_dir();
	long ends[3];
	sample(dir, ends);
	cut(dir, ends[2] + 4096); /* what a crash can leave after an extending write */
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	cr_assert_eq((long)journal_size(j), ends[2]);
	journal_close(j);
	free(dir);
}

Test(journal, damage_in_the_middle_is_refused)
{
	char *dir = jfx_dir();
	long ends[3];
	sample(dir, ends);
	flip_byte(dir, ends[0] + 20); /* inside the INTENT body */
	struct fl_err e;
	cr_assert_null(journal_open(dir, &e));
	char *want = xasprintf("journal %s/journal: record at offset %ld: checksum mismatch with %ld byte(s) of "
	                       "records after it; refusing to guess",
	                       dir, ends[0], ends[2] - ends[1]);
	cr_assert_str_eq(e.msg, want);
	free(want);
	flip_byte(dir, ends[0] + 20);
	flip_byte(dir, ends[0] + 1); /* the INTENT's length */
	cr_assert_null(journal_open(dir, &e));
	want = xasprintf("journal %s/journal: record at offset %ld: header checksum mismatch with %ld byte(s) after "
	                 "it; refusing to guess",
	                 dir, ends[0], ends[2] - ends[0]);
	cr_assert_str_eq(e.msg, want);
	free(want);
	cr_assert_eq(jfx_file_size(dir), ends[2], "nothing is cut when the damage is not at the end");
	free(dir);
}

Test(journal, one_process_at_a_time)
{
	char *dir = jfx_dir();
	struct fl_err e;
	struct journal *a = journal_open(dir, &e);
	cr_assert_not_null(a, "%s", e.msg);
	cr_assert_null(journal_open(dir, &e));
	char *want = xasprintf("%s: in use by another faultline process (its lock is held)", dir);
	cr_assert_str_eq(e.msg, want);
	free(want);
	journal_close(a);
	struct journal *b = journal_open(dir, &e);
	cr_assert_not_null(b, "%s", e.msg);
	journal_close(b);
	free(dir);
}

Test(journal, held_clusters)
{
	char *dir = jfx_dir();
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	struct cluster_config cfg = jfx_cfg();
	const char *key = "sim:plans/clusters/sql-3node.yaml";
	struct journal_run *r = journal_begin(j, "r1", &cfg, "p.yaml", "", &e);
	struct touched it = jfx_item("Cluster Disk 1");
	cr_assert_eq(journal_intent(j, r, "fail", "Cluster Disk 1", &it, 1, &e), 0);
	cr_assert_null(journal_held(j, key), "a run in progress in this process holds nothing");
	cr_assert_eq(journal_restored(j, r, "Cluster Disk 1", false, "NOT RESTORED", &e), 0);
	cr_assert_eq(journal_end(j, r, 4, "completed", &e), 0);
	const struct journal_run *h = journal_held(j, key);
	cr_assert(h != NULL && strcmp(h->id, "r1") == 0, "ended with a resource not restored: held");
	cr_assert_null(journal_held(j, "sim:other.yaml"));
	r = journal_runs(j);
	cr_assert_eq(journal_ack(j, r, "operator", &e), 0);
	cr_assert_null(journal_held(j, key), "acknowledged: released");
	cr_assert_null(journal_runs(j));
	r = journal_begin(j, "r2", &cfg, "p.yaml", "", &e);
	cr_assert_eq(journal_intent(j, r, "fail", "Cluster Disk 1", &it, 1, &e), 0);
	journal_close(j); /* as if killed: r2 never ended */
	j = journal_open(dir, &e);
	h = journal_held(j, key);
	cr_assert(h != NULL && strcmp(h->id, "r2") == 0 && h->orphan, "orphaned: held");
	journal_close(j);
	free(dir);
}

static void settled_run(struct journal *j, const char *id)
{
	struct fl_err e;
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(j, id, &cfg, "p.yaml", "", &e);
	struct touched it = jfx_item("Cluster Disk 1");
	cr_assert_eq(journal_intent(j, r, "fail", "Cluster Disk 1", &it, 1, &e), 0);
	cr_assert_eq(journal_injected(j, r, 0, NULL, &e), 0);
	cr_assert_eq(journal_restored(j, r, "Cluster Disk 1", true, "verified", &e), 0);
	cr_assert_eq(journal_end(j, r, 0, "completed", &e), 0, "%s", e.msg);
}

Test(journal, compaction_keeps_open_runs_and_bounds_the_file)
{
	char *dir = jfx_dir();
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	journal_set_compact_bytes(j, 4096);
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *open = journal_begin(j, "open", &cfg, "p.yaml", "", &e);
	struct touched it = jfx_item("SQL Server (MSSQLSERVER)");
	cr_assert_eq(journal_intent(j, open, "fail", "SQL Server (MSSQLSERVER)", &it, 1, &e), 0);
	uint64_t live = journal_size(j);
	for (int i = 0; i < 200; i++) {
		char id[16];
		snprintf(id, sizeof(id), "s%d", i);
		settled_run(j, id);
		cr_assert_leq(journal_size(j), 4096 + 1024, "run %d: the file stays bounded", i);
	}
	cr_assert_eq(journal_compact(j, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_size(j), live, "only the open run's records remain");
	cr_assert_eq((uint64_t)jfx_file_size(dir), live);
	char *tmp = xasprintf("%s/journal.tmp", dir);
	cr_assert_eq(access(tmp, F_OK), -1);
	free(tmp);
	journal_close(j);
	char *got = jfx_dump(dir), *wd = jfx_workdir_line("open");
	char *want = xasprintf("RUN_START open p.yaml \"\" sim plans/clusters/sql-3node.yaml 7 0 0\n"
	                       "%s"
	                       "INTENT open 1 fail \"SQL Server (MSSQLSERVER)\" \"SQL Server (MSSQLSERVER)\" \"SQL "
	                       "Server (MSSQLSERVER)\" node-a 2\n",
	                       wd);
	cr_assert_str_eq(got, want);
	free(got), free(wd), free(want);
	j = journal_open(dir, &e);
	cr_assert_not_null(j, "%s", e.msg);
	cr_assert_str_eq(journal_runs(j)->id, "open");
	cr_assert(journal_runs(j)->orphan);
	journal_close(j);
	free(dir);
}
