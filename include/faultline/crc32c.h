/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of every journal record.
 *
 * Table-driven, no dependency: CRC-32C detects every burst up to 32 bits
 * and more multi-bit errors than zlib's CRC-32 at the lengths we write.
 */
#ifndef FAULTLINE_CRC32C_H
#define FAULTLINE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC-32C over buf; start with crc = 0. crc32c(0, "123456789", 9) == 0xe3069283. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

#endif
