/* digest.c - SHA-256 of a file through libcrypto's EVP interface. */
#include "faultline/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "faultline/file.h"
#include "faultline/util.h"

char *sha256_file_hex(const char *path)
{
	struct fl_err e;
	int fd = file_open(path, O_RDONLY, 0, 0, &e);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (f == NULL)
		return NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	char buf[65536];
	size_t n;
	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	fclose(f);
	if (!ok)
		return NULL;
	char *hex = xmalloc(2 * mdlen + 1);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}
