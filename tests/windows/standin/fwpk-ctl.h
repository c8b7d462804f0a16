/*
 * fwpk-ctl.h — the control interface of the stand-in fwpkclnt.sys (fwpkclnt_sys.c): what the
 * Wine driver test (tests/integration/test-driver-wine.sh, through fwpk-ctl.exe) asks of it.
 * Fixed-size structures, both sides built by the same compiler for x64.
 */
#ifndef WFPK_CTL_H
#define WFPK_CTL_H

#include <stdint.h>

#define WFPK_CTL_WIN32_PATH "\\\\.\\wfpwfwpk"
#define WFPK_CTL_TYPE 0x8758u
#define WFPK_CTL(fn) ((WFPK_CTL_TYPE << 16) | (3u << 14) | ((fn) << 2) | 0u /* METHOD_BUFFERED */)
#define WFPK_IOCTL_INJECT WFPK_CTL(0x901u) /* in: struct wfpk_inject, out: struct wfpk_inject_result */
#define WFPK_IOCTL_BFE WFPK_CTL(0x902u)    /* in: uint32_t 1 stop, 2 start */
#define WFPK_IOCTL_DUMP WFPK_CTL(0x903u)   /* out: struct wfpk_dump */

#define WFPK_INJECT_MAGIC 0x4a4e4957u
/* A classify at a discard layer, as the engine would make it for each filter there whose
 * callout is registered: `count` times, the local port advancing by one each time. */
struct wfpk_inject {
    uint32_t magic;
    uint16_t layer_id;              /* FWPS_LAYER_*_DISCARD */
    uint8_t protocol, reserved0;
    uint32_t count;
    uint16_t local_port, remote_port;
    uint8_t local_addr[16], remote_addr[16]; /* network order; IPv4 in the first 4 bytes */
    uint32_t condition_flags;       /* FWP_CONDITION_FLAG_* in the FLAGS field */
    uint32_t metadata_fields;       /* FWPS_METADATA_FIELD_* to set */
    uint64_t process_id;
    uint64_t filter_id;             /* FWPS_DISCARD_METADATA0.filterId */
    uint32_t discard_module, discard_reason;
    uint32_t path_bytes;            /* UTF-16LE bytes of path, without terminator */
    uint16_t path[260];
};
struct wfpk_inject_result {
    uint32_t classify_calls;        /* classifyFn calls made */
    uint32_t no_callout;            /* injections that found no filter with a registered callout */
};
struct wfpk_dump {
    uint32_t bfe_state;             /* FWPM_SERVICE_STATE */
    uint32_t bfe_generation;        /* starts of the engine so far */
    uint32_t registered_callouts;   /* FwpsCalloutRegister */
    uint32_t callouts, filters, providers, sublayers; /* management objects live in the engine */
    uint32_t live_filters;          /* filters whose callout is registered */
    uint32_t sessions, subscriptions;
    uint32_t refused;               /* calls refused for a bad argument or state */
    uint32_t reserved[5];
};

#endif
