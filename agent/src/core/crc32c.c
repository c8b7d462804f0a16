/*
 * crc32c.c — CRC-32C: the processor's instruction when it has one (see crc32c.h), else a
 * 4 x 256 slicing table built on first use (reflected polynomial 0x82F63B78). Check value: crc32c("123456789") = 0xE3069283 (tested).
 */
#include "crc32c.h"

static uint32_t table[4][256];
static int ready, hw;

static void build(void)
{
    uint32_t i, j, c;
    for (i = 0; i < 256; i++) {
        c = i;
        for (j = 0; j < 8; j++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        table[0][i] = c;
    }
    for (i = 0; i < 256; i++)
        for (j = 1; j < 4; j++)
            table[j][i] = (table[j - 1][i] >> 8) ^ table[0][table[j - 1][i] & 0xff];
    hw = wfpw__crc32c_hw_ok();
    ready = 1;
}

void wfpw_crc32c_init(void)
{
    if (!ready)
        build();
}

uint32_t wfpw_crc32c(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!ready)
        build();
    crc = ~crc;
    if (hw)
        return ~wfpw__crc32c_hw(crc, p, len);
    while (len >= 4) {
        crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        crc = table[3][crc & 0xff] ^ table[2][(crc >> 8) & 0xff] ^ table[1][(crc >> 16) & 0xff] ^
              table[0][crc >> 24];
        p += 4, len -= 4;
    }
    while (len--)
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}
