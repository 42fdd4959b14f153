/*
 * test_pacemaker_quorum.c - the quorum facts of the Pacemaker backend and
 * the guard's arithmetic on them: `corosync-quorumtool -s -p` and crm_mon
 * XML captured from the two-node test cluster (tests/data/pacemaker/quorum/
 * README.md: two_node, expected_votes 3, one node down), the votes put on
 * crm_mon's nodes, cluster_quorum_votes with and without the cluster's own
 * count, and the cluster_ops call against a stand-in corosync-quorumtool.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../agent/cluster/pacemaker/pacemaker_int.h"
#include "faultline/clock.h"
#include "faultline/util.h"

static char *slurp(const char *name, size_t *len)
{
	char *path = xasprintf("tests/data/pacemaker/quorum/%s", name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	free(path);
	char *buf = xcalloc(1, 65536);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void tool(const char *name, struct pcmk_quorum *q)
{
	size_t len;
	char *text = slurp(name, &len);
	struct fl_err e = {0};
	cr_assert_eq(pcmk_quorum_parse(text, q, &e), 0, "%s: %s", name, e.msg);
	free(text);
}

static void mon(const char *name, struct pcmk_status *st)
{
	size_t len;
	char *xml = slurp(name, &len);
	struct fl_err e = {0};
	cr_assert_eq(pcmk_xml_parse(xml, len, st, &e), 0, "%s: %s", name, e.msg);
	free(xml);
}

/* crm_mon's snapshot with the tool's votes on it, as the guard sees the cluster. */
static void both(const char *base, struct pcmk_status *st)
{
	char *xml = xasprintf("%s.xml", base), *txt = xasprintf("%s.txt", base);
	struct pcmk_quorum q;
	mon(xml, st);
	tool(txt, &q);
	struct fl_err e = {0};
	cr_assert_eq(pcmk_quorum_apply(&q, &st->snap, &e), 0, "%s", e.msg);
	pcmk_quorum_fini(&q);
	free(xml);
	free(txt);
}

/* The votes left if the named nodes (comma-separated, "" = none) went. */
static struct cluster_votes without(const struct cluster_snapshot *s, const char *names)
{
	bool gone[8] = {false};
	cr_assert_leq(s->nnodes, 8);
	for (size_t i = 0; i < s->nnodes; i++) {
		char *key = xasprintf(",%s,", s->nodes[i].name), *list = xasprintf(",%s,", names);
		gone[i] = strstr(list, key) != NULL;
		free(key);
		free(list);
	}
	struct cluster_votes v;
	cluster_quorum_votes(s, gone, &v);
	return v;
}

Test(pacemaker_quorum, two_node_both_up)
{
	struct pcmk_quorum q;
	tool("two-node.txt", &q);
	cr_assert(q.quorate);
	cr_assert(q.two_node);
	cr_assert_eq(q.expected, 2);
	cr_assert_eq(q.total, 2);
	cr_assert_eq(q.needed, 1, "two_node: quorum is set to 1");
	cr_assert_eq(q.qdevice, 0);
	cr_assert_eq(q.nmembers, 2);
	cr_assert_str_eq(q.members[0].name, "fl-node1", "the \"(local)\" mark is not part of the name");
	cr_assert_eq(q.members[0].id, 1);
	cr_assert_eq(q.members[0].votes, 1);
	cr_assert_str_eq(q.members[1].name, "fl-node2");
	cr_assert_eq(q.members[1].id, 2);
	pcmk_quorum_fini(&q);
}

Test(pacemaker_quorum, expected_votes_3_one_down_is_not_quorate)
{
	struct pcmk_quorum q;
	tool("expected3-one-down.txt", &q);
	cr_assert_not(q.quorate);
	cr_assert_not(q.two_node);
	cr_assert_eq(q.expected, 3);
	cr_assert_eq(q.total, 1);
	cr_assert_eq(q.needed, 2, "\"Quorum: 2 Activity blocked\"");
	cr_assert_eq(q.nmembers, 1);
	pcmk_quorum_fini(&q);
}

Test(pacemaker_quorum, two_node_keeps_quorum_1_with_expected_3)
{
	struct pcmk_quorum q;
	tool("two-node-e3.txt", &q);
	cr_assert(q.two_node);
	cr_assert_eq(q.expected, 3);
	cr_assert_eq(q.needed, 1);
	pcmk_quorum_fini(&q);
}

Test(pacemaker_quorum, crm_mon_says_whether_the_dc_has_quorum)
{
	struct pcmk_status st;
	mon("two-node.xml", &st);
	cr_assert(st.snap.quorum_known);
	cr_assert(st.snap.quorum);
	cr_assert_not(st.snap.votes_known, "a crm_mon read alone has no votes");
	pcmk_status_fini(&st);
	mon("expected3-one-down.xml", &st);
	cr_assert(st.snap.quorum_known);
	cr_assert_not(st.snap.quorum, "with_quorum=\"false\"");
	pcmk_status_fini(&st);
}

Test(pacemaker_quorum, a_two_node_cluster_may_lose_one_node_not_two)
{
	struct pcmk_status st;
	both("two-node", &st);
	const struct cluster_snapshot *s = &st.snap;
	cr_assert(s->votes_known);
	cr_assert(s->two_node);
	cr_assert_eq(s->nodes[0].votes, 1);
	cr_assert_eq(s->nodes[1].votes, 1);
	struct cluster_votes v = without(s, "fl-node1");
	cr_assert_eq(v.left, 1);
	cr_assert_eq(v.needed, 1);
	cr_assert_eq(v.of, 2);
	cr_assert_geq(v.left, v.needed, "one node of two keeps quorum");
	v = without(s, "fl-node1,fl-node2");
	cr_assert_lt(v.left, v.needed, "none of two does not");
	pcmk_status_fini(&st);

	/* fl-node2 crashed: the cluster counts 1 vote; taking fl-node1 too leaves 0 */
	both("two-node-one-down", &st);
	cr_assert_eq(st.snap.nodes[1].votes, 0, "a node that is no member has no vote now");
	v = without(&st.snap, "fl-node1");
	cr_assert_eq(v.left, 0);
	cr_assert_eq(v.needed, 1);
	v = without(&st.snap, "fl-node2");
	cr_assert_eq(v.left, 1, "taking a node that is already gone takes no vote");
	pcmk_status_fini(&st);
}

Test(pacemaker_quorum, expected_votes_3_needs_both_nodes)
{
	struct pcmk_status st;
	both("expected3", &st);
	cr_assert_not(st.snap.two_node);
	struct cluster_votes v = without(&st.snap, "");
	cr_assert_eq(v.left, 2);
	cr_assert_eq(v.needed, 2);
	cr_assert_eq(v.of, 3);
	v = without(&st.snap, "fl-node2");
	cr_assert_eq(v.left, 1);
	cr_assert_lt(v.left, v.needed, "1 of 3 votes, 2 needed: quorum lost");
	pcmk_status_fini(&st);
}

Test(pacemaker_quorum, node_majority_without_the_clusters_count)
{
	/* the simulator's and WSFC's model, as before: one vote a node up, the witness, more than half needed */
	struct cluster_node nodes[] = {{"a", true, false, 0}, {"b", true, false, 0}, {"c", false, false, 0}};
	struct cluster_snapshot s = {.nodes = nodes, .nnodes = 3, .quorum_known = true, .quorum = true};
	struct cluster_votes v = without(&s, "a");
	cr_assert_eq(v.left, 1);
	cr_assert_eq(v.of, 3);
	cr_assert_eq(v.needed, 2);
	s.votes_witness = 1;
	v = without(&s, "a");
	cr_assert_eq(v.left, 2);
	cr_assert_eq(v.of, 4);
	cr_assert_eq(v.needed, 3, "2 of 4 is no majority");
	cr_assert_eq(cluster_quorum_majority(2), 2, "node majority of two nodes: both (no two_node rule)");
	cr_assert_eq(cluster_quorum_majority(5), 3);
}

Test(pacemaker_quorum, what_cannot_be_counted_is_an_error)
{
	struct pcmk_quorum q;
	struct fl_err e = {0};
	cr_assert_eq(pcmk_quorum_parse("Quorum information\nQuorate: Yes\n", &q, &e), -1);
	cr_assert_str_eq(e.msg, "corosync-quorumtool: no \"Expected votes\" in its output (is corosync_votequorum the "
	                        "quorum provider?)");
	size_t len;
	char *text = slurp("two-node.txt", &len);
	char *bad = xasprintf("%s         x          1         NR fl-node3\n", text);
	cr_assert_eq(pcmk_quorum_parse(bad, &q, &e), -1);
	cr_assert_str_eq(e.msg,
	                 "corosync-quorumtool: membership row not understood: \"         x          1         NR "
	                 "fl-node3\"");
	free(bad);
	bad = xasprintf("%s         3          1         NR fl-node3\n", text);
	tool("two-node.txt", &q); /* a valid parse, to apply to crm_mon's two nodes */
	pcmk_quorum_fini(&q);
	cr_assert_eq(pcmk_quorum_parse(bad, &q, &e), 0, "%s", e.msg);
	struct pcmk_status st;
	mon("two-node.xml", &st);
	cr_assert_eq(pcmk_quorum_apply(&q, &st.snap, &e), -1);
	cr_assert_str_eq(e.msg,
	                 "corosync-quorumtool: member \"fl-node3\" (nodeid 3, 1 votes) is no node crm_mon knows: "
	                 "cannot tell whose votes a node fault takes");
	pcmk_status_fini(&st);
	pcmk_quorum_fini(&q);
	free(bad);
	free(text);
}

/*
 * The cluster_ops call against stand-ins on PATH: crm_mon prints
 * expected3.xml; corosync-quorumtool prints the file named in
 * DIR/out and exits with the status in DIR/rc.
 */
static char fake[64];

static void script(const char *name, const char *body)
{
	char *path = xasprintf("%s/%s", fake, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(body, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
	free(path);
}

static void answer(const char *file, int rc)
{
	char *cmd = xasprintf("echo tests/data/pacemaker/quorum/%s > %s/out && echo %d > %s/rc", file, fake, rc, fake);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static struct cluster *open_fake(struct fl_clock *clk)
{
	snprintf(fake, sizeof(fake), "/tmp/fl-fake-quorum-%d", (int)getpid());
	char *cmd = xasprintf("rm -rf %s && mkdir -p %s", fake, fake);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	char *cwd = getcwd(NULL, 0);
	char *body = xasprintf("#!/bin/sh\nexec cat %s/tests/data/pacemaker/quorum/expected3.xml\n", cwd);
	script("crm_mon", body);
	free(body);
	body = xasprintf("#!/bin/sh\necho \"$*\" >> %s/calls\ncat \"%s/$(cat %s/out)\"\nexit $(cat %s/rc)\n", fake, cwd,
	                 fake, fake);
	script("corosync-quorumtool", body);
	free(body);
	free(cwd);
	char *p = xasprintf("%s:%s", fake, getenv("PATH"));
	setenv("PATH", p, 1);
	setenv("FAULTLINE_PCMK_POLL", "1", 1);
	free(p);
	struct cluster_config cfg = {.backend = "pacemaker", .timeout_ns = 2000 * 1000000ull};
	struct fl_err e = {0};
	struct cluster *cl = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(cl, "%s", e.msg);
	return cl;
}

static int calls(void)
{
	char *path = xasprintf("%s/calls", fake);
	FILE *f = fopen(path, "r");
	free(path);
	int n = 0;
	for (int ch; f != NULL && (ch = fgetc(f)) != EOF;)
		n += ch == '\n';
	if (f != NULL)
		fclose(f);
	return n;
}

Test(pacemaker_quorum, the_votes_are_read_only_when_asked_and_not_quorate_is_an_answer)
{
	struct fl_clock *clk = clock_new_real();
	struct cluster *cl = open_fake(clk);
	answer("expected3.txt", 0);
	struct cluster_snapshot s;
	struct fl_err e = {0};
	cr_assert_eq(cl->ops->snapshot(cl, &s, &e), 0, "%s", e.msg);
	cr_assert(s.quorum_known && s.quorum, "crm_mon's with_quorum comes with every snapshot");
	cr_assert_not(s.votes_known);
	cr_assert_eq(calls(), 0, "a snapshot does not run corosync-quorumtool");
	cr_assert_eq(cl->ops->quorum_votes(cl, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(calls(), 1);
	cr_assert(s.votes_known);
	cr_assert_eq(s.votes_needed, 2);
	cr_assert_eq(s.votes_expected, 3);
	answer("expected3-one-down.txt", 2);
	cr_assert_eq(cl->ops->quorum_votes(cl, &s, &e), 0, "exit 2 (not quorate) is an answer: %s", e.msg);
	cr_assert_not(s.quorum);
	cr_assert_eq(s.votes_total, 1);
	answer("two-node.txt", 1);
	cr_assert_eq(cl->ops->quorum_votes(cl, &s, &e), -1);
	cr_assert_str_eq(e.msg, "corosync-quorumtool -s -p: exit 1: (no message)");
	cluster_snapshot_free(&s);
	cluster_close(cl);
	clock_free(clk);
	char *cmd = xasprintf("rm -rf %s", fake);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}
