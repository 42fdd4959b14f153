/*
 * proto_json.c - a strict reader and a small writer for the protocol's
 * JSON lines. Portable C11 (also built into faultline-wsfc.exe).
 */
#include "proto_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"

struct rd {
	const char *p;
	size_t i, len;
	struct fl_err *e;
};

static int fail(struct rd *r, const char *what)
{
	if (r->i >= r->len)
		return err_set(r->e, "column %zu: %s, got the end of the line", r->i + 1, what);
	unsigned char c = (unsigned char)r->p[r->i];
	if (c >= 0x20 && c < 0x7f)
		return err_set(r->e, "column %zu: %s, got '%c'", r->i + 1, what, c);
	return err_set(r->e, "column %zu: %s, got byte 0x%02x", r->i + 1, what, c);
}

static void skip_ws(struct rd *r)
{
	while (r->i < r->len && (r->p[r->i] == ' ' || r->p[r->i] == '\t' || r->p[r->i] == '\r' || r->p[r->i] == '\n'))
		r->i++;
}

static int literal(struct rd *r, const char *word)
{
	size_t n = strlen(word);
	if (r->len - r->i < n || memcmp(r->p + r->i, word, n) != 0)
		return fail(r, "expected a JSON value");
	r->i += n;
	return 0;
}

static int parse_int(struct rd *r, struct pj *v)
{
	bool neg = r->p[r->i] == '-';
	size_t start = r->i + neg;
	uint64_t acc = 0;
	r->i = start;
	while (r->i < r->len && r->p[r->i] >= '0' && r->p[r->i] <= '9') {
		unsigned d = (unsigned)(r->p[r->i] - '0');
		if (acc > (UINT64_C(9223372036854775807) - d) / 10)
			return err_set(r->e, "column %zu: integer out of range", start + 1);
		acc = acc * 10 + d;
		r->i++;
	}
	if (r->i == start)
		return fail(r, "expected a digit");
	if (r->p[start] == '0' && r->i - start > 1)
		return err_set(r->e, "column %zu: leading zeros are not JSON", start + 1);
	if (r->i < r->len && (r->p[r->i] == '.' || r->p[r->i] == 'e' || r->p[r->i] == 'E'))
		return err_set(r->e, "column %zu: only integers are used in this protocol", start + 1);
	v->type = PJ_INT;
	v->i = neg ? -(int64_t)acc : (int64_t)acc;
	return 0;
}

static void put_utf8(struct pj_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	XGROW(b->p, b->cap, b->n + n + 1);
	memcpy(b->p + b->n, u, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static int hex4(struct rd *r, uint32_t *out)
{
	*out = 0;
	for (int k = 0; k < 4; k++, r->i++) {
		char c = r->i < r->len ? r->p[r->i] : 0;
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return fail(r, "expected a hex digit");
		*out = *out << 4 | (uint32_t)d;
	}
	return 0;
}

/* After the backslash and 'u': one code point, joining a surrogate pair. */
static int unicode_escape(struct rd *r, struct pj_buf *b)
{
	size_t at = r->i - 1;
	uint32_t cp, lo;
	if (hex4(r, &cp) < 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return err_set(r->e, "column %zu: lone low surrogate", at);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->len - r->i < 2 || r->p[r->i] != '\\' || r->p[r->i + 1] != 'u')
			return err_set(r->e, "column %zu: high surrogate without its low half", at);
		r->i += 2;
		if (hex4(r, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return err_set(r->e, "column %zu: high surrogate without its low half", at);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return err_set(r->e, "column %zu: \\u0000 is not allowed in names", at);
	put_utf8(b, cp);
	return 0;
}

/* Length of a valid UTF-8 sequence starting at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (len == 0 || len > n || s[0] > 0xf4)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	uint32_t cp = len == 2   ? (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f)
	              : len == 3 ? (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f)
	                         : (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	                               (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
	if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int escape(struct rd *r, struct pj_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = r->i < r->len ? r->p[r->i] : 0;
	const char *k = c ? strchr(from, c) : NULL;
	r->i++;
	if (c == 'u')
		return unicode_escape(r, b);
	if (k == NULL) {
		r->i--;
		return fail(r, "expected an escape character");
	}
	char out[2] = {to[k - from], 0};
	pj_put(b, out);
	return 0;
}

static int parse_str(struct rd *r, char **out)
{
	struct pj_buf b = {0};
	pj_put(&b, "");
	r->i++; /* the opening quote */
	for (;;) {
		if (r->i >= r->len) {
			pj_buf_fini(&b);
			return fail(r, "unterminated string");
		}
		unsigned char c = (unsigned char)r->p[r->i];
		size_t n = 1;
		if (c == '"')
			break;
		if (c == '\\') {
			r->i++;
			if (escape(r, &b) < 0)
				goto bad;
			continue;
		}
		if (c < 0x20 || (c >= 0x80 && (n = utf8_len((const unsigned char *)r->p + r->i, r->len - r->i)) == 0)) {
			fail(r, c < 0x20 ? "control character in string" : "invalid UTF-8 in string");
			goto bad;
		}
		XGROW(b.p, b.cap, b.n + n + 1);
		memcpy(b.p + b.n, r->p + r->i, n);
		b.n += n;
		b.p[b.n] = '\0';
		r->i += n;
	}
	r->i++;
	*out = pj_buf_take(&b);
	return 0;
bad:
	pj_buf_fini(&b);
	return -1;
}

static int parse_value(struct rd *r, struct pj *v, int depth);

static int parse_array(struct rd *r, struct pj *v, int depth)
{
	size_t cap = 0;
	v->type = PJ_ARR;
	r->i++;
	skip_ws(r);
	if (r->i < r->len && r->p[r->i] == ']')
		return r->i++, 0;
	for (;;) {
		XGROW(v->items, cap, v->n + 1);
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		if (parse_value(r, &v->items[v->n++], depth + 1) < 0)
			return -1;
		skip_ws(r);
		if (r->i < r->len && r->p[r->i] == ']')
			return r->i++, 0;
		if (r->i >= r->len || r->p[r->i] != ',')
			return fail(r, "expected ',' or ']'");
		r->i++;
	}
}

static int object_member(struct rd *r, struct pj *v, int depth)
{
	skip_ws(r);
	if (r->i >= r->len || r->p[r->i] != '"')
		return fail(r, "expected a key string");
	size_t at = r->i;
	char *key;
	if (parse_str(r, &key) < 0)
		return -1;
	if (pj_get(v, key) != NULL) {
		err_set(r->e, "column %zu: duplicate key \"%s\"", at + 1, key);
		free(key);
		return -1;
	}
	v->keys[v->n] = key;
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	v->n++;
	skip_ws(r);
	if (r->i >= r->len || r->p[r->i] != ':')
		return fail(r, "expected ':'");
	r->i++;
	return parse_value(r, &v->items[v->n - 1], depth + 1);
}

static int parse_object(struct rd *r, struct pj *v, int depth)
{
	size_t cap = 0, kcap = 0;
	v->type = PJ_OBJ;
	r->i++;
	skip_ws(r);
	if (r->i < r->len && r->p[r->i] == '}')
		return r->i++, 0;
	for (;;) {
		XGROW(v->items, cap, v->n + 1);
		XGROW(v->keys, kcap, v->n + 1);
		if (object_member(r, v, depth) < 0)
			return -1;
		skip_ws(r);
		if (r->i < r->len && r->p[r->i] == '}')
			return r->i++, 0;
		if (r->i >= r->len || r->p[r->i] != ',')
			return fail(r, "expected ',' or '}'");
		r->i++;
	}
}

static int parse_value(struct rd *r, struct pj *v, int depth)
{
	skip_ws(r);
	v->col = r->i + 1;
	if (depth > PJ_MAX_DEPTH)
		return err_set(r->e, "column %zu: nested deeper than %d", r->i + 1, PJ_MAX_DEPTH);
	char c = r->i < r->len ? r->p[r->i] : 0;
	switch (c) {
	case '{':
		return parse_object(r, v, depth);
	case '[':
		return parse_array(r, v, depth);
	case '"':
		v->type = PJ_STR;
		return parse_str(r, &v->s);
	case 't':
		v->type = PJ_BOOL, v->b = true;
		return literal(r, "true");
	case 'f':
		v->type = PJ_BOOL;
		return literal(r, "false");
	case 'n':
		return literal(r, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_int(r, v);
		return fail(r, "expected a JSON value");
	}
}

int pj_parse(const char *text, size_t len, struct pj *v, struct fl_err *e)
{
	struct rd r = {.p = text, .len = len, .e = e};
	memset(v, 0, sizeof(*v));
	if (parse_value(&r, v, 0) < 0)
		goto bad;
	skip_ws(&r);
	if (r.i < r.len) {
		fail(&r, "expected the end of the line");
		goto bad;
	}
	return 0;
bad:
	pj_fini(v);
	return -1;
}

void pj_fini(struct pj *v)
{
	if (v == NULL)
		return;
	for (size_t k = 0; k < v->n; k++) {
		pj_fini(&v->items[k]);
		if (v->keys)
			free(v->keys[k]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct pj *pj_get(const struct pj *obj, const char *key)
{
	for (size_t k = 0; obj->type == PJ_OBJ && k < obj->n; k++)
		if (obj->keys[k] && strcmp(obj->keys[k], key) == 0)
			return &obj->items[k];
	return NULL;
}

const char *pj_type_str(enum pj_type t)
{
	static const char *const names[] = {"null", "boolean", "integer", "string", "array", "object"};
	return names[t];
}

void pj_buf_fini(struct pj_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void put_n(struct pj_buf *b, const char *s, size_t n)
{
	XGROW(b->p, b->cap, b->n + n + 1);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void pj_put(struct pj_buf *b, const char *raw)
{
	put_n(b, raw, strlen(raw));
}

void pj_put_str(struct pj_buf *b, const char *s)
{
	if (s == NULL) {
		pj_put(b, "null");
		return;
	}
	put_n(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, esc[2] = 0;
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		} else {
			put_n(b, s, 1);
			continue;
		}
		pj_put(b, esc);
	}
	put_n(b, "\"", 1);
}

void pj_put_int(struct pj_buf *b, int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRId64, v);
	pj_put(b, num);
}

void pj_put_key(struct pj_buf *b, const char *key)
{
	if (b->n > 0 && b->p[b->n - 1] != '{')
		put_n(b, ",", 1);
	pj_put_str(b, key);
	put_n(b, ":", 1);
}

char *pj_buf_take(struct pj_buf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	memset(b, 0, sizeof(*b));
	return p;
}
