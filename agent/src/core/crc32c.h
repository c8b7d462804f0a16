/*
 * crc32c.h — CRC-32C (Castagnoli), the checksum of spool records: better error detection
 * than zlib's CRC-32 for the same cost, and the one storage formats (iSCSI, ext4, LevelDB)
 * agree on. The processor's instruction where it has one (crc32c_x86.c, chosen by CMake),
 * otherwise tables, four bytes at a time: every spool record is checked as written and as read,
 * so this runs twice per event.
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

/* The target's instruction (crc32c_x86.c, crc32c_nohw.c): whether this processor has it, and the
 * raw (not inverted) CRC state after data. Only for crc32c.c. */
int wfpw__crc32c_hw_ok(void);
uint32_t wfpw__crc32c_hw(uint32_t crc, const unsigned char *p, size_t len);

#endif
