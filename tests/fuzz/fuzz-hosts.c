/*
 * fuzz-hosts.c — libFuzzer driver for the hosts file reader (agent/src/surface/hosts.c): the input read as
 * "hosts"; the checks are in fuzz-surface.h (shared with the other surface reader).
 */
#include <stdint.h>
#include <stddef.h>

#define SURFACE_FUZZ_NAME "hosts"
#include "fuzz-surface.h"
