/*
 * proto.h - the exec adapter protocol: JSON lines over a child process's
 * stdin and stdout (docs/exec-protocol.md).
 *
 * The adapter speaks first with a hello line (its protocol version, the
 * cluster's name, the operations and offline flags it supports); then the
 * client sends requests, each with an id, and the adapter answers each with
 * a response carrying the same id, in any order, interleaved with event
 * lines it may send at any time.
 *
 * This module is shared by the client ("exec" backend, agent/cluster/exec/exec.c)
 * and every adapter (the simulator's, faultline-wsfc.exe): it encodes,
 * decodes and strictly validates messages, splits the byte stream into
 * bounded lines, and answers one request line through an adapter's ops
 * table (proto_serve_line). It does no I/O and is portable C11, so the same
 * code is built for Windows. Every encoder returns one line ending in "\n",
 * malloc'd; the caller frees it.
 */
#ifndef FAULTLINE_PROTO_H
#define FAULTLINE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/cluster.h"
#include "faultline/err.h"

#define PROTO_VERSION     2 /* what this faultline and its adapters speak */
#define PROTO_VERSION_MIN 1 /* the oldest an adapter may speak: version 1 has no node operations */
#define PROTO_HELLO       "faultline-adapter"
#define PROTO_MAX_LINE    (1024 * 1024) /* bytes, without the newline */

/* Operations an adapter declares in its hello (bit set). */
#define PROTO_CAN_LIST                0x01u
#define PROTO_CAN_STATE               0x02u
#define PROTO_CAN_FAIL                0x04u
#define PROTO_CAN_OFFLINE             0x08u
#define PROTO_CAN_ONLINE              0x10u
#define PROTO_CAN_MOVE                0x20u
#define PROTO_CAN_OFFLINE_DESTINATION 0x40u
#define PROTO_CAN_EVENTS              0x80u
#define PROTO_CAN_NODE_DOWN           0x100u /* version 2 on: the node leaves abruptly (a simulator can) */
#define PROTO_CAN_NODE_UP             0x200u
#define PROTO_CAN_NODE_PAUSE          0x400u /* PauseClusterNodeEx, with or without drain */
#define PROTO_CAN_NODE_RESUME         0x800u /* ResumeClusterNodeEx, with a failback type */
#define PROTO_CAN_NODE_OPS            0xf00u

struct proto_hello {
	int version;
	char *cluster;          /* owned */
	unsigned ops;           /* PROTO_CAN_* */
	unsigned offline_flags; /* OFFLINE_* (cluster.h), by their plan names on the wire */
};

enum proto_op {
	PROTO_OP_LIST,
	PROTO_OP_STATE,
	PROTO_OP_FAIL,
	PROTO_OP_OFFLINE,
	PROTO_OP_ONLINE,
	PROTO_OP_MOVE,
	PROTO_OP_NODE_DOWN,
	PROTO_OP_NODE_UP,
	PROTO_OP_NODE_PAUSE,
	PROTO_OP_NODE_RESUME,
};

struct proto_request {
	uint64_t id; /* >= 1 */
	enum proto_op op;
	char *resource; /* state, fail, offline, online; owned */
	char *group;    /* move; owned */
	char *node;     /* offline: destination, move: node; NULL = none / most suitable; node ops: the node; owned */
	unsigned flags; /* offline: OFFLINE_* */
	bool drain;     /* node_pause */
	enum node_failback failback; /* node_resume */
};

struct proto_response {
	uint64_t id; /* 0 only when the adapter could not read the request's id */
	bool ok;
	long code;                     /* Win32 code (0, 997 accepted; anything else refused) */
	char *error;                   /* !ok: why, owned */
	enum res_state state;          /* answer to "state" */
	struct cluster_snapshot *snap; /* answer to "list", owned (cluster_snapshot_free + free) */
};

enum proto_kind { PROTO_MSG_HELLO, PROTO_MSG_RESPONSE, PROTO_MSG_EVENT };

/* An event as it travels; strings owned. */
struct proto_event {
	enum cluster_event_kind kind;
	char *name;
	char *owner;
	int state;
	int64_t at_ms; /* adapter's clock, informational; -1 if absent */
};

/* Anything the adapter may send. */
struct proto_msg {
	enum proto_kind kind;
	struct proto_hello hello;
	struct proto_response resp;
	struct proto_event ev;
};

const char *proto_op_str(enum proto_op op);

char *proto_hello_encode(const struct proto_hello *h);
char *proto_request_encode(const struct proto_request *rq);
/* For a "list" answer, snap is written; for "state", state is. */
char *proto_response_encode(const struct proto_response *rs, enum proto_op op);
char *proto_event_encode(const struct proto_event *ev);

/*
 * Decode one line from the adapter (no newline) into m; on error e says
 * what is wrong, with the column ("column 7: expected ':'"). A response is
 * checked for its own shape only: which fields its request needs is
 * proto_response_check's job, once the caller knows the request by its id.
 * On success, free with proto_msg_fini.
 */
int proto_msg_decode(const char *line, size_t len, struct proto_msg *m, struct fl_err *e);
/* A response to `op` carries what op needs (state, the lists). */
int proto_response_check(const struct proto_response *rs, enum proto_op op, struct fl_err *e);
void proto_msg_fini(struct proto_msg *m);

/* Adapter side: decode one request line. */
int proto_request_decode(const char *line, size_t len, struct proto_request *rq, struct fl_err *e);
void proto_request_fini(struct proto_request *rq);

/* Split a byte stream into lines of at most PROTO_MAX_LINE bytes (or `max`). */
struct proto_reader {
	char *buf;
	size_t len, cap, max;
	size_t start;   /* first byte not yet returned */
	size_t lineno;  /* lines returned so far */
	bool oversized; /* a line went past max: the stream is unusable */
};

void proto_reader_init(struct proto_reader *r, size_t max);
void proto_reader_fini(struct proto_reader *r);
void proto_reader_feed(struct proto_reader *r, const char *data, size_t n);
/*
 * The next complete line (newline stripped, also a trailing "\r"), valid
 * until the next feed: 1 with *line and *len set, 0 if none is complete yet,
 * -1 with e set if a line is longer than max.
 */
int proto_reader_next(struct proto_reader *r, const char **line, size_t *len, struct fl_err *e);

/* What an adapter implements; each call as in cluster.h (code = Win32 result). */
struct proto_adapter_ops {
	int (*list)(void *arg, struct cluster_snapshot *out, struct fl_err *e);
	int (*state)(void *arg, const char *resource, enum res_state *state, long *code, struct fl_err *e);
	int (*fail)(void *arg, const char *resource, long *code, struct fl_err *e);
	int (*offline)(void *arg, const char *resource, unsigned flags, const char *destination, long *code,
	               struct fl_err *e);
	int (*online)(void *arg, const char *resource, long *code, struct fl_err *e);
	int (*move)(void *arg, const char *group, const char *node, long *code, struct fl_err *e);
	/* Node operations: NULL when the adapter has them not (and its hello does not declare them). */
	int (*node_down)(void *arg, const char *node, long *code, struct fl_err *e);
	int (*node_up)(void *arg, const char *node, long *code, struct fl_err *e);
	int (*node_pause)(void *arg, const char *node, bool drain, long *code, struct fl_err *e);
	int (*node_resume)(void *arg, const char *node, enum node_failback failback, long *code, struct fl_err *e);
};

/*
 * Answer one request line: decode, check it against the hello's ops and
 * offline flags, call ops, encode the response. A bad request is answered
 * {"ok":false,"code":87,...} (with id 0 if the id is unreadable). A blank
 * line (nothing but spaces and tabs) is no request: NULL, nothing to send.
 */
char *proto_serve_line(const struct proto_adapter_ops *ops, void *arg, const struct proto_hello *h, const char *line,
                       size_t len);
/* The answer to a line the adapter could not even split off (e says why): id 0, code 87. */
char *proto_serve_error(const struct fl_err *e);

#endif
