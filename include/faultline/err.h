/*
 * err.h - error records.
 *
 * struct fl_err carries one error from a failing call to whoever decides
 * what to do with it (Redis anet.c style): functions return -1 or NULL and
 * fill the caller's record. Backends and probes never print.
 *
 * struct fl_diag collects *many* positioned diagnostics, for loaders that
 * must report every problem of a file at once ("file:line:col: message").
 */
#ifndef FAULTLINE_ERR_H
#define FAULTLINE_ERR_H

#include <stddef.h>

struct fl_err {
	int sys;       /* errno of the failing system call, 0 if none */
	char msg[512]; /* "where: what: why" */
};

/* Set the message; always returns -1 so `return err_set(e, ...)` reads well. */
int err_set(struct fl_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like err_set, appends ": strerror(errno)" and records errno. */
int err_setsys(struct fl_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepend context: "ctx: <old message>". Returns -1. */
int err_wrap(struct fl_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct fl_err *e);

/* A position in a source file; line and col are 1-based, 0 = unknown. */
struct src_pos {
	unsigned line;
	unsigned col;
};

struct diag_entry {
	struct src_pos pos;
	char *msg; /* owned; the message without the "file:line:col: " prefix */
};

struct fl_diag {
	char *file; /* owned; the name shown in front of every message */
	struct diag_entry *items;
	size_t n, cap;
	size_t max; /* stop recording after this many (0 = 1000) */
	size_t dropped;
};

void diag_init(struct fl_diag *d, const char *file);
void diag_fini(struct fl_diag *d);
/* Record one error at pos. Returns -1. */
int diag_add(struct fl_diag *d, struct src_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sort by position (stable) so output follows the file. */
void diag_sort(struct fl_diag *d);
/* Format entry i as "file:line:col: msg" into a new string (caller frees). */
char *diag_format(const struct fl_diag *d, size_t i);
/* Print every entry, one per line, to the stream (FILE *). */
void diag_print(const struct fl_diag *d, void *stream);

#endif
