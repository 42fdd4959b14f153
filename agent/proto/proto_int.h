/*
 * proto_int.h - shared internals of the protocol module: the wire names
 * and the JSON layer. Not for use outside agent/proto*.c (and their tests).
 */
#ifndef FAULTLINE_PROTO_INT_H
#define FAULTLINE_PROTO_INT_H

#include "faultline/proto.h"
#include "proto_json.h"

/* NULL-terminated; index i names bit 1 << i. */
extern const char *const proto_can_names[]; /* offline flags: cluster.h's offline_flag_names */

/* -1 / -2 when unknown. */
int proto_op_parse(const char *s);

/* Strict accessors for decoded objects: a wrong type or a missing required key is an error. */
int proto_keys_check(const struct pj *o, const char *const *allowed, struct fl_err *e);
int proto_get_str(const struct pj *o, const char *key, bool required, bool nullable, char **out, struct fl_err *e);
int proto_get_int(const struct pj *o, const char *key, bool required, int64_t *out, struct fl_err *e);
int proto_get_names(const struct pj *o, const char *key, const char *const *names, unsigned *bits, struct fl_err *e);
/* The "nodes", "groups" and "resources" of a list answer, into s (caller frees s's contents). */
int proto_snapshot_decode(const struct pj *o, struct cluster_snapshot *s, struct fl_err *e);

#endif
