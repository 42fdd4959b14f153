/* test_proto.c - the exec adapter protocol: JSON reader, encoders, strict decoding, lines, serving. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/proto/proto_json.h"
#include "faultline/proto.h"
#include "faultline/util.h"

static int decode(const char *line, struct proto_msg *m, struct fl_err *e)
{
	return proto_msg_decode(line, strlen(line), m, e);
}

static void decode_fails(const char *line, const char *want)
{
	struct proto_msg m;
	struct fl_err e = {0};
	cr_assert_eq(decode(line, &m, &e), -1, "accepted: %s", line);
	cr_assert_str_eq(e.msg, want);
}

Test(proto_json, parses_nested_values_and_escapes)
{
	const char *t = " {\"a\": [1, -20, true, false, null], \"s\": \"q\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\"} ";
	struct pj v;
	struct fl_err e;
	cr_assert_eq(pj_parse(t, strlen(t), &v, &e), 0, "%s", e.msg);
	cr_assert_eq(v.type, PJ_OBJ);
	const struct pj *a = pj_get(&v, "a");
	cr_assert_eq(a->n, 5);
	cr_assert_eq(a->items[1].i, -20);
	cr_assert_eq(a->items[2].b, true);
	cr_assert_eq(a->items[4].type, PJ_NULL);
	cr_assert_str_eq(pj_get(&v, "s")->s, "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
	pj_fini(&v);
}

Test(proto_json, errors_name_the_column)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"{\"a\" 1}", "column 6: expected ':', got '1'"},
	    {"{\"a\":1,}", "column 8: expected a key string, got '}'"},
	    {"{\"a\":1.5}", "column 6: only integers are used in this protocol"},
	    {"{\"a\":01}", "column 6: leading zeros are not JSON"},
	    {"{\"a\":1,\"a\":2}", "column 8: duplicate key \"a\""},
	    {"{\"a\":\"x", "column 8: unterminated string, got the end of the line"},
	    {"{\"a\":\"\xff\"}", "column 7: invalid UTF-8 in string, got byte 0xff"},
	    {"{\"a\":\"\\ud800\"}", "column 7: high surrogate without its low half"},
	    {"{} x", "column 4: expected the end of the line, got 'x'"},
	    {"[[[[[[[[[[1]]]]]]]]]]", "column 10: nested deeper than 8"},
	    {"{\"a\":99999999999999999999}", "column 6: integer out of range"},
	    {"tru", "column 1: expected a JSON value, got 't'"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct pj v;
		struct fl_err e = {0};
		cr_assert_eq(pj_parse(cases[i].text, strlen(cases[i].text), &v, &e), -1, "%s", cases[i].text);
		cr_assert_str_eq(e.msg, cases[i].msg);
	}
}

Test(proto_json, writer_escapes)
{
	struct pj_buf b = {0};
	pj_put(&b, "{");
	pj_put_key(&b, "k");
	pj_put_str(&b, "a\"b\\c\n\x01\xc3\xa9");
	pj_put_key(&b, "n");
	pj_put_int(&b, -5);
	pj_put(&b, "}");
	char *s = pj_buf_take(&b);
	cr_assert_str_eq(s, "{\"k\":\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\",\"n\":-5}");
	free(s);
}

Test(proto, hello_round_trip)
{
	struct proto_hello h = {.version = 1,
	                        .cluster = "SQLCLUS",
	                        .ops = PROTO_CAN_LIST | PROTO_CAN_FAIL | PROTO_CAN_EVENTS,
	                        .offline_flags =
	                            OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE};
	char *line = proto_hello_encode(&h);
	cr_assert_str_eq(line,
	                 "{\"hello\":\"faultline-adapter\",\"version\":1,\"cluster\":\"SQLCLUS\",\"ops\":[\"list\","
	                 "\"fail\",\"events\"],\"offline_flags\":[\"ignore_resource_status\","
	                 "\"do_not_update_persistent_state\"]}\n");
	struct proto_msg m;
	struct fl_err e;
	cr_assert_eq(proto_msg_decode(line, strlen(line) - 1, &m, &e), 0, "%s", e.msg);
	cr_assert_eq(m.kind, PROTO_MSG_HELLO);
	cr_assert_str_eq(m.hello.cluster, "SQLCLUS");
	cr_assert_eq(m.hello.ops, h.ops);
	cr_assert_eq(m.hello.offline_flags, h.offline_flags);
	proto_msg_fini(&m);
	free(line);
}

Test(proto, hello_errors)
{
	decode_fails(
	    "{\"hello\":\"faultline-adapter\",\"version\":3,\"cluster\":\"x\",\"ops\":[],\"offline_flags\":[]}",
	    "the adapter speaks protocol version 3; this faultline speaks versions 1 to 2");
	decode_fails("{\"hello\":\"faultline-adapter\",\"version\":1,\"cluster\":\"x\",\"ops\":[\"node_pause\"],"
	             "\"offline_flags\":[]}",
	             "column 62: \"ops\": node operations need protocol version 2, not 1");
	decode_fails("{\"hello\":\"other\",\"version\":1}", "column 10: \"hello\" must be \"faultline-adapter\"");
	decode_fails("{\"hello\":\"faultline-adapter\",\"version\":1,\"cluster\":\"x\",\"ops\":[\"teleport\"],"
	             "\"offline_flags\":[]}",
	             "column 63: \"ops\": unknown name \"teleport\"");
	decode_fails("{\"hello\":\"faultline-adapter\",\"version\":1,\"cluster\":\"x\",\"ops\":[],\"offline_flags\":[],"
	             "\"x\":1}",
	             "column 88: unknown key \"x\"");
	decode_fails("{\"hello\":\"faultline-adapter\",\"version\":1,\"ops\":[],\"offline_flags\":[]}",
	             "column 1: missing key \"cluster\"");
}

Test(proto, request_round_trip_every_op)
{
	static const struct {
		struct proto_request rq;
		const char *line;
	} cases[] = {
	    {{.id = 1, .op = PROTO_OP_LIST}, "{\"id\":1,\"op\":\"list\"}\n"},
	    {{.id = 2, .op = PROTO_OP_STATE, .resource = "r"}, "{\"id\":2,\"op\":\"state\",\"resource\":\"r\"}\n"},
	    {{.id = 3, .op = PROTO_OP_FAIL, .resource = "r"}, "{\"id\":3,\"op\":\"fail\",\"resource\":\"r\"}\n"},
	    {{.id = 4, .op = PROTO_OP_OFFLINE, .resource = "r", .flags = OFFLINE_QUEUE_ENABLED, .node = "n2"},
	     "{\"id\":4,\"op\":\"offline\",\"resource\":\"r\",\"flags\":[\"queue_enabled\"],\"destination\":\"n2\"}\n"},
	    {{.id = 5, .op = PROTO_OP_ONLINE, .resource = "r"}, "{\"id\":5,\"op\":\"online\",\"resource\":\"r\"}\n"},
	    {{.id = 6, .op = PROTO_OP_MOVE, .group = "g"},
	     "{\"id\":6,\"op\":\"move\",\"group\":\"g\",\"node\":null}\n"},
	    {{.id = 7, .op = PROTO_OP_NODE_DOWN, .node = "n1"}, "{\"id\":7,\"op\":\"node_down\",\"node\":\"n1\"}\n"},
	    {{.id = 8, .op = PROTO_OP_NODE_UP, .node = "n1"}, "{\"id\":8,\"op\":\"node_up\",\"node\":\"n1\"}\n"},
	    {{.id = 9, .op = PROTO_OP_NODE_PAUSE, .node = "n1", .drain = true},
	     "{\"id\":9,\"op\":\"node_pause\",\"node\":\"n1\",\"drain\":true}\n"},
	    {{.id = 10, .op = PROTO_OP_NODE_RESUME, .node = "n1", .failback = NODE_FAILBACK_IMMEDIATE},
	     "{\"id\":10,\"op\":\"node_resume\",\"node\":\"n1\",\"failback\":\"immediate\"}\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *line = proto_request_encode(&cases[i].rq);
		cr_assert_str_eq(line, cases[i].line);
		struct proto_request rq;
		struct fl_err e;
		cr_assert_eq(proto_request_decode(line, strlen(line), &rq, &e), 0, "%s", e.msg);
		cr_assert_eq(rq.id, cases[i].rq.id);
		cr_assert_eq(rq.op, cases[i].rq.op);
		cr_assert_eq(rq.flags, cases[i].rq.flags);
		cr_assert_eq(rq.node == NULL, cases[i].rq.node == NULL);
		cr_assert_eq(rq.drain, cases[i].rq.drain);
		cr_assert_eq(rq.failback, cases[i].rq.failback);
		proto_request_fini(&rq);
		free(line);
	}
}

Test(proto, request_errors)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
	    {"{\"id\":0,\"op\":\"list\"}", "column 7: \"id\" must be 1 or more"},
	    {"{\"id\":1,\"op\":\"reboot\"}", "column 14: unknown op \"reboot\""},
	    {"{\"id\":1,\"op\":\"fail\"}", "column 1: missing key \"resource\""},
	    {"{\"id\":1,\"op\":\"fail\",\"resource\":\"\"}", "column 32: \"resource\" must not be empty"},
	    {"{\"id\":1,\"op\":\"list\",\"resource\":\"r\"}", "column 32: unknown key \"resource\""},
	    {"{\"id\":1,\"op\":\"offline\",\"resource\":\"r\",\"flags\":[\"fast\"]}",
	     "column 48: \"flags\": unknown name \"fast\""},
	    {"{\"id\":\"1\",\"op\":\"list\"}", "column 7: \"id\" must be an integer, not string"},
	    {"garbage", "not JSON: column 1: expected a JSON value, got 'g'"},
	    {"{\"id\":1,\"op\":\"node_pause\",\"node\":\"n1\"}", "column 1: missing key \"drain\""},
	    {"{\"id\":1,\"op\":\"node_pause\",\"node\":\"n1\",\"drain\":1}",
	     "column 47: \"drain\" must be a boolean, not integer"},
	    {"{\"id\":1,\"op\":\"node_resume\",\"node\":\"n1\",\"failback\":\"later\"}",
	     "column 51: \"failback\" must be \"none\", \"immediate\" or \"policy\", not \"later\""},
	    {"{\"id\":1,\"op\":\"node_down\"}", "column 1: missing key \"node\""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct proto_request rq;
		struct fl_err e = {0};
		cr_assert_eq(proto_request_decode(cases[i].line, strlen(cases[i].line), &rq, &e), -1, "%s",
		             cases[i].line);
		cr_assert_str_eq(e.msg, cases[i].msg);
	}
}

Test(proto, responses_and_their_checks)
{
	struct proto_msg m;
	struct fl_err e;
	cr_assert_eq(decode("{\"id\":7,\"ok\":true,\"code\":997}", &m, &e), 0, "%s", e.msg);
	cr_assert_eq(m.kind, PROTO_MSG_RESPONSE);
	cr_assert_eq(m.resp.id, 7);
	cr_assert_eq(m.resp.code, 997);
	cr_assert_eq(proto_response_check(&m.resp, PROTO_OP_FAIL, &e), 0);
	cr_assert_eq(proto_response_check(&m.resp, PROTO_OP_STATE, &e), -1);
	cr_assert_str_eq(e.msg, "the answer to \"state\" has no \"state\"");
	cr_assert_eq(proto_response_check(&m.resp, PROTO_OP_LIST, &e), -1);
	cr_assert_str_eq(e.msg, "the answer to \"list\" has no \"nodes\", \"groups\" and \"resources\"");
	proto_msg_fini(&m);
	cr_assert_eq(decode("{\"id\":8,\"ok\":false,\"code\":5084,\"error\":\"not online\"}", &m, &e), 0);
	cr_assert_str_eq(m.resp.error, "not online");
	proto_msg_fini(&m);
	decode_fails("{\"id\":8,\"ok\":false,\"code\":5084}", "column 1: missing key \"error\"");
	decode_fails("{\"id\":8,\"ok\":\"yes\",\"code\":0}", "column 14: \"ok\" must be a boolean, not string");
	decode_fails("{\"id\":8,\"ok\":true,\"code\":0,\"state\":\"asleep\"}",
	             "column 36: \"state\": unknown resource state \"asleep\"");
	decode_fails("[1]", "column 1: expected an object, got array");
	decode_fails("{\"x\":1}", "column 1: neither a hello, a response (\"id\") nor an event");
}

static struct cluster_snapshot *sample_snapshot(void)
{
	struct cluster_snapshot *s = xcalloc(1, sizeof(*s));
	s->nnodes = 2;
	s->nodes = xcalloc(2, sizeof(*s->nodes));
	s->nodes[0] = (struct cluster_node){xstrdup("n1"), true, false, 0};
	s->nodes[1] = (struct cluster_node){xstrdup("n2"), true, true, 0};
	s->ngroups = 1;
	s->groups = xcalloc(1, sizeof(*s->groups));
	s->groups[0] = (struct cluster_group){xstrdup("G"), xstrdup("n1"), GRP_PARTIAL_ONLINE};
	s->nresources = 1;
	s->resources = xcalloc(1, sizeof(*s->resources));
	char **deps = xcalloc(2, sizeof(char *));
	deps[0] = xstrdup("Disk \"1\"");
	deps[1] = xstrdup("IP");
	s->resources[0] = (struct cluster_resource){
	    xstrdup("SQL"), xstrdup("SQL Server"), xstrdup("G"), NULL, RES_ONLINE_PENDING, deps, 2};
	return s;
}

Test(proto, list_answer_round_trip)
{
	struct proto_response rs = {.id = 3, .ok = true, .snap = sample_snapshot()};
	char *line = proto_response_encode(&rs, PROTO_OP_LIST);
	cr_assert_str_eq(line,
	                 "{\"id\":3,\"ok\":true,\"code\":0,\"nodes\":[{\"name\":\"n1\",\"up\":true,\"paused\":false},"
	                 "{\"name\":\"n2\",\"up\":true,\"paused\":true}],\"groups\":[{\"name\":\"G\",\"owner\":\"n1\","
	                 "\"state\":\"partial-online\"}],"
	                 "\"resources\":[{\"name\":\"SQL\",\"type\":\"SQL Server\",\"group\":\"G\",\"owner\":null,"
	                 "\"state\":\"online-pending\",\"deps\":[\"Disk \\\"1\\\"\",\"IP\"]}]}\n");
	struct proto_msg m;
	struct fl_err e;
	cr_assert_eq(decode(line, &m, &e), 0, "%s", e.msg);
	cr_assert_eq(proto_response_check(&m.resp, PROTO_OP_LIST, &e), 0, "%s", e.msg);
	const struct cluster_snapshot *s = m.resp.snap;
	cr_assert_eq(s->nnodes, 2);
	cr_assert_eq(s->nodes[0].paused, false);
	cr_assert_eq(s->nodes[1].up, true);
	cr_assert_eq(s->nodes[1].paused, true, "version 2 says which nodes are paused");
	cr_assert_eq(s->groups[0].state, GRP_PARTIAL_ONLINE);
	cr_assert_eq(s->resources[0].state, RES_ONLINE_PENDING);
	cr_assert_null(s->resources[0].owner);
	cr_assert_str_eq(s->resources[0].deps[0], "Disk \"1\"");
	proto_msg_fini(&m);
	cluster_snapshot_free(rs.snap);
	free(rs.snap);
	free(line);
	decode_fails("{\"id\":3,\"ok\":true,\"code\":0,\"nodes\":[{\"name\":\"n1\"}],\"groups\":[],\"resources\":[]}",
	             "nodes: column 37: node \"n1\": \"up\" must be a boolean");
	cr_assert_eq(decode("{\"id\":3,\"ok\":true,\"code\":0,\"nodes\":[{\"name\":\"n1\",\"up\":true}],\"groups\":[],"
	                    "\"resources\":[]}",
	                    &m, &e),
	             0, "%s", e.msg);
	cr_assert_eq(m.resp.snap->nodes[0].paused, false, "version 1 has no \"paused\": not paused");
	proto_msg_fini(&m);
	decode_fails("{\"id\":3,\"ok\":true,\"code\":0,\"nodes\":[{\"name\":\"n1\",\"up\":true,\"paused\":1}],"
	             "\"groups\":[],\"resources\":[]}",
	             "nodes: column 69: node \"n1\": \"paused\" must be a boolean");
	decode_fails("{\"id\":3,\"ok\":true,\"code\":0,\"nodes\":[],\"groups\":[7],\"resources\":[]}",
	             "groups: column 49: \"groups\" must hold objects, not integer");
}

Test(proto, events_round_trip)
{
	struct proto_event ev = {
	    .kind = CLUSTER_EV_RESOURCE, .name = "SQL", .owner = "n2", .state = RES_FAILED, .at_ms = 1500};
	char *line = proto_event_encode(&ev);
	cr_assert_str_eq(line, "{\"event\":\"resource\",\"name\":\"SQL\",\"state\":\"failed\",\"owner\":\"n2\","
	                       "\"at_ms\":1500}\n");
	struct proto_msg m;
	struct fl_err e;
	cr_assert_eq(decode(line, &m, &e), 0, "%s", e.msg);
	cr_assert_eq(m.kind, PROTO_MSG_EVENT);
	cr_assert_eq(m.ev.state, RES_FAILED);
	cr_assert_str_eq(m.ev.owner, "n2");
	cr_assert_eq(m.ev.at_ms, 1500);
	proto_msg_fini(&m);
	free(line);
	cr_assert_eq(decode("{\"event\":\"group\",\"name\":\"G\",\"state\":\"partial-online\",\"owner\":null}", &m, &e),
	             0, "%s", e.msg);
	cr_assert_eq(m.ev.kind, CLUSTER_EV_GROUP);
	cr_assert_eq(m.ev.state, GRP_PARTIAL_ONLINE);
	cr_assert_eq(m.ev.at_ms, -1);
	proto_msg_fini(&m);
	cr_assert_eq(decode("{\"event\":\"resync\"}", &m, &e), 0, "%s", e.msg);
	cr_assert_eq(m.ev.kind, CLUSTER_EV_RESYNC);
	proto_msg_fini(&m);
	decode_fails("{\"event\":\"resource\",\"name\":\"SQL\",\"state\":\"partial-online\"}",
	             "column 42: \"state\": unknown resource state \"partial-online\"");
	decode_fails("{\"event\":\"cluster\"}",
	             "column 10: \"event\" must be \"resource\", \"group\", \"node\" or \"resync\"");
}

Test(proto, node_events_round_trip)
{
	struct proto_event ev = {.kind = CLUSTER_EV_NODE, .name = "n1", .state = NODE_PAUSED, .at_ms = 20};
	char *line = proto_event_encode(&ev);
	cr_assert_str_eq(line, "{\"event\":\"node\",\"name\":\"n1\",\"state\":\"paused\",\"at_ms\":20}\n");
	struct proto_msg m;
	struct fl_err e;
	cr_assert_eq(decode(line, &m, &e), 0, "%s", e.msg);
	cr_assert_eq(m.ev.kind, CLUSTER_EV_NODE);
	cr_assert_str_eq(m.ev.name, "n1");
	cr_assert_eq(m.ev.state, NODE_PAUSED);
	cr_assert_null(m.ev.owner);
	proto_msg_fini(&m);
	free(line);
	decode_fails("{\"event\":\"node\",\"name\":\"n1\",\"state\":\"asleep\"}",
	             "column 37: \"state\": unknown node state \"asleep\"");
	decode_fails("{\"event\":\"node\",\"name\":\"n1\",\"state\":\"up\",\"owner\":null}",
	             "column 50: unknown key \"owner\"");
}

Test(proto, reader_splits_lines_and_bounds_them)
{
	struct proto_reader r;
	struct fl_err e;
	const char *line;
	size_t len;
	proto_reader_init(&r, 8);
	proto_reader_feed(&r, "ab\r\ncd", 6);
	cr_assert_eq(proto_reader_next(&r, &line, &len, &e), 1);
	cr_assert_eq(len, 2);
	cr_assert_eq(memcmp(line, "ab", 2), 0);
	cr_assert_eq(proto_reader_next(&r, &line, &len, &e), 0);
	proto_reader_feed(&r, "e\n", 2);
	cr_assert_eq(proto_reader_next(&r, &line, &len, &e), 1);
	cr_assert_str_eq(line, "cde");
	proto_reader_feed(&r, "123456789", 9);
	cr_assert_eq(proto_reader_next(&r, &line, &len, &e), -1);
	cr_assert_str_eq(e.msg, "line 3: longer than 8 bytes");
	proto_reader_feed(&r, "\n", 1);
	cr_assert_eq(proto_reader_next(&r, &line, &len, &e), -1, "a poisoned stream stays poisoned");
	proto_reader_fini(&r);
}

/* A toy adapter: one resource "r", online. */
static int t_list(void *arg, struct cluster_snapshot *out, struct fl_err *e)
{
	(void)arg, (void)e;
	memset(out, 0, sizeof(*out));
	return 0;
}
static int t_state(void *arg, const char *res, enum res_state *st, long *code, struct fl_err *e)
{
	(void)arg;
	*code = strcmp(res, "r") == 0 ? 0 : 5007;
	*st = RES_ONLINE;
	return *code ? err_set(e, "resource \"%s\": not found", res) : 0;
}
static int t_fail(void *arg, const char *res, long *code, struct fl_err *e)
{
	(void)arg, (void)res, (void)e;
	*code = 0;
	return 0;
}
static int t_offline(void *arg, const char *res, unsigned flags, const char *dest, long *code, struct fl_err *e)
{
	(void)arg, (void)res, (void)flags, (void)dest, (void)e;
	*code = 997;
	return 0;
}
static int t_move(void *arg, const char *g, const char *n, long *code, struct fl_err *e)
{
	(void)arg, (void)g, (void)n, (void)e;
	*code = 997;
	return 0;
}
static int t_pause(void *arg, const char *node, bool drain, long *code, struct fl_err *e)
{
	(void)arg;
	*code = strcmp(node, "n1") == 0 ? 0 : 5042;
	return *code ? err_set(e, "node \"%s\": not found (drain %d)", node, drain) : 0;
}
static const struct proto_adapter_ops toy = {.list = t_list,
                                             .state = t_state,
                                             .fail = t_fail,
                                             .offline = t_offline,
                                             .online = t_fail,
                                             .move = t_move,
                                             .node_pause = t_pause};

static void serve(const char *req, const char *want)
{
	struct proto_hello h = {.version = 2,
	                        .cluster = "c",
	                        .ops = PROTO_CAN_LIST | PROTO_CAN_STATE | PROTO_CAN_FAIL | PROTO_CAN_OFFLINE |
	                               PROTO_CAN_NODE_PAUSE,
	                        .offline_flags = OFFLINE_IGNORE_RESOURCE_STATUS};
	char *out = proto_serve_line(&toy, NULL, &h, req, strlen(req));
	cr_assert_str_eq(out, want);
	free(out);
}

/* Bug 4 of issue 13: the protocol says blank lines are ignored; no adapter may answer one. */
Test(proto, serve_ignores_blank_lines)
{
	struct proto_hello h = {.version = 1, .cluster = "c", .ops = PROTO_CAN_LIST | PROTO_CAN_STATE};
	cr_assert_null(proto_serve_line(&toy, NULL, &h, "", 0));
	cr_assert_null(proto_serve_line(&toy, NULL, &h, " \t ", 3));
	char *out = proto_serve_line(&toy, NULL, &h, " x", 2);
	cr_assert_str_eq(out, "{\"id\":0,\"ok\":false,\"code\":87,\"error\":\"not JSON: column 2: expected a JSON "
	                      "value, got 'x'\"}\n");
	free(out);
}

/* A line over the bound is answered (id 0, code 87) before the adapter gives up on the stream. */
Test(proto, serve_answers_an_oversized_line)
{
	struct fl_err e;
	err_set(&e, "line 3: longer than 1048576 bytes");
	char *out = proto_serve_error(&e);
	cr_assert_str_eq(out, "{\"id\":0,\"ok\":false,\"code\":87,\"error\":\"line 3: longer than 1048576 bytes\"}\n");
	free(out);
}

Test(proto, serve_answers_and_refuses_what_the_hello_did_not_declare)
{
	serve("{\"id\":1,\"op\":\"list\"}",
	      "{\"id\":1,\"ok\":true,\"code\":0,\"nodes\":[],\"groups\":[],\"resources\":[]}\n");
	serve("{\"id\":2,\"op\":\"state\",\"resource\":\"r\"}",
	      "{\"id\":2,\"ok\":true,\"code\":0,\"state\":\"online\"}\n");
	serve("{\"id\":3,\"op\":\"state\",\"resource\":\"x\"}",
	      "{\"id\":3,\"ok\":false,\"code\":5007,\"error\":\"resource \\\"x\\\": not found\"}\n");
	serve("{\"id\":4,\"op\":\"offline\",\"resource\":\"r\",\"flags\":[\"ignore_resource_status\"]}",
	      "{\"id\":4,\"ok\":true,\"code\":997}\n");
	serve("{\"id\":5,\"op\":\"offline\",\"resource\":\"r\",\"flags\":[\"queue_enabled\"]}",
	      "{\"id\":5,\"ok\":false,\"code\":87,\"error\":\"offline flag \\\"queue_enabled\\\" is not supported by "
	      "this "
	      "adapter\"}\n");
	serve("{\"id\":6,\"op\":\"offline\",\"resource\":\"r\",\"flags\":[],\"destination\":\"n2\"}",
	      "{\"id\":6,\"ok\":false,\"code\":50,\"error\":\"offline with a destination is not supported by this "
	      "adapter\"}\n");
	serve("{\"id\":7,\"op\":\"move\",\"group\":\"g\"}",
	      "{\"id\":7,\"ok\":false,\"code\":50,\"error\":\"op \\\"move\\\" is not supported by this adapter\"}\n");
	serve("{\"id\":8,\"op\":\"fail\"}",
	      "{\"id\":8,\"ok\":false,\"code\":87,\"error\":\"column 1: missing key \\\"resource\\\"\"}\n");
	serve("{\"id\":9,\"op\":\"node_pause\",\"node\":\"n1\",\"drain\":true}", "{\"id\":9,\"ok\":true,\"code\":0}\n");
	serve("{\"id\":10,\"op\":\"node_pause\",\"node\":\"n9\",\"drain\":false}",
	      "{\"id\":10,\"ok\":false,\"code\":5042,\"error\":\"node \\\"n9\\\": not found (drain 0)\"}\n");
	serve("{\"id\":11,\"op\":\"node_resume\",\"node\":\"n1\",\"failback\":\"none\"}",
	      "{\"id\":11,\"ok\":false,\"code\":50,\"error\":\"op \\\"node_resume\\\" is not supported by this "
	      "adapter\"}\n");
	serve("nonsense",
	      "{\"id\":0,\"ok\":false,\"code\":87,\"error\":\"not JSON: column 1: expected a JSON value, got "
	      "'n'\"}\n");
}

/*
 * The state and flag names travel on the wire (docs/exec-protocol.md) and
 * are cluster.h's one table (agent/core/cluster_names.c): renaming one for
 * display would change the protocol, so each is pinned here.
 */
Test(proto, wire_names_are_pinned)
{
	static const struct {
		int state;
		const char *wire;
	} res[] = {{RES_UNKNOWN, "unknown"},
	           {RES_INHERITED, "inherited"},
	           {RES_INITIALIZING, "initializing"},
	           {RES_ONLINE, "online"},
	           {RES_OFFLINE, "offline"},
	           {RES_FAILED, "failed"},
	           {RES_PENDING, "pending"},
	           {RES_ONLINE_PENDING, "online-pending"},
	           {RES_OFFLINE_PENDING, "offline-pending"}},
	  grp[] = {{GRP_UNKNOWN, "unknown"}, {GRP_ONLINE, "online"},   {GRP_OFFLINE, "offline"},
	           {GRP_FAILED, "failed"},   {GRP_PENDING, "pending"}, {GRP_PARTIAL_ONLINE, "partial-online"}};
	static const char *const flags[] = {"ignore_resource_status",
	                                    "return_to_source_node_on_error",
	                                    "queue_enabled",
	                                    "returning_to_source_node_because_of_error",
	                                    "due_to_embedded_failure",
	                                    "ignore_network_connectivity",
	                                    "do_not_update_persistent_state"};
	for (size_t i = 0; i < ARRAY_LEN(res); i++) {
		cr_expect_str_eq(res_state_str((enum res_state)res[i].state), res[i].wire);
		cr_expect_eq(res_state_parse_exact(res[i].wire), res[i].state, "%s", res[i].wire);
	}
	cr_expect_eq(res_state_parse_exact("online_pending"), -2, "the wire has one spelling");
	for (size_t i = 0; i < ARRAY_LEN(grp); i++) {
		cr_expect_str_eq(group_state_str((enum group_state)grp[i].state), grp[i].wire);
		cr_expect_eq(group_state_parse(grp[i].wire), grp[i].state, "%s", grp[i].wire);
	}
	for (size_t i = 0; i < ARRAY_LEN(flags); i++)
		cr_expect_str_eq(offline_flag_names[i], flags[i]);
	cr_expect_null(offline_flag_names[ARRAY_LEN(flags)]);
	static const char *const nodes[] = {"up", "down", "paused", "joining"}; /* NODE_UP .. NODE_JOINING */
	for (size_t i = 0; i < ARRAY_LEN(nodes); i++) {
		cr_expect_str_eq(node_state_str((enum node_state)i), nodes[i]);
		cr_expect_eq(node_state_parse(nodes[i]), (int)i);
	}
	cr_expect_eq(node_state_parse("Up"), -2);
	cr_expect_str_eq(node_failback_names[NODE_FAILBACK_NONE], "none");
	cr_expect_str_eq(node_failback_names[NODE_FAILBACK_IMMEDIATE], "immediate");
	cr_expect_str_eq(node_failback_names[NODE_FAILBACK_POLICY], "policy");
}
