/*
 * samples.c — sample events of every proto v1 type (see samples.h).
 */
#include "samples.h"

#include <string.h>

#include "wfpw/mem.h"

#define T0 1763781380000LL /* 2025-11-22T03:16:20.000Z */

const char *const wfpw_sample_types[] = {
    "connection_blocked", "filter_added", "filter_removed", "filter_changed",
    "alert", "heartbeat", "agent_status", "inventory_changed", NULL};

/* v1 extensions (issue #20): golden files of their own; the "all" batch keeps the types above */
const char *const wfpw_sample_ext_types[] = {"surface_changed", "surface_alert", NULL};

/* The NRPT rule Atomic Red Team's T1562.006 test adds, as the surface source reports it. */
static cJSON *nrpt_item(const char *servers)
{
    cJSON *it = cJSON_CreateObject(), *vals, *v;
    static const char *const names[] = {"ConfigOptions", "GenericDNSServers", "Name"};
    static const int types[] = {4, 1, 7};
    const char *data[3];
    int i, ok;
    data[0] = "dword:8", data[1] = servers, data[2] = "\".endpoint.security.microsoft.com\"";
    ok = it && cJSON_AddStringToObject(it, "kind", "nrpt") &&
         cJSON_AddStringToObject(it, "id", "hklm\\system\\currentcontrolset\\services\\dnscache\\parameters\\"
                                           "dnspolicyconfig\\{e16c9e47-6aaa-41bb-9219-cdbb6bf37ae7}") &&
         cJSON_AddStringToObject(it, "summary", "NRPT rule {E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7} (local): "
                                                ".endpoint.security.microsoft.com -> DNS 127.0.0.1") &&
         cJSON_AddStringToObject(it, "key", "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters\\"
                                            "DnsPolicyConfig\\{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}") &&
         (vals = cJSON_AddArrayToObject(it, "values")) != NULL;
    for (i = 0; ok && i < 3; i++)
        ok = (v = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(vals, v) &&
             cJSON_AddStringToObject(v, "name", names[i]) && cJSON_AddNumberToObject(v, "type", types[i]) &&
             cJSON_AddStringToObject(v, "data", data[i]);
    if (!ok) {
        cJSON_Delete(it);
        return NULL;
    }
    return it;
}

static const struct wfpw_agent_ident agent = {
    "c5b7e0f4-2d1a-4e8b-9f36-0a7d1c4e5b92", "WS-FIN-0042", "0.1.0", "windows"};

const struct wfpw_agent_ident *wfpw_sample_agent(void)
{
    return &agent;
}

static const char *const silencer_flags[] = {"PERSISTENT", "INDEXED"};
static const struct wfpw_condition silencer_cond[] = {
    {"ALE_APP_ID", "EQUAL", "BYTE_BLOB_TYPE",
     "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"}};

/* EDRSilencer v1.4: fake "Microsoft Corporation" provider with a random key, universal
 * sublayer, weight 0xFFFFFFFFFFFFFFFF, one APP_ID condition, action BLOCK. */
static const struct wfpw_filter_desc silencer = {
    "{3f8e2d6b-91c4-4a57-b0e3-7d25c8a41f96}", 324367, "Custom Outbound Filter", NULL,
    silencer_flags, 2,
    {"{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}", "Microsoft Corporation"},
    {"{c38d57d1-05a7-4c33-904f-7fbceee60e82}", "ALE_AUTH_CONNECT_V4"},
    {"{eebecc03-ced4-4380-819a-2734397b2b74}", "WFP Built-in Universal Sublayer"},
    "UINT64", "18446744073709551615", "18446744073709551615",
    "BLOCK", NULL, silencer_cond, 1};

/* The same filter before a change: BFE-assigned weight (EDRSilencer <= 1.3). */
static const struct wfpw_filter_desc silencer_v13 = {
    "{3f8e2d6b-91c4-4a57-b0e3-7d25c8a41f96}", 324367, "Custom Outbound Filter", NULL,
    silencer_flags, 2,
    {"{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}", "Microsoft Corporation"},
    {"{c38d57d1-05a7-4c33-904f-7fbceee60e82}", "ALE_AUTH_CONNECT_V4"},
    {"{eebecc03-ced4-4380-819a-2734397b2b74}", "WFP Built-in Universal Sublayer"},
    "EMPTY", NULL, "274877906944",
    "BLOCK", NULL, silencer_cond, 1};

cJSON *wfpw_sample_event(const char *type, uint64_t seq)
{
    int64_t t = T0 + (int64_t)seq * 1000;
    if (strcmp(type, "connection_blocked") == 0) {
        struct wfpw_endpoint local = {"10.20.30.40", 51234};
        struct wfpw_endpoint remote = {"20.42.65.92", 443};
        struct wfpw_ref provider = {"{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}", "Microsoft Corporation"};
        struct wfpw_ev_blocked ev;
        memset(&ev, 0, sizeof(ev));
        ev.seq = seq;
        ev.time_ms = t;
        ev.source = "audit";
        ev.direction = "outbound";
        ev.protocol = 6;
        ev.local = &local;
        ev.remote = &remote;
        ev.pid = 3872;
        ev.path = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe";
        ev.layer = "ALE_AUTH_CONNECT_V4";
        ev.filter_id = 324367;
        ev.filter_key = "{3f8e2d6b-91c4-4a57-b0e3-7d25c8a41f96}";
        ev.filter_name = "Custom Outbound Filter";
        ev.filter_provider = &provider;
        ev.verdict = "policy_block";
        ev.count = 1;
        ev.first_seen_ms = t - 120;
        ev.last_seen_ms = t - 120;
        ev.has_origin = 1;
        ev.origin_event_id = 5157;
        ev.origin_record_id = 1184523;
        return wfpw_event_blocked(&ev);
    }
    if (strcmp(type, "filter_added") == 0 || strcmp(type, "filter_removed") == 0)
        return wfpw_event_filter(seq, type, t, "inventory", &silencer, NULL);
    if (strcmp(type, "filter_changed") == 0)
        return wfpw_event_filter(seq, type, t, "inventory", &silencer, &silencer_v13);
    if (strcmp(type, "alert") == 0) {
        struct wfpw_ev_alert a;
        memset(&a, 0, sizeof(a));
        a.seq = seq;
        a.time_ms = t;
        a.source = "inventory";
        a.rule = "edr-app-block";
        a.severity = "critical";
        a.title = "WFP filter blocks all outbound traffic of Microsoft Defender (MsMpEng.exe)";
        a.details = "BLOCK filter at ALE_AUTH_CONNECT_V4 with only an ALE_APP_ID condition on "
                    "a security product; provider 'Microsoft Corporation' is not a Windows "
                    "provider key";
        a.filter = &silencer;
        a.target_process = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe";
        a.preexisting = 0;
        return wfpw_event_alert(&a);
    }
    if (strcmp(type, "heartbeat") == 0) {
        /* every add is checked: a member silently missing would still be a valid event */
        cJSON *stats = cJSON_CreateObject(), *src, *drop;
        int ok = stats && (src = cJSON_AddObjectToObject(stats, "events_by_source")) &&
                 cJSON_AddNumberToObject(src, "audit", 1532) &&
                 cJSON_AddNumberToObject(src, "inventory", 4) &&
                 (drop = cJSON_AddObjectToObject(stats, "dropped")) &&
                 cJSON_AddNumberToObject(drop, "spool_full", 0) &&
                 cJSON_AddNumberToObject(stats, "spool_bytes", 1048576) &&
                 cJSON_AddNullToObject(stats, "last_error");
        if (!ok) {
            cJSON_Delete(stats);
            return NULL;
        }
        return wfpw_event_heartbeat(seq, t, stats);
    }
    if (strcmp(type, "agent_status") == 0)
        return wfpw_event_agent_status(seq, t, "started", "wfpwatch-agent 0.1.0 started");
    if (strcmp(type, "inventory_changed") == 0)
        return wfpw_event_inventory_changed(seq, t, 2, 0, 0, "0b8f3c6e-5a2d-4e71-9c4b-7d1e2f3a4b5c", 0);
    if (strcmp(type, "surface_changed") == 0)
        return wfpw_event_surface_changed(seq, t, "changed", nrpt_item("\"127.0.0.1\""), nrpt_item("\"10.0.0.53\""),
                                          "7c2e9a41-3f5b-4d86-a1c7-2e9b5f3d8a64", 0);
    if (strcmp(type, "surface_alert") == 0) {
        struct wfpw_ev_alert a;
        cJSON *item = nrpt_item("\"127.0.0.1\""), *ev;
        memset(&a, 0, sizeof(a));
        a.seq = seq;
        a.time_ms = t;
        a.source = "surface";
        a.rule = "nrpt-sinkhole";
        a.severity = "critical";
        a.title = "NRPT rule sends .endpoint.security.microsoft.com to DNS server 127.0.0.1";
        a.details = "namespace .endpoint.security.microsoft.com covers *.endpoint.security.microsoft.com "
                    "(Microsoft Defender for Endpoint); nothing answers at 127.0.0.1";
        a.surface_item = item;
        ev = item ? wfpw_event_alert(&a) : NULL;
        cJSON_Delete(item);
        return ev;
    }
    return NULL;
}

struct wfpw_batch *wfpw_sample_batch(const char *type)
{
    struct wfpw_batch *b = wfpw_batch_new(&agent, SAMPLE_BATCH_ID, SAMPLE_SENT_AT);
    const char *const *t;
    uint64_t seq = 1;
    if (b == NULL)
        return NULL;
    for (t = wfpw_sample_types; *t; t++) {
        if (type && strcmp(type, *t) != 0)
            continue;
        if (wfpw_batch_add(b, wfpw_sample_event(*t, seq++), NULL) != 0) {
            wfpw_batch_free(b);
            return NULL;
        }
    }
    for (t = wfpw_sample_ext_types; type && *t; t++) /* an extension only by its name */
        if (strcmp(type, *t) == 0 && wfpw_batch_add(b, wfpw_sample_event(*t, seq++), NULL) != 0) {
            wfpw_batch_free(b);
            return NULL;
        }
    return b;
}
