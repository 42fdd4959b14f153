/*
 * proto_json.h - the small, strict JSON reader and writer behind the exec
 * adapter protocol (docs/exec-protocol.md).
 *
 * Why not jansson: the same C must build into faultline-wsfc.exe with
 * Debian's mingw-w64, which has no jansson. The protocol's messages are
 * one line of small objects, so a reader of ~300 lines is enough: integers
 * only (no fractions or exponents), UTF-8 checked, nesting bounded, any
 * duplicate key refused. Errors name the column (1-based, in bytes).
 */
#ifndef FAULTLINE_PROTO_JSON_H
#define FAULTLINE_PROTO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

#define PJ_MAX_DEPTH 8

enum pj_type { PJ_NULL, PJ_BOOL, PJ_INT, PJ_STR, PJ_ARR, PJ_OBJ };

struct pj {
	enum pj_type type;
	bool b;
	int64_t i;
	char *s;          /* PJ_STR: owned, NUL-terminated, no embedded NUL */
	struct pj *items; /* PJ_ARR elements / PJ_OBJ values, owned */
	char **keys;      /* PJ_OBJ keys, owned */
	size_t n;
	size_t col; /* where the value starts, 1-based */
};

/* Parse exactly one JSON value spanning the whole text (whitespace aside) into v. */
int pj_parse(const char *text, size_t len, struct pj *v, struct fl_err *e);
void pj_fini(struct pj *v);
/* The member `key` of an object, or NULL. */
const struct pj *pj_get(const struct pj *obj, const char *key);
const char *pj_type_str(enum pj_type t);

/* A growing output line. */
struct pj_buf {
	char *p;
	size_t n, cap;
};

void pj_buf_fini(struct pj_buf *b);
void pj_put(struct pj_buf *b, const char *raw);
void pj_put_str(struct pj_buf *b, const char *s); /* quoted and escaped; NULL writes null */
void pj_put_int(struct pj_buf *b, int64_t v);
/* `,"key":` (the comma only when not first in the object). */
void pj_put_key(struct pj_buf *b, const char *key);
/* Hand over the text (NUL-terminated); the buffer is left empty. */
char *pj_buf_take(struct pj_buf *b);

#endif
