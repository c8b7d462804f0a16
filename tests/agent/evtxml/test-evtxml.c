/*
 * test-evtxml.c — agent/src/evtxml/evtxml.c on our own rendered events (tests/data/events,
 * written by make-events.py): 5157 v1 (ProcessID), 5152 v0 packet drops (ProcessId 0 / "-"),
 * IPv6 and loopback connections, 5155 listen, 5159 bind, 5031, the <Events> wrapper and bare
 * sibling <Event>s, permitted events skipped with a reason, local versus remote by direction,
 * and malformed input named by line. conformance_*: the real samples in ../shared/samples/events.
 */
#include "../../runner.h"
#include "evtxml.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

struct out {
    cJSON *ev[32];
    int n, skipped, packet;
};

static int keep(void *ctx, struct wfpw_evtxml_event *e)
{
    struct out *o = ctx;
    if (e->ev == NULL) {
        o->skipped++;
        return 0;
    }
    o->packet += e->packet_level;
    o->ev[o->n++] = e->ev;
    return 0;
}

static int parse_file(const char *path, struct out *o, char *err)
{
    size_t len;
    char *data = wfpw_test_read(path, &len);
    struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, keep, o);
    int rc = data && p ? wfpw_evtxml_feed(p, data, len, 1, err, 256) : -100;
    wfpw_free(data);
    wfpw_evtxml_free(p);
    return rc;
}

static void drop(struct out *o)
{
    int i;
    for (i = 0; i < o->n; i++)
        cJSON_Delete(o->ev[i]);
    memset(o, 0, sizeof(*o));
}

static const char *s2(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double n2(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

#define SYNC "\\device\\harddiskvolume2\\program files\\contoso\\sync\\contososync.exe"

TEST_IMPL(evtxml_samples)
{
    struct out o;
    char err[256] = "";
    memset(&o, 0, sizeof(o));
    /* 5157 v1: inbound ICMP at Receive/Accept, System (pid 4); the fraction is cut, not rounded */
    ASSERT(parse_file(wfpw_test_data("events/5157-v1-inbound-icmp.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 1);
    ASSERT_STR_EQ(s2(o.ev[0], "direction", NULL), "inbound");
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "ALE_AUTH_RECV_ACCEPT_V4");
    ASSERT_STR_EQ(s2(o.ev[0], "remote", "ip"), "198.51.100.23");   /* Source is the remote initiator */
    ASSERT_EQ(n2(o.ev[0], "remote", "port"), 8);                   /* ICMP type in the port field */
    ASSERT_STR_EQ(s2(o.ev[0], "local", "ip"), "192.0.2.10");
    ASSERT_EQ(n2(o.ev[0], "process", "pid"), 4);
    ASSERT_STR_EQ(s2(o.ev[0], "process", "path"), "System");
    ASSERT_EQ(n2(o.ev[0], "filter", "id"), 88777);
    ASSERT_EQ(n2(o.ev[0], "origin", "event_id"), 5157);
    ASSERT_EQ(n2(o.ev[0], "origin", "record_id"), 5520173);
    ASSERT_STR_EQ(s2(o.ev[0], "time", NULL), "2026-11-20T14:05:11.482Z");
    ASSERT_EQ(o.packet, 0);
    drop(&o);
    /* 5152 v0 x2 (<Events> wrapper): packet level; no process for pid 0 / "-" */
    ASSERT(parse_file(wfpw_test_data("events/5152-v0-packet-drops.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 2);
    ASSERT_EQ(o.packet, 2);
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "INBOUND_TRANSPORT_V4");
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o.ev[0], "process"), "pid")));
    ASSERT_EQ(n2(o.ev[0], "local", "port"), 3389);
    ASSERT_STR_EQ(s2(o.ev[1], "layer", NULL), "ALE_AUTH_RECV_ACCEPT_V4");
    ASSERT_EQ(n2(o.ev[1], "process", "pid"), 4);
    drop(&o);
    /* two bare sibling <Event>s: an outbound IPv6 connect; inbound loopback, local is the source */
    ASSERT(parse_file(wfpw_test_data("events/5157-v1-ipv6-and-loopback.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 2);
    ASSERT_STR_EQ(s2(o.ev[0], "direction", NULL), "outbound");
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "ALE_AUTH_CONNECT_V6");
    ASSERT_STR_EQ(s2(o.ev[0], "local", "ip"), "2001:db8:42::17");
    ASSERT_STR_EQ(s2(o.ev[0], "remote", "ip"), "2001:db8:7::443");
    ASSERT_EQ(n2(o.ev[0], "remote", "port"), 443);
    ASSERT_STR_EQ(s2(o.ev[0], "process", "path"), SYNC);
    ASSERT_EQ(n2(o.ev[0], "process", "pid"), 6120);
    ASSERT_STR_EQ(s2(o.ev[1], "direction", NULL), "inbound");
    ASSERT_EQ(n2(o.ev[1], "local", "port"), 49822);
    ASSERT_EQ(n2(o.ev[1], "remote", "port"), 5985);
    ASSERT_STR_EQ(s2(o.ev[1], "layer", NULL), "ALE_AUTH_RECV_ACCEPT_V4");
    drop(&o);
    /* 5155 listen and 5159 bind: local only, reported inbound; 5031: no endpoints */
    ASSERT(parse_file(wfpw_test_data("events/5155-v0-listen-blocked.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 1);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o.ev[0], "remote")));
    ASSERT_STR_EQ(s2(o.ev[0], "direction", NULL), "inbound");
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "ALE_AUTH_LISTEN_V4");
    ASSERT_EQ(n2(o.ev[0], "local", "port"), 22000);
    drop(&o);
    ASSERT(parse_file(wfpw_test_data("events/5159-v0-bind-blocked.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 1);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o.ev[0], "remote")));
    ASSERT_STR_EQ(s2(o.ev[0], "local", "ip"), "::");
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "ALE_RESOURCE_ASSIGNMENT_V6");
    drop(&o);
    ASSERT(parse_file(wfpw_test_data("events/5031-v0-app-blocked.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 1);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o.ev[0], "local")));
    ASSERT_STR_EQ(s2(o.ev[0], "process", "path"), "C:\\Users\\jdoe\\Downloads\\tools\\listener.exe");
    drop(&o);
    /* permitted listen, connections and bind, and policy changes: not converted, counted */
    ASSERT(parse_file(wfpw_test_data("events/515x-permitted.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 0);
    ASSERT_EQ(o.skipped, 4);
    drop(&o);
    ASSERT(parse_file(wfpw_test_data("events/5447-v0-changes.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 0);
    ASSERT_EQ(o.skipped, 4);
    drop(&o);
    return 0;
}

TEST_IMPL(evtxml_rejects_malformed)
{
    static const char *const bad[][2] = {
        {"<Event><System><EventID>5157</EventID></System>", "ends inside an <Event>"},
        {"<Event><System><EventID>x</EventID></System></Event>", "<EventID> missing"},
        {"<Event><System><EventID>5157</EventID><TimeCreated SystemTime='2020-01-01T00:00:00.1Z'/></System>"
         "<EventData><Data Name='Direction'>%%1</Data></EventData></Event>", "Direction"},
        {"<Event><System><EventID>5157</EventID><TimeCreated SystemTime='yesterday'/></System></Event>", "not a UTC time"},
        {"<Event><System><EventID>5157</Event>", "mismatched tag"},
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct out o;
        char err[256] = "";
        struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, keep, &o);
        memset(&o, 0, sizeof(o));
        if (wfpw_evtxml_feed(p, bad[i][0], strlen(bad[i][0]), 1, err, sizeof(err)) == 0 || strstr(err, bad[i][1]) == NULL ||
            strncmp(err, "line ", 5) != 0) {
            fprintf(stderr, "case %zu: \"%s\"\n", i, err);
            ASSERT(0);
        }
        wfpw_evtxml_free(p);
        drop(&o);
    }
    return 0;
}

/* ---- conformance: the real samples in ../shared/samples/events --------------------------- */

TEST_IMPL(conformance_evtxml_real_samples)
{
    struct out o;
    char err[256] = "";
    memset(&o, 0, sizeof(o));
    /* 5157 v1: inbound ICMP at Receive/Accept, System (pid 4) */
    ASSERT(parse_file(wfpw_test_shared("samples/events/5157-evtx-rs-samples.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 1);
    ASSERT_STR_EQ(s2(o.ev[0], "direction", NULL), "inbound");
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "ALE_AUTH_RECV_ACCEPT_V4");
    ASSERT_STR_EQ(s2(o.ev[0], "remote", "ip"), "169.46.6.101");   /* Source is the remote initiator */
    ASSERT_STR_EQ(s2(o.ev[0], "local", "ip"), "169.46.118.42");
    ASSERT_EQ(n2(o.ev[0], "process", "pid"), 4);
    ASSERT_STR_EQ(s2(o.ev[0], "process", "path"), "System");
    ASSERT_EQ(n2(o.ev[0], "filter", "id"), 67249);
    ASSERT_EQ(n2(o.ev[0], "origin", "event_id"), 5157);
    ASSERT_EQ(n2(o.ev[0], "origin", "record_id"), 319457856);
    ASSERT_STR_EQ(s2(o.ev[0], "time", NULL), "2016-06-29T15:24:57.090Z");
    ASSERT_EQ(o.packet, 0);
    drop(&o);
    /* 5152 v0 x2 (<Events> wrapper): packet level; no process for pid 0 / "-" */
    ASSERT(parse_file(wfpw_test_shared("samples/events/5152-evtx-rs-samples.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 2);
    ASSERT_EQ(o.packet, 2);
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "INBOUND_TRANSPORT_V4");
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o.ev[0], "process"), "pid")));
    ASSERT_EQ(n2(o.ev[0], "local", "port"), 3389);
    drop(&o);
    /* 5159 bind: local only, reported inbound; 5031: no endpoints */
    ASSERT(parse_file(wfpw_test_shared("samples/events/5159-windows-itpro-docs.xml"), &o, err) == 0);
    ASSERT(o.n >= 1);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o.ev[0], "remote")));
    ASSERT_STR_EQ(s2(o.ev[0], "layer", NULL), "ALE_RESOURCE_ASSIGNMENT_V4");
    drop(&o);
    ASSERT(parse_file(wfpw_test_shared("samples/events/5031-windows-itpro-docs.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 1);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o.ev[0], "local")));
    drop(&o);
    /* permitted connections and policy changes: not converted, counted */
    ASSERT(parse_file(wfpw_test_shared("samples/events/5156-EVTX-ATTACK-SAMPLES.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 0);
    ASSERT(o.skipped >= 1);
    drop(&o);
    ASSERT(parse_file(wfpw_test_shared("samples/events/5447-EVTX-to-MITRE-Attack.xml"), &o, err) == 0);
    ASSERT_EQ(o.n, 0);
    drop(&o);
    return 0;
}
