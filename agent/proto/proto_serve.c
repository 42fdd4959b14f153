/*
 * proto_serve.c - the adapter side: decode a request strictly, check it
 * against what the hello declared, call the adapter, encode the answer.
 * Shared by the simulator's adapter and faultline-wsfc.exe.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "proto_int.h"

#define CODE_NOT_SUPPORTED     50 /* ERROR_NOT_SUPPORTED */
#define CODE_INVALID_PARAMETER 87 /* ERROR_INVALID_PARAMETER */

static int get_drain(const struct pj *o, struct proto_request *rq, struct fl_err *e)
{
	const struct pj *v = pj_get(o, "drain");
	if (v == NULL)
		return err_set(e, "column %zu: missing key \"drain\"", o->col);
	if (v->type != PJ_BOOL)
		return err_set(e, "column %zu: \"drain\" must be a boolean, not %s", v->col, pj_type_str(v->type));
	rq->drain = v->b;
	return 0;
}

static int get_failback(const struct pj *o, struct proto_request *rq, struct fl_err *e)
{
	char *s;
	if (proto_get_str(o, "failback", true, false, &s, e) < 0)
		return -1;
	int k = 0;
	while (node_failback_names[k] != NULL && strcmp(node_failback_names[k], s) != 0)
		k++;
	int rc = 0;
	if (node_failback_names[k] == NULL)
		rc = err_set(e, "column %zu: \"failback\" must be \"none\", \"immediate\" or \"policy\", not \"%s\"",
		             pj_get(o, "failback")->col, s);
	free(s);
	rq->failback = (enum node_failback)k;
	return rc;
}

static int decode_fields(const struct pj *o, struct proto_request *rq, struct fl_err *e)
{
	static const char *const list[] = {"id", "op", NULL};
	static const char *const one[] = {"id", "op", "resource", NULL};
	static const char *const offline[] = {"id", "op", "resource", "flags", "destination", NULL};
	static const char *const move[] = {"id", "op", "group", "node", NULL};
	static const char *const node[] = {"id", "op", "node", NULL};
	static const char *const pause[] = {"id", "op", "node", "drain", NULL};
	static const char *const resume[] = {"id", "op", "node", "failback", NULL};
	switch (rq->op) {
	case PROTO_OP_LIST:
		return proto_keys_check(o, list, e);
	case PROTO_OP_STATE:
	case PROTO_OP_FAIL:
	case PROTO_OP_ONLINE:
		if (proto_keys_check(o, one, e) < 0)
			return -1;
		return proto_get_str(o, "resource", true, false, &rq->resource, e);
	case PROTO_OP_OFFLINE:
		if (proto_keys_check(o, offline, e) < 0 ||
		    proto_get_str(o, "resource", true, false, &rq->resource, e) < 0 ||
		    proto_get_names(o, "flags", offline_flag_names, &rq->flags, e) < 0)
			return -1;
		return proto_get_str(o, "destination", false, true, &rq->node, e);
	case PROTO_OP_MOVE:
		if (proto_keys_check(o, move, e) < 0 || proto_get_str(o, "group", true, false, &rq->group, e) < 0)
			return -1;
		return proto_get_str(o, "node", false, true, &rq->node, e);
	case PROTO_OP_NODE_DOWN:
	case PROTO_OP_NODE_UP:
		if (proto_keys_check(o, node, e) < 0)
			return -1;
		return proto_get_str(o, "node", true, false, &rq->node, e);
	case PROTO_OP_NODE_PAUSE:
		if (proto_keys_check(o, pause, e) < 0 || proto_get_str(o, "node", true, false, &rq->node, e) < 0)
			return -1;
		return get_drain(o, rq, e);
	case PROTO_OP_NODE_RESUME:
		if (proto_keys_check(o, resume, e) < 0 || proto_get_str(o, "node", true, false, &rq->node, e) < 0)
			return -1;
		return get_failback(o, rq, e);
	}
	return err_set(e, "unknown op");
}

static int decode_obj(const struct pj *o, struct proto_request *rq, struct fl_err *e)
{
	int64_t id;
	char *op;
	if (o->type != PJ_OBJ)
		return err_set(e, "column %zu: expected an object, got %s", o->col, pj_type_str(o->type));
	if (proto_get_int(o, "id", true, &id, e) < 0)
		return -1;
	if (id < 1)
		return err_set(e, "column %zu: \"id\" must be 1 or more", pj_get(o, "id")->col);
	rq->id = (uint64_t)id;
	if (proto_get_str(o, "op", true, false, &op, e) < 0)
		return -1;
	int k = proto_op_parse(op);
	if (k < 0)
		err_set(e, "column %zu: unknown op \"%s\"", pj_get(o, "op")->col, op);
	free(op);
	if (k < 0)
		return -1;
	rq->op = (enum proto_op)k;
	return decode_fields(o, rq, e);
}

int proto_request_decode(const char *line, size_t len, struct proto_request *rq, struct fl_err *e)
{
	struct pj o;
	memset(rq, 0, sizeof(*rq));
	if (pj_parse(line, len, &o, e) < 0)
		return err_wrap(e, "not JSON");
	int rc = decode_obj(&o, rq, e);
	pj_fini(&o);
	if (rc < 0) {
		uint64_t id = rq->id;
		proto_request_fini(rq);
		rq->id = id; /* still worth answering to */
	}
	return rc;
}

void proto_request_fini(struct proto_request *rq)
{
	free(rq->resource);
	free(rq->group);
	free(rq->node);
	memset(rq, 0, sizeof(*rq));
}

/* The hello is a promise: refuse what it did not declare. 0, or the Win32 code to answer. */
static long check_declared(const struct proto_hello *h, const struct proto_request *rq, struct fl_err *e)
{
	static const unsigned need[] = {
	    PROTO_CAN_LIST, PROTO_CAN_STATE,     PROTO_CAN_FAIL,    PROTO_CAN_OFFLINE,    PROTO_CAN_ONLINE,
	    PROTO_CAN_MOVE, PROTO_CAN_NODE_DOWN, PROTO_CAN_NODE_UP, PROTO_CAN_NODE_PAUSE, PROTO_CAN_NODE_RESUME};
	if (!(h->ops & need[rq->op]))
		return err_set(e, "op \"%s\" is not supported by this adapter", proto_op_str(rq->op)),
		       CODE_NOT_SUPPORTED;
	if (rq->op != PROTO_OP_OFFLINE)
		return 0;
	if (rq->node != NULL && !(h->ops & PROTO_CAN_OFFLINE_DESTINATION))
		return err_set(e, "offline with a destination is not supported by this adapter"), CODE_NOT_SUPPORTED;
	for (unsigned i = 0; offline_flag_names[i] != NULL; i++)
		if ((rq->flags & (1u << i)) && !(h->offline_flags & (1u << i)))
			return err_set(e, "offline flag \"%s\" is not supported by this adapter",
			               offline_flag_names[i]),
			       CODE_INVALID_PARAMETER;
	return 0;
}

static int call(const struct proto_adapter_ops *ops, void *arg, const struct proto_request *rq,
                struct proto_response *rs, struct fl_err *e)
{
	switch (rq->op) {
	case PROTO_OP_LIST:
		rs->snap = xcalloc(1, sizeof(*rs->snap));
		return ops->list(arg, rs->snap, e);
	case PROTO_OP_STATE:
		return ops->state(arg, rq->resource, &rs->state, &rs->code, e);
	case PROTO_OP_FAIL:
		return ops->fail(arg, rq->resource, &rs->code, e);
	case PROTO_OP_OFFLINE:
		return ops->offline(arg, rq->resource, rq->flags, rq->node, &rs->code, e);
	case PROTO_OP_ONLINE:
		return ops->online(arg, rq->resource, &rs->code, e);
	case PROTO_OP_MOVE:
		return ops->move(arg, rq->group, rq->node, &rs->code, e);
	case PROTO_OP_NODE_DOWN:
		return ops->node_down(arg, rq->node, &rs->code, e);
	case PROTO_OP_NODE_UP:
		return ops->node_up(arg, rq->node, &rs->code, e);
	case PROTO_OP_NODE_PAUSE:
		return ops->node_pause(arg, rq->node, rq->drain, &rs->code, e);
	case PROTO_OP_NODE_RESUME:
		return ops->node_resume(arg, rq->node, rq->failback, &rs->code, e);
	}
	return err_set(e, "unknown op");
}

static bool blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

char *proto_serve_error(const struct fl_err *e)
{
	struct proto_response rs = {.code = CODE_INVALID_PARAMETER, .error = (char *)e->msg, .state = RES_UNKNOWN};
	return proto_response_encode(&rs, PROTO_OP_STATE);
}

char *proto_serve_line(const struct proto_adapter_ops *ops, void *arg, const struct proto_hello *h, const char *line,
                       size_t len)
{
	if (blank(line, len))
		return NULL;
	struct proto_request rq;
	struct proto_response rs = {.ok = true, .state = RES_UNKNOWN};
	struct fl_err e = {0};
	if (proto_request_decode(line, len, &rq, &e) < 0) {
		rs.code = CODE_INVALID_PARAMETER;
		rs.ok = false;
	} else if ((rs.code = check_declared(h, &rq, &e)) != 0) {
		rs.ok = false;
	} else if (call(ops, arg, &rq, &rs, &e) < 0) {
		rs.ok = false;
		if (rs.code == 0)
			rs.code = -1; /* the adapter failed without a cluster code: say so, never "success" */
	}
	rs.id = rq.id;
	rs.error = rs.ok ? NULL : e.msg;
	char *out = proto_response_encode(&rs, rq.op);
	if (rs.snap) {
		cluster_snapshot_free(rs.snap);
		free(rs.snap);
	}
	proto_request_fini(&rq);
	return out;
}
