/*
 * digest.h - SHA-256 of a plan file, so a report names exactly the plan
 * that ran (GNU Nettle: digest.c says why not libcrypto).
 */
#ifndef FAULTLINE_DIGEST_H
#define FAULTLINE_DIGEST_H

/* Lower-case hex SHA-256 of the file (caller frees), or NULL if unreadable. */
char *sha256_file_hex(const char *path);

#endif
