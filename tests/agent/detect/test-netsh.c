/*
 * test-netsh.c — agent/src/detect/netsh.c on our own `netsh wfp show filters|state` dumps of
 * an ordinary workstation (tests/data/netsh/host-*.xml, written by make-host-dumps.py), on
 * constructed condition encodings, on the trailing <firewallState> root netsh writes after a
 * state dump, on chunked input, on malformed input, and under allocation failure.
 *
 * conformance_*: the same reader on the real dumps in ../shared/samples/edrsilencer (expected
 * values cross-checked with an independent XML parser); run by the conformance suite only.
 */
#include "../../runner.h"
#include "inv-helpers.h"
#include "inventory.h"
#include "netsh.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define SYNC "\\device\\harddiskvolume2\\program files\\contoso\\sync\\contososync.exe"

TEST_IMPL(netsh_filters_dump)
{
    struct wfpw_inventory inv;
    const struct wfpw_filter *f;
    const struct wfpw_provider *p;
    char err[256] = "";
    wfpw_inventory_init(&inv);
    if (wfpw_netsh_read_file(wfpw_test_data("netsh/host-filters.xml"), &inv, err, sizeof(err)) != 0)
        fprintf(stderr, "%s\n", err);
    ASSERT_STR_EQ(err, "");
    ASSERT_STR_EQ(inv.source, "netsh wfp show filters");
    ASSERT_EQ(inv.nfilters, 11);
    ASSERT_EQ(inv.nproviders, 7);

    /* provider-less, flag-less, no description: a built-in callout filter */
    f = test_filter_by_name(&inv, "IPv4 inbound NAT callout");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->key, "{0d4c7a19-63e2-4b85-a1f0-9c3e7b52d861}");
    ASSERT(f->provider_key == NULL && f->description == NULL && f->nflags == 0);
    ASSERT_STR_EQ(f->layer, "INBOUND_IPPACKET_V4");
    ASSERT_STR_EQ(f->sublayer_key, "FWPM_SUBLAYER_UNIVERSAL");
    ASSERT_STR_EQ(f->weight_type, "UINT64");
    ASSERT_STR_EQ(f->weight_value, "18446744073709551612");
    ASSERT_STR_EQ(f->effective_weight, "18446744073709551612");
    ASSERT_STR_EQ(f->action, "CALLOUT_TERMINATING");
    ASSERT_STR_EQ(f->callout_key, "{2a7c9e41-5d3b-4f68-9e17-c0b4a8d6e352}");
    ASSERT_EQ(f->id, 71203);
    ASSERT_EQ(f->nconds, 1);
    ASSERT_STR_EQ(f->conds[0].field, "FLAGS");
    ASSERT_STR_EQ(f->conds[0].match, "FLAGS_NONE_SET");
    ASSERT_STR_EQ(f->conds[0].type, "UINT32");
    ASSERT_STR_EQ(f->conds[0].value, "64");

    /* a firewall rule: five conditions of five value types */
    f = test_filter_by_name(&inv, "Contoso Sync (TCP-In)");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->provider_key, "FWPM_PROVIDER_MPSSVC_WF");
    ASSERT_STR_EQ(f->layer, "ALE_AUTH_RECV_ACCEPT_V4");
    ASSERT_STR_EQ(f->weight_type, "UINT8");
    ASSERT_STR_EQ(f->weight_value, "11");
    ASSERT_EQ(f->nconds, 5);
    ASSERT_STR_EQ(f->conds[0].field, "ALE_APP_ID");
    ASSERT_STR_EQ(f->conds[0].type, "BYTE_BLOB_TYPE");
    ASSERT_STR_EQ(f->conds[0].value, SYNC);
    ASSERT_STR_EQ(f->conds[1].field, "ALE_USER_ID");
    ASSERT_STR_EQ(f->conds[1].type, "SECURITY_DESCRIPTOR_TYPE");
    ASSERT_STR_EQ(f->conds[1].value, "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-3623811015-3361044348-30300820-1104)");
    ASSERT_STR_EQ(f->conds[2].field, "IP_LOCAL_PORT");
    ASSERT_STR_EQ(f->conds[2].value, "22000");
    ASSERT_STR_EQ(f->conds[3].type, "UINT64");
    ASSERT_STR_EQ(f->conds[3].value, "281479271677952");
    ASSERT_STR_EQ(f->conds[4].type, "UINT8");
    ASSERT_STR_EQ(f->conds[4].value, "6");

    /* Windows Service Hardening's block of one program: the look-alike of a silencer filter */
    f = test_filter_by_name(&inv, "Block all outbound traffic from PrintFilterPipelineSvc");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->action, "BLOCK");
    ASSERT_STR_EQ(f->layer, "ALE_AUTH_CONNECT_V4");
    ASSERT_STR_EQ(f->provider_key, "FWPM_PROVIDER_MPSSVC_WSH");
    ASSERT_STR_EQ(f->sublayer_key, "FWPM_SUBLAYER_MPSSVC_WSH");
    ASSERT_STR_EQ(f->weight_type, "EMPTY");
    ASSERT(f->weight_value == NULL);
    ASSERT_STR_EQ(f->effective_weight, "274877906944");
    ASSERT_STR_EQ(f->provider_context_key, "{3c6e9a12-7d40-4b8f-a5e1-0f2c8b6d9a37}");
    ASSERT_EQ(f->id, 131207);
    ASSERT_EQ(f->nflags, 3);
    ASSERT(wfpw_filter_has_flag(f, "HAS_PROVIDER_CONTEXT") && wfpw_filter_has_flag(f, "INDEXED") &&
           wfpw_filter_has_flag(f, "HAS_FILTER_ORIGIN") && !wfpw_filter_has_flag(f, "PERSISTENT"));
    ASSERT_EQ(f->nconds, 1);
    ASSERT_STR_EQ(f->conds[0].value, "\\device\\harddiskvolume2\\windows\\system32\\printfilterpipelinesvc.exe");

    /* a port range and an address mask; a SID compared NOT_EQUAL */
    f = test_filter_by_name(&inv, "Contoso Backup (TCP-Out)");
    ASSERT(f != NULL && f->nconds == 3);
    ASSERT_STR_EQ(f->conds[0].match, "RANGE");
    ASSERT_STR_EQ(f->conds[0].value, "8443-8445");
    ASSERT_STR_EQ(f->conds[1].type, "V4_ADDR_MASK");
    ASSERT_STR_EQ(f->conds[1].value, "192.0.2.0/255.255.255.0");
    f = test_filter_by_name(&inv, "App container default outbound block");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->conds[0].match, "NOT_EQUAL");
    ASSERT_STR_EQ(f->conds[0].type, "SID");
    ASSERT_STR_EQ(f->conds[0].value, "S-1-0-0");
    ASSERT_STR_EQ(f->layer, "ALE_AUTH_CONNECT_V6");

    p = wfpw_inventory_provider(&inv, "FWPM_PROVIDER_IKEEXT");
    ASSERT(p != NULL);
    ASSERT_STR_EQ(p->name, "Microsoft Corporation");
    ASSERT_STR_EQ(p->service, "IKEEXT");
    ASSERT_EQ(p->nflags, 1);
    ASSERT_STR_EQ(p->flags[0], "DISABLED");
    p = wfpw_inventory_provider(&inv, "{8e44982a-f477-11df-85ce-78e7d1810190}");
    ASSERT(p != NULL && p->nflags == 2);
    p = wfpw_inventory_provider(&inv, "FWPM_PROVIDER_MPSSVC_APP_ISOLATION");
    ASSERT(p != NULL);
    ASSERT_STR_EQ(p->name, "@%SystemRoot%\\system32\\mpssvc.dll,-31004");
    wfpw_inventory_free(&inv);
    return 0;
}

/* The state dump as netsh writes it (a second root <firewallState> after </wfpstate>), and the
 * same bytes cut before that root. Filters are nested per layer; callouts are not filters;
 * subscription templates name layers and conditions but are not filters either. */
TEST_IMPL(netsh_state_dump)
{
    size_t len;
    char *doc = wfpw_test_read(wfpw_test_data("netsh/host-state.xml"), &len), *trailer;
    int pass;
    ASSERT(doc != NULL);
    trailer = strstr(doc, "</wfpstate>\n");
    ASSERT(trailer != NULL && strstr(trailer, "\n<firewallState>") != NULL);
    trailer += strlen("</wfpstate>\n");
    for (pass = 0; pass < 2; pass++) {
        struct wfpw_inventory inv;
        const struct wfpw_sublayer *s;
        char err[256] = "";
        wfpw_inventory_init(&inv);
        if (wfpw_netsh_read(doc, pass == 0 ? len : (size_t)(trailer - doc), &inv, err, sizeof(err)) != 0)
            fprintf(stderr, "pass %d: %s\n", pass, err);
        ASSERT_STR_EQ(err, "");
        ASSERT_STR_EQ(inv.source, "netsh wfp show state");
        ASSERT_EQ(inv.nsublayers, 9);
        ASSERT_EQ(inv.nproviders, 7);
        ASSERT_EQ(inv.nfilters, 4);
        s = wfpw_inventory_sublayer(&inv, "FWPM_SUBLAYER_UNIVERSAL");
        ASSERT(s != NULL);
        ASSERT_EQ(s->weight, 32768);
        s = wfpw_inventory_sublayer(&inv, "FWPM_SUBLAYER_INSPECTION");
        ASSERT(s != NULL && s->weight == 0 && strcmp(s->name, "WFP Built-in Inspection Sublayer") == 0);
        s = wfpw_inventory_sublayer(&inv, "{0f5a3c7e-9b21-4d68-8e4a-c7b2d1f0e936}");
        ASSERT(s != NULL && s->weight == 65535 && s->provider_key == NULL);
        s = wfpw_inventory_sublayer(&inv, "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a10}");
        ASSERT(s != NULL);
        ASSERT_STR_EQ(s->provider_key, "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09}");
        ASSERT_STR_EQ(inv.filters[0].layer, "ALE_AUTH_CONNECT_V6");
        ASSERT_STR_EQ(inv.filters[2].layer, "ALE_AUTH_RECV_ACCEPT_V4");
        ASSERT_STR_EQ(inv.filters[2].name, "Contoso Sync (TCP-In)");
        ASSERT_EQ(inv.filters[2].nconds, 5);
        ASSERT_EQ(inv.ncallouts, 3); /* the layers' callouts, with their names */
        ASSERT_STR_EQ(wfpw_inventory_callout_name(&inv, "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6"),
                      "WFP Built-in IPsec ALE Connect v6 Layer Callout");
        ASSERT_STR_EQ(inv.callouts[0].layer, "ALE_AUTH_CONNECT_V6");
        ASSERT_STR_EQ(inv.callouts[2].key, "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a11}");
        ASSERT_STR_EQ(inv.callouts[2].provider_key, "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09}");
        wfpw_inventory_free(&inv);
    }
    wfpw_free(doc);
    return 0;
}

TEST_IMPL(netsh_constructed_conditions)
{
    struct wfpw_inventory inv;
    const struct wfpw_filter *f;
    const struct wfpw_provider *p;
    char err[256] = "";
    wfpw_inventory_init(&inv);
    ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/conditions.xml"), &inv, err, sizeof(err)) == 0);
    ASSERT_EQ(inv.nfilters, 1);
    f = &inv.filters[0];
    ASSERT_STR_EQ(f->key, "{3f8e2d6b-91c4-4a57-b0e3-7d25c8a41f96}"); /* GUIDs in lower case */
    ASSERT(f->callout_key == NULL);                                  /* <filterType/> */
    ASSERT(wfpw_filter_has_flag(f, "PERSISTENT") && wfpw_filter_has_flag(f, "INDEXED"));
    ASSERT_EQ(f->nconds, 5);
    ASSERT_STR_EQ(f->conds[0].value,
                  "\\device\\harddiskvolume3\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe");
    ASSERT_STR_EQ(f->conds[1].match, "RANGE");
    ASSERT_STR_EQ(f->conds[1].type, "RANGE_TYPE");
    ASSERT_STR_EQ(f->conds[1].value, "443-444");
    ASSERT_STR_EQ(f->conds[2].type, "V4_ADDR_MASK");
    ASSERT_STR_EQ(f->conds[2].value, "20.42.0.0/255.255.0.0");
    /* an app id with only its UTF-16LE bytes (no <asString>): decoded, non-ASCII included */
    ASSERT_STR_EQ(f->conds[3].value, "\\device \xc4\x8exagt .exe");
    ASSERT_STR_EQ(f->conds[4].type, "SID");
    ASSERT_STR_EQ(f->conds[4].value, "S-1-0-0");
    p = wfpw_inventory_provider(&inv, f->provider_key);
    ASSERT(p != NULL && p->service == NULL && p->nflags == 1);
    ASSERT_STR_EQ(p->description, "Microsoft Windows WFP Built-in custom provider.");
    wfpw_inventory_free(&inv);
    return 0;
}

/* Byte-by-byte feeding gives the same inventory as one call. */
TEST_IMPL(netsh_chunked)
{
    size_t len, i;
    char *doc = wfpw_test_read(wfpw_test_data("netsh/conditions.xml"), &len);
    struct wfpw_inventory inv;
    struct wfpw_netsh *r;
    char err[256] = "";
    ASSERT(doc != NULL);
    wfpw_inventory_init(&inv);
    r = wfpw_netsh_new(&inv);
    for (i = 0; i < len; i++)
        ASSERT(wfpw_netsh_feed(r, doc + i, 1, 0, err, sizeof(err)) == 0);
    ASSERT(wfpw_netsh_feed(r, NULL, 0, 1, err, sizeof(err)) == 0);
    wfpw_netsh_free(r);
    ASSERT_EQ(inv.nfilters, 1);
    ASSERT_STR_EQ(inv.filters[0].conds[1].value, "443-444");
    ASSERT_EQ(inv.filters[0].id, 324367);
    wfpw_inventory_free(&inv);
    wfpw_free(doc);
    return 0;
}

TEST_IMPL(netsh_malformed)
{
    static const struct {
        const char *doc;
        int rc;
        const char *msg;
    } cases[] = {
        {"", WFPW_ESYNTAX, "line 1, <document>: empty document"},
        {"hello", WFPW_ESYNTAX, "line 1, <document>: syntax error"},
        {"<foo/>", WFPW_EPROTO, "line 1, <foo>: not a netsh wfp dump"},
        {"<wfpdiag>\n<filters>\n<item>\n<filterKey>{a}</filterKey>", WFPW_ESYNTAX, "line 4, <item>: the document ends here (truncated file?)"},
        {"<wfpdiag>\n<filters>\n<item><name>x</item>", WFPW_ESYNTAX, "line 3, <name>: mismatched tag"},
        {"<wfpdiag><filters><item><layerKey>L</layerKey><action><type>B</type></action></item></filters></wfpdiag>",
         WFPW_EPROTO, "<item>: filter lacks filterKey"},
        {"<wfpdiag><filters><item><filterKey>{a}</filterKey><filterId>12x</filterId></item></filters></wfpdiag>",
         WFPW_ESYNTAX, "<filterId>: filterId is not a number: '12x'"},
        {"<wfpstate><subLayers><item><subLayerKey>{a}</subLayerKey><weight>70000</weight></item></subLayers></wfpstate>",
         WFPW_ESYNTAX, "sublayer weight is not 0..65535"},
        {"<wfpdiag><providers><item><displayData/></item></providers></wfpdiag>", WFPW_EPROTO, "provider lacks providerKey"},
        {"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
         "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
         "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]><wfpdiag>&h;</wfpdiag>",
         WFPW_ETOOBIG, "element text longer than 1 MiB"}, /* entity expansion stops at our bound */
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wfpw_inventory inv;
        char err[256] = "";
        int rc;
        wfpw_inventory_init(&inv);
        rc = wfpw_netsh_read(cases[i].doc, strlen(cases[i].doc), &inv, err, sizeof(err));
        if (rc != cases[i].rc || strstr(err, cases[i].msg) == NULL)
            fprintf(stderr, "case %zu: rc=%d err='%s'\n", i, rc, err);
        ASSERT_EQ(rc, cases[i].rc);
        ASSERT(strstr(err, cases[i].msg) != NULL);
        wfpw_inventory_free(&inv);
    }
    return 0;
}

/* Every allocation fails once in turn: a clean error each time, never a leak or a crash. */
TEST_IMPL(netsh_oom)
{
    long n;
    int completed = 0;
    for (n = 1; n < 20000 && !completed; n++) {
        struct wfpw_inventory inv;
        char err[256];
        int rc;
        wfpw_inventory_init(&inv);
        wfpw_mem_fail_after(n);
        rc = wfpw_netsh_read_file(wfpw_test_data("netsh/conditions.xml"), &inv, err, sizeof(err));
        wfpw_mem_fail_after(0);
        if (rc == 0) {
            ASSERT_EQ(inv.nfilters, 1);
            completed = 1;
        }
        wfpw_inventory_free(&inv);
    }
    ASSERT(completed);
    return 0;
}

/* ---- conformance: the real dumps in ../shared/samples/edrsilencer ------------------------ */

TEST_IMPL(conformance_netsh_real_filters_dump)
{
    struct wfpw_inventory inv;
    const struct wfpw_filter *f;
    const struct wfpw_provider *p;
    char err[256] = "";
    wfpw_inventory_init(&inv);
    if (wfpw_netsh_read_file(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_filters.excerpt.xml"), &inv,
                             err, sizeof(err)) != 0)
        fprintf(stderr, "%s\n", err);
    ASSERT_STR_EQ(err, "");
    ASSERT_STR_EQ(inv.source, "netsh wfp show filters");
    ASSERT_EQ(inv.nfilters, 12);
    ASSERT_EQ(inv.nproviders, 16);

    f = test_filter_by_name(&inv, "NatLocalInFilter");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->key, "{ed072945-a414-44fa-b2a5-ce526e2a48f0}");
    ASSERT(f->provider_key == NULL && f->description == NULL && f->nflags == 0);
    ASSERT_STR_EQ(f->layer, "INBOUND_IPPACKET_V4");
    ASSERT_STR_EQ(f->sublayer_key, "FWPM_SUBLAYER_UNIVERSAL");
    ASSERT_STR_EQ(f->weight_type, "UINT64");
    ASSERT_STR_EQ(f->weight_value, "18446744073709551613");
    ASSERT_STR_EQ(f->effective_weight, "18446744073709551613");
    ASSERT_STR_EQ(f->action, "CALLOUT_TERMINATING");
    ASSERT_STR_EQ(f->callout_key, "{7b89f2c3-5bb3-4ad1-8121-2c8db2f0faac}");
    ASSERT_EQ(f->id, 129021);
    ASSERT_EQ(f->nconds, 1);
    ASSERT_STR_EQ(f->conds[0].field, "FLAGS");
    ASSERT_STR_EQ(f->conds[0].match, "FLAGS_NONE_SET");
    ASSERT_STR_EQ(f->conds[0].type, "UINT32");
    ASSERT_STR_EQ(f->conds[0].value, "32");

    f = test_filter_by_name(&inv, "Internet Connection Sharing (DHCPv6-In)");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->provider_key, "FWPM_PROVIDER_MPSSVC_WF");
    ASSERT_STR_EQ(f->layer, "ALE_RESOURCE_ASSIGNMENT_V4");
    ASSERT_STR_EQ(f->weight_type, "UINT8");
    ASSERT_STR_EQ(f->weight_value, "9");
    ASSERT_EQ(f->nconds, 5);
    ASSERT_STR_EQ(f->conds[0].field, "ALE_APP_ID");
    ASSERT_STR_EQ(f->conds[0].type, "BYTE_BLOB_TYPE");
    ASSERT_STR_EQ(f->conds[0].value, "\\device\\harddiskvolume3\\windows\\system32\\svchost.exe");
    ASSERT_STR_EQ(f->conds[1].field, "ALE_USER_ID");
    ASSERT_STR_EQ(f->conds[1].type, "SECURITY_DESCRIPTOR_TYPE");
    ASSERT_STR_EQ(f->conds[1].value, "O:SYG:SYD:(A;;CCRC;;;S-1-5-80-2009329905-444645132-2728249442-922493431-93864177)");
    ASSERT_STR_EQ(f->conds[2].field, "IP_LOCAL_PORT");
    ASSERT_STR_EQ(f->conds[2].value, "547");

    /* the legitimate look-alike of an EDRSilencer filter (Windows Service Hardening) */
    f = test_filter_by_name(&inv, "Block all outbound traffic from SearchFilterHost");
    ASSERT(f != NULL);
    ASSERT_STR_EQ(f->action, "BLOCK");
    ASSERT_STR_EQ(f->layer, "ALE_AUTH_CONNECT_V4");
    ASSERT_STR_EQ(f->provider_key, "FWPM_PROVIDER_MPSSVC_WSH");
    ASSERT_STR_EQ(f->sublayer_key, "FWPM_SUBLAYER_MPSSVC_WSH");
    ASSERT_STR_EQ(f->weight_type, "EMPTY");
    ASSERT(f->weight_value == NULL);
    ASSERT_STR_EQ(f->effective_weight, "274877906944");
    ASSERT_STR_EQ(f->provider_context_key, "{15a81242-6a73-417f-aee4-e15495e5f795}");
    ASSERT_EQ(f->id, 130876);
    ASSERT_EQ(f->nflags, 3);
    ASSERT(wfpw_filter_has_flag(f, "HAS_PROVIDER_CONTEXT") && wfpw_filter_has_flag(f, "INDEXED") &&
           wfpw_filter_has_flag(f, "HAS_FILTER_ORIGIN") && !wfpw_filter_has_flag(f, "PERSISTENT"));
    ASSERT_EQ(f->nconds, 1);
    ASSERT_STR_EQ(f->conds[0].value, "\\device\\harddiskvolume3\\windows\\system32\\searchfilterhost.exe");

    p = wfpw_inventory_provider(&inv, "FWPM_PROVIDER_IKEEXT");
    ASSERT(p != NULL);
    ASSERT_STR_EQ(p->name, "Microsoft Corporation");
    ASSERT_STR_EQ(p->service, "IKEEXT");
    ASSERT_EQ(p->nflags, 1);
    ASSERT_STR_EQ(p->flags[0], "DISABLED");
    p = wfpw_inventory_provider(&inv, "{aa6a7d87-7f8f-4d2a-be53-fda555cd5fe3}");
    ASSERT(p != NULL && p->nflags == 2);
    wfpw_inventory_free(&inv);
    return 0;
}

/* The real state dump (an excerpt with the <firewallState> root commented out), and the same
 * bytes with that root appended as netsh writes it. */
TEST_IMPL(conformance_netsh_real_state_dump)
{
    static const char trailer[] = "<firewallState>\n\t<dynamicKeywordAddresses/>\n</firewallState>\n";
    size_t len;
    char *doc = wfpw_test_read(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_state.excerpt.xml"), &len);
    int pass;
    ASSERT(doc != NULL);
    for (pass = 0; pass < 2; pass++) {
        struct wfpw_inventory inv;
        const struct wfpw_sublayer *s;
        char err[256] = "";
        struct wfpw_buf b;
        wfpw_buf_init(&b, 64u << 20);
        wfpw_buf_append(&b, doc, len);
        if (pass == 1)
            wfpw_buf_puts(&b, trailer);
        wfpw_inventory_init(&inv);
        if (wfpw_netsh_read(b.data, b.len, &inv, err, sizeof(err)) != 0)
            fprintf(stderr, "pass %d: %s\n", pass, err);
        ASSERT_STR_EQ(err, "");
        ASSERT_STR_EQ(inv.source, "netsh wfp show state");
        ASSERT_EQ(inv.nsublayers, 29);
        ASSERT_EQ(inv.nproviders, 16);
        ASSERT_EQ(inv.nfilters, 3); /* filters are nested per layer; callouts are not filters */
        s = wfpw_inventory_sublayer(&inv, "FWPM_SUBLAYER_UNIVERSAL");
        ASSERT(s != NULL);
        ASSERT_EQ(s->weight, 32768);
        s = wfpw_inventory_sublayer(&inv, "FWPM_SUBLAYER_INSPECTION");
        ASSERT(s != NULL && s->weight == 0 && strcmp(s->name, "WFP Built-in Inspection Sublayer") == 0);
        ASSERT_STR_EQ(inv.filters[0].layer, "ALE_AUTH_CONNECT_V4");
        ASSERT_EQ(inv.ncallouts, 11); /* the layer's callouts, with their names */
        ASSERT_STR_EQ(wfpw_inventory_callout_name(&inv, "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4"),
                      "WFP Built-in IPsec ALE Connect v4 Layer Callout");
        ASSERT_STR_EQ(inv.callouts[0].layer, "ALE_AUTH_CONNECT_V4");
        wfpw_inventory_free(&inv);
        wfpw_buf_free(&b);
    }
    wfpw_free(doc);
    return 0;
}
