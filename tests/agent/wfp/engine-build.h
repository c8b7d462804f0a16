/*
 * engine-build.h — WFP engine structures from the inventory model (engine-build.c), for the
 * conversion tests and the stand-in fwpuclnt.dll.
 */
#ifndef WFPW_TEST_ENGINE_BUILD_H
#define WFPW_TEST_ENGINE_BUILD_H

#include "fwpm.h"
#include "inventory.h"
#include "wfpw/arena.h"

void wfpw_test_engine_filter(struct wfpw_arena *a, const struct wfpw_filter *in, struct wfpw_fwpm_filter *out);
void wfpw_test_engine_provider(struct wfpw_arena *a, const struct wfpw_provider *in, struct wfpw_fwpm_provider *out);
void wfpw_test_engine_sublayer(struct wfpw_arena *a, const struct wfpw_sublayer *in, struct wfpw_fwpm_sublayer *out);
/* UTF-8 -> NUL-terminated UTF-16 from the arena; *bytes (may be NULL): its size with the NUL. */
uint16_t *wfpw_test_wide(struct wfpw_arena *a, const char *s, uint32_t *bytes);
void wfpw_test_engine_callout(struct wfpw_arena *a, const struct wfpw_callout *in, struct wfpw_fwpm_callout *out);

#endif
