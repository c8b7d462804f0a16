/*
 * utf8.c — strict UTF-8 validation (see utf8.h), following the well-formed byte sequence
 * table of Unicode §3.9 (Table 3-7), and UTF-16LE -> UTF-8 for text that comes from Windows.
 */
#include <stdint.h>

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

size_t wfpw_utf16le_to_utf8(const uint8_t *in, size_t bytes, char *out)
{
    size_t i = 0, n = 0;
    while (i + 1 < bytes) {
        uint32_t c = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8;
        i += 2;
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < bytes) {
            uint32_t lo = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD;  /* a lone surrogate */
        if (c == 0)
            c = 0xFFFD;  /* NUL has no place in a path or in our JSON */
        if (c < 0x80) {
            out[n++] = (char)c;
        } else if (c < 0x800) {
            out[n++] = (char)(0xC0 | c >> 6);
            out[n++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[n++] = (char)(0xE0 | c >> 12);
            out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[n++] = (char)(0xF0 | c >> 18);
            out[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[n] = '\0';
    return n;
}
