/*
 * netevent-build.h — one WFP net event from a line of text (netevent-build.c), for the stand-in
 * engines. The event and everything it points to live in *b.
 */
#ifndef WFPW_TEST_NETEVENT_BUILD_H
#define WFPW_TEST_NETEVENT_BUILD_H

#include <stdint.h>

#include "fwpm_netevent.h"

struct wfpw_test_netevent {
    struct wfpw_ne_header3 h;
    struct wfpw_ne_classify_drop2 d2;
    struct wfpw_ne_classify_drop1 d1;
    struct wfpw_ne_capability_drop0 cd;
    struct wfpw_ne_event1 e1;
    struct wfpw_ne_event2 e2;
    struct wfpw_ne_event3 e3;
    uint16_t app16[600];
};

/* The event for subscribe version `version` (0..4), or NULL when the line does not parse;
 * *type: its FWPM_NET_EVENT_TYPE. */
const void *wfpw_test_netevent_build(struct wfpw_test_netevent *b, unsigned version, const char *line, unsigned *type);

#endif
