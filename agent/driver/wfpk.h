/*
 * wfpk.h — the kernel-side WFP API the callout driver uses (fwpsk.h, fwpstypes.h, fwpmk.h),
 * declared here from Microsoft's documentation because mingw-w64 has none of those headers and
 * its user-mode fwpmu.h cannot be included in a kernel translation unit. Portable C: it also
 * compiles natively, where tests/agent/driver/test-wfpk.c checks every size and offset below.
 * The management structures (FWPM_FILTER0 and the rest) are the agent's own declarations in
 * src/wfp/fwpm.h, already checked against mingw-w64's fwpmtypes.h (windows.fwpm_layout).
 *
 * Spelling: the SDK's names with a wfpw_/WFPW_ prefix, so nothing here can be mistaken for the
 * real header. Only 64-bit Windows is targeted. Every group names the page it comes from; the
 * cross-check of each number against a second, independent source is recorded in
 * docs/driver.md ("Where the numbers come from").
 */
#ifndef WFPW_WFPK_H
#define WFPW_WFPK_H

#include <stdint.h>

#include "../src/wfp/fwpm.h"

#ifdef _WIN32
#define WFPK_API __stdcall /* NTAPI; one calling convention on x64, kept for the spelling */
#else
#define WFPK_API
#endif
#ifdef _WIN32
typedef long wfpk_status;     /* NTSTATUS: LONG, 32 bits on Windows */
#else
typedef int32_t wfpk_status;
#endif
typedef void *wfpk_handle;    /* HANDLE */

/* ---- run-time layer ids: FWPS_BUILTIN_LAYERS --------------------------------------------------
 * "FWPS_BUILTIN_LAYERS enumeration (fwpsk.h)", https://learn.microsoft.com/windows-hardware/
 * drivers/ddi/fwpsk/ne-fwpsk-fwps_builtin_layers : a plain enum from 0 in this order. */
enum {
    WFPW_FWPS_LAYER_INBOUND_IPPACKET_V4 = 0,
    WFPW_FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD = 1,
    WFPW_FWPS_LAYER_INBOUND_IPPACKET_V6 = 2,
    WFPW_FWPS_LAYER_INBOUND_IPPACKET_V6_DISCARD = 3,
    WFPW_FWPS_LAYER_OUTBOUND_IPPACKET_V4 = 4,
    WFPW_FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD = 5,
    WFPW_FWPS_LAYER_OUTBOUND_IPPACKET_V6 = 6,
    WFPW_FWPS_LAYER_OUTBOUND_IPPACKET_V6_DISCARD = 7,
    WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V4 = 12,
    WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD = 13,
    WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V6 = 14,
    WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD = 15,
    WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V4 = 16,
    WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD = 17,
    WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V6 = 18,
    WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD = 19,
    WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V4 = 36,
    WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD = 37,
    WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V6 = 38,
    WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD = 39,
    WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V4 = 40,
    WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V4_DISCARD = 41,
    WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V6 = 42,
    WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V6_DISCARD = 43,
    WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4 = 44,
    WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD = 45,
    WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6 = 46,
    WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD = 47,
    WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V4 = 48,
    WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V4_DISCARD = 49,
    WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V6 = 50,
    WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V6_DISCARD = 51
};

/* ---- data field indices: FWPS_FIELDS_* ---------------------------------------------------------
 * One enum per layer, "specifies the data field identifiers for the FWPS_LAYER_X_V4 and
 * FWPS_LAYER_X_V4_DISCARD run-time filtering layers"; the V6 pages list the same order. Pages
 * ne-fwpsk-fwps_fields_ale_auth_connect_v4_, _ale_auth_recv_accept_v4_, _ale_auth_listen_v4_,
 * _ale_resource_assignment_v4_, _inbound_transport_v4_, _outbound_transport_v4_ under
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/fwpsk/ . Only the indices the
 * driver reads, each with the layer's field count known to exist on Windows 10 1809 (a value
 * array shorter than an index is never read: valueCount is checked). LISTEN has no protocol
 * and no remote fields; RESOURCE_ASSIGNMENT has a protocol and no remote fields. */
#define WFPW_FWPS_NO_FIELD 0xFFu
/*                                 local_addr remote_addr local_port remote_port protocol flags */
#define WFPW_FIELDS_ALE_AUTH_CONNECT        2, 6, 4, 7, 5, 12
#define WFPW_FIELDS_ALE_AUTH_RECV_ACCEPT    2, 6, 4, 7, 5, 11
#define WFPW_FIELDS_ALE_AUTH_LISTEN         2, WFPW_FWPS_NO_FIELD, 4, WFPW_FWPS_NO_FIELD, WFPW_FWPS_NO_FIELD, 6
#define WFPW_FIELDS_ALE_RESOURCE_ASSIGNMENT 2, WFPW_FWPS_NO_FIELD, 4, WFPW_FWPS_NO_FIELD, 5, 8
#define WFPW_FIELDS_INBOUND_TRANSPORT       1, 2, 4, 5, 0, 9
#define WFPW_FIELDS_OUTBOUND_TRANSPORT      1, 3, 4, 5, 0, 10

/* ---- values: fwptypes.h (FWP_VALUE0 is src/wfp/fwpm.h's wfpw_fwp_value) -------------------------
 * "FWP_DIRECTION enumeration", "Filtering condition flags" (FWP_CONDITION_FLAG_IS_LOOPBACK),
 * "FWP_ACTION0" / "FWPM_ACTION0" (action types: a number | FWP_ACTION_FLAG_*). */
#define WFPW_FWP_DIRECTION_OUTBOUND 0u
#define WFPW_FWP_DIRECTION_INBOUND 1u
#define WFPW_FWP_CONDITION_FLAG_IS_LOOPBACK 0x1u
#define WFPW_FWP_ACTION_FLAG_TERMINATING 0x1000u
#define WFPW_FWP_ACTION_FLAG_NON_TERMINATING 0x2000u
#define WFPW_FWP_ACTION_BLOCK (0x1u | WFPW_FWP_ACTION_FLAG_TERMINATING)
#define WFPW_FWP_ACTION_PERMIT (0x2u | WFPW_FWP_ACTION_FLAG_TERMINATING)
#define WFPW_FWP_ACTION_CALLOUT_TERMINATING (0x3u | WFPW_FWP_ACTION_FLAG_CALLOUT | WFPW_FWP_ACTION_FLAG_TERMINATING)
#define WFPW_FWP_ACTION_CALLOUT_INSPECTION (0x4u | WFPW_FWP_ACTION_FLAG_CALLOUT | WFPW_FWP_ACTION_FLAG_NON_TERMINATING)
#define WFPW_FWP_ACTION_CALLOUT_UNKNOWN (0x5u | WFPW_FWP_ACTION_FLAG_CALLOUT)

/* ---- classify input: fwpstypes.h / fwpsk.h ------------------------------------------------------
 * "FWPS_INCOMING_VALUES0", "FWPS_INCOMING_VALUE0", "FWPS_DISCARD_METADATA0",
 * "FWPS_INCOMING_METADATA_VALUES0" (ns-fwpsk-_fwps_incoming_metadata_values0_). The metadata
 * structure belongs to the system and grows with Windows versions: only its documented prefix
 * is declared, it is never allocated by the driver or measured with sizeof, and a member is read
 * only when its FWPS_METADATA_FIELD_* bit is set. */
struct wfpw_fwps_incoming_value {   /* FWPS_INCOMING_VALUE0 */
    struct wfpw_fwp_value value;
};
struct wfpw_fwps_incoming_values {  /* FWPS_INCOMING_VALUES0 */
    uint16_t layer_id;
    uint32_t value_count;
    struct wfpw_fwps_incoming_value *incoming_value;
};
struct wfpw_fwps_discard_metadata { /* FWPS_DISCARD_METADATA0 */
    uint32_t discard_module;        /* FWPS_DISCARD_MODULE0: NETWORK 0, TRANSPORT 1, GENERAL 2 */
    uint32_t discard_reason;
    uint64_t filter_id;
};
struct wfpw_fwps_metadata {         /* FWPS_INCOMING_METADATA_VALUES0, through processId */
    uint32_t current_metadata_values;
    uint32_t flags;
    uint64_t reserved;
    struct wfpw_fwps_discard_metadata discard_metadata;
    uint64_t flow_handle;
    uint32_t ip_header_size;
    uint32_t transport_header_size;
    struct wfpw_fwp_blob *process_path; /* UTF-16 with its terminating NUL; size in bytes */
    uint64_t token;
    uint64_t process_id;
    /* ... more members the driver never reads */
};
/* "FWPS_INCOMING_METADATA_VALUES0": currentMetadataValues bits */
#define WFPW_FWPS_METADATA_FIELD_DISCARD_REASON 0x00000001u
#define WFPW_FWPS_METADATA_FIELD_PROCESS_PATH 0x00000008u
#define WFPW_FWPS_METADATA_FIELD_PROCESS_ID 0x00000020u
#define WFPW_FWPS_IS_METADATA_FIELD_PRESENT(m, f) (((m)->current_metadata_values & (f)) == (f))

/* ---- classify output and the filter: fwpstypes.h ------------------------------------------------
 * "FWPS_CLASSIFY_OUT0", "FWPS_ACTION0", "FWPS_FILTER3" (needs Windows 10 1709: the header
 * guards it with NTDDI_WIN10_RS3). */
struct wfpw_fwps_classify_out {     /* FWPS_CLASSIFY_OUT0 */
    uint32_t action_type;
    uint64_t out_context;
    uint64_t filter_id;
    uint32_t rights;
    uint32_t flags;
    uint32_t reserved;
};
struct wfpw_fwps_action {           /* FWPS_ACTION0 */
    uint32_t type;
    uint32_t callout_id;            /* the run-time id FwpsCalloutRegister returned */
};
struct wfpw_fwps_filter {           /* FWPS_FILTER3 */
    uint64_t filter_id;
    struct wfpw_fwp_value weight;
    uint16_t sublayer_weight;
    uint16_t flags;
    uint32_t num_filter_conditions;
    void *filter_condition;         /* FWPS_FILTER_CONDITION0 *; not read */
    struct wfpw_fwps_action action;
    uint64_t context;
    void *provider_context;         /* FWPM_PROVIDER_CONTEXT3 *; not read */
};

/* ---- callouts: fwpsk.h ---------------------------------------------------------------------------
 * "FWPS_CALLOUT3", "FWPS_CALLOUT_CLASSIFY_FN3", "FWPS_CALLOUT_NOTIFY_FN3",
 * "FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0", "FWPS_CALLOUT_NOTIFY_TYPE". notifyFn3: return
 * STATUS_SUCCESS for a notification type it does not know; for ADD_FILTER an error rejects the
 * filter. */
typedef void(WFPK_API *wfpw_fwps_classify_fn)(const struct wfpw_fwps_incoming_values *in,
                                               const struct wfpw_fwps_metadata *meta, void *layer_data,
                                               const void *classify_context, const struct wfpw_fwps_filter *filter,
                                               uint64_t flow_context, struct wfpw_fwps_classify_out *out);
typedef wfpk_status(WFPK_API *wfpw_fwps_notify_fn)(uint32_t notify_type, const struct wfpw_guid *filter_key,
                                                     struct wfpw_fwps_filter *filter);
typedef void(WFPK_API *wfpw_fwps_flow_delete_fn)(uint16_t layer_id, uint32_t callout_id, uint64_t flow_context);
#define WFPW_FWPS_CALLOUT_NOTIFY_ADD_FILTER 0u
#define WFPW_FWPS_CALLOUT_NOTIFY_DELETE_FILTER 1u
struct wfpw_fwps_callout {          /* FWPS_CALLOUT3 */
    struct wfpw_guid callout_key;
    uint32_t flags;                 /* FWP_CALLOUT_FLAG_*; 0 here */
    wfpw_fwps_classify_fn classify_fn;
    wfpw_fwps_notify_fn notify_fn;
    wfpw_fwps_flow_delete_fn flow_delete_fn;
};

/* ---- management: fwpmk.h, the same structures as user mode (src/wfp/fwpm.h) ---------------------
 * "FWPM_SESSION0" (FWPM_SESSION_FLAG_DYNAMIC: "objects added during a dynamic session are
 * automatically deleted when the session ends"), "FwpmBfeStateSubscribeChanges0" and
 * "FWPM_SERVICE_STATE". */
struct wfpw_fwpm_session {          /* FWPM_SESSION0 */
    struct wfpw_guid session_key;
    struct wfpw_fwpm_display display;
    uint32_t flags;
    uint32_t txn_wait_timeout_ms;
    uint32_t process_id;
    void *sid;
    uint16_t *username;
    int32_t kernel_mode;
};
#define WFPW_FWPM_SESSION_FLAG_DYNAMIC 0x1u
#define WFPW_RPC_C_AUTHN_WINNT 10u
enum {
    WFPW_FWPM_SERVICE_STOPPED = 0,
    WFPW_FWPM_SERVICE_START_PENDING = 1,
    WFPW_FWPM_SERVICE_STOP_PENDING = 2,
    WFPW_FWPM_SERVICE_RUNNING = 3
};
typedef void(WFPK_API *wfpw_fwpm_bfe_state_cb)(void *context, uint32_t new_state);

/* ---- NTSTATUS values: ntstatus.h (STATUS_FWP_*, facility 0x22; winerror.h spells them FWP_E_*) --- */
#define WFPW_STATUS_FWP_CALLOUT_NOT_FOUND ((wfpk_status)0xC0220001)
#define WFPW_STATUS_FWP_LAYER_NOT_FOUND ((wfpk_status)0xC0220004)
#define WFPW_STATUS_FWP_PROVIDER_NOT_FOUND ((wfpk_status)0xC0220005)
#define WFPW_STATUS_FWP_SUBLAYER_NOT_FOUND ((wfpk_status)0xC0220007)
#define WFPW_STATUS_FWP_ALREADY_EXISTS ((wfpk_status)0xC0220009)
#define WFPW_STATUS_FWP_NO_TXN_IN_PROGRESS ((wfpk_status)0xC022000D)
#define WFPW_STATUS_FWP_TXN_IN_PROGRESS ((wfpk_status)0xC022000E)
#define WFPW_STATUS_FWP_SESSION_ABORTED ((wfpk_status)0xC0220010)
#define WFPW_STATUS_FWP_INCOMPATIBLE_LAYER ((wfpk_status)0xC0220014)
#define WFPW_STATUS_FWP_INVALID_WEIGHT ((wfpk_status)0xC0220025)
#define WFPW_STATUS_FWP_NULL_POINTER ((wfpk_status)0xC022001C)
#define WFPW_STATUS_FWP_INVALID_PARAMETER ((wfpk_status)0xC0220035)

/* ---- the functions: fwpkclnt.sys (Fwpkclnt.lib), all PASSIVE_LEVEL -------------------------------
 * "FwpsCalloutRegister3", "FwpsCalloutUnregisterById0", "FwpmEngineOpen0" (kernel: returns
 * NTSTATUS), "FwpmTransactionBegin0/Commit0/Abort0", "FwpmProviderAdd0", "FwpmSubLayerAdd0",
 * "FwpmCalloutAdd0", "FwpmFilterAdd0", "FwpmBfeStateGet0", "FwpmBfeStateSubscribeChanges0"
 * (subscribe first, then ask the state; never unsubscribe from inside the callback),
 * "FwpmBfeStateUnsubscribeChanges0". The driver imports them through an import library made from
 * agent/driver/fwpkclnt.def. */
#ifdef WFPK_STANDIN
#define WFPK_IMPORT __declspec(dllexport)
#elif defined(_WIN32)
#define WFPK_IMPORT __declspec(dllimport)
#else
#define WFPK_IMPORT
#endif
WFPK_IMPORT wfpk_status WFPK_API FwpsCalloutRegister3(void *device_object, const struct wfpw_fwps_callout *callout,
                                                     uint32_t *callout_id);
WFPK_IMPORT wfpk_status WFPK_API FwpsCalloutUnregisterById0(const uint32_t callout_id);
WFPK_IMPORT wfpk_status WFPK_API FwpmEngineOpen0(const uint16_t *server, uint32_t authn, void *identity,
                                                const struct wfpw_fwpm_session *session, wfpk_handle *engine);
WFPK_IMPORT wfpk_status WFPK_API FwpmEngineClose0(wfpk_handle engine);
WFPK_IMPORT wfpk_status WFPK_API FwpmTransactionBegin0(wfpk_handle engine, uint32_t flags);
WFPK_IMPORT wfpk_status WFPK_API FwpmTransactionCommit0(wfpk_handle engine);
WFPK_IMPORT wfpk_status WFPK_API FwpmTransactionAbort0(wfpk_handle engine);
WFPK_IMPORT wfpk_status WFPK_API FwpmProviderAdd0(wfpk_handle engine, const struct wfpw_fwpm_provider *provider,
                                                 void *sd);
WFPK_IMPORT wfpk_status WFPK_API FwpmSubLayerAdd0(wfpk_handle engine, const struct wfpw_fwpm_sublayer *sublayer,
                                                 void *sd);
WFPK_IMPORT wfpk_status WFPK_API FwpmCalloutAdd0(wfpk_handle engine, const struct wfpw_fwpm_callout *callout, void *sd,
                                                uint32_t *id);
WFPK_IMPORT wfpk_status WFPK_API FwpmFilterAdd0(wfpk_handle engine, const struct wfpw_fwpm_filter *filter, void *sd,
                                               uint64_t *id);
WFPK_IMPORT uint32_t WFPK_API FwpmBfeStateGet0(void);
WFPK_IMPORT wfpk_status WFPK_API FwpmBfeStateSubscribeChanges0(void *device_object, wfpw_fwpm_bfe_state_cb callback,
                                                              void *context, wfpk_handle *change_handle);
WFPK_IMPORT wfpk_status WFPK_API FwpmBfeStateUnsubscribeChanges0(wfpk_handle change_handle);

/* ---- layer keys (fwpmu.h's FWPM_LAYER_* GUIDs; the same values as src/wfp/fwpnames.c) ----------- */
#define WFPW_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) {a, b, c, {d0, d1, d2, d3, d4, d5, d6, d7}}
#define WFPW_FWPM_LAYER_ALE_AUTH_CONNECT_V4_DISCARD WFPW_GUID(0xd632a801, 0xf5ba, 0x4ad6, 0x96, 0xe3, 0x60, 0x70, 0x17, 0xd9, 0x83, 0x6a)
#define WFPW_FWPM_LAYER_ALE_AUTH_CONNECT_V6_DISCARD WFPW_GUID(0xc97bc3b8, 0xc9a3, 0x4e33, 0x86, 0x95, 0x8e, 0x17, 0xaa, 0xd4, 0xde, 0x09)
#define WFPW_FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD WFPW_GUID(0x9eeaa99b, 0xbd22, 0x4227, 0x91, 0x9f, 0x00, 0x73, 0xc6, 0x33, 0x57, 0xb1)
#define WFPW_FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD WFPW_GUID(0x89455b97, 0xdbe1, 0x453f, 0xa2, 0x24, 0x13, 0xda, 0x89, 0x5a, 0xf3, 0x96)
#define WFPW_FWPM_LAYER_ALE_AUTH_LISTEN_V4_DISCARD WFPW_GUID(0x371dfada, 0x9f26, 0x45fd, 0xb4, 0xeb, 0xc2, 0x9e, 0xb2, 0x12, 0x89, 0x3f)
#define WFPW_FWPM_LAYER_ALE_AUTH_LISTEN_V6_DISCARD WFPW_GUID(0x60703b07, 0x63c8, 0x48e9, 0xad, 0xa3, 0x12, 0xb1, 0xaf, 0x40, 0xa6, 0x17)
#define WFPW_FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD WFPW_GUID(0x0b5812a2, 0xc3ff, 0x4eca, 0xb8, 0x8d, 0xc7, 0x9e, 0x20, 0xac, 0x63, 0x22)
#define WFPW_FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD WFPW_GUID(0xcbc998bb, 0xc51f, 0x4c1a, 0xbb, 0x4f, 0x97, 0x75, 0xfc, 0xac, 0xab, 0x2f)
#define WFPW_FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD WFPW_GUID(0xac4a9833, 0xf69d, 0x4648, 0xb2, 0x61, 0x6d, 0xc8, 0x48, 0x35, 0xef, 0x39)
#define WFPW_FWPM_LAYER_INBOUND_TRANSPORT_V6_DISCARD WFPW_GUID(0x2a6ff955, 0x3b2b, 0x49d2, 0x98, 0x48, 0xad, 0x9d, 0x72, 0xdc, 0xaa, 0xb7)
#define WFPW_FWPM_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD WFPW_GUID(0xc5f10551, 0xbdb0, 0x43d7, 0xa3, 0x13, 0x50, 0xe2, 0x11, 0xf4, 0xd6, 0x8a)
#define WFPW_FWPM_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD WFPW_GUID(0xf433df69, 0xccbd, 0x482e, 0xb3, 0xb2, 0x57, 0x16, 0x56, 0x58, 0xc3, 0xb3)

#endif /* WFPW_WFPK_H */
