/* err.c - single error records and positioned diagnostic lists. */
#include "faultline/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"

/*
 * msg = "head: tail" (tail may be NULL). When it does not fit, the head is
 * cut (marked "...") rather than the tail: the tail is the reason, and an
 * error that has lost its reason is useless. Cuts never split a UTF-8
 * character.
 */
static void compose(struct fl_err *e, const char *head, const char *tail)
{
	size_t cap = sizeof(e->msg), hl = strlen(head);
	if (tail == NULL) {
		utf8_copy(e->msg, cap, head);
		return;
	}
	size_t tl = strlen(tail);
	if (hl + 2 + tl < cap) {
		memcpy(e->msg, head, hl);
		memcpy(e->msg + hl, ": ", 2);
		memcpy(e->msg + hl + 2, tail, tl + 1);
		return;
	}
	size_t tmax = cap - 1 - 2 - (hl < 48 ? hl : 48); /* a little of the head always stays */
	size_t tkeep = utf8_cut(tail, tl, tl < tmax ? tl : tmax);
	size_t hroom = cap - 1 - 2 - tkeep, hkeep = hl;
	const char *mark = "";
	if (hl > hroom) {
		hkeep = utf8_cut(head, hl, hroom - 3);
		mark = "...";
	}
	size_t ml = strlen(mark);
	memcpy(e->msg, head, hkeep);
	memcpy(e->msg + hkeep, mark, ml);
	memcpy(e->msg + hkeep + ml, ": ", 2);
	memcpy(e->msg + hkeep + ml + 2, tail, tkeep);
	e->msg[hkeep + ml + 2 + tkeep] = '\0';
}

int err_set(struct fl_err *e, const char *fmt, ...)
{
	if (e == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *head = xvasprintf(fmt, ap);
	va_end(ap);
	compose(e, head, NULL);
	free(head);
	e->sys = 0;
	return -1;
}

int err_setsys(struct fl_err *e, const char *fmt, ...)
{
	int saved = errno;
	if (e == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *head = xvasprintf(fmt, ap);
	va_end(ap);
	compose(e, head, strerror(saved));
	free(head);
	e->sys = saved;
	errno = saved;
	return -1;
}

int err_wrap(struct fl_err *e, const char *fmt, ...)
{
	if (e == NULL)
		return -1;
	char old[sizeof(e->msg)];
	memcpy(old, e->msg, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	char *head = xvasprintf(fmt, ap);
	va_end(ap);
	compose(e, head, old);
	free(head);
	return -1;
}

void err_clear(struct fl_err *e)
{
	e->sys = 0;
	e->msg[0] = '\0';
}

void diag_init(struct fl_diag *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = xstrdup(file ? file : "<input>");
}

void diag_fini(struct fl_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	free(d->file);
	memset(d, 0, sizeof(*d));
}

int diag_add(struct fl_diag *d, struct src_pos pos, const char *fmt, ...)
{
	size_t max = d->max ? d->max : 1000;
	if (d->n >= max) {
		d->dropped++;
		return -1;
	}
	XGROW(d->items, d->cap, d->n + 1);
	va_list ap;
	va_start(ap, fmt);
	d->items[d->n].msg = xvasprintf(fmt, ap);
	va_end(ap);
	d->items[d->n].pos = pos;
	d->n++;
	return -1;
}

static int pos_cmp(struct src_pos a, struct src_pos b)
{
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	if (a.col != b.col)
		return a.col < b.col ? -1 : 1;
	return 0;
}

void diag_sort(struct fl_diag *d)
{
	/* Insertion sort: stable, and lists are short. */
	for (size_t i = 1; i < d->n; i++) {
		struct diag_entry cur = d->items[i];
		size_t j = i;
		while (j > 0 && pos_cmp(d->items[j - 1].pos, cur.pos) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = cur;
	}
}

char *diag_format(const struct fl_diag *d, size_t i)
{
	const struct diag_entry *it = &d->items[i];
	if (it->pos.line == 0)
		return xasprintf("%s: %s", d->file, it->msg);
	return xasprintf("%s:%u:%u: %s", d->file, it->pos.line, it->pos.col, it->msg);
}

void diag_print(const struct fl_diag *d, void *stream)
{
	FILE *f = stream;
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i);
		fprintf(f, "%s\n", s);
		free(s);
	}
	if (d->dropped)
		fprintf(f, "%s: %zu more errors not shown\n", d->file, d->dropped);
}
