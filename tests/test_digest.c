/* test_digest.c - SHA-256 of a file against the FIPS 180-2 test vectors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/digest.h"

static char *digest_of(const char *data, size_t len)
{
	char path[] = "/tmp/faultline-digest-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	char *hex = sha256_file_hex(path);
	unlink(path);
	cr_assert_not_null(hex);
	return hex;
}

Test(digest, fips_vectors)
{
	char *h = digest_of("", 0);
	cr_expect_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(h);
	h = digest_of("abc", 3);
	cr_expect_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(h);
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: padding spills */
	h = digest_of(two, strlen(two));
	cr_expect_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	free(h);
	size_t n = 1000000; /* many blocks, several reads */
	char *a = malloc(n);
	memset(a, 'a', n);
	h = digest_of(a, n);
	cr_expect_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(h);
	free(a);
}

Test(digest, unreadable_is_null)
{
	cr_expect_null(sha256_file_hex("/nonexistent/faultline/plan.yaml"));
}
