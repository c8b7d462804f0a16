/*
 * fwpm.h — the WFP management structures the agent reads (FWPM_FILTER0, FWPM_PROVIDER0,
 * FWPM_SUBLAYER0, FWPM_CALLOUT0 and the value types under them), declared here from
 * Microsoft's documentation of fwptypes.h / fwpmtypes.h so that the conversion code
 * (fwpconv.c) is portable C that compiles, runs and is fuzzed natively. The Windows half
 * hands the engine's arrays over by casting; tests/windows/check-fwpm-layout.c asserts that
 * every size and offset here equals mingw-w64's declarations of the same structures, so the
 * cast is checked by the compiler rather than trusted.
 *
 * Differences from the SDK spelling, all layout-neutral: WCHAR strings are uint16_t
 * (wchar_t is 4 bytes on Linux), enums are uint32_t, the nameless unions are named `u`.
 * Only 64-bit Windows is targeted (the agent ships as x64).
 */
#ifndef WFPW_FWPM_H
#define WFPW_FWPM_H

#include <stdint.h>

struct wfpw_guid {
    uint32_t d1;
    uint16_t d2, d3;
    uint8_t d4[8];
};

/* FWP_DATA_TYPE */
enum {
    WFPW_FWP_EMPTY = 0,
    WFPW_FWP_UINT8 = 1,
    WFPW_FWP_UINT16 = 2,
    WFPW_FWP_UINT32 = 3,
    WFPW_FWP_UINT64 = 4,
    WFPW_FWP_INT8 = 5,
    WFPW_FWP_INT16 = 6,
    WFPW_FWP_INT32 = 7,
    WFPW_FWP_INT64 = 8,
    WFPW_FWP_FLOAT = 9,
    WFPW_FWP_DOUBLE = 10,
    WFPW_FWP_BYTE_ARRAY16_TYPE = 11,
    WFPW_FWP_BYTE_BLOB_TYPE = 12,
    WFPW_FWP_SID = 13,
    WFPW_FWP_SECURITY_DESCRIPTOR_TYPE = 14,
    WFPW_FWP_TOKEN_INFORMATION_TYPE = 15,
    WFPW_FWP_TOKEN_ACCESS_INFORMATION_TYPE = 16,
    WFPW_FWP_UNICODE_STRING_TYPE = 17,
    WFPW_FWP_BYTE_ARRAY6_TYPE = 18,
    WFPW_FWP_BITMAP_INDEX_TYPE = 19,
    WFPW_FWP_BITMAP_ARRAY64_TYPE = 20,
    WFPW_FWP_V4_ADDR_MASK = 0x100,
    WFPW_FWP_V6_ADDR_MASK = 0x101,
    WFPW_FWP_RANGE_TYPE = 0x102
};

/* FWP_ACTION_TYPE values (type | FWP_ACTION_FLAG_*) */
#define WFPW_FWP_ACTION_FLAG_CALLOUT 0x4000u

struct wfpw_fwp_blob {              /* FWP_BYTE_BLOB */
    uint32_t size;
    uint8_t *data;
};

/* The SID as the engine returns it (a variable-length SID structure). */
struct wfpw_sid {
    uint8_t revision;
    uint8_t sub_count;
    uint8_t authority[6];           /* big-endian */
    uint32_t sub[1];                /* sub_count entries */
};

struct wfpw_fwp_v4mask {            /* FWP_V4_ADDR_AND_MASK: host byte order */
    uint32_t addr, mask;
};

struct wfpw_fwp_v6mask {            /* FWP_V6_ADDR_AND_MASK */
    uint8_t addr[16];
    uint8_t prefix_len;
};

struct wfpw_fwp_value {             /* FWP_VALUE0 */
    uint32_t type;
    union {
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t *u64;
        int8_t i8;
        int16_t i16;
        int32_t i32;
        int64_t *i64;
        float f32;
        double *f64;
        uint8_t *a16;               /* FWP_BYTE_ARRAY16 * */
        struct wfpw_fwp_blob *blob;
        struct wfpw_sid *sid;
        struct wfpw_fwp_blob *sd;   /* self-relative security descriptor */
        void *token;
        struct wfpw_fwp_blob *token_access;
        uint16_t *ustr;
        uint8_t *a6;                /* FWP_BYTE_ARRAY6 * */
    } u;
};

struct wfpw_fwp_range {             /* FWP_RANGE0 */
    struct wfpw_fwp_value low, high;
};

struct wfpw_fwp_cond_value {        /* FWP_CONDITION_VALUE0: FWP_VALUE0 plus three pointers */
    uint32_t type;
    union {
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t *u64;
        int8_t i8;
        int16_t i16;
        int32_t i32;
        int64_t *i64;
        float f32;
        double *f64;
        uint8_t *a16;
        struct wfpw_fwp_blob *blob;
        struct wfpw_sid *sid;
        struct wfpw_fwp_blob *sd;
        void *token;
        struct wfpw_fwp_blob *token_access;
        uint16_t *ustr;
        uint8_t *a6;
        struct wfpw_fwp_v4mask *v4;
        struct wfpw_fwp_v6mask *v6;
        struct wfpw_fwp_range *range;
    } u;
};

struct wfpw_fwpm_display {          /* FWPM_DISPLAY_DATA0 */
    uint16_t *name;
    uint16_t *description;
};

struct wfpw_fwpm_cond {             /* FWPM_FILTER_CONDITION0 */
    struct wfpw_guid field;
    uint32_t match;                 /* FWP_MATCH_TYPE */
    struct wfpw_fwp_cond_value value;
};

struct wfpw_fwpm_action {           /* FWPM_ACTION0 */
    uint32_t type;
    struct wfpw_guid filter_type;   /* union { filterType; calloutKey; } */
};

struct wfpw_fwpm_filter {           /* FWPM_FILTER0 */
    struct wfpw_guid key;
    struct wfpw_fwpm_display display;
    uint32_t flags;
    struct wfpw_guid *provider_key;
    struct wfpw_fwp_blob provider_data;
    struct wfpw_guid layer_key;
    struct wfpw_guid sublayer_key;
    struct wfpw_fwp_value weight;
    uint32_t nconds;
    struct wfpw_fwpm_cond *conds;
    struct wfpw_fwpm_action action;
    union {
        uint64_t raw_context;
        struct wfpw_guid provider_context_key;
    } ctx;
    struct wfpw_guid *reserved;
    uint64_t id;
    struct wfpw_fwp_value effective_weight;
};

struct wfpw_fwpm_provider {         /* FWPM_PROVIDER0 */
    struct wfpw_guid key;
    struct wfpw_fwpm_display display;
    uint32_t flags;
    struct wfpw_fwp_blob provider_data;
    uint16_t *service_name;
};

struct wfpw_fwpm_sublayer {         /* FWPM_SUBLAYER0 */
    struct wfpw_guid key;
    struct wfpw_fwpm_display display;
    uint16_t flags;
    struct wfpw_guid *provider_key;
    struct wfpw_fwp_blob provider_data;
    uint16_t weight;
};

struct wfpw_fwpm_callout {          /* FWPM_CALLOUT0 */
    struct wfpw_guid key;
    struct wfpw_fwpm_display display;
    uint32_t flags;
    struct wfpw_guid *provider_key;
    struct wfpw_fwp_blob provider_data;
    struct wfpw_guid layer;
    uint32_t id;
};

/* FWPM_FILTER_FLAG_* / FWPM_PROVIDER_FLAG_* / FWPM_SUBLAYER_FLAG_* bits */
#define WFPW_FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT 0x4u

#endif /* WFPW_FWPM_H */
