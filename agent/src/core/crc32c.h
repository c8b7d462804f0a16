/*
 * crc32c.h — CRC-32C (Castagnoli), the checksum of spool records: better error detection
 * than zlib's CRC-32 for the same cost, and the one storage formats (iSCSI, ext4, LevelDB)
 * agree on. Table-driven, byte at a time; the spool's cost is dominated by I/O.
 */
#ifndef WFPW_CRC32C_H
#define WFPW_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Build the table now rather than on first use: code that calls wfpw_crc32c from several
 * threads (the driver's classify functions, through the ring) calls this once first. */
void wfpw_crc32c_init(void);
/* crc of data, continuing from crc (start with 0). */
uint32_t wfpw_crc32c(uint32_t crc, const void *data, size_t len);

#endif
