/*
 * netevent.h — WFP net events (FwpmNetEventSubscribe callbacks) into a plain record the
 * callback thread can copy and the loop can turn into a connection_blocked event. The
 * callback runs on an RPC thread and must not touch the loop: it calls wfpw_netevent_take(),
 * which reads the engine's structure for that subscribe version (fwpm_netevent.h) into a
 * self-contained record, and queues the record. Classify drops (a filter's verdict, with the
 * filter id and the run-time layer), MAC-layer classify drops and capability drops (app
 * containers) are taken; every other type is ignored.
 */
#ifndef WFPW_NETEVENT_H
#define WFPW_NETEVENT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define WFPW_NETEVENT_PATH_MAX 1024

/* FWPM_NET_EVENT_KEYWORD_* (fwpmtypes.h of the Windows SDK; docs/windows-behaviour.md): the
 * classes of net events the engine keeps only when asked. The agent asks for the drops it
 * reads; never for the *_ALLOW classes, which would bring every allowed connection. */
#define WFPW_NET_EVENT_KEYWORD_INBOUND_MCAST 0x1u
#define WFPW_NET_EVENT_KEYWORD_INBOUND_BCAST 0x2u
#define WFPW_NET_EVENT_KEYWORD_CAPABILITY_DROP 0x4u
#define WFPW_NET_EVENT_KEYWORD_CAPABILITY_ALLOW 0x8u
#define WFPW_NET_EVENT_KEYWORD_CLASSIFY_ALLOW 0x10u
#define WFPW_NET_EVENT_KEYWORD_PORT_SCANNING_DROP 0x20u  /* Windows 10 1903 and later */
#define WFPW_NET_EVENT_KEYWORDS_WANTED (WFPW_NET_EVENT_KEYWORD_CAPABILITY_DROP | WFPW_NET_EVENT_KEYWORD_PORT_SCANNING_DROP)

struct wfpw_netevent {
    int64_t time_ms;
    uint32_t type;               /* WFPW_NE_* */
    int ip_version;              /* 4, 6, or 0 unknown */
    int protocol;                /* -1 unknown */
    char local_ip[48], remote_ip[48];    /* "" unknown */
    int local_port, remote_port;         /* -1 unknown */
    char path[WFPW_NETEVENT_PATH_MAX];   /* NT device path (UTF-8), "" unknown */
    int path_truncated;
    uint64_t filter_id;
    int layer_id;                /* -1 unknown (capability drops) */
    int inbound;                 /* 1 in, 0 out, -1 unknown */
    int loopback;
};

/* 0 with out filled; 1 when the event is not a drop we take; WFPW_EPROTO (err names why) for
 * a malformed event; WFPW_EINVAL for a version other than 0..4. */
int wfpw_netevent_take(unsigned subscribe_version, const void *event, struct wfpw_netevent *out, char *err,
                       size_t errlen);

/* The connection_blocked event (source "netevent"); *packet 1 for packet-level layers. The
 * path goes through map (NT device path -> drive letters) when given. NULL on OOM or an event
 * the wire cannot carry (err says which): an event returned is valid proto v1 as a whole
 * (the source emits it with WFPW_EV_VALIDATED). */
cJSON *wfpw_netevent_event(const struct wfpw_netevent *n, int (*map)(void *ctx, const char *nt, char *out, size_t len),
                           void *ctx, int *packet, char *err, size_t errlen);

#endif
