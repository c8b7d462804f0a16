/*
 * drvconv.c — see drvconv.h. The layer table follows the order of FWPS_BUILTIN_LAYERS in the
 * WDK's fwpsk.h (each layer followed by its _DISCARD twin); the run-time layer ids Windows puts
 * in audit events agree with it where events.md has observed them (13 inbound transport v4
 * discard, 28 ICMP error v4, 36/38 resource assignment, 40 listen, 44/46 receive/accept,
 * 48/50 connect). Verdicts come from the discard metadata (FWPS_DISCARD_METADATA0): the
 * general module's firewall-policy reason is a filter's decision; everything else (IPsec, the
 * network and transport modules) is the stack's own drop.
 */
#include "drvconv.h"

#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "wfpw/errors.h"
#include "wfpw/proto.h"
#include "wfpw/utf8.h"

static const char *const layers[] = {
    "INBOUND_IPPACKET_V4", "INBOUND_IPPACKET_V4_DISCARD", "INBOUND_IPPACKET_V6", "INBOUND_IPPACKET_V6_DISCARD",
    "OUTBOUND_IPPACKET_V4", "OUTBOUND_IPPACKET_V4_DISCARD", "OUTBOUND_IPPACKET_V6", "OUTBOUND_IPPACKET_V6_DISCARD",
    "IPFORWARD_V4", "IPFORWARD_V4_DISCARD", "IPFORWARD_V6", "IPFORWARD_V6_DISCARD",
    "INBOUND_TRANSPORT_V4", "INBOUND_TRANSPORT_V4_DISCARD", "INBOUND_TRANSPORT_V6", "INBOUND_TRANSPORT_V6_DISCARD",
    "OUTBOUND_TRANSPORT_V4", "OUTBOUND_TRANSPORT_V4_DISCARD", "OUTBOUND_TRANSPORT_V6", "OUTBOUND_TRANSPORT_V6_DISCARD",
    "STREAM_V4", "STREAM_V4_DISCARD", "STREAM_V6", "STREAM_V6_DISCARD",
    "DATAGRAM_DATA_V4", "DATAGRAM_DATA_V4_DISCARD", "DATAGRAM_DATA_V6", "DATAGRAM_DATA_V6_DISCARD",
    "INBOUND_ICMP_ERROR_V4", "INBOUND_ICMP_ERROR_V4_DISCARD", "INBOUND_ICMP_ERROR_V6", "INBOUND_ICMP_ERROR_V6_DISCARD",
    "OUTBOUND_ICMP_ERROR_V4", "OUTBOUND_ICMP_ERROR_V4_DISCARD", "OUTBOUND_ICMP_ERROR_V6", "OUTBOUND_ICMP_ERROR_V6_DISCARD",
    "ALE_RESOURCE_ASSIGNMENT_V4", "ALE_RESOURCE_ASSIGNMENT_V4_DISCARD", "ALE_RESOURCE_ASSIGNMENT_V6",
    "ALE_RESOURCE_ASSIGNMENT_V6_DISCARD",
    "ALE_AUTH_LISTEN_V4", "ALE_AUTH_LISTEN_V4_DISCARD", "ALE_AUTH_LISTEN_V6", "ALE_AUTH_LISTEN_V6_DISCARD",
    "ALE_AUTH_RECV_ACCEPT_V4", "ALE_AUTH_RECV_ACCEPT_V4_DISCARD", "ALE_AUTH_RECV_ACCEPT_V6",
    "ALE_AUTH_RECV_ACCEPT_V6_DISCARD",
    "ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V4_DISCARD", "ALE_AUTH_CONNECT_V6", "ALE_AUTH_CONNECT_V6_DISCARD",
};

#define FILETIME_UNIX_EPOCH 116444736000000000ull  /* 1970-01-01 in 100 ns units since 1601 */

const char *wfpw_drv_layer_name(unsigned layer_id)
{
    return layer_id < sizeof(layers) / sizeof(layers[0]) ? layers[layer_id] : NULL;
}

static int addr_text(int v6, const uint8_t *a, char *out, size_t len)
{
    if (!v6) {
        snprintf(out, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return 0;
    }
    return uv_inet_ntop(AF_INET6, a, out, len) == 0 ? 0 : WFPW_EINVAL;
}

static int is_packet_layer(unsigned id)
{
    return id < 20;  /* IP-packet, forward and transport layers */
}

static int has_remote(unsigned id)
{
    return !(id >= 36 && id <= 43);  /* resource assignment (bind) and listen have no remote end */
}

static const char *verdict(const struct wfpw_devrec *r)
{
    if (!(r->flags & WFPW_DEV_F_DISCARD))
        return "unknown";
    if (r->discard_module == WFPW_DEV_DISCARD_MODULE_GENERAL && r->discard_reason == WFPW_DEV_DISCARD_FIREWALL_POLICY)
        return (r->flags & WFPW_DEV_F_FILTER_ID) && r->filter_id ? "policy_block" : "unknown";
    return "stack_drop";
}

cJSON *wfpw_drv_to_event(const struct wfpw_devrec *r, int *packet, char *err, size_t errlen)
{
    char lip[64], rip[64], path[3 * (WFPW_DEV_PATH_MAX / 2) + 1], lname[32];
    struct wfpw_endpoint l, rem;
    struct wfpw_ev_blocked b;
    const char *layer = wfpw_drv_layer_name(r->layer_id);
    cJSON *ev;

    if (r->time < FILETIME_UNIX_EPOCH || (r->time - FILETIME_UNIX_EPOCH) / 10000 > 253402300799999ull) {
        snprintf(err, errlen, "record %llu: time %llu (FILETIME) is outside 1970..9999", (unsigned long long)r->seq,
                 (unsigned long long)r->time);
        return NULL;
    }
    if (addr_text(r->ip_version == 6, r->local_addr, lip, sizeof(lip)) != 0 ||
        addr_text(r->ip_version == 6, r->remote_addr, rip, sizeof(rip)) != 0) {
        snprintf(err, errlen, "record %llu: address cannot be rendered", (unsigned long long)r->seq);
        return NULL;
    }
    if (layer == NULL) {  /* a layer this table does not know: keep the number */
        snprintf(lname, sizeof(lname), "LAYER_ID_%u", r->layer_id);
        layer = lname;
    }
    memset(&b, 0, sizeof(b));
    l.ip = lip, l.port = r->local_port;
    rem.ip = rip, rem.port = r->remote_port;
    b.seq = 1;
    b.time_ms = b.first_seen_ms = b.last_seen_ms = (int64_t)((r->time - FILETIME_UNIX_EPOCH) / 10000);
    b.source = "callout";
    b.direction = r->direction ? "inbound" : "outbound";
    b.protocol = r->protocol;
    b.local = &l;
    b.remote = has_remote(r->layer_id) ? &rem : NULL;
    /* a process id beyond JSON's exact integers is not a Windows one: null, the event stays */
    b.pid = (r->flags & WFPW_DEV_F_PROCESS_ID) && r->process_id <= 9007199254740991ull ? (int64_t)r->process_id : -1;
    if (r->flags & WFPW_DEV_F_PATH) {
        wfpw_utf16le_to_utf8(r->path, r->path_bytes, path);
        b.path = path;
    }
    b.layer = layer;
    b.filter_id = (r->flags & WFPW_DEV_F_FILTER_ID) ? r->filter_id : 0;
    b.verdict = verdict(r);
    b.count = 1;
    if (b.filter_id > 9007199254740991ULL)
        b.filter_id = 0;
    ev = wfpw_event_blocked(&b);
    if (ev && (r->flags & WFPW_DEV_F_PATH_TRUNCATED)) {
        cJSON *proc = cJSON_GetObjectItemCaseSensitive(ev, "process");
        if (proc == NULL || !cJSON_AddTrueToObject(proc, "path_truncated")) {
            cJSON_Delete(ev);
            ev = NULL;
        }
    }
    if (ev && (r->flags & WFPW_DEV_F_LOOPBACK) && !cJSON_AddTrueToObject(ev, "loopback")) {
        cJSON_Delete(ev);
        ev = NULL;
    }
    if (ev == NULL) {
        snprintf(err, errlen, "record %llu: %s", (unsigned long long)r->seq, wfpw_strerror(WFPW_ENOMEM));
        return NULL;
    }
    *packet = is_packet_layer(r->layer_id);
    return ev;
}
