/*
 * test-netevent.c — agent/src/wfp/netevent.c: the engine's FWPM_NET_EVENTn structures (built
 * here as each FwpmNetEventSubscribe version hands them over) into records and wire events:
 * IPv4 and IPv6, classify drops (v1 and v2 details), capability and MAC-layer drops, the
 * direction from the layer and from msFwpDirection, flags that leave members unset, a path
 * cut to the record's size, and malformed events named.
 */
#include <string.h>

#include "../../runner.h"
#include "fwpm_netevent.h"
#include "netevent.h"
#include "wfpw/errors.h"
#include "wfpw/proto.h"

#define FT_2026_11_20T14 (116444736000000000ull + 1795183200000ull * 10000)

static const uint16_t app16[] = {'\\', 'd', 'e', 'v', 'i', 'c', 'e', '\\', 'h', 'a', 'r', 'd', 'd', 'i', 's', 'k', 'v',
                                 'o', 'l', 'u', 'm', 'e', '3', '\\', 'm', 's', 'm', 'p', 'e', 'n', 'g', '.', 'e', 'x',
                                 'e', 0};

static void header(struct wfpw_ne_header3 *h, int v6)
{
    memset(h, 0, sizeof(*h));
    h->time.low = (uint32_t)FT_2026_11_20T14, h->time.high = (uint32_t)(FT_2026_11_20T14 >> 32);
    h->flags = WFPW_NE_F_IP_PROTOCOL | WFPW_NE_F_LOCAL_ADDR | WFPW_NE_F_REMOTE_ADDR | WFPW_NE_F_LOCAL_PORT |
               WFPW_NE_F_REMOTE_PORT | WFPW_NE_F_APP_ID | WFPW_NE_F_IP_VERSION;
    h->ip_version = (uint32_t)v6, h->ip_protocol = 6;
    if (v6) {
        static const uint8_t l[16] = {0xfd, 0, 0, 0x20, 0, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
        static const uint8_t r[16] = {0x26, 0x03, 0x10, 0x30, 0, 0x0b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0x01, 0x52};
        memcpy(h->local.v6, l, 16), memcpy(h->remote.v6, r, 16);
    } else {
        h->local.v4 = 0x0a141e2a;   /* 10.20.30.42 */
        h->remote.v4 = 0x142a4154;  /* 20.42.65.84 */
    }
    h->local_port = 50123, h->remote_port = 443;
    h->app_id.size = sizeof(app16), h->app_id.data = (uint8_t *)app16;
}

static int map_c(void *ctx, const char *nt, char *out, size_t len)
{
    (void)ctx;
    if (strncmp(nt, "\\device\\harddiskvolume3\\", 24) != 0)
        return WFPW_ENOENT;
    snprintf(out, len, "C:\\%s", nt + 24);
    return 0;
}

static const char *s_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        n = cJSON_GetObjectItemCaseSensitive(n, b);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static double n_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        n = cJSON_GetObjectItemCaseSensitive(n, b);
    return cJSON_IsNumber(n) ? n->valuedouble : -1;
}

TEST_IMPL(netevent_every_subscribe_version)
{
    struct wfpw_ne_header3 h;
    struct wfpw_ne_classify_drop1 d1;
    struct wfpw_ne_classify_drop2 d2;
    struct wfpw_netevent n;
    struct wfpw_proto_err perr;
    char err[256];
    unsigned v;
    int packet;
    cJSON *ev;

    memset(&d1, 0, sizeof(d1));
    d1.filter_id = 324367, d1.layer_id = 48, d1.ms_fwp_direction = 0x3900; /* the layer wins: connect */
    memset(&d2, 0, sizeof(d2));
    d2.filter_id = 324368, d2.layer_id = 50, d2.ms_fwp_direction = 1;

    for (v = 0; v <= 4; v++) {
        int v6 = v % 2;
        header(&h, v6);
        if (v == 0) {
            struct wfpw_ne_event1 e;
            memset(&e, 0, sizeof(e));
            memcpy(&e.header, &h, sizeof(struct wfpw_ne_header0));
            e.type = WFPW_NE_CLASSIFY_DROP, e.detail = &d1;
            ASSERT_EQ(wfpw_netevent_take(v, &e, &n, err, sizeof(err)), 0);
        } else if (v == 1) {
            struct wfpw_ne_event2 e;
            memset(&e, 0, sizeof(e));
            memcpy(&e.header, &h, sizeof(struct wfpw_ne_header0));
            e.type = WFPW_NE_CLASSIFY_DROP, e.detail = &d2;
            ASSERT_EQ(wfpw_netevent_take(v, &e, &n, err, sizeof(err)), 0);
        } else {
            struct wfpw_ne_event3 e;
            memset(&e, 0, sizeof(e));
            e.header = h;
            e.type = WFPW_NE_CLASSIFY_DROP, e.detail = &d2;
            ASSERT_EQ(wfpw_netevent_take(v, &e, &n, err, sizeof(err)), 0);
        }
        ev = wfpw_netevent_event(&n, map_c, NULL, &packet, err, sizeof(err));
        ASSERT(ev != NULL);
        ASSERT_EQ(wfpw_event_validate(ev, "event", &perr), 0);
        ASSERT_EQ(packet, 0);
        ASSERT_STR_EQ(s_at(ev, "source", NULL), "netevent");
        ASSERT_STR_EQ(s_at(ev, "time", NULL), "2026-11-20T14:00:00.000Z");
        ASSERT_STR_EQ(s_at(ev, "direction", NULL), "outbound");
        ASSERT_STR_EQ(s_at(ev, "verdict", NULL), "policy_block");
        ASSERT_STR_EQ(s_at(ev, "process", "path"), "C:\\msmpeng.exe");
        ASSERT(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "process"), "pid")));
        ASSERT_EQ(n_at(ev, "protocol", NULL), 6);
        if (v6) {
            ASSERT_STR_EQ(s_at(ev, "layer", NULL), "ALE_AUTH_CONNECT_V6");
            ASSERT_EQ(n_at(ev, "filter", "id"), 324368);
            ASSERT_STR_EQ(s_at(ev, "local", "ip"), "fd00:20:30::42");
            ASSERT_STR_EQ(s_at(ev, "remote", "ip"), "2603:1030:b:3::152");
        } else {
            ASSERT_STR_EQ(s_at(ev, "layer", NULL), v == 0 ? "ALE_AUTH_CONNECT_V4" : "ALE_AUTH_CONNECT_V6");
            ASSERT_STR_EQ(s_at(ev, "local", "ip"), "10.20.30.42");
            ASSERT_STR_EQ(s_at(ev, "remote", "ip"), "20.42.65.84");
            ASSERT_EQ(n_at(ev, "remote", "port"), 443);
            ASSERT_EQ(n_at(ev, "local", "port"), 50123);
        }
        cJSON_Delete(ev);
    }
    return 0;
}

TEST_IMPL(netevent_other_drops_and_errors)
{
    struct wfpw_ne_event3 e;
    struct wfpw_ne_capability_drop0 cap;
    struct wfpw_ne_classify_drop_mac0 mac;
    struct wfpw_ne_classify_drop2 d2;
    struct wfpw_netevent n;
    struct wfpw_proto_err perr;
    char err[256];
    int packet;
    cJSON *ev;
    uint16_t longpath[2000];
    size_t i;

    /* capability drop: an app container without the capability; no layer, direction unknown */
    memset(&e, 0, sizeof(e));
    header(&e.header, 0);
    memset(&cap, 0, sizeof(cap));
    cap.filter_id = 77, cap.is_loopback = 1;
    e.type = WFPW_NE_CAPABILITY_DROP, e.detail = &cap;
    ASSERT_EQ(wfpw_netevent_take(4, &e, &n, err, sizeof(err)), 0);
    ev = wfpw_netevent_event(&n, NULL, NULL, &packet, err, sizeof(err));
    ASSERT(ev != NULL && wfpw_event_validate(ev, "event", &perr) == 0);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItem(ev, "layer")));
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(ev, "loopback")));
    ASSERT_STR_EQ(s_at(ev, "process", "path"), "\\device\\harddiskvolume3\\msmpeng.exe");  /* no map: kept */
    cJSON_Delete(ev);

    /* MAC-layer drop at an inbound transport discard layer: packet level, inbound */
    memset(&mac, 0, sizeof(mac));
    mac.filter_id = 5, mac.layer_id = 13, mac.ms_fwp_direction = 0x3901;
    e.type = WFPW_NE_CLASSIFY_DROP_MAC, e.detail = &mac;
    ASSERT_EQ(wfpw_netevent_take(3, &e, &n, err, sizeof(err)), 0);
    ev = wfpw_netevent_event(&n, NULL, NULL, &packet, err, sizeof(err));
    ASSERT(ev != NULL && wfpw_event_validate(ev, "event", &perr) == 0);
    ASSERT_EQ(packet, 1);
    ASSERT_STR_EQ(s_at(ev, "direction", NULL), "inbound");
    ASSERT_STR_EQ(s_at(ev, "layer", NULL), "INBOUND_TRANSPORT_V4_DISCARD");
    cJSON_Delete(ev);

    /* a layer without a direction of its own: msFwpDirection decides (0x3901 out) */
    memset(&d2, 0, sizeof(d2));
    d2.layer_id = 8, d2.ms_fwp_direction = 0x3901;  /* IPFORWARD_V4 */
    e.type = WFPW_NE_CLASSIFY_DROP, e.detail = &d2;
    ASSERT_EQ(wfpw_netevent_take(2, &e, &n, err, sizeof(err)), 0);
    ASSERT_EQ(n.inbound, 0);
    /* no filter: the verdict is unknown, not a policy block */
    ev = wfpw_netevent_event(&n, NULL, NULL, &packet, err, sizeof(err));
    ASSERT_STR_EQ(s_at(ev, "verdict", NULL), "unknown");
    cJSON_Delete(ev);

    /* members the flags do not announce stay unknown */
    e.header.flags = WFPW_NE_F_IP_VERSION;
    ASSERT_EQ(wfpw_netevent_take(2, &e, &n, err, sizeof(err)), 0);
    ev = wfpw_netevent_event(&n, NULL, NULL, &packet, err, sizeof(err));
    ASSERT(ev != NULL && wfpw_event_validate(ev, "event", &perr) == 0);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItem(ev, "local")) && cJSON_IsNull(cJSON_GetObjectItem(ev, "protocol")));
    cJSON_Delete(ev);

    /* a path longer than the record holds is cut and marked */
    header(&e.header, 0);
    for (i = 0; i < 1999; i++)
        longpath[i] = 'a';
    longpath[1999] = 0;
    e.header.app_id.size = sizeof(longpath), e.header.app_id.data = (uint8_t *)longpath;
    ASSERT_EQ(wfpw_netevent_take(2, &e, &n, err, sizeof(err)), 0);
    ASSERT(n.path_truncated);
    ev = wfpw_netevent_event(&n, NULL, NULL, &packet, err, sizeof(err));
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "process"), "path_truncated")));
    cJSON_Delete(ev);

    /* types we do not take, and malformed events */
    e.type = 6; /* classify allow */
    ASSERT_EQ(wfpw_netevent_take(4, &e, &n, err, sizeof(err)), 1);
    e.type = WFPW_NE_CLASSIFY_DROP, e.detail = NULL;
    ASSERT_EQ(wfpw_netevent_take(4, &e, &n, err, sizeof(err)), WFPW_EPROTO);
    ASSERT(strstr(err, "without its details") != NULL);
    e.detail = &d2;
    e.header.time.high = 0, e.header.time.low = 5;
    ASSERT_EQ(wfpw_netevent_take(4, &e, &n, err, sizeof(err)), WFPW_EPROTO);
    ASSERT(strstr(err, "outside 1970..9999") != NULL);
    header(&e.header, 0);
    e.header.ip_version = 7;
    ASSERT_EQ(wfpw_netevent_take(4, &e, &n, err, sizeof(err)), WFPW_EPROTO);
    header(&e.header, 0);
    e.header.app_id.data = NULL;
    ASSERT_EQ(wfpw_netevent_take(4, &e, &n, err, sizeof(err)), WFPW_EPROTO);
    ASSERT_EQ(wfpw_netevent_take(5, &e, &n, err, sizeof(err)), WFPW_EINVAL);
    return 0;
}
