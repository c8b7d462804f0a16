/*
 * utf8.h — strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. Used on every string that crosses the wire.
 */
#ifndef WFPW_UTF8_H
#define WFPW_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is valid UTF-8, else 0. */
int wfpw_utf8_valid(const char *s, size_t len);

#endif /* WFPW_UTF8_H */
