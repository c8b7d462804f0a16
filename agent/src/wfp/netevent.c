/*
 * netevent.c — net events into records and connection_blocked events (see netevent.h).
 * Direction comes from the run-time layer where the layer says it (connect, outbound: out;
 * receive/accept, listen, bind, inbound: in), else from msFwpDirection, whose values are
 * taken as FWP_DIRECTION (0 out, 1 in) or the MS_FWP_DIRECTION_IN/OUT pair 0x3900/0x3901
 * netsh prints; which of the two a given Windows build sends is to be confirmed on a real
 * host (docs/verification.md).
 */
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "fwpm_netevent.h"
#include "fwpnames.h"
#include "netevent.h"
#include "wfpw/errors.h"
#include "wfpw/proto.h"
#include "wfpw/utf8.h"

static int direction_of(int layer_id, uint32_t ms_dir)
{
    const char *l = layer_id >= 0 ? wfpw_fwps_layer_name((unsigned)layer_id) : NULL;
    if (l) {
        if (strstr(l, "CONNECT") || strncmp(l, "OUTBOUND", 8) == 0)
            return 0;
        if (strstr(l, "RECV_ACCEPT") || strstr(l, "LISTEN") || strstr(l, "RESOURCE_ASSIGNMENT") ||
            strncmp(l, "INBOUND", 7) == 0)
            return 1;
    }
    switch (ms_dir) {
    case 0: case 0x3901: return 0;
    case 1: case 0x3900: return 1;
    default: return -1;
    }
}

static int take_header(const struct wfpw_ne_header0 *h, struct wfpw_netevent *n, char *err, size_t errlen)
{
    uint64_t ft = (uint64_t)h->time.high << 32 | h->time.low;
    memset(n, 0, sizeof(*n));
    n->protocol = n->local_port = n->remote_port = n->layer_id = n->inbound = -1;
    if (wfpw_filetime_ms(ft, &n->time_ms) != 0) {
        snprintf(err, errlen, "net event time %llu (FILETIME) is outside 1970..9999", (unsigned long long)ft);
        return WFPW_EPROTO;
    }
    if (h->flags & WFPW_NE_F_IP_VERSION) {
        if (h->ip_version > 1) {
            snprintf(err, errlen, "net event ipVersion %lu is neither v4 nor v6", (unsigned long)h->ip_version);
            return WFPW_EPROTO;
        }
        n->ip_version = h->ip_version ? 6 : 4;
        if (h->flags & WFPW_NE_F_LOCAL_ADDR) {
            if (n->ip_version == 4)
                snprintf(n->local_ip, sizeof(n->local_ip), "%u.%u.%u.%u", h->local.v4 >> 24, h->local.v4 >> 16 & 255,
                         h->local.v4 >> 8 & 255, h->local.v4 & 255);
            else
                uv_inet_ntop(AF_INET6, h->local.v6, n->local_ip, sizeof(n->local_ip));
        }
        if (h->flags & WFPW_NE_F_REMOTE_ADDR) {
            if (n->ip_version == 4)
                snprintf(n->remote_ip, sizeof(n->remote_ip), "%u.%u.%u.%u", h->remote.v4 >> 24,
                         h->remote.v4 >> 16 & 255, h->remote.v4 >> 8 & 255, h->remote.v4 & 255);
            else
                uv_inet_ntop(AF_INET6, h->remote.v6, n->remote_ip, sizeof(n->remote_ip));
        }
    }
    if (h->flags & WFPW_NE_F_IP_PROTOCOL)
        n->protocol = h->ip_protocol;
    if (h->flags & WFPW_NE_F_LOCAL_PORT)
        n->local_port = h->local_port;
    if (h->flags & WFPW_NE_F_REMOTE_PORT)
        n->remote_port = h->remote_port;
    if ((h->flags & WFPW_NE_F_APP_ID) && h->app_id.size >= 2) {
        /* at most what fits: 3 UTF-8 bytes per UTF-16 unit */
        size_t units = h->app_id.size / 2, room = (sizeof(n->path) - 1) / 3;
        if (h->app_id.data == NULL) {
            snprintf(err, errlen, "net event appId of %lu bytes without data", (unsigned long)h->app_id.size);
            return WFPW_EPROTO;
        }
        if (units && h->app_id.data[2 * units - 1] == 0 && h->app_id.data[2 * units - 2] == 0)
            units--;  /* its NUL */
        if (units > room)
            units = room, n->path_truncated = 1;
        wfpw_utf16le_to_utf8(h->app_id.data, units * 2, n->path);
    }
    return 0;
}

static int take_drop(uint32_t type, const void *detail, int version2, struct wfpw_netevent *n, char *err,
                     size_t errlen)
{
    n->type = type;
    if (detail == NULL) {
        snprintf(err, errlen, "net event of type %lu without its details", (unsigned long)type);
        return WFPW_EPROTO;
    }
    switch (type) {
    case WFPW_NE_CLASSIFY_DROP:
        if (version2) {
            const struct wfpw_ne_classify_drop2 *d = detail;
            n->filter_id = d->filter_id, n->layer_id = d->layer_id, n->loopback = d->is_loopback != 0;
            n->inbound = direction_of(d->layer_id, d->ms_fwp_direction);
        } else {
            const struct wfpw_ne_classify_drop1 *d = detail;
            n->filter_id = d->filter_id, n->layer_id = d->layer_id, n->loopback = d->is_loopback != 0;
            n->inbound = direction_of(d->layer_id, d->ms_fwp_direction);
        }
        return 0;
    case WFPW_NE_CAPABILITY_DROP: {
        const struct wfpw_ne_capability_drop0 *d = detail;
        n->filter_id = d->filter_id, n->loopback = d->is_loopback != 0;
        return 0;
    }
    case WFPW_NE_CLASSIFY_DROP_MAC: {
        const struct wfpw_ne_classify_drop_mac0 *d = detail;
        n->filter_id = d->filter_id, n->layer_id = d->layer_id, n->loopback = d->is_loopback != 0;
        n->inbound = direction_of(d->layer_id, d->ms_fwp_direction);
        return 0;
    }
    default:
        return 1;
    }
}

int wfpw_netevent_take(unsigned version, const void *event, struct wfpw_netevent *n, char *err, size_t errlen)
{
    int rc;
    switch (version) {
    case 0: {
        const struct wfpw_ne_event1 *e = event;
        if (e->type != WFPW_NE_CLASSIFY_DROP)  /* version 1 events know no other drop */
            return 1;
        if ((rc = take_header((const struct wfpw_ne_header0 *)&e->header, n, err, errlen)) != 0)
            return rc;
        return take_drop(e->type, e->detail, 0, n, err, errlen);
    }
    case 1: {
        const struct wfpw_ne_event2 *e = event;
        if (e->type != WFPW_NE_CLASSIFY_DROP && e->type != WFPW_NE_CAPABILITY_DROP && e->type != WFPW_NE_CLASSIFY_DROP_MAC)
            return 1;
        if ((rc = take_header((const struct wfpw_ne_header0 *)&e->header, n, err, errlen)) != 0)
            return rc;
        return take_drop(e->type, e->detail, 1, n, err, errlen);
    }
    case 2: case 3: case 4: {
        const struct wfpw_ne_event3 *e = event;
        if (e->type != WFPW_NE_CLASSIFY_DROP && e->type != WFPW_NE_CAPABILITY_DROP && e->type != WFPW_NE_CLASSIFY_DROP_MAC)
            return 1;
        if ((rc = take_header((const struct wfpw_ne_header0 *)&e->header, n, err, errlen)) != 0)
            return rc;
        return take_drop(e->type, e->detail, 1, n, err, errlen);
    }
    default:
        snprintf(err, errlen, "net event subscribe version %u is not 0..4", version);
        return WFPW_EINVAL;
    }
}

cJSON *wfpw_netevent_event(const struct wfpw_netevent *n, int (*map)(void *ctx, const char *nt, char *out, size_t len),
                           void *ctx, int *packet, char *err, size_t errlen)
{
    struct wfpw_ev_blocked b;
    struct wfpw_endpoint l, r;
    char path[WFPW_NETEVENT_PATH_MAX + 64], lname[32];
    const char *layer = n->layer_id >= 0 ? wfpw_fwps_layer_name((unsigned)n->layer_id) : NULL;
    cJSON *ev;

    memset(&b, 0, sizeof(b));
    b.seq = 1, b.count = 1, b.source = "netevent";
    b.time_ms = b.first_seen_ms = b.last_seen_ms = n->time_ms;
    /* listen and bind drops carry no direction and are inbound, as for audit events */
    b.direction = n->inbound == 0 ? "outbound" : "inbound";
    b.protocol = n->protocol;
    if (n->local_ip[0]) {
        l.ip = n->local_ip, l.port = n->local_port >= 0 ? (uint32_t)n->local_port : 0;
        b.local = &l;
    }
    if (n->remote_ip[0] && (n->layer_id < 0 || wfpw_fwps_layer_has_remote((unsigned)n->layer_id))) {
        r.ip = n->remote_ip, r.port = n->remote_port >= 0 ? (uint32_t)n->remote_port : 0;
        b.remote = &r;
    }
    b.pid = -1;  /* net events name the application, not the process */
    if (n->path[0]) {
        if (map == NULL || map(ctx, n->path, path, sizeof(path)) != 0)
            snprintf(path, sizeof(path), "%s", n->path);
        b.path = path;
    }
    if (layer == NULL && n->layer_id >= 0) {
        snprintf(lname, sizeof(lname), "LAYER_ID_%d", n->layer_id);
        layer = lname;
    }
    b.layer = layer;
    b.filter_id = n->filter_id <= 9007199254740991ull ? n->filter_id : 0;
    b.verdict = b.filter_id ? "policy_block" : "unknown";
    *packet = n->layer_id >= 0 && wfpw_fwps_layer_is_packet((unsigned)n->layer_id);
    if ((ev = wfpw_event_blocked(&b)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if ((n->path_truncated && !cJSON_AddTrueToObject(cJSON_GetObjectItemCaseSensitive(ev, "process"), "path_truncated")) ||
        (n->loopback && !cJSON_AddTrueToObject(ev, "loopback"))) {
        cJSON_Delete(ev);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    {
        struct wfpw_proto_err perr;
        if (wfpw_event_validate(ev, "event", &perr) != 0) {
            snprintf(err, errlen, "net event cannot be sent: %s: %s", perr.field, perr.msg);
            cJSON_Delete(ev);
            return NULL;
        }
    }
    return ev;
}
