/*
 * fuzz-regfile.c — libFuzzer driver for the registry export reader (agent/src/surface/regfile.c): the input read as
 * "fuzz.reg"; the checks are in fuzz-surface.h (shared with the other surface reader).
 */
#include <stdint.h>
#include <stddef.h>

#define SURFACE_FUZZ_NAME "fuzz.reg"
#include "fuzz-surface.h"
