/*
 * pacemaker_xml.c - `crm_mon -1 --output-as=xml` into a cluster_snapshot,
 * through libxml2.
 *
 * Primitives at the top level and inside groups are enumerated; a group
 * member depends on the member before it (a group is an ordered, colocated
 * chain). Clones and bundles are counted and skipped. A resource whose
 * operation history is empty on every node is reported PENDING, not
 * OFFLINE: that is the ~1 s after a cleanup or a cluster property change
 * in which crm_mon shows a running resource as Stopped until it is
 * re-probed (docs/backends.md, "traps"). A resource that is stopped and
 * has reached its migration-threshold on some node (node_history's
 * fail-count >= migration-threshold) is FAILED: Pacemaker leaves it so
 * until a cleanup, WSFC's "left failed".
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

struct parse {
	struct pcmk_status *st;
	size_t capn, capg, capr, capb;
	char **hist; /* resource ids with operation history */
	size_t nhist, caphist;
	char **spent; /* resource ids at their migration-threshold on some node */
	size_t nspent, capspent;
};

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const char *attr(const xmlNode *n, const char *name)
{
	/* the attribute's text node; valid while the document lives */
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children && a->children->content)
			return (const char *)a->children->content;
	return NULL;
}

static bool attr_true(const xmlNode *n, const char *name)
{
	const char *v = attr(n, name);
	return v != NULL && strcmp(v, "true") == 0;
}

static bool str_in(char **v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

enum res_state pcmk_state_map(const char *role, const char *failed, const char *pending, bool has_history)
{
	bool f = failed && strcmp(failed, "true") == 0;
	if (role == NULL)
		return RES_UNKNOWN;
	if (strcmp(role, "Starting") == 0 || (pending && strcmp(pending, "Starting") == 0))
		return RES_ONLINE_PENDING;
	if (f)
		return RES_FAILED;
	if (strcmp(role, "Stopping") == 0 || (pending && strcmp(pending, "Stopping") == 0))
		return RES_OFFLINE_PENDING;
	static const char *const up[] = {"Started", "Promoted", "Unpromoted", "Master", "Slave"};
	for (size_t i = 0; i < ARRAY_LEN(up); i++)
		if (strcmp(role, up[i]) == 0)
			return RES_ONLINE;
	if (strcmp(role, "Stopped") == 0)
		return has_history ? RES_OFFLINE : RES_PENDING;
	if (strcmp(role, "Migrating") == 0 || strcmp(role, "Promoting") == 0 || strcmp(role, "Demoting") == 0)
		return RES_PENDING;
	return RES_UNKNOWN;
}

static const char *first_node(const xmlNode *res)
{
	for (const xmlNode *c = res->children; c != NULL; c = c->next)
		if (is(c, "node"))
			return attr(c, "name");
	return NULL;
}

static void add_resource(struct parse *p, const xmlNode *n, const char *group, const char *prev)
{
	struct cluster_snapshot *s = &p->st->snap;
	XGROW(s->resources, p->capr, s->nresources + 1);
	struct cluster_resource *r = &s->resources[s->nresources++];
	memset(r, 0, sizeof(*r));
	const char *id = attr(n, "id"), *agent = attr(n, "resource_agent"), *owner = first_node(n);
	r->name = xstrdup(id ? id : "");
	r->type = xstrdup(agent ? agent : "");
	r->group = group ? xstrdup(group) : NULL;
	r->owner = owner ? xstrdup(owner) : NULL;
	r->state =
	    pcmk_state_map(attr(n, "role"), attr(n, "failed"), attr(n, "pending"), str_in(p->hist, p->nhist, id));
	if (r->state == RES_OFFLINE && str_in(p->spent, p->nspent, r->name))
		r->state = RES_FAILED;
	if (prev != NULL) {
		r->deps = xcalloc(1, sizeof(char *));
		r->deps[0] = xstrdup(prev);
		r->ndeps = 1;
	}
}

static enum group_state group_state(const struct cluster_resource *m, size_t n)
{
	size_t on = 0, off = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].state == RES_FAILED)
			return GRP_FAILED;
		if (m[i].state >= RES_PENDING || m[i].state == RES_UNKNOWN)
			return GRP_PENDING;
		on += m[i].state == RES_ONLINE;
		off += m[i].state == RES_OFFLINE;
	}
	return on == n ? GRP_ONLINE : off == n ? GRP_OFFLINE : GRP_PARTIAL_ONLINE;
}

static void add_group(struct parse *p, const xmlNode *g)
{
	struct cluster_snapshot *s = &p->st->snap;
	const char *id = attr(g, "id");
	size_t first = s->nresources;
	const char *prev = NULL;
	for (const xmlNode *c = g->children; c != NULL; c = c->next)
		if (is(c, "resource")) {
			add_resource(p, c, id ? id : "", prev);
			prev = attr(c, "id");
		}
	XGROW(s->groups, p->capg, s->ngroups + 1);
	struct cluster_group *grp = &s->groups[s->ngroups++];
	grp->name = xstrdup(id ? id : "");
	grp->owner = NULL;
	for (size_t i = first; i < s->nresources && grp->owner == NULL; i++)
		if (s->resources[i].owner)
			grp->owner = xstrdup(s->resources[i].owner);
	/* No members: not online (0 of 0 is no evidence), and no offset into a maybe-NULL array. */
	grp->state = s->nresources > first ? group_state(s->resources + first, s->nresources - first) : GRP_UNKNOWN;
}

static void parse_resources(struct parse *p, const xmlNode *list)
{
	for (const xmlNode *c = list->children; c != NULL; c = c->next) {
		if (is(c, "resource"))
			add_resource(p, c, NULL, NULL);
		else if (is(c, "group"))
			add_group(p, c);
		else if (c->type == XML_ELEMENT_NODE)
			p->st->nskipped++; /* clone, bundle */
	}
}

static void parse_nodes(struct parse *p, const xmlNode *list)
{
	struct cluster_snapshot *s = &p->st->snap;
	for (const xmlNode *c = list->children; c != NULL; c = c->next) {
		const char *name = is(c, "node") ? attr(c, "name") : NULL;
		if (name == NULL)
			continue;
		XGROW(s->nodes, p->capn, s->nnodes + 1);
		s->nodes[s->nnodes].name = xstrdup(name);
		s->nodes[s->nnodes].up = attr_true(c, "online");
		s->nodes[s->nnodes++].paused = attr_true(c, "standby"); /* node_pause: standby */
	}
}

/* A count as crm_mon writes it ("INFINITY" for the score). */
static unsigned long long count(const char *s)
{
	return s == NULL ? 0 : strcmp(s, "INFINITY") == 0 ? 1000000 : strtoull(s, NULL, 10);
}

/* fail-count >= migration-threshold (0 or absent: no threshold). */
static bool spent(const xmlNode *h)
{
	unsigned long long mt = count(attr(h, "migration-threshold")), fc = count(attr(h, "fail-count"));
	return mt > 0 && fc >= mt;
}

static long index_of(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (long)i;
	return -1;
}

/* The call id of rsc's latest start on node (call ids are per node), keyed "rsc\tnode". */
static void note_start(struct pcmk_status *st, const char *node, const char *rsc, const xmlNode *h)
{
	long best = -1;
	for (const xmlNode *op = h->children; op != NULL; op = op->next) {
		const char *task = is(op, "operation_history") ? attr(op, "task") : NULL;
		const char *call = task && strcmp(task, "start") == 0 ? attr(op, "call") : NULL;
		if (call != NULL && strtol(call, NULL, 10) > best)
			best = strtol(call, NULL, 10);
	}
	if (best < 0 || node == NULL)
		return;
	st->started = xreallocarray(st->started, st->nstarted + 1, sizeof(char *));
	st->started_by = xreallocarray(st->started_by, st->nstarted + 1, sizeof(char *));
	st->started[st->nstarted] = xasprintf("%ld", best);
	st->started_by[st->nstarted++] = xasprintf("%s\t%s", rsc, node);
}

bool pcmk_status_restarted(const struct pcmk_status *old, const struct pcmk_status *now, const char *resource)
{
	const struct cluster_resource *r = cluster_snapshot_resource(&now->snap, resource);
	if (r == NULL || r->owner == NULL)
		return false;
	char *key = xasprintf("%s\t%s", resource, r->owner);
	long a = index_of(old->started_by, old->nstarted, key), b = index_of(now->started_by, now->nstarted, key);
	free(key);
	/* no start there now: history wiped by a cleanup, nothing to conclude */
	return b >= 0 && (a < 0 || strcmp(old->started[a], now->started[b]) != 0);
}

/* node_history/node/resource_history ids: which resources have been probed, which are spent. */
static void parse_history(struct parse *p, const xmlNode *list)
{
	for (const xmlNode *nd = list->children; nd != NULL; nd = nd->next)
		for (const xmlNode *h = is(nd, "node") ? nd->children : NULL; h != NULL; h = h->next) {
			const char *id = is(h, "resource_history") ? attr(h, "id") : NULL;
			if (id != NULL && !str_in(p->hist, p->nhist, id)) {
				XGROW(p->hist, p->caphist, p->nhist + 1);
				p->hist[p->nhist++] = xstrdup(id);
			}
			if (id != NULL)
				note_start(p->st, attr(nd, "name"), id, h);
			if (id != NULL && spent(h) && !str_in(p->spent, p->nspent, id)) {
				XGROW(p->spent, p->capspent, p->nspent + 1);
				p->spent[p->nspent++] = xstrdup(id);
			}
		}
}

static void parse_bans(struct parse *p, const xmlNode *list)
{
	struct pcmk_status *st = p->st;
	for (const xmlNode *c = list->children; c != NULL; c = c->next) {
		const char *rsc = is(c, "ban") ? attr(c, "resource") : NULL;
		if (rsc != NULL && !str_in(st->bans, st->nbans, rsc)) {
			XGROW(st->bans, p->capb, st->nbans + 1);
			st->bans[st->nbans++] = xstrdup(rsc);
		}
	}
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

static int parse_root(struct parse *p, const xmlNode *root, struct fl_err *e)
{
	if (root == NULL || !is(root, "pacemaker-result"))
		return err_set(e, "crm_mon: not a <pacemaker-result> document");
	const xmlNode *status = child(root, "status"), *n;
	const char *code = status ? attr(status, "code") : NULL;
	if (code != NULL && strcmp(code, "0") != 0) {
		const char *msg = attr(status, "message");
		return err_set(e, "crm_mon: status %s: %s", code, msg ? msg : "?");
	}
	const xmlNode *sum = child(root, "summary");
	const xmlNode *dc = sum ? child(sum, "current_dc") : NULL;
	p->st->have_dc = dc && attr_true(dc, "present");
	/* the DC's view of quorum; the votes behind it come from corosync when the guard asks (pacemaker_quorum.c) */
	p->st->snap.quorum_known = p->st->have_dc && attr(dc, "with_quorum") != NULL;
	p->st->snap.quorum = p->st->snap.quorum_known && attr_true(dc, "with_quorum");
	if ((n = child(root, "nodes")) != NULL)
		parse_nodes(p, n);
	if ((n = child(root, "node_history")) != NULL)
		parse_history(p, n);
	if ((n = child(root, "resources")) != NULL)
		parse_resources(p, n);
	if ((n = child(root, "bans")) != NULL)
		parse_bans(p, n);
	return 0;
}

int pcmk_xml_parse(const char *xml, size_t len, struct pcmk_status *st, struct fl_err *e)
{
	memset(st, 0, sizeof(*st));
	if (len > (size_t)0x7fffffff)
		return err_set(e, "crm_mon: output too large");
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "crm_mon.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	if (doc == NULL) {
		const xmlError *x = xmlGetLastError();
		return err_set(e, "crm_mon: malformed XML%s%s", x && x->message ? ": " : "",
		               x && x->message ? x->message : "");
	}
	struct parse p = {.st = st};
	int rc = parse_root(&p, xmlDocGetRootElement(doc), e);
	for (size_t i = 0; i < p.nhist; i++)
		free(p.hist[i]);
	free(p.hist);
	for (size_t i = 0; i < p.nspent; i++)
		free(p.spent[i]);
	free(p.spent);
	xmlFreeDoc(doc);
	if (rc < 0)
		pcmk_status_fini(st);
	return rc;
}

void pcmk_status_fini(struct pcmk_status *st)
{
	cluster_snapshot_free(&st->snap);
	for (size_t i = 0; i < st->nbans; i++)
		free(st->bans[i]);
	free(st->bans);
	for (size_t i = 0; i < st->nstarted; i++) {
		free(st->started[i]);
		free(st->started_by[i]);
	}
	free(st->started);
	free(st->started_by);
	memset(st, 0, sizeof(*st));
}

bool pcmk_status_banned(const struct pcmk_status *st, const char *resource)
{
	return str_in(st->bans, st->nbans, resource);
}
