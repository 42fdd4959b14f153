/*
 * proto_line.c - splitting the adapter's byte stream into bounded lines.
 * A line longer than the bound poisons the stream: nothing after it can be
 * trusted to start on a message boundary.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/proto.h"
#include "faultline/util.h"

void proto_reader_init(struct proto_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max ? max : PROTO_MAX_LINE;
}

void proto_reader_fini(struct proto_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void proto_reader_feed(struct proto_reader *r, const char *data, size_t n)
{
	if (r->start > 0) { /* drop what was returned before */
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	XGROW(r->buf, r->cap, r->len + n + 1);
	memcpy(r->buf + r->len, data, n);
	r->len += n;
}

int proto_reader_next(struct proto_reader *r, const char **line, size_t *len, struct fl_err *e)
{
	if (r->oversized)
		return err_set(e, "line %zu: longer than %zu bytes", r->lineno + 1, r->max);
	char *p = r->buf ? memchr(r->buf + r->start, '\n', r->len - r->start) : NULL;
	size_t n = p ? (size_t)(p - (r->buf + r->start)) : r->len - r->start;
	if (n > r->max) {
		r->oversized = true;
		return err_set(e, "line %zu: longer than %zu bytes", r->lineno + 1, r->max);
	}
	if (p == NULL)
		return 0;
	*line = r->buf + r->start;
	*p = '\0';
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	*len = n;
	r->start += (size_t)(p - (r->buf + r->start)) + 1;
	r->lineno++;
	return 1;
}
