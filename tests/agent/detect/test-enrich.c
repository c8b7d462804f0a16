/*
 * test-enrich.c — agent/src/detect/enrich.c: joining blocked connections to the inventory
 * (our own dump of an ordinary host and the constructed EDRSilencer dump), every verdict, the
 * layer check that guards against reused run-time ids, and the block-burst detector.
 * conformance_*: the verdicts on Windows' own filters in the real dump of ../shared.
 */
#include "../../runner.h"
#include "inv-helpers.h"
#include "enrich.h"
#include "netsh.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define MSMPENG "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"

static cJSON *blocked(uint64_t filter_id, const char *layer)
{
    struct wfpw_endpoint local = {"10.0.0.5", 50000}, remote = {"20.42.65.92", 443};
    struct wfpw_ev_blocked ev;
    memset(&ev, 0, sizeof(ev));
    ev.seq = 1, ev.time_ms = 1763781380000LL, ev.source = "callout", ev.direction = "outbound", ev.protocol = 6;
    ev.local = &local, ev.remote = &remote, ev.pid = 3872, ev.path = MSMPENG, ev.layer = layer;
    ev.filter_id = filter_id, ev.verdict = "unknown", ev.count = 1;
    ev.first_seen_ms = ev.last_seen_ms = ev.time_ms;
    return wfpw_event_blocked(&ev);
}

static const char *str(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Windows' catch-all filters are default_block, its service-hardening block of one program
 * (named wsh_block) is a policy block; the event names the Windows provider by its key. */
static void check_windows_verdicts(const struct wfpw_inventory *inv, const char *wsh_block)
{
    const struct wfpw_filter *f;
    cJSON *ev;
    f = test_filter_by_name(inv, "WSH Default Outbound Block");
    ASSERT(f != NULL);
    ev = blocked(f->id, f->layer);
    ASSERT(wfpw_enrich_blocked(ev, inv) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "default_block");
    ASSERT_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(ev, "filter"), "provider", "key"), "{4b153735-1049-4480-aab4-d1b9bdc03710}");
    cJSON_Delete(ev);
    f = test_filter_by_name(inv, "Default Outbound");
    ASSERT(f != NULL);
    ev = blocked(f->id, f->layer);
    ASSERT(wfpw_enrich_blocked(ev, inv) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "default_block");
    cJSON_Delete(ev);
    f = test_filter_by_name(inv, wsh_block);
    ASSERT(f != NULL);
    ev = blocked(f->id, f->layer);
    ASSERT(wfpw_enrich_blocked(ev, inv) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "policy_block");
    cJSON_Delete(ev);
}

static void read_indexed(const char *path, struct wfpw_inventory *inv)
{
    char err[256];
    wfpw_inventory_init(inv);
    ASSERT(wfpw_netsh_read_file(path, inv, err, sizeof(err)) == 0);
    ASSERT(wfpw_inventory_index(inv) == 0);
}

TEST_IMPL(enrich_blocked_connections)
{
    struct wfpw_inventory v14, host;
    struct wfpw_proto_err perr;
    const struct wfpw_filter *f;
    cJSON *ev;
    read_indexed(wfpw_test_data("netsh/edrsilencer-v14.xml"), &v14);
    read_indexed(wfpw_test_data("netsh/host-filters.xml"), &host);

    /* the silencer's V4 filter: key, name, provider, policy_block; still a valid event */
    ev = blocked(324367, "ALE_AUTH_CONNECT_V4");
    ASSERT(wfpw_enrich_blocked(ev, &v14) == 0);
    ASSERT_STR_EQ(str(ev, "filter", "key"), "{5d1e8a33-7c2b-4f0e-9a61-2b8c4d7e9f10}");
    ASSERT_STR_EQ(str(ev, "filter", "name"), "Custom Outbound Filter");
    ASSERT_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(ev, "filter"), "provider", "name"), "Microsoft Corporation");
    ASSERT_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(ev, "filter"), "provider", "key"), "{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}");
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "policy_block");
    memset(&perr, 0, sizeof(perr));
    if (wfpw_event_validate(ev, "event", &perr) != 0)
        fprintf(stderr, "%s: %s\n", perr.field, perr.msg);
    ASSERT(wfpw_event_validate(ev, "event", &perr) == 0);
    cJSON_Delete(ev);

    /* a provider key that is no GUID never reaches the wire as a key (the event stays valid) */
    v14.filters[0].provider_key = "{not-a-guid}";
    ev = blocked(324367, "ALE_AUTH_CONNECT_V4");
    ASSERT(wfpw_enrich_blocked(ev, &v14) == 0);
    ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "filter"), "provider"), "key")));
    ASSERT(wfpw_event_validate(ev, "event", &perr) == 0);
    cJSON_Delete(ev);

    /* the driver reports discard layers: they agree with the filter's layer */
    ev = blocked(324368, "ALE_AUTH_CONNECT_V6_DISCARD");
    ASSERT(wfpw_enrich_blocked(ev, &v14) == 0);
    ASSERT_STR_EQ(str(ev, "filter", "key"), "{9b0c6e21-3a4d-4e5f-8b7c-1d2e3f4a5b6c}");
    cJSON_Delete(ev);

    /* the same id at another layer: a reused id, not this filter */
    ev = blocked(324367, "ALE_AUTH_RECV_ACCEPT_V4");
    ASSERT(wfpw_enrich_blocked(ev, &v14) == 0);
    ASSERT(str(ev, "filter", "key") == NULL);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "unknown");
    cJSON_Delete(ev);

    /* no filter decided / an id the inventory does not have */
    ev = blocked(0, "ALE_AUTH_CONNECT_V4");
    ASSERT(wfpw_enrich_blocked(ev, &v14) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "stack_drop");
    cJSON_Delete(ev);
    ev = blocked(99999999, "ALE_AUTH_CONNECT_V4");
    ASSERT(wfpw_enrich_blocked(ev, &v14) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "unknown");
    cJSON_Delete(ev);

    /* Windows' own filters; the quarantine catch-all too, and a boot-time twin by name */
    check_windows_verdicts(&host, "Block all outbound traffic from PrintFilterPipelineSvc");
    f = test_filter_by_name(&host, "Quarantine Default Inbound Block");
    ASSERT(f != NULL);
    ev = blocked(f->id, f->layer);
    ASSERT(wfpw_enrich_blocked(ev, &host) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "default_block");
    cJSON_Delete(ev);
    /* a third-party filter: the provider is named, no Windows key is invented */
    f = test_filter_by_name(&host, "Northwind VPN DNS redirect");
    ASSERT(f != NULL);
    ev = blocked(f->id, f->layer);
    ASSERT(wfpw_enrich_blocked(ev, &host) == 0);
    ASSERT_STR_EQ(str(ev, "verdict", NULL), "policy_block");
    ASSERT_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(ev, "filter"), "provider", "name"), "Northwind Traders");
    ASSERT(wfpw_event_validate(ev, "event", &perr) == 0);
    cJSON_Delete(ev);

    /* not a connection_blocked event */
    ev = wfpw_event_agent_status(1, 1763781380000LL, "started", "x");
    ASSERT(wfpw_enrich_blocked(ev, &host) == WFPW_EINVAL);
    cJSON_Delete(ev);
    wfpw_inventory_free(&v14);
    wfpw_inventory_free(&host);
    return 0;
}

/* The same verdicts on Windows' filters of the real dump (a 990-filter host's excerpt). */
TEST_IMPL(conformance_enrich_real_dump)
{
    struct wfpw_inventory real;
    read_indexed(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_filters.excerpt.xml"), &real);
    check_windows_verdicts(&real, "Block all outbound traffic from SearchFilterHost");
    wfpw_inventory_free(&real);
    return 0;
}

TEST_IMPL(burst_of_security_product_blocks)
{
    struct wfpw_burst *b = wfpw_burst_new(4, 5, 60000);
    struct wfpw_proto_err perr;
    int64_t t = 1763781380000LL;
    cJSON *alert;
    int i, fired = 0;
    ASSERT(b != NULL);
    for (i = 0; i < 4; i++)
        ASSERT_EQ(wfpw_burst_add(b, MSMPENG, t + i * 1000, NULL, 0), 0);
    ASSERT_EQ(wfpw_burst_add(b, MSMPENG, t + 4000, NULL, 0), 1);          /* the 5th within a minute */
    ASSERT_EQ(wfpw_burst_add(b, MSMPENG, t + 5000, NULL, 0), 0);          /* once per window */
    for (i = 0; i < 20; i++)                                             /* an ordinary program: never */
        fired += wfpw_burst_add(b, "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", t + i, NULL, 0);
    ASSERT_EQ(fired, 0);
    for (i = 0; i < 10; i++)                                             /* slow blocks: 5 never fit in 60 s */
        fired += wfpw_burst_add(b, "C:\\Program Files\\Elastic\\Agent\\elastic-agent.exe", t + i * 20000, NULL, 0);
    ASSERT_EQ(fired, 0);
    for (i = 0; i < 5; i++)                                              /* the next window alerts again */
        fired += wfpw_burst_add(b, MSMPENG, t + 70000 + i * 100, NULL, 0);
    ASSERT_EQ(fired, 1);
    /* bounded: more products than slots evicts the longest idle, counted */
    wfpw_burst_add(b, "x\\SentinelAgent.exe", t, NULL, 0);
    wfpw_burst_add(b, "x\\xagt.exe", t, NULL, 0);
    wfpw_burst_add(b, "x\\ekrn.exe", t, NULL, 0);
    ASSERT(wfpw_burst_evictions(b) >= 1);
    alert = wfpw_burst_alert(9, t, MSMPENG, 5, 60000);
    ASSERT(alert != NULL);
    memset(&perr, 0, sizeof(perr));
    ASSERT(wfpw_event_validate(alert, "alert", &perr) == 0);
    ASSERT(strstr(cJSON_GetObjectItemCaseSensitive(alert, "title")->valuestring, "Microsoft Defender blocked 5 times") != NULL);
    cJSON_Delete(alert);
    wfpw_burst_free(b);
    ASSERT(wfpw_burst_new(0, 5, 60000) == NULL);
    return 0;
}
