/* fuzz_file.c - one scratch file per fuzzer process (see fuzz_file.h). */
#include "fuzz_file.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/faultline-fuzz-XXXXXX";
static char file[PATH_MAX];

/* The scratch directory is left for the OS to clean: libFuzzer exits without unwinding. */
const char *fuzz_file_setup(const char *name)
{
	if (file[0] != '\0')
		return file;
	if (mkdtemp(dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	char clusters[PATH_MAX], link[PATH_MAX + 16];
	if (realpath("plans/clusters", clusters) != NULL) {
		snprintf(link, sizeof(link), "%s/clusters", dir);
		if (symlink(clusters, link) < 0)
			perror("fuzz: symlink clusters");
	}
	snprintf(file, sizeof(file), "%s/%s", dir, name);
	return file;
}

void fuzz_file_write(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("fuzz: open");
		abort();
	}
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0) {
			perror("fuzz: write");
			abort();
		}
		off += (size_t)w;
	}
	close(fd);
}
