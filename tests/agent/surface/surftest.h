/*
 * surftest.h — helpers for the surface tests: a text as the UTF-16LE (with BOM) bytes
 * `reg export` writes, and a surface built from in-memory files.
 */
#ifndef WFPW_SURFTEST_H
#define WFPW_SURFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "surface.h"

/* ASCII/UTF-8 text (BMP only) as UTF-16LE with BOM; caller frees with wfpw_free. */
uint8_t *surftest_utf16(const char *text, size_t *len);
/* s initialised, then each (name, text) pair added (".reg" names as UTF-16LE) and built;
 * 0 or the first error (err says which). */
int surftest_load(struct wfpw_surface *s, const char *const *files, size_t n, char *err, size_t errlen);

#endif
