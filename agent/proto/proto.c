/*
 * proto.c - the protocol's vocabulary (op and capability names as they
 * travel) and the encoders. State and offline flag names are cluster.h's
 * single tables (agent/core/cluster_names.c), the same in plans, reports and on
 * the wire; the protocol tests pin each of them, so renaming one there
 * cannot change the wire unnoticed.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/proto.h"
#include "faultline/util.h"
#include "proto_int.h"

static const char *const op_names[] = {"list", "state",     "fail",    "offline",    "online",
                                       "move", "node_down", "node_up", "node_pause", "node_resume"};

const char *proto_op_str(enum proto_op op)
{
	return (unsigned)op < ARRAY_LEN(op_names) ? op_names[op] : "?";
}

int proto_op_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(op_names); i++)
		if (strcmp(op_names[i], s) == 0)
			return (int)i;
	return -1;
}

/* Hello "ops" names, bit i = PROTO_CAN_* 1 << i. */
const char *const proto_can_names[] = {
    "list",   "state",     "fail",    "offline",    "online",      "move", "offline_destination",
    "events", "node_down", "node_up", "node_pause", "node_resume", NULL};

static void put_names(struct pj_buf *b, const char *const *names, unsigned bits)
{
	pj_put(b, "[");
	bool first = true;
	for (unsigned i = 0; names[i] != NULL; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (!first)
			pj_put(b, ",");
		pj_put_str(b, names[i]);
		first = false;
	}
	pj_put(b, "]");
}

static char *finish(struct pj_buf *b)
{
	pj_put(b, "}\n");
	return pj_buf_take(b);
}

char *proto_hello_encode(const struct proto_hello *h)
{
	struct pj_buf b = {0};
	pj_put(&b, "{");
	pj_put_key(&b, "hello");
	pj_put_str(&b, PROTO_HELLO);
	pj_put_key(&b, "version");
	pj_put_int(&b, h->version);
	pj_put_key(&b, "cluster");
	pj_put_str(&b, h->cluster ? h->cluster : "");
	pj_put_key(&b, "ops");
	put_names(&b, proto_can_names, h->ops);
	pj_put_key(&b, "offline_flags");
	put_names(&b, offline_flag_names, h->offline_flags);
	return finish(&b);
}

char *proto_request_encode(const struct proto_request *rq)
{
	struct pj_buf b = {0};
	pj_put(&b, "{");
	pj_put_key(&b, "id");
	pj_put_int(&b, (int64_t)rq->id);
	pj_put_key(&b, "op");
	pj_put_str(&b, proto_op_str(rq->op));
	if (rq->op == PROTO_OP_MOVE) {
		pj_put_key(&b, "group");
		pj_put_str(&b, rq->group);
		pj_put_key(&b, "node");
		pj_put_str(&b, rq->node);
	} else if (rq->op >= PROTO_OP_NODE_DOWN) {
		pj_put_key(&b, "node");
		pj_put_str(&b, rq->node);
	} else if (rq->op != PROTO_OP_LIST) {
		pj_put_key(&b, "resource");
		pj_put_str(&b, rq->resource);
	}
	if (rq->op == PROTO_OP_OFFLINE) {
		pj_put_key(&b, "flags");
		put_names(&b, offline_flag_names, rq->flags);
		pj_put_key(&b, "destination");
		pj_put_str(&b, rq->node);
	}
	if (rq->op == PROTO_OP_NODE_PAUSE) {
		pj_put_key(&b, "drain");
		pj_put(&b, rq->drain ? "true" : "false");
	}
	if (rq->op == PROTO_OP_NODE_RESUME) {
		pj_put_key(&b, "failback");
		pj_put_str(&b,
		           (unsigned)rq->failback <= NODE_FAILBACK_POLICY ? node_failback_names[rq->failback] : "?");
	}
	return finish(&b);
}

static void put_snapshot(struct pj_buf *b, const struct cluster_snapshot *s)
{
	pj_put_key(b, "nodes");
	pj_put(b, "[");
	for (size_t i = 0; i < s->nnodes; i++) {
		pj_put(b, i ? ",{" : "{");
		pj_put_key(b, "name");
		pj_put_str(b, s->nodes[i].name);
		pj_put_key(b, "up");
		pj_put(b, s->nodes[i].up ? "true" : "false");
		pj_put_key(b, "paused");
		pj_put(b, s->nodes[i].paused ? "true}" : "false}");
	}
	pj_put(b, "]");
	pj_put_key(b, "groups");
	pj_put(b, "[");
	for (size_t i = 0; i < s->ngroups; i++) {
		pj_put(b, i ? ",{" : "{");
		pj_put_key(b, "name");
		pj_put_str(b, s->groups[i].name);
		pj_put_key(b, "owner");
		pj_put_str(b, s->groups[i].owner);
		pj_put_key(b, "state");
		pj_put_str(b, group_state_str((enum group_state)s->groups[i].state));
		pj_put(b, "}");
	}
	pj_put(b, "]");
}

static void put_resources(struct pj_buf *b, const struct cluster_snapshot *s)
{
	pj_put_key(b, "resources");
	pj_put(b, "[");
	for (size_t i = 0; i < s->nresources; i++) {
		const struct cluster_resource *r = &s->resources[i];
		pj_put(b, i ? ",{" : "{");
		pj_put_key(b, "name");
		pj_put_str(b, r->name);
		pj_put_key(b, "type");
		pj_put_str(b, r->type ? r->type : "");
		pj_put_key(b, "group");
		pj_put_str(b, r->group ? r->group : "");
		pj_put_key(b, "owner");
		pj_put_str(b, r->owner);
		pj_put_key(b, "state");
		pj_put_str(b, res_state_str((enum res_state)r->state));
		pj_put_key(b, "deps");
		pj_put(b, "[");
		for (size_t k = 0; k < r->ndeps; k++) {
			if (k)
				pj_put(b, ",");
			pj_put_str(b, r->deps[k]);
		}
		pj_put(b, "]}");
	}
	pj_put(b, "]");
}

char *proto_response_encode(const struct proto_response *rs, enum proto_op op)
{
	struct pj_buf b = {0};
	pj_put(&b, "{");
	pj_put_key(&b, "id");
	pj_put_int(&b, (int64_t)rs->id);
	pj_put_key(&b, "ok");
	pj_put(&b, rs->ok ? "true" : "false");
	pj_put_key(&b, "code");
	pj_put_int(&b, rs->code);
	if (!rs->ok) {
		pj_put_key(&b, "error");
		pj_put_str(&b, rs->error ? rs->error : "");
	} else if (op == PROTO_OP_STATE) {
		pj_put_key(&b, "state");
		pj_put_str(&b, res_state_str((enum res_state)rs->state));
	} else if (op == PROTO_OP_LIST && rs->snap != NULL) {
		put_snapshot(&b, rs->snap);
		put_resources(&b, rs->snap);
	}
	return finish(&b);
}

char *proto_event_encode(const struct proto_event *ev)
{
	struct pj_buf b = {0};
	pj_put(&b, "{");
	pj_put_key(&b, "event");
	static const char *const kinds[] = {"resource", "group", "resync", "node"}; /* enum cluster_event_kind */
	pj_put_str(&b, kinds[ev->kind]);
	if (ev->kind == CLUSTER_EV_NODE) {
		pj_put_key(&b, "name");
		pj_put_str(&b, ev->name);
		pj_put_key(&b, "state");
		pj_put_str(&b, node_state_str((enum node_state)ev->state));
	} else if (ev->kind != CLUSTER_EV_RESYNC) {
		pj_put_key(&b, "name");
		pj_put_str(&b, ev->name);
		pj_put_key(&b, "state");
		pj_put_str(&b, ev->kind == CLUSTER_EV_RESOURCE ? res_state_str((enum res_state)ev->state)
		                                               : group_state_str((enum group_state)ev->state));
		pj_put_key(&b, "owner");
		pj_put_str(&b, ev->owner);
	}
	if (ev->at_ms >= 0) {
		pj_put_key(&b, "at_ms");
		pj_put_int(&b, ev->at_ms);
	}
	return finish(&b);
}
