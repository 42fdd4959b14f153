/*
 * pacemaker_quorum.c - the cluster's own quorum votes, for the run-time
 * quorum guard: `corosync-quorumtool -s -p` (corosync votequorum; ~30 ms
 * on the two-node test cluster). Read only when the guard asks, once
 * before each node_down or node_pause it checks, never on a poll: crm_mon's
 * `with_quorum` (pacemaker_xml.c) is all a snapshot carries otherwise.
 *
 * votequorum's "Quorum" line is the number of votes needed, with two_node
 * (1 of 2) and expected_votes already applied, so the guard compares the
 * votes that would remain against it and needs no rule of its own. A
 * member row whose name is no node crm_mon knows is an error: the guard
 * cannot tell whose votes would go, and refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

/* The value after "key:" on a line that starts with key, else NULL. */
static const char *value_of(const char *line, const char *key)
{
	size_t n = strlen(key);
	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	return line + n + 1 + strspn(line + n + 1, " \t");
}

static bool number(const char *v, unsigned *out)
{
	char *end;
	if (v == NULL || *v < '0' || *v > '9')
		return false;
	unsigned long x = strtoul(v, &end, 0);
	if (x > 0xffffffffUL)
		return false;
	*out = (unsigned)x;
	return true;
}

/* One row of the membership table: "nodeid votes [qdevice-flags] name [(local)]". */
static int member(struct pcmk_quorum *q, const char *line, struct fl_err *e)
{
	char *row = xstrdup(line), *tok[8], *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(row, " \t", &save); t != NULL && n < ARRAY_LEN(tok); t = strtok_r(NULL, " \t", &save))
		if (strcmp(t, "(local)") != 0)
			tok[n++] = t;
	unsigned id = 0, votes = 0;
	int rc = 0;
	if (n > 0 && (n < 3 || !number(tok[0], &id) || !number(tok[1], &votes)))
		rc = err_set(e, "corosync-quorumtool: membership row not understood: \"%s\"", line);
	else if (n > 0 && id == 0 && strcmp(tok[n - 1], "Qdevice") == 0)
		q->qdevice += votes;
	else if (n > 0) {
		q->members = xreallocarray(q->members, q->nmembers + 1, sizeof(*q->members));
		q->members[q->nmembers++] = (struct pcmk_member){id, votes, xstrdup(tok[n - 1])};
	}
	free(row);
	return rc;
}

/* A "key: value" line of the status part (others are skipped). */
static void field(struct pcmk_quorum *q, const char *line, unsigned *seen)
{
	const char *v;
	if ((v = value_of(line, "Quorate")) != NULL) {
		q->quorate = strncmp(v, "Yes", 3) == 0;
		*seen |= 1u;
	} else if ((v = value_of(line, "Expected votes")) != NULL && number(v, &q->expected)) {
		*seen |= 2u;
	} else if ((v = value_of(line, "Total votes")) != NULL && number(v, &q->total)) {
		*seen |= 4u;
	} else if ((v = value_of(line, "Quorum")) != NULL && number(v, &q->needed)) {
		*seen |= 8u; /* "2 Activity blocked" when not quorate: the number is what counts */
	} else if ((v = value_of(line, "Flags")) != NULL) {
		q->two_node = strstr(v, "2Node") != NULL;
	}
}

int pcmk_quorum_parse(const char *text, struct pcmk_quorum *q, struct fl_err *e)
{
	static const char *const names[] = {"\"Quorate\"", "\"Expected votes\"", "\"Total votes\"", "\"Quorum\"",
	                                    "membership table"};
	memset(q, 0, sizeof(*q));
	char *copy = xstrdup(text), *save = NULL;
	unsigned seen = 0;
	int rc = 0;
	for (char *line = strtok_r(copy, "\n", &save); line != NULL && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		if (seen & 16u)
			rc = member(q, line, e);
		else if (strncmp(line + strspn(line, " "), "Nodeid", 6) == 0)
			seen |= 16u;
		else
			field(q, line, &seen);
	}
	free(copy);
	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(names); i++)
		if (!(seen & (1u << i)))
			rc = err_set(e,
			             "corosync-quorumtool: no %s in its output (is corosync_votequorum the quorum "
			             "provider?)",
			             names[i]);
	if (rc < 0)
		pcmk_quorum_fini(q);
	return rc;
}

void pcmk_quorum_fini(struct pcmk_quorum *q)
{
	for (size_t i = 0; i < q->nmembers; i++)
		free(q->members[i].name);
	free(q->members);
	memset(q, 0, sizeof(*q));
}

int pcmk_quorum_apply(const struct pcmk_quorum *q, struct cluster_snapshot *s, struct fl_err *e)
{
	for (size_t i = 0; i < s->nnodes; i++)
		s->nodes[i].votes = 0; /* not a member: no vote now */
	for (size_t k = 0; k < q->nmembers; k++) {
		size_t i = 0;
		while (i < s->nnodes && strcmp(s->nodes[i].name, q->members[k].name) != 0)
			i++;
		if (i == s->nnodes)
			return err_set(e,
			               "corosync-quorumtool: member \"%s\" (nodeid %u, %u votes) is no node crm_mon "
			               "knows: cannot tell whose votes a node fault takes",
			               q->members[k].name, q->members[k].id, q->members[k].votes);
		s->nodes[i].votes = q->members[k].votes;
	}
	s->quorum_known = s->votes_known = true;
	s->quorum = q->quorate;
	s->two_node = q->two_node;
	s->votes_total = q->total;
	s->votes_needed = q->needed;
	s->votes_expected = q->expected;
	s->votes_witness = q->qdevice;
	return 0;
}

int pcmk_quorum_votes(struct cluster *c, struct cluster_snapshot *s, struct fl_err *e)
{
	struct pcmk_backend *b = c->impl;
	char *argv[] = {"corosync-quorumtool", "-s", "-p", NULL};
	struct pcmk_out o;
	if (pcmk_cli_run(argv, b->tmo, &o, e) < 0)
		return -1;
	struct pcmk_quorum q;
	int rc = -1;
	/* exit 2 is "not quorate", an answer like 0 */
	if (o.status != 0 && o.status != 2)
		err_set(e, "corosync-quorumtool -s -p: exit %d: %s", o.status, o.err[0] ? o.err : "(no message)");
	else if (pcmk_quorum_parse(o.out, &q, e) == 0) {
		rc = pcmk_quorum_apply(&q, s, e);
		pcmk_quorum_fini(&q);
	}
	pcmk_out_fini(&o);
	return rc;
}
