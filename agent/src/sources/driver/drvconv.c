/*
 * drvconv.c — see drvconv.h. Run-time layer ids are named by fwpnames.c (the FWPS_BUILTIN_LAYERS
 * order). Verdicts come from the discard metadata (FWPS_DISCARD_METADATA0): the
 * general module's firewall-policy reason is a filter's decision; everything else (IPsec, the
 * network and transport modules) is the stack's own drop.
 */
#include "drvconv.h"
#include "fwpnames.h"

#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "wfpw/errors.h"
#include "wfpw/proto.h"
#include "wfpw/utf8.h"


const char *wfpw_drv_layer_name(unsigned layer_id)
{
    return wfpw_fwps_layer_name(layer_id);
}

static int addr_text(int v6, const uint8_t *a, char *out, size_t len)
{
    if (!v6) {
        snprintf(out, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return 0;
    }
    return uv_inet_ntop(AF_INET6, a, out, len) == 0 ? 0 : WFPW_EINVAL;
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
    int64_t t;
    cJSON *ev;

    if (wfpw_filetime_ms(r->time, &t) != 0) {
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
    b.time_ms = b.first_seen_ms = b.last_seen_ms = t;
    b.source = "callout";
    b.direction = r->direction ? "inbound" : "outbound";
    b.protocol = r->protocol;
    b.local = &l;
    b.remote = wfpw_fwps_layer_has_remote(r->layer_id) ? &rem : NULL;
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
    *packet = wfpw_fwps_layer_is_packet(r->layer_id);
    return ev;
}
