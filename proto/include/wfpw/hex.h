/*
 * hex.h — bytes as lower-case hexadecimal (fingerprints, serial numbers, token hashes).
 */
#ifndef WFPW_HEX_H
#define WFPW_HEX_H

#include <stddef.h>

/* n bytes into out: 2 * n digits and a NUL (out has 2 * n + 1 bytes). */
void wfpw_hex(const unsigned char *bytes, size_t n, char *out);

#endif
