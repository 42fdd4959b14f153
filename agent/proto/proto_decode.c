/*
 * proto_decode.c - strict decoding of what adapters send (hello,
 * responses, events) and of requests (adapter side). Every key is known,
 * every type checked; errors name the key and its column.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"
#include "proto_int.h"

int proto_keys_check(const struct pj *o, const char *const *allowed, struct fl_err *e)
{
	for (size_t i = 0; i < o->n; i++) {
		size_t k = 0;
		while (allowed[k] != NULL && strcmp(allowed[k], o->keys[i]) != 0)
			k++;
		if (allowed[k] == NULL)
			return err_set(e, "column %zu: unknown key \"%s\"", o->items[i].col, o->keys[i]);
	}
	return 0;
}

static int wrong_type(const struct pj *v, const char *key, const char *want, struct fl_err *e)
{
	return err_set(e, "column %zu: \"%s\" must be %s, not %s", v->col, key, want, pj_type_str(v->type));
}

static int missing(const struct pj *o, const char *key, struct fl_err *e)
{
	return err_set(e, "column %zu: missing key \"%s\"", o->col, key);
}

int proto_get_str(const struct pj *o, const char *key, bool required, bool nullable, char **out, struct fl_err *e)
{
	const struct pj *v = pj_get(o, key);
	*out = NULL;
	if (v == NULL)
		return required ? missing(o, key, e) : 0;
	if (v->type == PJ_NULL && nullable)
		return 0;
	if (v->type != PJ_STR)
		return wrong_type(v, key, nullable ? "a string or null" : "a string", e);
	if (v->s[0] == '\0' && required)
		return err_set(e, "column %zu: \"%s\" must not be empty", v->col, key);
	*out = xstrdup(v->s);
	return 0;
}

int proto_get_int(const struct pj *o, const char *key, bool required, int64_t *out, struct fl_err *e)
{
	const struct pj *v = pj_get(o, key);
	if (v == NULL)
		return required ? missing(o, key, e) : 0;
	if (v->type != PJ_INT)
		return wrong_type(v, key, "an integer", e);
	*out = v->i;
	return 0;
}

int proto_get_names(const struct pj *o, const char *key, const char *const *names, unsigned *bits, struct fl_err *e)
{
	const struct pj *v = pj_get(o, key);
	*bits = 0;
	if (v == NULL)
		return missing(o, key, e);
	if (v->type != PJ_ARR)
		return wrong_type(v, key, "an array of names", e);
	for (size_t i = 0; i < v->n; i++) {
		const struct pj *it = &v->items[i];
		if (it->type != PJ_STR)
			return wrong_type(it, key, "an array of names", e);
		unsigned k = 0;
		while (names[k] != NULL && strcmp(names[k], it->s) != 0)
			k++;
		if (names[k] == NULL)
			return err_set(e, "column %zu: \"%s\": unknown name \"%s\"", it->col, key, it->s);
		*bits |= 1u << k;
	}
	return 0;
}

static int decode_hello(const struct pj *o, struct proto_hello *h, struct fl_err *e)
{
	static const char *const keys[] = {"hello", "version", "cluster", "ops", "offline_flags", NULL};
	const struct pj *v = pj_get(o, "hello");
	if (v->type != PJ_STR || strcmp(v->s, PROTO_HELLO) != 0)
		return err_set(e, "column %zu: \"hello\" must be \"%s\"", v->col, PROTO_HELLO);
	int64_t ver = 0;
	if (proto_get_int(o, "version", true, &ver, e) < 0)
		return -1;
	if (ver < PROTO_VERSION_MIN || ver > PROTO_VERSION)
		return err_set(e, "the adapter speaks protocol version %lld; this faultline speaks versions %d to %d",
		               (long long)ver, PROTO_VERSION_MIN, PROTO_VERSION);
	h->version = (int)ver;
	if (proto_keys_check(o, keys, e) < 0 || proto_get_str(o, "cluster", true, false, &h->cluster, e) < 0 ||
	    proto_get_names(o, "ops", proto_can_names, &h->ops, e) < 0 ||
	    proto_get_names(o, "offline_flags", offline_flag_names, &h->offline_flags, e) < 0)
		return -1;
	if (h->version < 2 && (h->ops & PROTO_CAN_NODE_OPS))
		return err_set(e, "column %zu: \"ops\": node operations need protocol version 2, not %d",
		               pj_get(o, "ops")->col, h->version);
	return 0;
}

static int get_state(const struct pj *o, const char *key, bool group, int *state, struct fl_err *e)
{
	char *s;
	if (proto_get_str(o, key, true, false, &s, e) < 0)
		return -1;
	int st = group ? group_state_parse(s) : res_state_parse_exact(s);
	if (st == -2) {
		err_set(e, "column %zu: \"%s\": unknown %s state \"%s\"", pj_get(o, key)->col, key,
		        group ? "group" : "resource", s);
		free(s);
		return -1;
	}
	free(s);
	*state = st;
	return 0;
}

static int check_at_ms(const struct pj *o, struct proto_event *ev, struct fl_err *e)
{
	if (proto_get_int(o, "at_ms", false, &ev->at_ms, e) < 0)
		return -1;
	if (pj_get(o, "at_ms") && ev->at_ms < 0)
		return err_set(e, "column %zu: \"at_ms\" must not be negative", pj_get(o, "at_ms")->col);
	return 0;
}

/* {"event":"node","name":"node-a","state":"paused","at_ms":1200}: no owner. */
static int decode_node_event(const struct pj *o, struct proto_event *ev, struct fl_err *e)
{
	static const char *const keys[] = {"event", "name", "state", "at_ms", NULL};
	char *s;
	ev->kind = CLUSTER_EV_NODE;
	if (proto_keys_check(o, keys, e) < 0 || proto_get_str(o, "name", true, false, &ev->name, e) < 0 ||
	    proto_get_str(o, "state", true, false, &s, e) < 0)
		return -1;
	ev->state = node_state_parse(s);
	int rc = ev->state == -2
	             ? err_set(e, "column %zu: \"state\": unknown node state \"%s\"", pj_get(o, "state")->col, s)
	             : 0;
	free(s);
	return rc < 0 ? -1 : check_at_ms(o, ev, e);
}

static int decode_event(const struct pj *o, struct proto_event *ev, struct fl_err *e)
{
	static const char *const keys[] = {"event", "name", "state", "owner", "at_ms", NULL};
	static const char *const resync[] = {"event", "at_ms", NULL};
	const struct pj *v = pj_get(o, "event");
	ev->at_ms = -1;
	if (v->type == PJ_STR && strcmp(v->s, "resync") == 0) {
		ev->kind = CLUSTER_EV_RESYNC;
		return proto_keys_check(o, resync, e) < 0 || proto_get_int(o, "at_ms", false, &ev->at_ms, e) < 0 ? -1
		                                                                                                 : 0;
	}
	if (v->type == PJ_STR && strcmp(v->s, "node") == 0)
		return decode_node_event(o, ev, e);
	if (v->type != PJ_STR || (strcmp(v->s, "resource") != 0 && strcmp(v->s, "group") != 0))
		return err_set(e, "column %zu: \"event\" must be \"resource\", \"group\", \"node\" or \"resync\"",
		               v->col);
	ev->kind = strcmp(v->s, "group") == 0 ? CLUSTER_EV_GROUP : CLUSTER_EV_RESOURCE;
	if (proto_keys_check(o, keys, e) < 0 || proto_get_str(o, "name", true, false, &ev->name, e) < 0 ||
	    get_state(o, "state", ev->kind == CLUSTER_EV_GROUP, &ev->state, e) < 0 ||
	    proto_get_str(o, "owner", false, true, &ev->owner, e) < 0 ||
	    proto_get_int(o, "at_ms", false, &ev->at_ms, e) < 0)
		return -1;
	if (pj_get(o, "at_ms") && ev->at_ms < 0)
		return err_set(e, "column %zu: \"at_ms\" must not be negative", pj_get(o, "at_ms")->col);
	return 0;
}

static int decode_response(const struct pj *o, struct proto_response *rs, struct fl_err *e)
{
	static const char *const keys[] = {"id", "ok", "code", "error", "state", "nodes", "groups", "resources", NULL};
	int64_t id = 0, code = 0;
	if (proto_keys_check(o, keys, e) < 0 || proto_get_int(o, "id", true, &id, e) < 0)
		return -1;
	if (id < 0)
		return err_set(e, "column %zu: \"id\" must not be negative", pj_get(o, "id")->col);
	rs->id = (uint64_t)id;
	const struct pj *ok = pj_get(o, "ok");
	if (ok == NULL)
		return missing(o, "ok", e);
	if (ok->type != PJ_BOOL)
		return wrong_type(ok, "ok", "a boolean", e);
	rs->ok = ok->b;
	if (proto_get_int(o, "code", true, &code, e) < 0)
		return -1;
	rs->code = (long)code;
	if (proto_get_str(o, "error", !rs->ok, false, &rs->error, e) < 0)
		return -1;
	if (rs->ok && rs->error != NULL)
		return err_set(e, "column %zu: \"error\" in a response with \"ok\": true", pj_get(o, "error")->col);
	int st = RES_UNKNOWN;
	if (pj_get(o, "state") && get_state(o, "state", false, &st, e) < 0)
		return -1;
	rs->state = (enum res_state)st;
	if (pj_get(o, "nodes") || pj_get(o, "groups") || pj_get(o, "resources")) {
		rs->snap = xcalloc(1, sizeof(*rs->snap));
		if (proto_snapshot_decode(o, rs->snap, e) < 0)
			return -1;
	}
	return 0;
}

int proto_msg_decode(const char *line, size_t len, struct proto_msg *m, struct fl_err *e)
{
	struct pj o;
	int rc = -1;
	memset(m, 0, sizeof(*m));
	m->resp.state = RES_UNKNOWN;
	if (pj_parse(line, len, &o, e) < 0)
		return err_wrap(e, "not JSON");
	if (o.type != PJ_OBJ) {
		err_set(e, "column %zu: expected an object, got %s", o.col, pj_type_str(o.type));
	} else if (pj_get(&o, "hello")) {
		m->kind = PROTO_MSG_HELLO;
		rc = decode_hello(&o, &m->hello, e);
	} else if (pj_get(&o, "event")) {
		m->kind = PROTO_MSG_EVENT;
		rc = decode_event(&o, &m->ev, e);
	} else if (pj_get(&o, "id")) {
		m->kind = PROTO_MSG_RESPONSE;
		rc = decode_response(&o, &m->resp, e);
	} else {
		err_set(e, "column 1: neither a hello, a response (\"id\") nor an event");
	}
	pj_fini(&o);
	if (rc < 0)
		proto_msg_fini(m);
	return rc;
}

void proto_msg_fini(struct proto_msg *m)
{
	free(m->hello.cluster);
	free(m->resp.error);
	if (m->resp.snap) {
		cluster_snapshot_free(m->resp.snap);
		free(m->resp.snap);
	}
	free(m->ev.name);
	free(m->ev.owner);
	memset(m, 0, sizeof(*m));
}

int proto_response_check(const struct proto_response *rs, enum proto_op op, struct fl_err *e)
{
	if (!rs->ok)
		return 0;
	if (op == PROTO_OP_LIST && rs->snap == NULL)
		return err_set(e, "the answer to \"list\" has no \"nodes\", \"groups\" and \"resources\"");
	if (op == PROTO_OP_STATE && rs->state == RES_UNKNOWN)
		return err_set(e, "the answer to \"state\" has no \"state\"");
	if (op != PROTO_OP_LIST && rs->snap != NULL)
		return err_set(e, "the answer to \"%s\" carries lists", proto_op_str(op));
	return 0;
}
