/*
 * crc32c_x86.c — CRC-32C with the SSE 4.2 `crc32` instruction, chosen by CMake on x86 (the
 * instruction computes exactly this polynomial, 8 bytes per step). crc32c.c asks once whether the
 * processor has it (cpuid leaf 1, ECX bit 20) and falls back to its tables when not. The
 * instruction works on general registers only, so the kernel driver may use it without saving
 * floating-point state.
 */
#include <cpuid.h>
#include <string.h>

#include "crc32c.h"

int wfpw__crc32c_hw_ok(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2"))) uint32_t wfpw__crc32c_hw(uint32_t crc, const unsigned char *p, size_t len)
{
#if defined(__x86_64__)
    uint64_t c = crc, w;
    while (len >= 8) {
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8, len -= 8;
    }
    crc = (uint32_t)c;
#endif
    while (len--)
        crc = __builtin_ia32_crc32qi(crc, *p++);
    return crc;
}
