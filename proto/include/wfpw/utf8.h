/*
 * utf8.h — strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. Used on every string that crosses the wire. And the one UTF-16LE -> UTF-8
 * conversion for what Windows hands over (driver paths, WFP display names, app ids). And ASCII
 * case folding, as Windows compares names, not as the C locale's tolower (slower, per locale).
 */
#ifndef WFPW_UTF8_H
#define WFPW_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..len) is valid UTF-8, else 0. */
int wfpw_utf8_valid(const char *s, size_t len);

/* UTF-16LE bytes to NUL-terminated UTF-8; lone surrogates and NULs become U+FFFD, an odd last
 * byte is ignored. out holds 3 bytes per 2 input bytes + 1. Returns the length written. */
size_t wfpw_utf16le_to_utf8(const uint8_t *in, size_t bytes, char *out);

/* c folded to lower case if it is an ASCII capital letter, else c unchanged. */
static inline int wfpw_ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

#endif /* WFPW_UTF8_H */
