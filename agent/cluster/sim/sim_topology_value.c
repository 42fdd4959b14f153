/* sim_topology_value.c - scalar readers for the topology loader: one message style for every key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/util.h"
#include "sim_topology_int.h"

void topo_check_keys(struct topo_ctx *c, const struct ydoc_node *map, const char *const *keys)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const char *k = map->pairs[i].key->str;
		const char *best = NULL;
		size_t bestd = 3; /* suggest only close matches */
		bool known = false;
		for (size_t j = 0; keys[j] && !known; j++) {
			known = strcmp(k, keys[j]) == 0;
			size_t dist = str_distance(k, keys[j], 2);
			if (dist < bestd) {
				bestd = dist;
				best = keys[j];
			}
		}
		if (known)
			continue;
		if (best)
			diag_add(c->d, map->pairs[i].key->pos, "unknown key \"%s\" (did you mean \"%s\"?)", k, best);
		else
			diag_add(c->d, map->pairs[i].key->pos, "unknown key \"%s\"", k);
	}
}

int topo_missing(struct topo_ctx *c, const struct ydoc_node *map, const char *what, const char *key)
{
	return diag_add(c->d, map->pos, "%s: missing required key \"%s\"", what, key);
}

int topo_want(struct topo_ctx *c, const struct ydoc_node *n, const char *key, enum ydoc_kind kind)
{
	static const char *const kinds[] = {"string", "mapping", "sequence"};
	if (n->kind == kind)
		return 0;
	return diag_add(c->d, n->pos, "%s: expected a %s, got a %s", key, kinds[kind], ydoc_kind_str(n));
}

int topo_str(struct topo_ctx *c, const struct ydoc_node *n, const char *key, char **out)
{
	if (topo_want(c, n, key, YDOC_SCALAR) < 0)
		return -1;
	if (n->len == 0)
		return diag_add(c->d, n->pos, "%s: expected a non-empty string", key);
	free(*out);
	*out = xstrdup(n->str);
	return 0;
}

/* Decimal, or 0x hex so 0xFFFFFFFF can be written as WSFC documents it. */
static int parse_u64(const char *s, uint64_t *out)
{
	int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
	const char *digits = base == 16 ? s + 2 : s;
	if (*digits == '\0' || strspn(digits, base == 16 ? "0123456789abcdefABCDEF" : "0123456789") != strlen(digits))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(digits, NULL, base);
	if (errno == ERANGE)
		return 1;
	*out = v;
	return 0;
}

int topo_uint(struct topo_ctx *c, const struct ydoc_node *n, const char *key, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (topo_want(c, n, key, YDOC_SCALAR) < 0)
		return -1;
	uint64_t v = 0;
	int rc = parse_u64(n->str, &v);
	if (rc < 0)
		return diag_add(c->d, n->pos, "%s: expected a non-negative integer, got \"%s\"", key, n->str);
	if (rc > 0 || v < lo || v > hi)
		return diag_add(c->d, n->pos, "%s: %s is out of range (%llu..%llu)", key, n->str,
		                (unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return 0;
}

int topo_bool(struct topo_ctx *c, const struct ydoc_node *n, const char *key, bool *out)
{
	if (topo_want(c, n, key, YDOC_SCALAR) < 0)
		return -1;
	if (strcmp(n->str, "true") == 0 || strcmp(n->str, "false") == 0) {
		*out = n->str[0] == 't';
		return 0;
	}
	return diag_add(c->d, n->pos, "%s: expected true or false, got \"%s\"", key, n->str);
}

int topo_dur(struct topo_ctx *c, const struct ydoc_node *n, const char *key, uint64_t *out)
{
	if (topo_want(c, n, key, YDOC_SCALAR) < 0)
		return -1;
	if (duration_parse(n->str, out) == 0)
		return 0;
	return diag_add(c->d, n->pos, "%s: invalid duration \"%s\" (write e.g. 500ms, 15m, 1h30m)", key, n->str);
}

int topo_enum(struct topo_ctx *c, const struct ydoc_node *n, const char *key, const char *const *names, int *out)
{
	if (topo_want(c, n, key, YDOC_SCALAR) < 0)
		return -1;
	char list[256] = "";
	for (int i = 0; names[i]; i++) {
		char num[16];
		snprintf(num, sizeof(num), "%d", i);
		if (strcmp(n->str, names[i]) == 0 || strcmp(n->str, num) == 0) {
			*out = i;
			return 0;
		}
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	return diag_add(c->d, n->pos, "%s: expected one of %s, got \"%s\"", key, list, n->str);
}

int topo_names(struct topo_ctx *c, const struct ydoc_node *n, const char *key, char ***out, size_t *nout)
{
	if (n->kind == YDOC_SCALAR && !ydoc_is_null(n)) {
		char *s = NULL;
		if (topo_str(c, n, key, &s) < 0)
			return -1;
		*out = xcalloc(1, sizeof(**out));
		(*out)[0] = s;
		*nout = 1;
		return 0;
	}
	if (ydoc_is_null(n))
		return 0;
	if (topo_want(c, n, key, YDOC_SEQ) < 0)
		return -1;
	int rc = 0;
	*out = xcalloc(n->nitems, sizeof(**out));
	for (size_t i = 0; i < n->nitems; i++) {
		char *s = NULL;
		if (topo_str(c, n->items[i], key, &s) < 0)
			rc = -1;
		else
			(*out)[(*nout)++] = s;
	}
	return rc;
}

int topo_utc_offset(struct topo_ctx *c, const struct ydoc_node *n, const char *key, int *out)
{
	if (topo_want(c, n, key, YDOC_SCALAR) < 0)
		return -1;
	const char *s = n->str;
	unsigned h, m;
	if (strlen(s) == 6 && (s[0] == '+' || s[0] == '-') && strspn(s + 1, "0123456789") == 2 && s[3] == ':' &&
	    strspn(s + 4, "0123456789") == 2) {
		h = (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
		m = (unsigned)(s[4] - '0') * 10 + (unsigned)(s[5] - '0');
		if (h * 60 + m <= 14 * 60 && m < 60) {
			*out = (s[0] == '-' ? -1 : 1) * (int)(h * 60 + m);
			return 0;
		}
	}
	return diag_add(c->d, n->pos, "%s: expected +HH:MM or -HH:MM between -14:00 and +14:00, got \"%s\"", key, s);
}
