/*
 * cluster_undo.c - the list of what undoes a run's actions (struct cluster_undo).
 *
 * The list is kept in the order the actions happened; an item whose key
 * (its first three fields) is already there is dropped, because the first
 * one carries the value from before the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/util.h"

/* Length of the key: up to the third tab, or the whole item. */
static size_t key_len(const char *item)
{
	const char *p = item;
	for (int tabs = 0; *p != '\0'; p++)
		if (*p == '\t' && ++tabs == 3)
			break;
	return (size_t)(p - item);
}

long cluster_undo_find(const struct cluster_undo *u, const char *item)
{
	size_t k = key_len(item);
	for (size_t i = u->n; i-- > 0;)
		if (key_len(u->items[i]) == k && strncmp(u->items[i], item, k) == 0)
			return (long)i;
	return -1;
}

void cluster_undo_push(struct cluster_undo *u, const char *item)
{
	XGROW(u->items, u->cap, u->n + 1);
	u->items[u->n++] = xstrdup(item);
}

bool cluster_undo_add(struct cluster_undo *u, const char *item)
{
	if (cluster_undo_find(u, item) >= 0)
		return false;
	cluster_undo_push(u, item);
	return true;
}

const char *cluster_undo_object(const char *item, char *buf, size_t len)
{
	const char *p = strchr(item, '\t');
	p = p ? p + 1 : "";
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\t"), p);
	return buf;
}

const char *cluster_undo_str(const char *item, char *buf, size_t len)
{
	if (len == 0)
		return "";
	size_t i = 0;
	for (; item[i] != '\0' && i + 1 < len; i++)
		buf[i] = item[i] == '\t' ? ' ' : item[i];
	buf[i] = '\0';
	return buf;
}

void cluster_undo_fini(struct cluster_undo *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->items[i]);
	free(u->items);
	memset(u, 0, sizeof(*u));
}
