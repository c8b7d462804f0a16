/*
 * fwpm_netevent.h — the net-event structures FwpmNetEventSubscribe0..4 hand to their callbacks,
 * declared from Microsoft's documentation of fwpmtypes.h (mingw-w64 declares only versions 0
 * and 1; tests/windows/check-fwpm-layout.c checks those against it, the later ones follow the
 * same layout rules). Same conventions as fwpm.h: fixed-width types, FILETIME as two 32-bit
 * halves (it is 4-byte aligned), WCHAR strings as uint16_t, enums as uint32_t.
 *
 *   subscribe version  callback gets       header   classifyDrop
 *   0                  FWPM_NET_EVENT1     HEADER1  CLASSIFY_DROP1
 *   1                  FWPM_NET_EVENT2     HEADER2  CLASSIFY_DROP2
 *   2                  FWPM_NET_EVENT3     HEADER3  CLASSIFY_DROP2
 *   3                  FWPM_NET_EVENT4     HEADER3  CLASSIFY_DROP2
 *   4                  FWPM_NET_EVENT5     HEADER3  CLASSIFY_DROP2
 * Every FWPM_NET_EVENTn is {header; type; union of pointers}, so the pointer sits right after
 * the type whatever member it is.
 */
#ifndef WFPW_FWPM_NETEVENT_H
#define WFPW_FWPM_NETEVENT_H

#include <stdint.h>

#include "fwpm.h"

/* FWPM_NET_EVENT_TYPE */
enum {
    WFPW_NE_CLASSIFY_DROP = 3,
    WFPW_NE_CAPABILITY_DROP = 7,
    WFPW_NE_CLASSIFY_DROP_MAC = 9
};

/* FWPM_NET_EVENT_FLAG_* */
#define WFPW_NE_F_IP_PROTOCOL 0x1u
#define WFPW_NE_F_LOCAL_ADDR 0x2u
#define WFPW_NE_F_REMOTE_ADDR 0x4u
#define WFPW_NE_F_LOCAL_PORT 0x8u
#define WFPW_NE_F_REMOTE_PORT 0x10u
#define WFPW_NE_F_APP_ID 0x20u
#define WFPW_NE_F_USER_ID 0x40u
#define WFPW_NE_F_SCOPE_ID 0x80u
#define WFPW_NE_F_IP_VERSION 0x100u

struct wfpw_filetime {
    uint32_t low, high;
};

/* the members every header version starts with (FWPM_NET_EVENT_HEADER0) */
#define WFPW_NE_HEADER0_MEMBERS                                                                    \
    struct wfpw_filetime time;                                                                     \
    uint32_t flags;                                                                                \
    uint32_t ip_version; /* FWP_IP_VERSION: 0 v4, 1 v6 */                                          \
    uint8_t ip_protocol;                                                                           \
    union {                                                                                        \
        uint32_t v4;    /* host byte order */                                                      \
        uint8_t v6[16];                                                                            \
    } local;                                                                                       \
    union {                                                                                        \
        uint32_t v4;                                                                               \
        uint8_t v6[16];                                                                            \
    } remote;                                                                                      \
    uint16_t local_port, remote_port;                                                              \
    uint32_t scope_id;                                                                             \
    struct wfpw_fwp_blob app_id; /* UTF-16LE NT path with its NUL */                               \
    struct wfpw_sid *user_id;

struct wfpw_ne_header0 {
    WFPW_NE_HEADER0_MEMBERS
};

struct wfpw_ne_header1 {
    WFPW_NE_HEADER0_MEMBERS
    union {
        struct {
            uint32_t address_family;
            union {
                struct {
                    uint8_t dst_eth[6], src_eth[6];
                    uint32_t addr_type, encap_method;
                    uint16_t ether_type;
                    uint32_t snap_control, snap_oui;
                    uint16_t vlan_tag;
                    uint64_t if_luid;
                } eth;
            } u;
        } s;
    } reserved;
};

struct wfpw_ne_header2 {
    WFPW_NE_HEADER0_MEMBERS
    uint32_t address_family;
    struct wfpw_sid *package_sid;
};

struct wfpw_ne_header3 {
    WFPW_NE_HEADER0_MEMBERS
    uint32_t address_family;
    struct wfpw_sid *package_sid;
    uint16_t *enterprise_id;
    uint64_t policy_flags;
    struct wfpw_fwp_blob effective_name;
};

struct wfpw_ne_classify_drop1 {
    uint64_t filter_id;
    uint16_t layer_id;
    uint32_t reauth_reason, original_profile, current_profile, ms_fwp_direction;
    int32_t is_loopback;
};

struct wfpw_ne_classify_drop2 {
    uint64_t filter_id;
    uint16_t layer_id;
    uint32_t reauth_reason, original_profile, current_profile, ms_fwp_direction;
    int32_t is_loopback;
    struct wfpw_fwp_blob vswitch_id;
    uint32_t vswitch_source_port, vswitch_destination_port;
};

struct wfpw_ne_capability_drop0 {
    uint32_t network_capability_id;
    uint64_t filter_id;
    int32_t is_loopback;
};

struct wfpw_ne_classify_drop_mac0 {
    uint8_t local_mac[6], remote_mac[6];
    uint32_t media_type, if_type;
    uint16_t ether_type;
    uint32_t ndis_port_number, reserved;
    uint16_t vlan_tag;
    uint64_t if_luid;
    uint64_t filter_id;
    uint16_t layer_id;
    uint32_t reauth_reason, original_profile, current_profile, ms_fwp_direction;
    int32_t is_loopback;
    struct wfpw_fwp_blob vswitch_id;
    uint32_t vswitch_source_port, vswitch_destination_port;
};

#define WFPW_NE_EVENT(name, hdr)                                                                   \
    struct name {                                                                                  \
        struct hdr header;                                                                         \
        uint32_t type;                                                                             \
        const void *detail; /* the union: classifyDrop, capabilityDrop, classifyDropMac, ... */    \
    }
WFPW_NE_EVENT(wfpw_ne_event1, wfpw_ne_header1);
WFPW_NE_EVENT(wfpw_ne_event2, wfpw_ne_header2);
WFPW_NE_EVENT(wfpw_ne_event3, wfpw_ne_header3);   /* also FWPM_NET_EVENT4 and 5 */

#endif
