/* test_undo.c - the list of what undoes a run's actions (agent/core/cluster_undo.c):
 * one entry per key, the first value kept, the object an item belongs to. */
#include <criterion/criterion.h>

#include "faultline/cluster.h"

Test(undo, first_value_of_a_key_wins)
{
	struct cluster_undo u = {0};
	cr_assert(cluster_undo_add(&u, "attr\tr1\ttarget-role")); /* none before the run */
	/* a later action sees the value the run set: it must not replace the pre-run one */
	cr_assert_not(cluster_undo_add(&u, "attr\tr1\ttarget-role\tStopped"));
	cr_assert(cluster_undo_add(&u, "attr\tr2\ttarget-role\tStarted"));
	cr_assert(cluster_undo_add(&u, "constraint\tr1\tcli-ban-r1-on-a"));
	cr_assert(cluster_undo_add(&u, "constraint\tr1\tcli-ban-r1-on-b"));
	cr_assert_not(cluster_undo_add(&u, "constraint\tr1\tcli-ban-r1-on-a"));
	cr_assert(cluster_undo_add(&u, "cleanup\tr1"));
	cr_assert_not(cluster_undo_add(&u, "cleanup\tr1"));
	cr_assert_eq(u.n, 5);
	cr_assert_str_eq(u.items[0], "attr\tr1\ttarget-role");
	cluster_undo_fini(&u);
	cr_assert_eq(u.n, 0);
}

Test(undo, find_returns_the_last_and_push_repeats)
{
	struct cluster_undo u = {0};
	cluster_undo_add(&u, "attr\tr1\ttarget-role\tStarted");
	cluster_undo_add(&u, "cleanup\tr1");
	cr_assert_eq(cluster_undo_find(&u, "attr\tr1\ttarget-role\tStopped"), 0);
	cr_assert_eq(cluster_undo_find(&u, "attr\tr1\ttarget-role"), 0);
	cr_assert_eq(cluster_undo_find(&u, "attr\tr2\ttarget-role"), -1);
	cr_assert_eq(cluster_undo_find(&u, "cleanup\tr"), -1, "keys match whole fields");
	cluster_undo_push(&u, u.items[0]); /* a restore changes it again: undo it again */
	cr_assert_eq(cluster_undo_find(&u, "attr\tr1\ttarget-role"), 2);
	cluster_undo_fini(&u);
}

Test(undo, object_and_text)
{
	char buf[64];
	cr_assert_str_eq(cluster_undo_object("constraint\tfl-web\tcli-prefer-fl-web", buf, sizeof(buf)), "fl-web");
	cr_assert_str_eq(cluster_undo_object("cleanup\tfl-r1", buf, sizeof(buf)), "fl-r1");
	cr_assert_str_eq(cluster_undo_object("odd", buf, sizeof(buf)), "");
	cr_assert_str_eq(cluster_undo_str("attr\tr1\ttarget-role\tStarted", buf, sizeof(buf)),
	                 "attr r1 target-role Started");
	cr_assert_str_eq(cluster_undo_str("cleanup\tr1", buf, 8), "cleanup");
}
