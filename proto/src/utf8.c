/*
 * utf8.c — strict UTF-8 validation (see utf8.h), following the well-formed byte sequence
 * table of Unicode §3.9 (Table 3-7).
 */
#include "wfpw/utf8.h"

int wfpw_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        unsigned lo = 0x80, hi = 0xBF;
        int n;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;          /* no overlong 3-byte forms */
            else if (c == 0xED)
                hi = 0x9F;          /* no UTF-16 surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;          /* no overlong 4-byte forms */
            else if (c == 0xF4)
                hi = 0x8F;          /* nothing above U+10FFFF */
        } else
            return 0;
        if (len - i <= (size_t)n)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (int k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += (size_t)n + 1;
    }
    return 1;
}
