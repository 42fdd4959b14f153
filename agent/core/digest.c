/*
 * digest.c - SHA-256 of a file, through GNU Nettle's sha256_*.
 *
 * Why Nettle and not libcrypto's EVP: EVP's first use loads OpenSSL's
 * provider machinery and configuration, which touches ~2 MiB of pages
 * (measured: RSS 2.8 -> 5.0 MiB in a bare program) and takes a few ms, for
 * the one digest a run takes of its plan file. Nettle's low-level hash is
 * a plain function call on a context on our stack.
 */
#include "faultline/digest.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "faultline/file.h"
#include "faultline/util.h"

char *sha256_file_hex(const char *path)
{
	struct fl_err e;
	int fd = file_open(path, O_RDONLY, 0, 0, &e);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (f == NULL)
		return NULL;
	struct sha256_ctx s;
	sha256_init(&s);
	unsigned char buf[65536], md[SHA256_DIGEST_SIZE];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&s, n, buf);
	int ok = !ferror(f);
	fclose(f);
	if (!ok)
		return NULL;
	sha256_digest(&s, sizeof(md), md);
	char *hex = xmalloc(2 * sizeof(md) + 1);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}
