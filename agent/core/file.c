/*
 * file.c - open and read the files faultline is given without blocking on
 * them, following them where they must not be followed, or reading without
 * bound (see file.h).
 */
#include "faultline/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultline/util.h"

const char *file_type_str(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "not a file";
	}
}

int file_open(const char *path, int flags, unsigned opts, uint64_t max, struct fl_err *e)
{
	int extra = O_NONBLOCK | O_CLOEXEC | O_NOCTTY | ((opts & FILE_NOFOLLOW) ? O_NOFOLLOW : 0);
	int fd = open(path, flags | extra, 0600);
	if (fd < 0) {
		if (errno == ELOOP && (opts & FILE_NOFOLLOW))
			return err_setsys(e, "%s: is a symbolic link (refused)", path);
		return err_setsys(e, "%s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		err_setsys(e, "%s: fstat", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "%s: not a regular file (%s)", path, file_type_str(st.st_mode));
		close(fd);
		return -1;
	}
	if (max > 0 && (uint64_t)st.st_size > max) {
		err_set(e, "%s: %lld bytes, over the %llu-byte limit", path, (long long)st.st_size,
		        (unsigned long long)max);
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		err_setsys(e, "%s: fcntl", path);
		close(fd);
		return -1;
	}
	return fd;
}

int file_read(const char *path, uint64_t max, char **buf, size_t *len, struct fl_err *e)
{
	int fd = file_open(path, O_RDONLY, 0, max, e);
	if (fd < 0)
		return -1;
	/* The size may change under us: read to EOF, but never past max. */
	size_t cap = 0, n = 0;
	char *b = NULL;
	for (;;) {
		XGROW(b, cap, n + 65537);
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_setsys(e, "%s: read", path);
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max > 0 && n > max) {
			err_set(e, "%s: grew over the %llu-byte limit while being read", path, (unsigned long long)max);
			goto fail;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
	close(fd);
	return -1;
}
