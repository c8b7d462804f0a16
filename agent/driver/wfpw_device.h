/*
 * wfpw_device.h — the whole contract between the wfpwatch callout driver (wfpw_drv.sys) and
 * the agent: the device name, the IOCTL codes, the handshake, statistics and the record the
 * driver writes for every discarded connection or packet. Included by the driver, by the
 * portable record/ring code both of them compile (agent/driver/shared/) and by the agent.
 *
 * Rules (shared/design/style.md §4.2): fixed-width fields, little-endian, no pointers, explicit
 * reserved fields that are zero today; records are read and written byte by byte through
 * devrec.c, never by casting a buffer to a struct, so alignment and padding cannot differ
 * between the kernel compiler and the agent's. Changing a layout means a new major version.
 * docs/internals/DEVICE-IOCTL.md describes the same thing in prose.
 */
#ifndef WFPW_DEVICE_H
#define WFPW_DEVICE_H

#include <stdint.h>

#define WFPW_DEV_VERSION_MAJOR 1u
#define WFPW_DEV_VERSION_MINOR 1u

/* Win32 path of the device (the driver creates \Device\wfpwatch and \DosDevices\wfpwatch). */
#define WFPW_DEV_WIN32_PATH "\\\\.\\wfpwatch"

/* One magic per side (§4.3): the agent's hello carries the first, the driver's answer the second. */
#define WFPW_DEV_MAGIC_AGENT  0x57504641u  /* "AFPW" */
#define WFPW_DEV_MAGIC_DRIVER 0x57504644u  /* "DFPW" */

/* CTL_CODE(type, function, method, access) spelled out, so this header needs no Windows header;
 * tests/agent/driver checks the values against winioctl.h's CTL_CODE in the Windows build. */
#define WFPW_DEV_TYPE 0x8757u  /* vendor range 0x8000..0xFFFF */
#define WFPW_DEV_CTL(fn, method, access) ((WFPW_DEV_TYPE << 16) | ((access) << 14) | ((fn) << 2) | (method))
#define WFPW_DEV_METHOD_BUFFERED   0u
#define WFPW_DEV_METHOD_OUT_DIRECT 2u
#define WFPW_DEV_FILE_READ_ACCESS  1u
#define WFPW_DEV_FILE_WRITE_ACCESS 2u
/* in: struct wfpw_dev_hello, out: struct wfpw_dev_welcome. Must be the first IOCTL of a handle. */
#define WFPW_IOCTL_HANDSHAKE WFPW_DEV_CTL(0x801u, WFPW_DEV_METHOD_BUFFERED, WFPW_DEV_FILE_READ_ACCESS | WFPW_DEV_FILE_WRITE_ACCESS)
/* out: whole records (at least WFPW_DEV_RECORD_MAX bytes of buffer); pended until records arrive
 * (inverted call), completed with as many whole records as fit after the coalescing delay. */
#define WFPW_IOCTL_READ      WFPW_DEV_CTL(0x802u, WFPW_DEV_METHOD_OUT_DIRECT, WFPW_DEV_FILE_READ_ACCESS)
/* out: struct wfpw_dev_stats */
#define WFPW_IOCTL_STATS     WFPW_DEV_CTL(0x803u, WFPW_DEV_METHOD_BUFFERED, WFPW_DEV_FILE_READ_ACCESS)

/* Handshake. Sizes are fixed; the driver refuses another size, magic or major version with
 * STATUS_REVISION_MISMATCH and answers nothing else on that handle. */
#define WFPW_DEV_HELLO_SIZE   32u
#define WFPW_DEV_WELCOME_SIZE 32u
struct wfpw_dev_hello {          /* agent -> driver, 32 bytes */
    uint32_t magic;              /* WFPW_DEV_MAGIC_AGENT */
    uint16_t major, minor;       /* the agent's WFPW_DEV_VERSION_* */
    uint32_t reserved[6];        /* zero */
};
struct wfpw_dev_welcome {        /* driver -> agent, 32 bytes */
    uint32_t magic;              /* WFPW_DEV_MAGIC_DRIVER */
    uint16_t major, minor;       /* the driver's WFPW_DEV_VERSION_* */
    uint32_t ring_bytes;         /* ring capacity chosen at load */
    uint32_t record_max;         /* WFPW_DEV_RECORD_MAX of the driver */
    uint32_t layers;             /* WFPW_DEV_LAYERS_* the driver registered callouts at */
    uint32_t reserved[3];        /* zero */
};
#define WFPW_DEV_LAYERS_ALE    0x1u  /* connect, recv/accept, listen, resource assignment (V4+V6) */
#define WFPW_DEV_LAYERS_PACKET 0x2u  /* transport and IP-packet discard layers (off by default) */

#define WFPW_DEV_STATS_SIZE 64u
struct wfpw_dev_stats {          /* 64 bytes */
    uint64_t last_seq;           /* sequence number of the newest record offered to the ring */
    uint64_t dropped;            /* records refused because the ring was full (drop-newest) */
    uint64_t delivered;          /* records completed to readers */
    uint64_t ring_used;          /* bytes in the ring now */
    uint64_t classify_calls;     /* classifyFn invocations */
    uint64_t truncated_paths;    /* process paths cut to WFPW_DEV_PATH_MAX */
    uint64_t engine_adds;        /* times the engine objects were added: 1, + 1 per BFE restart
                                    (minor version 1; 0 from a 1.0 driver) */
    uint64_t reserved[1];        /* zero */
};

/* ---- records ----------------------------------------------------------------------------------
 * offset size field
 *      0    2 size            whole record in bytes: header + path + zero padding; a multiple of 8
 *      2    1 type            WFPW_DEV_REC_DISCARD
 *      3    1 version         WFPW_DEV_REC_VERSION
 *      4    4 crc             CRC-32C of the whole record computed with this field zero
 *      8    8 seq             1, 2, 3 ... per driver load, one per record offered; a gap = drops
 *     16    8 time            FILETIME: 100 ns units since 1601-01-01 UTC
 *     24    8 process_id      valid with WFPW_DEV_F_PROCESS_ID
 *     32    8 filter_id       run-time filter id (FWPS_DISCARD_METADATA0.filterId), valid with
 *                             WFPW_DEV_F_FILTER_ID
 *     40    4 flags           WFPW_DEV_F_*
 *     44    2 layer_id        FWPS_BUILTIN_LAYERS value of the layer the callout ran at
 *     46    1 direction       0 outbound, 1 inbound (FWP_DIRECTION)
 *     47    1 ip_version      4 or 6
 *     48    1 protocol        IANA protocol number
 *     49    1 reserved        zero
 *     50    2 local_port      host order (ICMP: type)
 *     52    2 remote_port     host order (ICMP: code)
 *     54    2 path_bytes      length of the UTF-16LE process path that follows the header
 *     56    4 discard_module  FWPS_DISCARD_MODULE0, valid with WFPW_DEV_F_DISCARD
 *     60    4 discard_reason  module-specific reason, valid with WFPW_DEV_F_DISCARD
 *     64   16 local_addr      network order; IPv4 in the first 4 bytes, the rest zero
 *     80   16 remote_addr
 *     96   16 reserved        zero
 *    112    n path            UTF-16LE, no terminator, at most WFPW_DEV_PATH_MAX bytes
 */
#define WFPW_DEV_REC_HEADER   112u
#define WFPW_DEV_PATH_MAX     1024u  /* bytes (512 UTF-16 units); longer paths are cut, flagged */
#define WFPW_DEV_RECORD_MAX   (WFPW_DEV_REC_HEADER + WFPW_DEV_PATH_MAX)
#define WFPW_DEV_REC_VERSION  1u
/* distinctive values: zeroed or garbage memory does not look like a record (§4.6) */
#define WFPW_DEV_REC_DISCARD  0xD1u
#define WFPW_DEV_REC_PAD      0x9Au  /* ring-internal filler, never delivered */

#define WFPW_DEV_F_PROCESS_ID     0x01u
#define WFPW_DEV_F_PATH           0x02u
#define WFPW_DEV_F_PATH_TRUNCATED 0x04u
#define WFPW_DEV_F_FILTER_ID      0x08u
#define WFPW_DEV_F_DISCARD        0x10u
#define WFPW_DEV_F_LOOPBACK       0x20u
#define WFPW_DEV_F_KNOWN          0x3Fu  /* every flag of version 1 */

/* FWPS_DISCARD_MODULE0 and FWPS_GENERAL_DISCARD_REASON (fwpsk.h) as the records carry them. */
#define WFPW_DEV_DISCARD_MODULE_NETWORK   0u
#define WFPW_DEV_DISCARD_MODULE_TRANSPORT 1u
#define WFPW_DEV_DISCARD_MODULE_GENERAL   2u
#define WFPW_DEV_DISCARD_FIREWALL_POLICY  0u
#define WFPW_DEV_DISCARD_IPSEC            1u

/* Recorded driver output (the replay source's "driver record file"): this 16-byte header,
 * then records exactly as READ completions deliver them. */
#define WFPW_DEV_FILE_MAGIC  "WFPWDRV1"   /* 8 bytes, then u16 major, u16 minor, u32 zero */
#define WFPW_DEV_FILE_HEADER 16u

#endif /* WFPW_DEVICE_H */
