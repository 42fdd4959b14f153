/*
 * file.h - opening the files faultline reads without ever blocking on them.
 *
 * A plan, topology, journal or result path may name a FIFO, a device or a
 * symlink to /dev/zero, by accident or malice. Every such file is opened
 * with O_NONBLOCK (a FIFO without a writer cannot hang open()), checked to
 * be a regular file of a bounded size, and only then read.
 */
#ifndef FAULTLINE_FILE_H
#define FAULTLINE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/err.h"

/* O_NOFOLLOW for file_open: the last component may not be a symlink. */
#define FILE_NOFOLLOW 1

/*
 * Open path with flags (O_RDONLY, O_RDWR|O_APPEND|O_CREAT, ...; O_NONBLOCK,
 * O_CLOEXEC and O_NOCTTY are added) and return the descriptor, in blocking
 * mode again, once it is known to be a regular file of at most max bytes
 * (0 = no limit). -1 with "PATH: not a regular file (a FIFO)" or
 * "PATH: N bytes, over the M-byte limit" or the system error in e.
 */
int file_open(const char *path, int flags, unsigned opts, uint64_t max, struct fl_err *e);

/*
 * The whole of path (a regular file of at most max bytes) in a new
 * NUL-terminated buffer; *len its length. -1 with the reason in e.
 */
int file_read(const char *path, uint64_t max, char **buf, size_t *len, struct fl_err *e);

/* The file type of mode in words: "a FIFO", "a directory", "a character device" ... */
const char *file_type_str(unsigned mode);

#endif
