/*
 * journal_frame.c - record framing, and what counts as damage.
 *
 * Header: u32 len, u32 crc32c(len), u32 crc32c(body); then the body: a
 * type byte and NUL-terminated fields. The header's own checksum tells a
 * trustworthy length from garbage, so a torn write (always a prefix of the
 * record, or zeros the filesystem left past the end) is told apart from
 * damage in the middle: only the former is cut off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/crc32c.h"
#include "faultline/file.h"
#include "faultline/util.h"
#include "journal_int.h"

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

unsigned char *journal_frame(unsigned type, const char *const *fields, size_t n, size_t *len)
{
	size_t body = 1;
	for (size_t i = 0; i < n; i++)
		body += strlen(fields[i] ? fields[i] : "") + 1;
	unsigned char *f = xmalloc(JOURNAL_HEADER + body);
	unsigned char *p = f + JOURNAL_HEADER;
	*p++ = (unsigned char)type;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(fields[i] ? fields[i] : "") + 1;
		memcpy(p, fields[i] ? fields[i] : "", l);
		p += l;
	}
	put32(f, (uint32_t)body);
	put32(f + 4, crc32c(0, f, 4));
	put32(f + 8, crc32c(0, f + JOURNAL_HEADER, body));
	*len = JOURNAL_HEADER + body;
	return f;
}

const char *journal_type_str(unsigned type)
{
	static const char *const names[] = {"?",       "RUN_START", "INTENT", "INJECTED", "RESTORED",
	                                    "RUN_END", "ACK",       "UNDO",   "NODE",     "EXEC_UNDO"};
	return type < ARRAY_LEN(names) ? names[type] : "?";
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Split body into fields; -1 if it does not end in NUL. */
static int split(const unsigned char *body, size_t len, char **copy, char ***fields, size_t *n)
{
	if (len < 2 || body[len - 1] != '\0')
		return -1;
	*copy = xmalloc(len - 1);
	memcpy(*copy, body + 1, len - 1);
	size_t cnt = 0, cap = 0;
	*fields = NULL;
	for (size_t off = 0; off < len - 1; off += strlen(*copy + off) + 1) {
		XGROW(*fields, cap, cnt + 1);
		(*fields)[cnt++] = *copy + off;
	}
	*n = cnt;
	return 0;
}

static int deliver(const unsigned char *rec, size_t len, size_t off, journal_rec_cb cb, void *arg, struct fl_err *e)
{
	char *copy = NULL, **fields = NULL;
	size_t n = 0;
	const unsigned char *body = rec + JOURNAL_HEADER;
	int rc = split(body, len - JOURNAL_HEADER, &copy, &fields, &n);
	if (rc < 0)
		err_set(e, "record at offset %zu: malformed fields", off);
	else if (cb != NULL && cb(body[0], fields, n, rec, len, arg, e) < 0)
		rc = err_wrap(e, "record at offset %zu (%s)", off, journal_type_str(body[0]));
	free(copy);
	free(fields);
	return rc;
}

/* 1 = torn tail, 0 = good (record length in *len), -1 = damage. */
static int check(const unsigned char *p, size_t rem, size_t off, size_t *len, struct fl_err *e)
{
	if (rem < JOURNAL_HEADER)
		return 1;
	uint32_t blen = get32(p);
	if (crc32c(0, p, 4) != get32(p + 4)) {
		if (all_zero(p, rem))
			return 1;
		return err_set(e,
		               "record at offset %zu: header checksum mismatch with %zu byte(s) after it; "
		               "refusing to guess",
		               off, rem);
	}
	if (blen < 2 || blen > JOURNAL_MAX_RECORD)
		return err_set(e, "record at offset %zu: impossible length %u", off, blen);
	if (JOURNAL_HEADER + (size_t)blen > rem)
		return 1;
	*len = JOURNAL_HEADER + blen;
	if (crc32c(0, p + JOURNAL_HEADER, blen) == get32(p + 8))
		return 0;
	if (*len == rem)
		return 1;
	return err_set(e,
	               "record at offset %zu: checksum mismatch with %zu byte(s) of records after it; "
	               "refusing to guess",
	               off, rem - *len);
}

int journal_scan(const unsigned char *buf, size_t size, journal_rec_cb cb, void *arg, size_t *valid_end,
                 struct fl_err *e)
{
	size_t off = 0;
	*valid_end = 0;
	while (off < size) {
		size_t len = 0;
		int st = check(buf + off, size - off, off, &len, e);
		if (st < 0)
			return -1;
		if (st == 1)
			break;
		if (deliver(buf + off, len, off, cb, arg, e) < 0)
			return -1;
		off += len;
		*valid_end = off;
	}
	return 0;
}

static int dump_one(unsigned type, char **fields, size_t n, const unsigned char *frame, size_t len, void *arg,
                    struct fl_err *e)
{
	(void)frame;
	(void)len;
	(void)e;
	FILE *out = arg;
	fputs(journal_type_str(type), out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, fields[i][0] && !strpbrk(fields[i], " \"") ? " %s" : " \"%s\"", fields[i]);
	fputc('\n', out);
	return 0;
}

int journal_dump(const char *path, FILE *out, struct fl_err *e)
{
	char *text;
	size_t size, end;
	if (file_read(path, JOURNAL_MAX_BYTES, &text, &size, e) < 0)
		return -1;
	unsigned char *buf = (unsigned char *)text;
	int rc = journal_scan(buf, size, dump_one, out, &end, e);
	if (rc == 0 && end < size)
		fprintf(out, "(torn last record: %zu byte(s) ignored)\n", size - end);
	free(buf);
	return rc < 0 ? err_wrap(e, "%s", path) : 0;
}
