/*
 * journal.c - the journal file: lock, read back, append, fsync, compact.
 *
 * Appends are one write(2) on an O_APPEND descriptor; a short write is cut
 * back with ftruncate so a later record never follows a torn one. Records
 * that protect an injection are fdatasync'd before the caller goes on; the
 * directory is fsync'd whenever the file is created or replaced, so the
 * name survives a power cut as well as the data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultline/file.h"
#include "faultline/log.h"
#include "faultline/util.h"
#include "journal_int.h"

static int sync_dir(const char *dir, struct fl_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_setsys(e, "%s", dir);
	int rc = fsync(fd);
	close(fd);
	return rc < 0 ? err_setsys(e, "fsync %s", dir) : 0;
}

static int take_lock(struct journal *j, struct fl_err *e)
{
	char *lp = xasprintf("%s/lock", j->dir);
	j->lockfd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0600);
	free(lp);
	if (j->lockfd < 0)
		return err_setsys(e, "%s/lock", j->dir);
	if (flock(j->lockfd, LOCK_EX | LOCK_NB) < 0)
		return err_set(e, "%s: in use by another faultline process (its lock is held)", j->dir);
	return 0;
}

static int read_all(int fd, unsigned char **buf, size_t *size, struct fl_err *e)
{
	size_t cap = 0;
	*buf = NULL;
	*size = 0;
	for (;;) {
		XGROW(*buf, cap, *size + 65536);
		ssize_t n = read(fd, *buf + *size, cap - *size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_setsys(e, "read");
		if (n == 0)
			return 0;
		*size += (size_t)n;
	}
}

static int load_cb(unsigned type, char **f, size_t n, const unsigned char *frame, size_t len, void *arg,
                   struct fl_err *e)
{
	return journal_apply(arg, type, f, n, frame, len, e);
}

/* Read every record; cut off a torn last one. */
static int load(struct journal *j, struct fl_err *e)
{
	unsigned char *buf;
	size_t size, end;
	if (read_all(j->fd, &buf, &size, e) < 0 || journal_scan(buf, size, load_cb, j, &end, e) < 0) {
		free(buf);
		return err_wrap(e, "journal %s", j->path);
	}
	free(buf);
	if (end < size) {
		log_warnx("journal %s: ignored a torn last record (%zu byte(s) at offset %zu)", j->path, size - end,
		          end);
		if (ftruncate(j->fd, (off_t)end) < 0 || fdatasync(j->fd) < 0)
			return err_setsys(e, "journal %s: cutting the torn record", j->path);
	}
	j->size = end;
	for (struct journal_run *r = j->runs; r != NULL; r = r->next)
		r->orphan = true;
	return 0;
}

static int open_file(struct journal *j, struct fl_err *e)
{
	bool existed = access(j->path, F_OK) == 0;
	/* Not a FIFO (it would hang), not a symlink to /dev/zero (it would never end). */
	j->fd = file_open(j->path, O_RDWR | O_APPEND | O_CREAT, FILE_NOFOLLOW, JOURNAL_MAX_BYTES, e);
	if (j->fd < 0)
		return err_wrap(e, "journal");
	return existed ? 0 : sync_dir(j->dir, e);
}

/* mkdir -p, mode 0700: the agent keeps one journal per cluster under STATE/clusters/. */
static int make_dirs(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	char *parent = xstrdup(dir), *slash = strrchr(parent, '/');
	int rc = -1;
	if (errno == ENOENT && slash != NULL && slash != parent) {
		*slash = '\0';
		rc = make_dirs(parent) == 0 && (mkdir(dir, 0700) == 0 || errno == EEXIST) ? 0 : -1;
	}
	free(parent);
	return rc;
}

struct journal *journal_open(const char *dir, struct fl_err *e)
{
	struct journal *j = xcalloc(1, sizeof(*j));
	j->fd = j->lockfd = -1;
	j->dir = xstrdup(dir);
	j->path = xasprintf("%s/journal", dir);
	j->compact_bytes = JOURNAL_COMPACT_BYTES;
	if (make_dirs(dir) < 0) {
		err_setsys(e, "state directory %s", dir);
		goto fail;
	}
	if (take_lock(j, e) < 0 || open_file(j, e) < 0 || load(j, e) < 0)
		goto fail;
	return j;
fail:
	journal_close(j);
	return NULL;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	journal_runs_free(j);
	if (j->fd >= 0)
		close(j->fd);
	if (j->lockfd >= 0)
		close(j->lockfd); /* releases the flock */
	free(j->dir);
	free(j->path);
	free(j);
}

const char *journal_file(const struct journal *j)
{
	return j->path;
}

uint64_t journal_size(const struct journal *j)
{
	return j->size;
}

struct journal_run *journal_runs(const struct journal *j)
{
	return j->runs;
}

void journal_set_compact_bytes(struct journal *j, uint64_t bytes)
{
	j->compact_bytes = bytes;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int put(struct journal *j, const unsigned char *frame, size_t len, bool sync, struct fl_err *e)
{
	if (j->broken)
		return err_set(e, "journal %s: an earlier write failed and could not be undone", j->path);
	if (write_all(j->fd, frame, len) < 0) {
		err_setsys(e, "journal %s: write", j->path);
		if (ftruncate(j->fd, (off_t)j->size) < 0)
			j->broken = true;
		return -1;
	}
	if (sync && fdatasync(j->fd) < 0) {
		err_setsys(e, "journal %s: fdatasync", j->path);
		j->broken = true; /* the page cache state is unknown after a failed fsync */
		return -1;
	}
	j->size += len;
	return 0;
}

/* Compaction pays off once the file is well past both the limit and what is still live. */
static bool want_compact(const struct journal *j)
{
	return j->size > j->compact_bytes && j->size > 2 * j->live;
}

int journal_append(struct journal *j, unsigned type, const char *const *fields, size_t n, bool sync, struct fl_err *e)
{
	size_t len, end;
	unsigned char *frame = journal_frame(type, fields, n, &len);
	int rc =
	    len > JOURNAL_MAX_RECORD + JOURNAL_HEADER
	        ? err_set(e, "journal %s: %s record of %zu bytes is too large", j->path, journal_type_str(type), len)
	        : put(j, frame, len, sync, e);
	/*
	 * Applied through the reader, so memory holds exactly what a restart will read.
	 * Our own writers build well-formed records, so this cannot fail after the write.
	 */
	if (rc == 0)
		rc = journal_scan(frame, len, load_cb, j, &end, e);
	free(frame);
	struct fl_err ce;
	if (rc == 0 && want_compact(j) && journal_compact(j, &ce) < 0)
		log_warnx("%s", ce.msg); /* the record is safe; only the rotation failed */
	return rc;
}

static int write_runs(struct journal *j, int fd, uint64_t *size)
{
	*size = 0;
	for (struct journal_run *r = j->runs; r != NULL; r = r->next)
		for (size_t i = 0; i < r->nraw; i++) {
			if (write_all(fd, r->raw[i].bytes, r->raw[i].len) < 0)
				return -1;
			*size += r->raw[i].len;
		}
	return 0;
}

int journal_compact(struct journal *j, struct fl_err *e)
{
	char *tmp = xasprintf("%s.tmp", j->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	uint64_t size = 0;
	int rc = -1;
	if (fd < 0) {
		err_setsys(e, "journal compaction: %s", tmp);
		goto out;
	}
	if (write_runs(j, fd, &size) < 0 || fdatasync(fd) < 0) {
		err_setsys(e, "journal compaction: %s", tmp);
		goto out;
	}
	if (rename(tmp, j->path) < 0) {
		err_setsys(e, "journal compaction: rename %s", tmp);
		goto out;
	}
	if (sync_dir(j->dir, e) < 0)
		goto out;
	close(j->fd);
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (j->fd < 0) {
		j->broken = true;
		err_setsys(e, "journal %s: reopening after compaction", j->path);
		goto out;
	}
	log_info("journal %s: compacted %llu -> %llu bytes", j->path, (unsigned long long)j->size,
	         (unsigned long long)size);
	j->size = j->live = size;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
