/*
 * test-drvconv.c — agent/src/sources/driver/drvconv.c: driver records become valid proto v1
 * connection_blocked events (IPv4 and IPv6, verdicts from the discard metadata, layers by
 * FWPS id, listen/bind without a remote end, packet layers flagged for aggregation, cut paths
 * marked) and UTF-16 paths become UTF-8 with lone surrogates replaced.
 */
#include "../../runner.h"
#include "drvconv.h"
#include "drvtest.h"
#include "wfpw/utf8.h"
#include "wfpw/json.h"
#include "wfpw/proto.h"

static cJSON *convert(const struct wfpw_devrec_in *in, int *packet)
{
    static uint8_t buf[WFPW_DEV_RECORD_MAX];
    struct wfpw_devrec rec;
    struct wfpw_proto_err perr;
    char err[200];
    size_t used;
    cJSON *ev;
    wfpw_devrec_encode(in, 5, buf);
    if (wfpw_devrec_parse(buf, sizeof(buf), &rec, &used) != 0)
        return NULL;
    ev = wfpw_drv_to_event(&rec, packet, err, sizeof(err));
    if (ev && wfpw_event_validate(ev, "event", &perr) != 0) {
        fprintf(stderr, "invalid: %s: %s\n", perr.field, perr.msg);
        cJSON_Delete(ev);
        return NULL;
    }
    return ev;
}

static const char *str(const cJSON *ev, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : cJSON_IsNull(v) ? "null" : "(absent)";
}

static double num(const cJSON *ev, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, a), b);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

TEST_IMPL(drvconv_events)
{
    uint8_t path[2 * WFPW_DEV_PATH_MAX];
    struct wfpw_devrec_in in;
    int packet = -1;
    cJSON *ev;

    drvtest_in(&in, path, 16, "C:\\ProgramData\\Microsoft\\Windows Defender\\MsMpEng.exe");
    ev = convert(&in, &packet);
    ASSERT(ev != NULL);
    ASSERT_EQ(packet, 0);
    ASSERT_STR_EQ(str(ev, "type", NULL), "connection_blocked");
    ASSERT_STR_EQ(str(ev, "source", NULL), "callout");
    ASSERT_STR_EQ(str(ev, "time", NULL), "2025-11-14T00:00:00.000Z");
    ASSERT_STR_EQ(str(ev, "direction", NULL), "outbound");
    ASSERT_STR_EQ(str(ev, "local", "ip"), "10.20.30.42");
    ASSERT_STR_EQ(str(ev, "remote", "ip"), "20.42.65.84");
    ASSERT(num(ev, "remote", "port") == 443);
    ASSERT_STR_EQ(str(ev, "process", "path"), "C:\\ProgramData\\M");
    ASSERT(num(ev, "process", "pid") == 3872);
    ASSERT_STR_EQ(str(ev, "layer", NULL), "ALE_AUTH_CONNECT_V4_DISCARD");
    ASSERT(num(ev, "filter", "id") == 324367);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "policy_block");
    ASSERT(cJSON_GetObjectItemCaseSensitive(ev, "loopback") == NULL);
    cJSON_Delete(ev);
    in.flags |= WFPW_DEV_F_LOOPBACK;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "loopback")));
    cJSON_Delete(ev);

    /* IPv6 receive/accept, dropped by the transport module: the stack's drop, no filter */
    drvtest_in(&in, path, 0, "x");
    in.ip_version = 6, in.direction = 1, in.layer_id = 47;
    memset(in.local_addr, 0, 16), memset(in.remote_addr, 0, 16);
    in.local_addr[0] = 0xfd, in.local_addr[15] = 0x42;
    in.remote_addr[0] = 0x20, in.remote_addr[1] = 0x01, in.remote_addr[2] = 0x0d, in.remote_addr[3] = 0xb8,
    in.remote_addr[15] = 1;
    in.flags = WFPW_DEV_F_DISCARD, in.discard_module = WFPW_DEV_DISCARD_MODULE_TRANSPORT, in.discard_reason = 3;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL);
    ASSERT_STR_EQ(str(ev, "local", "ip"), "fd00::42");
    ASSERT_STR_EQ(str(ev, "remote", "ip"), "2001:db8::1");
    ASSERT_STR_EQ(str(ev, "direction", NULL), "inbound");
    ASSERT_STR_EQ(str(ev, "layer", NULL), "ALE_AUTH_RECV_ACCEPT_V6_DISCARD");
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "stack_drop");
    ASSERT(num(ev, "filter", "id") == 0);
    ASSERT_STR_EQ(str(ev, "process", "path"), "null");
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "process"), "pid")));
    cJSON_Delete(ev);

    /* a process id no Windows process has: null, the event stays valid */
    drvtest_in(&in, path, 4, "a.exe");
    in.process_id = 0xFFFFFFFFFFFFFFF0ull;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "process"), "pid")));
    cJSON_Delete(ev);

    /* listen: no remote end; packet layer: flagged for aggregation; unknown layer: its number */
    drvtest_in(&in, path, 4, "a.exe");
    in.layer_id = 41;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL);
    ASSERT_STR_EQ(str(ev, "remote", NULL), "null");
    ASSERT_STR_EQ(str(ev, "layer", NULL), "ALE_AUTH_LISTEN_V4_DISCARD");
    cJSON_Delete(ev);
    in.layer_id = 13;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL && packet == 1);
    ASSERT_STR_EQ(str(ev, "layer", NULL), "INBOUND_TRANSPORT_V4_DISCARD");
    cJSON_Delete(ev);
    in.layer_id = 300;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL);
    ASSERT_STR_EQ(str(ev, "layer", NULL), "LAYER_ID_300");
    cJSON_Delete(ev);

    /* a cut path is marked; the IPsec reason is not a filter's decision */
    drvtest_in(&in, path, WFPW_DEV_PATH_MAX / 2 + 10, "x");
    in.discard_reason = WFPW_DEV_DISCARD_IPSEC;
    ev = convert(&in, &packet);
    ASSERT(ev != NULL);
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "process"), "path_truncated")));
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "stack_drop");
    cJSON_Delete(ev);
    return 0;
}

TEST_IMPL(drvconv_time_and_utf16)
{
    static const uint8_t u16[] = {
        'C', 0, ':', 0, 0xE9, 0x00,          /* é */
        0x34, 0xD8, 0x1E, 0xDD,              /* U+1D11E as a surrogate pair */
        0x00, 0xD8, 'x', 0,                  /* lone high surrogate, then x */
        0x00, 0x00,                          /* NUL */
        0x00, 0xDC};                         /* lone low surrogate at the end */
    char out[3 * sizeof(u16) + 1];
    uint8_t path[8];
    struct wfpw_devrec_in in;
    struct wfpw_devrec rec;
    uint8_t buf[WFPW_DEV_RECORD_MAX];
    char err[200] = "";
    size_t used;
    int packet;

    wfpw_utf16le_to_utf8(u16, sizeof(u16), out);
    ASSERT_STR_EQ(out, "C:\xC3\xA9\xF0\x9D\x84\x9E\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD");
    /* a FILETIME before 1970 is refused with the record named */
    drvtest_in(&in, path, 1, "x");
    in.time = 1000;
    wfpw_devrec_encode(&in, 77, buf);
    ASSERT_EQ(wfpw_devrec_parse(buf, sizeof(buf), &rec, &used), 0);
    ASSERT(wfpw_drv_to_event(&rec, &packet, err, sizeof(err)) == NULL);
    ASSERT(strstr(err, "record 77") != NULL);
    return 0;
}
