/*
 * test_journal_reconcile.c - reconciliation against the simulator, in
 * process and in virtual time: a fault is applied with the sim's own
 * operations, the matching journal written as a crashed run would have
 * left it, and reconciliation must restore exactly the recorded pre-run
 * state, journal the outcome, and hold the cluster when it cannot.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/sim.h"
#include "reconcile_fixture.h"

#define SQL   "SQL Server (MSSQLSERVER)"
#define AGENT "SQL Server Agent (MSSQLSERVER)"
#define DISK  "Cluster Disk 1"

TestSuite(reconcile, .timeout = 30);

/* What a run killed after injecting would leave: RUN_START, INTENT (whole SQL group), INJECTED. */
static void crashed_run(struct env *v, const char *action, const char *resource)
{
	struct fl_err e;
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(v->j, "r1", &cfg, "plans/demo.yaml", "", &e);
	struct cluster_snapshot s;
	cr_assert_eq(v->cl->ops->snapshot(v->cl, &s, &e), 0);
	struct touched items[8];
	size_t n = 0;
	for (size_t i = 0; i < s.nresources; i++)
		if (strcmp(s.resources[i].group, SQL) == 0) {
			items[n++] = jfx_item(s.resources[i].name); /* the pre-run state: all online on node-a */
		}
	cr_assert_eq(journal_intent(v->j, r, action, resource, items, n, &e), 0);
	cr_assert_eq(journal_injected(v->j, r, 0, NULL, &e), 0);
	cluster_snapshot_free(&s);
	journal_close(v->j); /* the process dies */
	v->j = journal_open(v->dir, &e);
	cr_assert_not_null(v->j, "%s", e.msg);
}

/*
 * A backend that leaves things behind: the sim, plus undo hooks over a set
 * of "present" items (what a Pacemaker CIB would still hold). Items named
 * in `stuck` cannot be removed.
 */
static struct {
	char done[8][128]; /* undo calls, in order */
	size_t ndone;
	const char *stuck;
} fake;

static int fake_undo(struct cluster *c, const char *item, struct fl_err *e)
{
	(void)c;
	(void)e;
	cr_assert_lt(fake.ndone, 8);
	snprintf(fake.done[fake.ndone++], sizeof(fake.done[0]), "%s", item);
	return 0;
}

static int fake_left(struct cluster *c, const char *item, char *why, size_t len, struct fl_err *e)
{
	(void)c;
	(void)e;
	snprintf(why, len, "\"%s\" is still there", item);
	return fake.stuck != NULL && strcmp(item, fake.stuck) == 0;
}

static struct cluster_ops fake_ops;

static void with_undo_hooks(struct env *v)
{
	memset(&fake, 0, sizeof(fake));
	fake_ops = *v->cl->ops;
	fake_ops.undo = fake_undo;
	fake_ops.undo_left = fake_left;
	v->cl->ops = &fake_ops;
}

/* crashed_run, with what undoes the action journaled before it (twice the same key: the first wins). */
static void crashed_run_with_undo(struct env *v)
{
	struct fl_err e;
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(v->j, "r1", &cfg, "plans/demo.yaml", "", &e);
	const char *first[] = {"attr\t" SQL "\ttarget-role", "constraint\t" SQL "\tcli-ban-x"};
	const char *later[] = {"attr\t" SQL "\ttarget-role\tStopped", "cleanup\t" DISK};
	cr_assert_eq(journal_undo(v->j, r, first, 2, &e), 0, "%s", e.msg);
	struct touched items[] = {jfx_item(SQL), jfx_item(DISK)};
	cr_assert_eq(journal_intent(v->j, r, "offline", SQL, items, 2, &e), 0);
	cr_assert_eq(journal_undo(v->j, r, later, 2, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_intent(v->j, r, "online", SQL, items, 2, &e), 0);
	journal_close(v->j); /* the process dies */
	v->j = journal_open(v->dir, &e);
	cr_assert_not_null(v->j, "%s", e.msg);
}

Test(reconcile, recorded_undo_items_are_undone_whatever_the_state)
{
	struct env v;
	setup_env(&v);
	with_undo_hooks(&v);
	crashed_run_with_undo(&v);
	struct journal_run *r = journal_runs(v.j);
	cr_assert_eq(r->undo.n, 3, "one item per key, the first value kept");
	cr_assert_str_eq(r->undo.items[0], "attr\t" SQL "\ttarget-role");
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	/* everything already matched: undone anyway, newest first */
	cr_assert_eq(fake.ndone, 3, "%s", out);
	cr_assert_str_eq(fake.done[0], "cleanup\t" DISK);
	cr_assert_str_eq(fake.done[1], "constraint\t" SQL "\tcli-ban-x");
	cr_assert_str_eq(fake.done[2], "attr\t" SQL "\ttarget-role");
	cr_assert(strstr(out, "restore: undo \"cleanup " DISK "\": done") != NULL, "%s", out);
	cr_assert(strstr(out, "everything verified (2 resource(s) checked, 3 undo item(s))") != NULL, "%s", out);
	cr_assert_null(journal_runs(v.j), "settled");
	free(out);
	teardown_env(&v);
}

Test(reconcile, an_undo_item_left_over_is_not_restored)
{
	log_init(LOG_LVL_ERROR, 0);
	struct env v;
	setup_env(&v);
	with_undo_hooks(&v);
	fake.stuck = "constraint\t" SQL "\tcli-ban-x";
	crashed_run_with_undo(&v);
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 1, "%s", out);
	free(out);
	char *dump = jfx_dump(v.dir);
	/* charged to what it belongs to (the group, so both its members), and named */
	const char *detail = " 0 \"NOT RESTORED: online on node-a (before the run: online on node-a); left over: "
	                     "\"constraint\t" SQL "\tcli-ban-x\" is still there\"";
	char *want = xasprintf("RESTORED r1 \"%s\"%s", SQL, detail);
	cr_assert(strstr(dump, want) != NULL, "%s", dump);
	free(want);
	want = xasprintf("RESTORED r1 \"%s\"%s", DISK, detail);
	cr_assert(strstr(dump, want) != NULL, "%s", dump);
	free(want);
	cr_assert_not_null(journal_held(v.j, "sim:plans/clusters/sql-3node.yaml"));
	free(dump);
	teardown_env(&v);
}

Test(reconcile, moved_group_and_offline_agent_are_put_back)
{
	struct env v;
	setup_env(&v);
	struct sim *s = sim_from_cluster(v.cl);
	long code;
	struct fl_err e;
	cr_assert_eq(sim_move_group(s, SQL, "node-b", 0, &code, &e), 0);
	clock_advance(v.clk, clock_now(v.clk) + 30 * NSEC_PER_SEC, 100000);
	cr_assert_eq(sim_offline(s, AGENT, 0, NULL, &code, &e), 0);
	clock_advance(v.clk, clock_now(v.clk) + 5 * NSEC_PER_SEC, 100000);
	cr_assert_str_eq(sim_group_owner(s, SQL), "node-b");
	cr_assert_eq(sim_resource_state(s, AGENT), RES_OFFLINE);
	crashed_run(&v, "move", SQL);

	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0, "%s", out);
	cr_assert_eq(v.opened, 1);
	cr_assert_str_eq(sim_group_owner(s, SQL), "node-a");
	for (size_t i = 0; i < 5; i++) {
		const char *names[] = {DISK, "SQL IP Address 1 (SQLCLUS)", "SQL Network Name (SQLCLUS)", SQL, AGENT};
		cr_assert_eq(sim_resource_state(s, names[i]), RES_ONLINE, "%s", names[i]);
	}
	cr_assert(strstr(out, "restore group \"" SQL
	                      "\": move back to node-a: accepted, completing in the background\n") != NULL,
	          "%s", out);
	cr_assert(strstr(out, "restore \"" AGENT "\": online (was offline): accepted") != NULL, "%s", out);
	cr_assert(strstr(out, "run r1: everything verified") != NULL, "%s", out);
	cr_assert_null(journal_runs(v.j), "the run is settled");
	free(out);
	char *dump = jfx_dump(v.dir);
	const char *tail = "RESTORED r1 \"" AGENT "\" 1 \"verified: online on node-a (before the run: online on "
	                   "node-a)\"\nRUN_END r1 3 \"reconciled after a crash\"\n";
	cr_assert(strlen(dump) > strlen(tail) && strcmp(dump + strlen(dump) - strlen(tail), tail) == 0, "%s", dump);
	cr_assert(strstr(dump, "RESTORED r1 \"" DISK "\" 1 \"verified: online on node-a") != NULL, "%s", dump);
	free(dump);
	teardown_env(&v);
}

Test(reconcile, nothing_to_do_after_a_clean_end)
{
	struct env v;
	setup_env(&v);
	struct fl_err e;
	struct cluster_config cfg = jfx_cfg();
	struct journal_run *r = journal_begin(v.j, "r1", &cfg, "p.yaml", "", &e);
	cr_assert_eq(journal_end(v.j, r, 0, "completed", &e), 0);
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 0);
	cr_assert_eq(v.opened, 0, "no cluster is touched");
	cr_assert_str_eq(out, "");
	free(out);
	teardown_env(&v);
}

Test(reconcile, unrestorable_holds_the_cluster_until_force)
{
	log_init(LOG_LVL_ERROR, 0); /* the expected "NOT RESTORED" warnings are asserted below, not printed */
	struct env v;
	setup_env(&v);
	struct sim *s = sim_from_cluster(v.cl);
	long code;
	struct fl_err e;
	cr_assert_eq(sim_move_group(s, SQL, "node-b", 0, &code, &e), 0);
	clock_advance(v.clk, clock_now(v.clk) + 30 * NSEC_PER_SEC, 100000);
	crashed_run(&v, "move", SQL);
	/* The recorded owner is a node the cluster does not have: it can never be put back. */
	struct journal_run *r = journal_runs(v.j);
	for (size_t i = 0; i < r->ntouched; i++) {
		free(r->touched[i].owner);
		r->touched[i].owner = xstrdup("node-gone");
	}
	int left;
	char *out = reconcile(&v, false, &left);
	cr_assert_eq(left, 1, "%s", out);
	cr_assert(strstr(out, "restore: INCOMPLETE (5 resource(s) checked)") != NULL, "%s", out);
	free(out);
	const char *key = "sim:plans/clusters/sql-3node.yaml";
	cr_assert_not_null(journal_held(v.j, key), "held until an operator acts");
	char *dump = jfx_dump(v.dir);
	cr_assert(strstr(dump, "RESTORED r1 \"" SQL "\" 0 \"NOT RESTORED: online on node-b (before the run: online on "
	                       "node-gone)\"") != NULL,
	          "%s", dump);
	cr_assert_null(strstr(dump, "RUN_END"), "%s", dump);
	free(dump);

	out = reconcile(&v, true, &left);
	cr_assert_eq(left, 1, "still not restored: exit 4, but acknowledged");
	cr_assert(strstr(out, "run r1: acknowledged (--force); its cluster is released") != NULL, "%s", out);
	free(out);
	cr_assert_null(journal_held(v.j, key));
	cr_assert_null(journal_runs(v.j));
	dump = jfx_dump(v.dir);
	cr_assert(strstr(dump, "ACK r1 \"acknowledged by an operator: faultline restore --force\"\n") != NULL, "%s",
	          dump);
	free(dump);
	teardown_env(&v);
}
