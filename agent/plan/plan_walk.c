/*
 * plan_walk.c - typed access to yamldoc nodes for the plan loader.
 *
 * Every plan_get_* helper reports its own error at the value's position and returns
 * false, so section loaders read as a list of fields.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/duration.h"
#include "faultline/regex.h"
#include "faultline/util.h"
#include "plan_int.h"

const char *plan_suggest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; names[i] != NULL; i++) {
		size_t dist = str_distance(word, names[i], 2);
		/* Two edits to a two-letter word is a different word, not a typo. */
		if (dist < best_d && dist < strlen(word) && dist < strlen(names[i])) {
			best_d = dist;
			best = names[i];
		}
	}
	return best;
}

static bool allowed_key(const char *key, const char *const *allowed)
{
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(key, allowed[i]) == 0)
			return true;
	return false;
}

void plan_keys(struct pctx *c, const struct ydoc_node *map, const char *const *allowed, const char *where)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ydoc_node *k = map->pairs[i].key;
		if (allowed_key(k->str, allowed))
			continue;
		const char *s = plan_suggest(k->str, allowed);
		if (s != NULL)
			diag_add(c->d, k->pos, "unknown key \"%s\" in %s; did you mean \"%s\"?", k->str, where, s);
		else
			diag_add(c->d, k->pos, "unknown key \"%s\" in %s", k->str, where);
	}
}

const struct ydoc_node *plan_need(struct pctx *c, const struct ydoc_node *map, const char *key, const char *where)
{
	const struct ydoc_node *v = ydoc_get(map, key);
	if (v != NULL)
		return v;
	/* One typo, one error: plan_keys already says `did you mean "key"?` about a near miss. */
	const char *const want[] = {key, NULL};
	for (size_t i = 0; map->kind == YDOC_MAP && i < map->npairs; i++)
		if (plan_suggest(map->pairs[i].key->str, want) != NULL)
			return NULL;
	diag_add(c->d, map->pos, "missing required key \"%s\" in %s", key, where);
	return NULL;
}

/* "a mapping", "a sequence", or the scalar in quotes, for "got ..." */
static const char *got(const struct ydoc_node *n, char *buf, size_t len)
{
	if (n->kind == YDOC_MAP)
		return "a mapping";
	if (n->kind == YDOC_SEQ)
		return "a sequence";
	if (n->len > 60)
		snprintf(buf, len, "\"%.57s...\"", n->str);
	else
		snprintf(buf, len, "\"%s\"", n->str);
	return buf;
}

static bool type_error(struct pctx *c, const struct ydoc_node *n, const char *expected)
{
	char buf[80];
	diag_add(c->d, n->pos, "expected %s, got %s", expected, got(n, buf, sizeof(buf)));
	return false;
}

bool plan_is_map(struct pctx *c, const struct ydoc_node *n)
{
	return n->kind == YDOC_MAP || type_error(c, n, "a mapping");
}

bool plan_is_seq(struct pctx *c, const struct ydoc_node *n)
{
	return n->kind == YDOC_SEQ || type_error(c, n, "a sequence");
}

bool plan_get_str(struct pctx *c, const struct ydoc_node *n, char **out)
{
	if (n->kind != YDOC_SCALAR)
		return type_error(c, n, "a string");
	if (n->style == YDOC_PLAIN && ydoc_is_null(n))
		return type_error(c, n, "a string");
	free(*out);
	*out = xstrdup(n->str);
	return true;
}

bool plan_get_duration(struct pctx *c, const struct ydoc_node *n, uint64_t *out)
{
	if (n->kind != YDOC_SCALAR || duration_parse(n->str, out) != 0)
		return type_error(c, n, "a duration like 250ms, 90s, 2m, 1h30m");
	return true;
}

bool plan_get_uint(struct pctx *c, const struct ydoc_node *n, uint64_t min, uint64_t max, uint64_t *out)
{
	char what[80];
	snprintf(what, sizeof(what), "an integer from %llu to %llu", (unsigned long long)min, (unsigned long long)max);
	if (n->kind != YDOC_SCALAR || n->str[0] < '0' || n->str[0] > '9')
		return type_error(c, n, what);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(n->str, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return type_error(c, n, what);
	*out = v;
	return true;
}

bool plan_get_percent(struct pctx *c, const struct ydoc_node *n, double *out)
{
	if (n->kind != YDOC_SCALAR || plan_parse_percent(n->str, out) != 0)
		return type_error(c, n, "a percentage in (0, 100] like 99.9%");
	return true;
}

bool plan_get_fraction(struct pctx *c, const struct ydoc_node *n, double *out)
{
	char *end = NULL;
	double v = 0;
	if (n->kind == YDOC_SCALAR && n->str[0] != '\0')
		v = strtod(n->str, &end);
	if (end == NULL || *end != '\0' || !isfinite(v) || v <= 0 || v >= 1)
		return type_error(c, n, "a number between 0 and 1 (exclusive) like 0.9");
	*out = v;
	return true;
}

bool plan_get_regex(struct pctx *c, const struct ydoc_node *n, const char *who, const char *field,
                    struct fl_regex **out)
{
	if (n->kind != YDOC_SCALAR)
		return type_error(c, n, "a regular expression");
	char msg[256];
	size_t off = 0;
	struct fl_regex *re = regex_compile(n->str, &off, msg, sizeof(msg));
	if (re == NULL) {
		diag_add(c->d, ydoc_scalar_pos(c->doc, n, off), "%s: invalid regex in %s: %s", who, field, msg);
		return false;
	}
	regex_free(*out);
	*out = re;
	return true;
}

/* "a, b or c" */
static void join_words(const char *const *words, char *buf, size_t len)
{
	size_t off = 0, n = 0;
	while (words[n] != NULL)
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + off, len - off, "%s%s", sep, words[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int plan_get_enum(struct pctx *c, const struct ydoc_node *n, const char *what, const char *const *words)
{
	char list[256];
	join_words(words, list, sizeof(list));
	if (n->kind != YDOC_SCALAR) {
		char exp[300];
		snprintf(exp, sizeof(exp), "%s (%s)", what, list);
		type_error(c, n, exp);
		return -1;
	}
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(n->str, words[i]) == 0)
			return i;
	const char *s = plan_suggest(n->str, words);
	if (s != NULL)
		diag_add(c->d, n->pos, "unknown %s \"%s\"; did you mean \"%s\"?", what, n->str, s);
	else
		diag_add(c->d, n->pos, "unknown %s \"%s\" (expected %s)", what, n->str, list);
	return -1;
}

bool plan_get_argv(struct pctx *c, const struct ydoc_node *n, char ***out, size_t *count)
{
	if (n->kind != YDOC_SEQ)
		return type_error(c, n, "a list of strings (program and arguments; no shell)");
	if (n->nitems == 0) {
		diag_add(c->d, n->pos, "expected at least the program to run, got an empty list");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n->nitems; i++)
		if (n->items[i]->kind != YDOC_SCALAR)
			ok = type_error(c, n->items[i], "a string");
	if (!ok)
		return false;
	char **v = xcalloc(n->nitems + 1, sizeof(*v));
	for (size_t i = 0; i < n->nitems; i++)
		v[i] = xstrdup(n->items[i]->str);
	*out = v;
	*count = n->nitems;
	return true;
}

/* "a, b, c or d" from a NULL-terminated list, into buf. */
static const char *either(const char *const *names, char *buf, size_t len)
{
	size_t off = 0, n = 0;
	while (names[n] != NULL)
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		                        i == 0       ? ""
		                        : i + 1 == n ? " or "
		                                     : ", ",
		                        names[i]);
	return buf;
}

const struct ydoc_node *plan_one_of(struct pctx *c, const struct ydoc_node *n, const char *const *keys, const char *who,
                                    const char *why_one, size_t *index)
{
	const struct ydoc_node *found = NULL;
	for (size_t k = 0; keys[k] != NULL; k++) {
		const struct ydoc_node *v = ydoc_get(n, keys[k]);
		if (v == NULL)
			continue;
		if (found != NULL) {
			diag_add(c->d, v->pos, "%s has both %s and %s; %s", who, keys[*index], keys[k], why_one);
			continue;
		}
		found = v;
		*index = k;
	}
	char buf[256];
	if (found == NULL)
		diag_add(c->d, n->pos, "%s needs one of %s", who, either(keys, buf, sizeof(buf)));
	return found;
}
