/*
 * test-rules.c — agent/src/detect/rules.c and products.c on constructed inventories of each
 * EDR-silencer variant in shared/facts/edrsilencer.md (EDRSilencer v1.0–v1.4, the BOF forks,
 * whit3rabbit's provider/sublayer variant and its stealth build, the IP-based variant, the
 * firewall-rule variant), their legitimate look-alikes (near-misses), and self-protection.
 * Expectations are written as the exact multiset of "rule:severity" a filter must produce.
 * The product table covers our own list of security-product executables and the rules stay
 * quiet on our own dumps of an ordinary host (tests/data); conformance_* checks the same on
 * the public lists and real dumps in ../shared/samples/edrsilencer.
 */
#include <strings.h>

#include "../../runner.h"
#include "inventory.h"
#include "netsh.h"
#include "products.h"
#include "rules.h"
#include "wfpw/mem.h"

#define MSMPENG "\\device\\harddiskvolume3\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe"
#define S1 "\\device\\harddiskvolume3\\program files\\sentinelone\\sentinel agent 24.1.2.6\\sentinelagent.exe"

static const char *A(struct wfpw_inventory *inv, const char *s)
{
    return wfpw_arena_strdup(&inv->arena, s);
}

static void provider(struct wfpw_inventory *inv, const char *key, const char *name, const char *desc, const char *service)
{
    struct wfpw_provider *p = wfpw_inventory_add_provider(inv);
    ASSERT(p != NULL);
    p->key = A(inv, key), p->name = A(inv, name), p->description = A(inv, desc), p->service = A(inv, service);
}

static void sublayer(struct wfpw_inventory *inv, const char *key, const char *name, const char *prov, unsigned w)
{
    struct wfpw_sublayer *s = wfpw_inventory_add_sublayer(inv);
    ASSERT(s != NULL);
    s->key = A(inv, key), s->name = A(inv, name), s->provider_key = A(inv, prov), s->weight = w;
}

/* conds: "FIELD|MATCH|VALUE^..." (SDDL values contain ';'); flags: "PERSISTENT,INDEXED" */
static const struct wfpw_filter *filter(struct wfpw_inventory *inv, const char *name, const char *layer,
                                        const char *action, const char *prov, const char *sub, const char *flags,
                                        const char *conds)
{
    struct wfpw_filter *f = wfpw_inventory_add_filter(inv);
    char buf[2048], *tok, *save = NULL;
    size_t n = 0;
    ASSERT(f != NULL);
    f->key = A(inv, "{3f8e2d6b-91c4-4a57-b0e3-7d25c8a41f96}");
    f->id = 324367;
    f->name = A(inv, name), f->layer = A(inv, layer), f->action = A(inv, action);
    f->provider_key = A(inv, prov), f->sublayer_key = A(inv, sub), f->weight_type = "EMPTY";
    f->flags = wfpw_arena_alloc(&inv->arena, 8 * sizeof(char *));
    snprintf(buf, sizeof(buf), "%s", flags ? flags : "");
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        f->flags[f->nflags++] = A(inv, tok);
    f->conds = wfpw_arena_alloc(&inv->arena, 8 * sizeof(*f->conds));
    snprintf(buf, sizeof(buf), "%s", conds ? conds : "");
    for (tok = strtok_r(buf, "^", &save); tok; tok = strtok_r(NULL, "^", &save)) {
        char *b1 = strchr(tok, '|'), *b2 = b1 ? strchr(b1 + 1, '|') : NULL;
        ASSERT(b1 && b2 && n < 8);
        *b1 = *b2 = '\0';
        f->conds[n].field = A(inv, tok), f->conds[n].match = A(inv, b1 + 1), f->conds[n].value = A(inv, b2 + 1);
        n++;
    }
    f->nconds = n;
    return f;
}

/* The findings of f as a sorted, comma-separated "rule:severity" list. */
static void expect(const struct wfpw_inventory *inv, const struct wfpw_filter *f, const struct wfpw_rules_cfg *cfg,
                   const char *want, const char *label)
{
    struct wfpw_finding out[8];
    char got[512] = "", items[8][64];
    size_t n = wfpw_rules_eval(inv, f, cfg, out, 8), i, j, used = 0;
    for (i = 0; i < n; i++) {
        snprintf(items[i], sizeof(items[i]), "%s:%s", out[i].rule, out[i].severity);
        ASSERT(out[i].title[0] && out[i].why[0]); /* every finding says what and why */
    }
    for (i = 0; i < n; i++) /* sort for a stable comparison */
        for (j = i + 1; j < n; j++)
            if (strcmp(items[i], items[j]) > 0) {
                char t[64];
                memcpy(t, items[i], 64), memcpy(items[i], items[j], 64), memcpy(items[j], t, 64);
            }
    for (i = 0; i < n; i++)
        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", i ? "," : "", items[i]);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "%s: got '%s', want '%s'\n", label, got, want);
    ASSERT_STR_EQ(got, want);
}

#define FAKE_MS "{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}"

TEST_IMPL(rules_edrsilencer_variants)
{
    struct wfpw_inventory inv;
    const struct wfpw_filter *f;
    wfpw_inventory_init(&inv);
    provider(&inv, FAKE_MS, "Microsoft Corporation", "Microsoft Windows WFP Built-in custom provider.", NULL);
    provider(&inv, "{b1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e21}", "Microsoft Corporation",
             "Microsoft Windows WFP Built-in Secure provider.", NULL);
    provider(&inv, "{4e27e7d4-2442-4891-912e-4205428a8555}", "EDR Silencer Provider",
             "Provider for EDR Silencer to manage network filters.", NULL);
    provider(&inv, "{4e27e7d4-2442-4891-912e-4205428a8556}", "Windows Diagnostics Provider", "Windows diagnostics components", NULL);
    sublayer(&inv, "{d25b7369-871b-44f1-8275-5a30ca1f5e57}", "EDR Silencer SubLayer", "{4e27e7d4-2442-4891-912e-4205428a8555}", 0xFFFF);
    sublayer(&inv, "{d25b7369-871b-44f1-8275-5a30ca1f5e58}", "Network Telemetry SubLayer", "{4e27e7d4-2442-4891-912e-4205428a8556}", 0xFFFF);

    /* v1.0-v1.1: no provider; v1.2-1.4: the fake "Microsoft Corporation" provider */
    f = filter(&inv, "Custom Outbound Filter", "ALE_AUTH_CONNECT_V4", "BLOCK", NULL, "FWPM_SUBLAYER_UNIVERSAL",
               "PERSISTENT,INDEXED", "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, NULL, "edr-app-block:critical,persistent-block:low", "v1.0");
    f = filter(&inv, "Custom Outbound Filter", "ALE_AUTH_CONNECT_V6", "BLOCK", FAKE_MS, "FWPM_SUBLAYER_UNIVERSAL",
               "PERSISTENT,INDEXED", "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, NULL, "edr-app-block:critical,persistent-block:low,provider-impersonation:high", "v1.4 V6");
    /* renamed filter: same verdict (names are not the signal) */
    f = filter(&inv, "Print Spooler Telemetry", "ALE_AUTH_CONNECT_V4", "BLOCK", FAKE_MS, "FWPM_SUBLAYER_UNIVERSAL",
               "PERSISTENT", "ALE_APP_ID|EQUAL|" S1);
    expect(&inv, f, NULL, "edr-app-block:critical,persistent-block:low,provider-impersonation:high", "renamed");
    /* 0x3rhy BOF: "Secure Outbound Filter", "... Built-in Secure provider." */
    f = filter(&inv, "Secure Outbound Filter", "ALE_AUTH_CONNECT_V4", "BLOCK", "{b1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e21}",
               "FWPM_SUBLAYER_UNIVERSAL", "PERSISTENT", "ALE_APP_ID|EQUAL|\\device\\harddiskvolume2\\program files\\elastic\\agent\\elastic-agent.exe");
    expect(&inv, f, NULL, "edr-app-block:critical,persistent-block:low,provider-impersonation:high", "BOF");
    /* whit3rabbit: own provider and a 0xFFFF sublayer, not persistent */
    f = filter(&inv, "EDRSilencer Generic Block Rule", "ALE_AUTH_CONNECT_V4", "BLOCK", "{4e27e7d4-2442-4891-912e-4205428a8555}",
               "{d25b7369-871b-44f1-8275-5a30ca1f5e57}", "", "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\windows\\carbonblack\\cb.exe");
    expect(&inv, f, NULL, "edr-app-block:critical,max-weight-sublayer:medium", "whit3rabbit");
    /* its stealth build: names that claim Windows */
    f = filter(&inv, "Generic Network Block Rule", "ALE_AUTH_CONNECT_V4", "BLOCK", "{4e27e7d4-2442-4891-912e-4205428a8556}",
               "{d25b7369-871b-44f1-8275-5a30ca1f5e58}", "", "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, NULL, "edr-app-block:critical,max-weight-sublayer:medium,provider-impersonation:high", "stealth");
    /* firewall-rule variant: a real MPSSVC_WF filter; whoever the provider, the block is critical */
    f = filter(&inv, "Block Rule for SentinelAgent.exe", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF",
               "FWPM_SUBLAYER_MPSSVC_WF", "", "ALE_APP_ID|EQUAL|" S1 "^IP_PROTOCOL|EQUAL|6");
    expect(&inv, f, NULL, "edr-app-block:critical", "firewall rule");
    /* narrowed to the product's cloud port: high, and the finding says so */
    f = filter(&inv, "Block Defender 443", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF",
               "FWPM_SUBLAYER_MPSSVC_WF", "", "ALE_APP_ID|EQUAL|" MSMPENG "^IP_REMOTE_PORT|EQUAL|443");
    expect(&inv, f, NULL, "edr-app-block:high", "narrowed");
    /* Windows' silent-drop callout counts as a block */
    f = filter(&inv, "x", "ALE_AUTH_RECV_ACCEPT_V4", "CALLOUT_TERMINATING", "FWPM_PROVIDER_MPSSVC_WF",
               "FWPM_SUBLAYER_MPSSVC_WF", "", "ALE_APP_ID|EQUAL|" MSMPENG);
    ((struct wfpw_filter *)f)->callout_key = "FWPM_CALLOUT_WFP_TRANSPORT_LAYER_V4_SILENT_DROP";
    expect(&inv, f, NULL, "edr-app-block:critical", "silent-drop callout");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V6", "CALLOUT_TERMINATING", "FWPM_PROVIDER_MPSSVC_WF",
               "FWPM_SUBLAYER_MPSSVC_WF", "", "ALE_APP_ID|EQUAL|" MSMPENG);
    ((struct wfpw_filter *)f)->callout_key = "{8693cc74-a075-4156-b476-9286eece814e}";
    expect(&inv, f, NULL, "edr-app-block:critical", "silent-drop callout by SDK key");
    wfpw_inventory_free(&inv);
    return 0;
}

static void callout(struct wfpw_inventory *inv, const char *key, const char *name, const char *prov)
{
    struct wfpw_callout *c = wfpw_inventory_add_callout(inv);
    ASSERT(c != NULL);
    c->key = A(inv, key), c->name = A(inv, name), c->provider_key = A(inv, prov), c->layer = A(inv, "ALE_AUTH_CONNECT_V4");
}

static const struct wfpw_filter *with_callout(const struct wfpw_filter *f, const char *key)
{
    ((struct wfpw_filter *)f)->callout_key = key;
    return f;
}

#define DECIDER "{5c0e7a31-9f2b-4d61-8a77-0e3b9d2c4f18}"
#define VPN_CALLOUT "{7d1e0b42-3a9c-4e05-b6f1-2c8d5e9a0b37}"

/* A terminating callout from a provider that is not Windows', selecting a security product by
 * app id, is a silencer with one more step (the callout returns BLOCK): critical when it has the
 * shape of a block, high when narrowed. VPN and proxy callouts that take all traffic, Windows'
 * own callouts, inspection callouts and other programs stay quiet. */
TEST_IMPL(rules_terminating_callouts)
{
    struct wfpw_inventory inv;
    struct wfpw_rules_cfg cfg;
    const struct wfpw_filter *f;
    wfpw_inventory_init(&inv);
    memset(&cfg, 0, sizeof(cfg));
    cfg.self_exe = "wfpwatch-agent.exe";
    provider(&inv, "{6f0d2e11-5b3a-4c9e-9d27-81a4c0e5f3b2}", "Network Quality Services", "", NULL);
    provider(&inv, "{2a9c4e70-1d3b-4f85-a6e2-9b0c7d5f1e64}", "Contoso VPN", "", NULL);
    callout(&inv, DECIDER, "Quality Decider", "{6f0d2e11-5b3a-4c9e-9d27-81a4c0e5f3b2}");
    callout(&inv, VPN_CALLOUT, "Contoso VPN redirect", "{2a9c4e70-1d3b-4f85-a6e2-9b0c7d5f1e64}");
    callout(&inv, "{0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0}", "Windows Defender Network Inspection", "FWPM_PROVIDER_MPSSVC_WSH");

    /* firing */
    f = with_callout(filter(&inv, "QoS helper", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING",
                            "{6f0d2e11-5b3a-4c9e-9d27-81a4c0e5f3b2}", "FWPM_SUBLAYER_UNIVERSAL", "", "ALE_APP_ID|EQUAL|" MSMPENG),
                     DECIDER);
    expect(&inv, f, &cfg, "edr-app-callout:critical", "callout on Defender");
    {
        struct wfpw_finding out[4];
        ASSERT_EQ(wfpw_rules_eval(&inv, f, &cfg, out, 4), 1);
        ASSERT(strstr(out[0].why, DECIDER) != NULL);                  /* the callout's key ... */
        ASSERT(strstr(out[0].why, "'Quality Decider'") != NULL);      /* ... its name ... */
        ASSERT(strstr(out[0].why, "Network Quality Services") != NULL); /* ... and its provider */
    }
    f = with_callout(filter(&inv, "QoS helper", "ALE_AUTH_CONNECT_V6", "CALLOUT_TERMINATING",
                            "{6f0d2e11-5b3a-4c9e-9d27-81a4c0e5f3b2}", "FWPM_SUBLAYER_UNIVERSAL", "",
                            "ALE_APP_ID|EQUAL|" S1 "^IP_REMOTE_PORT|EQUAL|443"),
                     DECIDER);
    expect(&inv, f, &cfg, "edr-app-callout:high", "narrowed callout");
    f = with_callout(filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING", NULL, "FWPM_SUBLAYER_UNIVERSAL", "",
                            "ALE_APP_ID|EQUAL|" MSMPENG),
                     "{9e8d7c6b-5a49-3827-1605-f4e3d2c1b0a9}");
    expect(&inv, f, &cfg, "edr-app-callout:critical", "a callout the inventory does not list");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "ACTION_0x1009", NULL, "FWPM_SUBLAYER_UNIVERSAL", "",
               "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, &cfg, "edr-app-callout:critical", "an unknown terminating action");
    f = with_callout(filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING", NULL, "FWPM_SUBLAYER_UNIVERSAL", "",
                            "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\program files\\wfpwatch\\wfpwatch-agent.exe"),
                     DECIDER);
    expect(&inv, f, &cfg, "self-callout:critical", "callout on wfpwatch");

    /* near misses */
    f = with_callout(filter(&inv, "Contoso VPN", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING",
                            "{2a9c4e70-1d3b-4f85-a6e2-9b0c7d5f1e64}", "FWPM_SUBLAYER_UNIVERSAL", "PERSISTENT",
                            "IP_REMOTE_ADDRESS|EQUAL|10.0.0.0/8"),
                     VPN_CALLOUT);
    expect(&inv, f, &cfg, "", "VPN callout on all traffic");
    f = with_callout(filter(&inv, "Contoso VPN", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING",
                            "{2a9c4e70-1d3b-4f85-a6e2-9b0c7d5f1e64}", "FWPM_SUBLAYER_UNIVERSAL", "",
                            "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\program files\\google\\chrome\\chrome.exe"),
                     VPN_CALLOUT);
    expect(&inv, f, &cfg, "", "callout on a browser");
    f = with_callout(filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING", "FWPM_PROVIDER_MPSSVC_WSH",
                            "FWPM_SUBLAYER_UNIVERSAL", "", "ALE_APP_ID|EQUAL|" MSMPENG),
                     "{0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0}");
    expect(&inv, f, &cfg, "", "a callout of a Windows provider");
    f = with_callout(filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING", NULL, "FWPM_SUBLAYER_UNIVERSAL", "",
                            "ALE_APP_ID|EQUAL|" MSMPENG),
                     "FWPM_CALLOUT_EDGE_TRAVERSAL_ALE_CONNECT");
    expect(&inv, f, &cfg, "", "Windows' own callout by SDK name");
    f = with_callout(filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "CALLOUT_INSPECTION",
                            "{6f0d2e11-5b3a-4c9e-9d27-81a4c0e5f3b2}", "FWPM_SUBLAYER_UNIVERSAL", "", "ALE_APP_ID|EQUAL|" MSMPENG),
                     DECIDER);
    expect(&inv, f, &cfg, "", "an inspection callout (cannot block)");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "ACTION_0x2007", NULL, "FWPM_SUBLAYER_UNIVERSAL", "",
               "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, &cfg, "", "an unknown non-terminating action");
    f = with_callout(filter(&inv, "x", "OUTBOUND_TRANSPORT_V4", "CALLOUT_TERMINATING",
                            "{6f0d2e11-5b3a-4c9e-9d27-81a4c0e5f3b2}", "FWPM_SUBLAYER_UNIVERSAL", "", "ALE_APP_ID|EQUAL|" MSMPENG),
                     DECIDER);
    expect(&inv, f, &cfg, "", "a callout outside the ALE authorization layers");
    wfpw_inventory_free(&inv);
    return 0;
}

TEST_IMPL(rules_ip_variant_and_self)
{
    static const char *const endpoints[] = {"142.250.71.0/24"};
    static const char *const collector[] = {"10.1.2.3:8443"};
    struct wfpw_rules_cfg cfg;
    struct wfpw_inventory inv;
    const struct wfpw_filter *f;
    memset(&cfg, 0, sizeof(cfg));
    cfg.endpoints = endpoints, cfg.nendpoints = 1, cfg.collector = collector, cfg.ncollector = 1;
    cfg.self_sid = "S-1-5-80-1111111111-2222222222-3333333333-4444444444-5555555555";
    wfpw_inventory_init(&inv);
    provider(&inv, "{c0ffee00-0000-0000-0000-000000000001}", "Test provider", "", NULL);
    sublayer(&inv, "{c0ffee00-0000-0000-0000-000000000002}", "TestFilterSublayer_highest", "{c0ffee00-0000-0000-0000-000000000001}", 0xFFFF);
    /* CUHKJason blockip: transport layer, remote address only, persistent, 0xFFFF sublayer */
    f = filter(&inv, "x", "OUTBOUND_TRANSPORT_V4", "BLOCK", NULL, "{c0ffee00-0000-0000-0000-000000000002}", "PERSISTENT",
               "IP_REMOTE_ADDRESS|EQUAL|142.250.71.174");
    expect(&inv, f, &cfg, "edr-cloud-block:high,max-weight-sublayer:medium,persistent-block:low", "ip variant");
    expect(&inv, f, NULL, "max-weight-sublayer:medium,persistent-block:low", "ip variant, no endpoints configured");
    /* self: our executable, our service SID, our collector */
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\program files\\wfpwatch\\wfpwatch-agent.exe");
    expect(&inv, f, &cfg, "self-block:critical", "self exe");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V6", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "ALE_USER_ID|EQUAL|O:SYG:SYD:(A;;CCRC;;;S-1-5-80-1111111111-2222222222-3333333333-4444444444-5555555555)");
    expect(&inv, f, &cfg, "self-block:critical", "self sid");
    f = filter(&inv, "x", "OUTBOUND_IPPACKET_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "IP_REMOTE_ADDRESS|EQUAL|10.1.2.0/255.255.255.0");
    expect(&inv, f, &cfg, "self-block:critical", "collector subnet");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "IP_REMOTE_ADDRESS|RANGE|10.1.2.1-10.1.2.9^IP_REMOTE_PORT|EQUAL|22");
    expect(&inv, f, &cfg, "", "collector address, another port");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "IP_REMOTE_ADDRESS|EQUAL|10.1.3.3");
    expect(&inv, f, &cfg, "", "another address");
    wfpw_inventory_free(&inv);
    return 0;
}

/* Legitimate look-alikes stay below high; nothing fires on permits or other layers. */
TEST_IMPL(rules_near_misses)
{
    static const char *const allow[] = {"{c0ffee00-0000-0000-0000-00000000000a}"};
    struct wfpw_rules_cfg cfg;
    struct wfpw_inventory inv;
    const struct wfpw_filter *f;
    memset(&cfg, 0, sizeof(cfg));
    cfg.allow_providers = allow, cfg.nallow = 1;
    wfpw_inventory_init(&inv);
    provider(&inv, "{c0ffee00-0000-0000-0000-00000000000a}", "simplewall", "simplewall provider", NULL);
    provider(&inv, "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}", "Sophos Network Threat Protection Provider", NULL, NULL);
    /* Windows Service Hardening's single-app-id block (the closest look-alike) */
    f = filter(&inv, "Block all outbound traffic from SearchFilterHost", "ALE_AUTH_CONNECT_V4", "BLOCK",
               "FWPM_PROVIDER_MPSSVC_WSH", "FWPM_SUBLAYER_MPSSVC_WSH", "HAS_PROVIDER_CONTEXT,INDEXED,HAS_FILTER_ORIGIN",
               "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\windows\\system32\\searchfilterhost.exe");
    expect(&inv, f, NULL, "", "WSH");
    /* Windows' own sfc.exe is not Cisco's */
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\windows\\system32\\sfc.exe");
    expect(&inv, f, NULL, "", "windows sfc");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\program files\\cisco\\amp\\8.2.3\\sfc.exe");
    expect(&inv, f, NULL, "edr-app-block:critical", "cisco sfc");
    /* a permit, a listen-layer block, a non-equal match, a third-party callout */
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "PERMIT", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "PERSISTENT",
               "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, NULL, "", "permit");
    f = filter(&inv, "x", "ALE_AUTH_LISTEN_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "ALE_APP_ID|EQUAL|" MSMPENG);
    expect(&inv, f, NULL, "", "listen layer");
    f = filter(&inv, "x", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF", "FWPM_SUBLAYER_MPSSVC_WF", "",
               "ALE_APP_ID|NOT_EQUAL|" MSMPENG);
    expect(&inv, f, NULL, "", "not equal");
    /* Sophos's connection tracking as it appears in real dumps: a terminating callout on all TCP, no app id */
    f = filter(&inv, "ConnectionTracking TCP filter", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING",
               "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}", "{63dd0fa6-0000-0000-0000-000000000000}", "",
               "IP_PROTOCOL|EQUAL|6");
    ((struct wfpw_filter *)f)->callout_key = "{f1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}";
    expect(&inv, f, NULL, "", "sophos callout on all TCP");
    /* the same vendor's callout selecting another product's executable has the silencer's shape (issue #17) */
    f = filter(&inv, "ConnectionTracking TCP filter", "ALE_AUTH_CONNECT_V4", "CALLOUT_TERMINATING",
               "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}", "{63dd0fa6-0000-0000-0000-000000000000}", "",
               "ALE_APP_ID|EQUAL|" MSMPENG);
    ((struct wfpw_filter *)f)->callout_key = "{f1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}";
    expect(&inv, f, NULL, "edr-app-callout:critical", "a vendor's callout selecting Defender by app id");
    /* a third-party firewall persistently blocking an ordinary program: low, or nothing when allowlisted */
    f = filter(&inv, "simplewall rule", "ALE_AUTH_CONNECT_V4", "BLOCK", "{c0ffee00-0000-0000-0000-00000000000a}",
               "{c0ffee00-0000-0000-0000-00000000000b}", "PERSISTENT",
               "ALE_APP_ID|EQUAL|\\device\\harddiskvolume3\\program files\\google\\chrome\\application\\chrome.exe");
    expect(&inv, f, NULL, "persistent-block:low", "simplewall");
    expect(&inv, f, &cfg, "", "simplewall allowlisted");
    /* a third-party sublayer below every Windows one's maximum: not max-weight (Sophos uses 32769-32771) */
    sublayer(&inv, "{63dd0fa6-0000-0000-0000-000000000001}", "Sophos Web Intelligence", "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}", 32769);
    sublayer(&inv, "{63dd0fa6-0000-0000-0000-000000000002}", "Sophos high", "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}", 0xC001);
    f = filter(&inv, "x", "OUTBOUND_TRANSPORT_V4", "BLOCK", "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}",
               "{63dd0fa6-0000-0000-0000-000000000001}", "", "IP_REMOTE_PORT|EQUAL|25");
    expect(&inv, f, NULL, "", "third-party sublayer at 32769");
    f = filter(&inv, "x", "OUTBOUND_TRANSPORT_V4", "BLOCK", "{63dd0fa6-3cc5-4f44-91ab-ef56b7af8eae}",
               "{63dd0fa6-0000-0000-0000-000000000002}", "", "IP_REMOTE_PORT|EQUAL|25");
    expect(&inv, f, NULL, "max-weight-sublayer:medium", "third-party sublayer at 0xC001");
    /* Windows' boot-time filter: persistent, max weight, Windows provider */
    f = filter(&inv, "Boot Time Filter", "ALE_AUTH_CONNECT_V4", "BLOCK", "FWPM_PROVIDER_MPSSVC_WF",
               "FWPM_SUBLAYER_MPSSVC_WF", "PERSISTENT,BOOTTIME", NULL);
    expect(&inv, f, NULL, "", "boot time");
    wfpw_inventory_free(&inv);
    return 0;
}

/* The built-in table covers every executable name of a list (one name a line, '#' comments);
 * names with a vendor path hint match under that vendor's folder only. Returns the count. */
static size_t check_names_covered(const char *path)
{
    size_t len, n = 0, nt, i;
    char *text = wfpw_test_read(path, &len);
    const struct wfpw_product *tbl = wfpw_products(&nt);
    char *line, *save = NULL;
    ASSERT(text != NULL);
    for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char full[512];
        const struct wfpw_product *p;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        /* find its hint, if any, to build a realistic path */
        const char *hint = NULL;
        for (i = 0; i < nt; i++) {
            size_t el = strlen(tbl[i].exe);
            if (strncasecmp(line, tbl[i].exe, el) == 0 && (line[el] == '\0' || strcasecmp(line + el, ".exe") == 0))
                hint = tbl[i].path_hint;
        }
        snprintf(full, sizeof(full), "\\device\\harddiskvolume3\\program files\\%s\\%s", hint ? hint : "vendor", line);
        p = wfpw_product_match(full, NULL, 0);
        if (p == NULL)
            fprintf(stderr, "not covered: %s\n", line);
        ASSERT(p != NULL);
        if (hint) {
            snprintf(full, sizeof(full), "C:\\Windows\\System32\\%s", line);
            ASSERT(wfpw_product_match(full, NULL, 0) == NULL);
        }
        n++;
    }
    wfpw_free(text);
    return n;
}

/* Our own list of security-product executables (tests/data/products), configured extra names,
 * bare names, and a near-miss. */
TEST_IMPL(products_cover_own_list)
{
    ASSERT_EQ(check_names_covered(wfpw_test_data("products/security-processes.txt")), 48); /* really read */
    ASSERT(wfpw_product_match("C:\\Program Files\\Acme\\AcmeGuard.exe", NULL, 0) == NULL);
    {
        static const char *const extra[] = {"AcmeGuard.exe"};
        static const char *const bare[] = {"acmeguard"};
        ASSERT(wfpw_product_match("C:\\Program Files\\Acme\\ACMEGUARD.EXE", extra, 1) != NULL);
        ASSERT(wfpw_product_match("C:\\Program Files\\Acme\\AcmeGuard.exe", bare, 1) != NULL);
    }
    ASSERT(wfpw_product_match("MsMpEng.exe", NULL, 0) != NULL);           /* bare names too */
    ASSERT(wfpw_product_match("notmsmpeng.exe", NULL, 0) == NULL);
    return 0;
}

/* No finding at all on a dump: ordinary Windows filters, look-alikes of silencer filters
 * included, raise nothing. */
static void check_quiet(const char *path)
{
    struct wfpw_inventory inv;
    char err[256];
    size_t i;
    wfpw_inventory_init(&inv);
    ASSERT(wfpw_netsh_read_file(path, &inv, err, sizeof(err)) == 0);
    ASSERT(inv.nfilters > 0);
    for (i = 0; i < inv.nfilters; i++) {
        struct wfpw_finding out[8];
        size_t n = wfpw_rules_eval(&inv, &inv.filters[i], NULL, out, 8);
        if (n)
            fprintf(stderr, "%s: '%s' -> %s\n", path, inv.filters[i].name, out[0].rule);
        ASSERT_EQ(n, 0);
    }
    wfpw_inventory_free(&inv);
}

/* Our own filters and state dumps of an ordinary workstation. */
TEST_IMPL(rules_host_dumps_quiet)
{
    check_quiet(wfpw_test_data("netsh/host-filters.xml"));
    check_quiet(wfpw_test_data("netsh/host-state.xml"));
    return 0;
}

/* ---- conformance: ../shared/samples/edrsilencer ------------------------------------------- */

/* Every name the public silencers and detections list (edr_process_names.txt, about 300). */
TEST_IMPL(conformance_products_cover_public_lists)
{
    ASSERT(check_names_covered(wfpw_test_shared("samples/edrsilencer/edr_process_names.txt")) >= 250);
    return 0;
}

/* No finding at all on the real dumps (990-filter host's excerpt and a state dump). */
TEST_IMPL(conformance_rules_real_dumps_quiet)
{
    check_quiet(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_filters.excerpt.xml"));
    check_quiet(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_state.excerpt.xml"));
    return 0;
}
