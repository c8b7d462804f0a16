/*
 * test-surface.c — agent/src/surface/surface.c: each rule fires on the silencing it is for and
 * stays quiet on the benign look-alike beside it (split-DNS and VPN NRPT rules, ad-blocking
 * hosts entries, VoIP QoS, corporate proxies and routes); keys from offline hives and
 * WOW6432Node; the baseline; unknown keys kept and shown; the JSON report.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "../../runner.h"
#include "cloud.h"
#include "surftest.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

int surftest_load(struct wfpw_surface *s, const char *const *files, size_t n, char *err, size_t errlen)
{
    size_t i;
    int rc = 0;
    wfpw_surface_init(s);
    for (i = 0; i + 1 < n && rc == 0; i += 2) {
        size_t len = strlen(files[i + 1]);
        uint8_t *w = strstr(files[i], ".reg") ? surftest_utf16(files[i + 1], &len) : NULL;
        rc = wfpw_surface_add_file(s, files[i], w ? w : (const uint8_t *)files[i + 1], len, err, errlen);
        wfpw_free(w);
    }
    return rc ? rc : wfpw_surface_build(s);
}

#define HDR "Windows Registry Editor Version 5.00\r\n\r\n"
#define NRPT_LOCAL "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters\\DnsPolicyConfig\\"
#define NRPT_GP "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\DNSClient\\DnsPolicyConfig\\"
#define QOS "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\QoS\\"
#define ROUTES "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\PersistentRoutes]\r\n"
#define CONN "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n"
/* ".endpoint.security.microsoft.com" as REG_MULTI_SZ, as Add-DnsClientNrptRule writes it */
#define NAME_MDE "\"Name\"=hex(7):2e,00,65,00,6e,00,64,00,70,00,6f,00,69,00,6e,00,74,00,2e,00,73,00,\\\r\n" \
    "  65,00,63,00,75,00,72,00,69,00,74,00,79,00,2e,00,6d,00,69,00,63,00,72,00,6f,\\\r\n" \
    "  00,73,00,6f,00,66,00,74,00,2e,00,63,00,6f,00,6d,00,00,00,00,00\r\n"

/* "rule/severity" of the first finding on the first item whose summary contains what;
 * "quiet" when it has none; "missing" when no item matches. */
static const char *verdict(const struct wfpw_surface *s, const struct wfpw_rules_cfg *cfg, const char *what,
                           char *buf, size_t len)
{
    size_t i;
    struct wfpw_surface_finding f[4];
    for (i = 0; i < s->nitems; i++)
        if (strstr(s->items[i].summary, what)) {
            if (wfpw_surface_eval(s, i, cfg, f, 4) == 0)
                return "quiet";
            snprintf(buf, len, "%s/%s", f[0].rule, f[0].severity);
            return buf;
        }
    return "missing";
}

struct rcase {
    const char *file, *text, *item, *want;
};

static int run_cases(const struct rcase *c, size_t n, const struct wfpw_rules_cfg *cfg)
{
    size_t i;
    for (i = 0; i < n; i++) {
        struct wfpw_surface s;
        char err[256] = "", buf[128];
        const char *files[2];
        const char *got;
        files[0] = c[i].file, files[1] = c[i].text;
        if (surftest_load(&s, files, 2, err, sizeof(err)) != 0) {
            fprintf(stderr, "case %zu (%s): %s\n", i, c[i].item, err);
            ASSERT(0);
        }
        got = verdict(&s, cfg, c[i].item, buf, sizeof(buf));
        if (strcmp(got, c[i].want) != 0) {
            size_t j;
            fprintf(stderr, "case %zu: item '%s': got %s, want %s; items:\n", i, c[i].item, got, c[i].want);
            for (j = 0; j < s.nitems; j++)
                fprintf(stderr, "  %s\n", s.items[j].summary);
            wfpw_surface_free(&s);
            ASSERT(0);
        }
        wfpw_surface_free(&s);
    }
    return 0;
}

TEST_IMPL(surface_nrpt_rules)
{
    static const struct rcase c[] = {
        /* the public atomic test: both forms it adds */
        {"n.reg", HDR NRPT_LOCAL "{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}]\r\n\"Version\"=dword:00000002\r\n" NAME_MDE
         "\"GenericDNSServers\"=\"127.0.0.1\"\r\n\"ConfigOptions\"=dword:00000008\r\n"
         "\"Comment\"=\"Silenced by Name Resolution Policy Table\"\r\n",
         "{E16C9E47", "nrpt-sinkhole/critical"},
        {"n.reg", HDR NRPT_LOCAL "{1}]\r\n\"Name\"=hex(7):65,00,6e,00,64,00,70,00,6f,00,69,00,6e,00,74,00,2e,00,73,00,"
         "65,00,63,00,75,00,72,00,69,00,74,00,79,00,2e,00,6d,00,69,00,63,00,72,00,6f,00,73,00,6f,00,66,00,74,00,2e,"
         "00,63,00,6f,00,6d,00,00,00,00,00\r\n\"GenericDNSServers\"=\"127.0.0.1\"\r\n\"ConfigOptions\"=dword:8\r\n",
         "{1}", "nrpt-sinkhole/critical"},
        /* Group Policy key, Name as REG_SZ (some clients write it so), a parent domain, 0.0.0.0 */
        {"n.reg", HDR NRPT_GP "Rule1]\r\n\"Name\"=\".microsoft.com\"\r\n\"GenericDNSServers\"=\"0.0.0.0\"\r\n"
         "\"ConfigOptions\"=dword:8\r\n", "Rule1 (Group Policy)", "nrpt-sinkhole/critical"},
        /* an offline hive's ControlSet001, servers separated by "; " and ::1 */
        {"n.reg", HDR "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Dnscache\\Parameters\\DnsPolicyConfig\\{2}]\r\n"
         "\"Name\"=\".cloudsink.net\"\r\n\"GenericDNSServers\"=\"10.0.0.53; ::1\"\r\n\"ConfigOptions\"=dword:8\r\n",
         "{2}", "nrpt-sinkhole/critical"},
        /* the catch-all to loopback silences everything */
        {"n.reg", HDR NRPT_LOCAL "{3}]\r\n\"Name\"=\".\"\r\n\"GenericDNSServers\"=\"127.0.0.1\"\r\n\"ConfigOptions\"=dword:8\r\n",
         "{3}", "nrpt-sinkhole/critical"},
        /* a product domain to a private or a public resolver */
        {"n.reg", HDR NRPT_LOCAL "{4}]\r\n\"Name\"=\".sentinelone.net\"\r\n\"GenericDNSServers\"=\"10.0.0.53\"\r\n"
         "\"ConfigOptions\"=dword:8\r\n", "{4}", "nrpt-redirect/high"},
        {"n.reg", HDR NRPT_LOCAL "{5}]\r\n\"Name\"=\"x.endpoint.security.microsoft.com\"\r\n\"GenericDNSServers\"=\"198.51.100.7\"\r\n"
         "\"ConfigOptions\"=dword:8\r\n", "{5}", "nrpt-redirect/medium"},
        /* near misses: split DNS for an internal domain, even to loopback (a local resolver) */
        {"n.reg", HDR NRPT_LOCAL "{6}]\r\n\"Name\"=\".corp.example\"\r\n\"GenericDNSServers\"=\"127.0.0.1\"\r\n"
         "\"ConfigOptions\"=dword:8\r\n", "{6}", "quiet"},
        /* a VPN's catch-all to its own resolver (Tailscale writes 100.100.100.100) */
        {"n.reg", HDR NRPT_LOCAL "{7}]\r\n\"Name\"=\".\"\r\n\"GenericDNSServers\"=\"100.100.100.100\"\r\n"
         "\"ConfigOptions\"=dword:8\r\n", "{7}", "quiet"},
        /* without option bit 0x8 Windows ignores GenericDNSServers */
        {"n.reg", HDR NRPT_LOCAL "{8}]\r\n" NAME_MDE "\"GenericDNSServers\"=\"127.0.0.1\"\r\n\"ConfigOptions\"=dword:2\r\n",
         "{8}", "quiet"},
        /* a look-alike name: not below the product domain */
        {"n.reg", HDR NRPT_LOCAL "{9}]\r\n\"Name\"=\".notcloudsink.net\"\r\n\"GenericDNSServers\"=\"127.0.0.1\"\r\n"
         "\"ConfigOptions\"=dword:8\r\n", "{9}", "quiet"},
    };
    return run_cases(c, sizeof(c) / sizeof(c[0]), NULL);
}

TEST_IMPL(surface_hosts_rules)
{
    static const struct rcase c[] = {
        {"hosts", "127.0.0.1 winatp-gw-eus.microsoft.com\n", "winatp-gw-eus", "hosts-sinkhole/critical"},
        {"hosts", "0.0.0.0 ts01-b.cloudsink.net\n", "ts01-b", "hosts-sinkhole/critical"},
        {"hosts", "::1 EU.Endpoint.Security.Microsoft.com\n", "eu.endpoint", "hosts-sinkhole/critical"},
        {"hosts", "192.168.7.7 usea1-014.sentinelone.net\n", "usea1-014", "hosts-sinkhole/high"},
        {"hosts", "203.0.113.9 x.traps.paloaltonetworks.com\n", "x.traps", "hosts-sinkhole/medium"},
        /* shared with Windows telemetry: one step milder */
        {"hosts", "0.0.0.0 v10.events.data.microsoft.com\n", "v10.events", "hosts-sinkhole/high"},
        /* near misses: an ad-blocking list, look-alike names, a product's parent domain alone */
        {"hosts", "0.0.0.0 ads.example.com doubleclick.net\n", "doubleclick", "quiet"},
        {"hosts", "0.0.0.0 endpoint.security.microsoft.com.evil.example\n", "evil", "quiet"},
        {"hosts", "0.0.0.0 notcloudsink.net\n", "notcloudsink", "quiet"},
        {"hosts", "127.0.0.1 microsoft.com\n", "microsoft.com", "quiet"},
        /* the hosts file moved */
        {"t.reg", HDR "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n"
         "\"DataBasePath\"=hex(2):43,00,3a,00,5c,00,74,00,6d,00,70,00,00,00\r\n", "DataBasePath", "hosts-relocated/high"},
        {"t.reg", HDR "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n"
         "\"DataBasePath\"=\"%SystemRoot%\\\\System32\\\\drivers\\\\etc\"\r\n", "DataBasePath", "quiet"},
    };
    return run_cases(c, sizeof(c) / sizeof(c[0]), NULL);
}

TEST_IMPL(surface_qos_proxy_route_rules)
{
    static const struct rcase c[] = {
        /* EDRChoker through WMI: ThrottleRate as REG_QWORD (Sigma PR #6062) */
        {"q.reg", HDR QOS "1A2B3C4D]\r\n\"Application Name\"=\"MsSense.exe\"\r\n\"ThrottleRate\"=hex(b):01,00,00,00,00,00,00,00\r\n",
         "1A2B3C4D", "qos-throttle/critical"},
        /* the Group Policy editor's spelling, a full path */
        {"q.reg", HDR QOS "slow]\r\n\"Version\"=\"1.0\"\r\n\"Application Name\"=\"C:\\\\Program Files\\\\SentinelOne\\\\Sentinel Agent 23.1\\\\SentinelAgent.exe\"\r\n"
         "\"Throttle Rate\"=\"8\"\r\n\"DSCP Value\"=\"-1\"\r\n", "policy slow", "qos-throttle/critical"},
        /* any program, but the remote range is a product's published address */
        {"q.reg", HDR QOS "net]\r\n\"Application Name\"=\"*\"\r\n\"Remote IP\"=\"52.25.223.26\"\r\n"
         "\"Remote IP Prefix Length\"=\"32\"\r\n\"Throttle Rate\"=\"1\"\r\n", "policy net", "qos-throttle/high"},
        /* near misses: VoIP marking, a product marked but not throttled, another program throttled */
        {"q.reg", HDR QOS "Teams]\r\n\"Application Name\"=\"Teams.exe\"\r\n\"DSCP Value\"=\"46\"\r\n\"Throttle Rate\"=\"-1\"\r\n",
         "policy Teams", "quiet"},
        {"q.reg", HDR QOS "mark]\r\n\"Application Name\"=\"MsSense.exe\"\r\n\"DSCP Value\"=\"46\"\r\n\"Throttle Rate\"=\"-1\"\r\n",
         "policy mark", "quiet"},
        {"q.reg", HDR QOS "backup]\r\n\"Application Name\"=\"backup.exe\"\r\n\"Throttle Rate\"=\"10240\"\r\n",
         "policy backup", "quiet"},
        /* WinHTTP proxy at loopback (netsh winhttp set proxy 127.0.0.1:8080) */
        {"p.reg", HDR CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,03,00,00,00,0e,00,00,00,31,32,37,2e,30,2e,"
         "30,2e,31,3a,38,30,38,30,00,00,00,00\r\n", "WinHTTP proxy 127.0.0.1:8080", "proxy-local/high"},
        /* WOW6432Node copy, per-protocol list with port 0 */
        {"p.reg", HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n"
         "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,02,00,00,00,1b,00,00,00,68,74,74,70,73,3d,70,72,6f,78,79,2e,"
         "63,6f,72,70,3a,30,3b,68,74,74,70,3d,61,3a,31,00,00,00,00\r\n", "https=proxy.corp:0", "proxy-local/high"},
        /* near misses: direct access (Microsoft's documented value), a corporate proxy */
        {"p.reg", HDR CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,00\r\n",
         "direct access", "quiet"},
        {"p.reg", HDR CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,03,00,00,00,0d,00,00,00,31,30,2e,30,2e,30,"
         "2e,36,3a,38,30,38,30,00,00,00,00\r\n", "WinHTTP proxy 10.0.0.6:8080", "quiet"},
        /* a cut-off blob: shown, not judged, not fatal */
        {"p.reg", HDR CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,03,00,00,00,ff,00,00,00,31\r\n",
         "unreadable WinHttpSettings", "quiet"},
        {"p.reg", HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection]\r\n"
         "\"TelemetryProxyServer\"=\"[::1]:8080\"\r\n", "TelemetryProxyServer", "proxy-local/high"},
        {"p.reg", HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection]\r\n"
         "\"TelemetryProxyServer\"=\"10.0.0.6:8080\"\r\n", "TelemetryProxyServer", "quiet"},
        {"p.reg", HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender]\r\n"
         "\"ProxyServer\"=\"http://169.254.1.1:80\"\r\n", "Defender Antivirus proxy", "proxy-local/medium"},
        {"p.reg", HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
         "\"ProxyEnable\"=dword:00000000\r\n\"ProxyServer\"=\"localhost:3128\"\r\n", "machine proxy", "quiet"},
        {"p.reg", HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
         "\"ProxyEnable\"=dword:00000001\r\n\"ProxyServer\"=\"localhost:3128\"\r\n", "machine proxy", "proxy-local/high"},
        /* persistent routes: a product address on-link, to loopback, via another gateway */
        {"r.reg", HDR ROUTES "\"52.25.223.26,255.255.255.255,0.0.0.0,1\"=\"\"\r\n", "52.25.223.26/32", "route-blackhole/critical"},
        {"r.reg", HDR ROUTES "\"52.25.0.0,255.255.0.0,127.0.0.1,1\"=\"\"\r\n", "52.25.0.0/16", "route-blackhole/critical"},
        {"r.reg", HDR ROUTES "\"52.25.223.26,255.255.255.255,192.168.1.254,1\"=\"\"\r\n", "52.25.223.26/32",
         "route-blackhole/high"},
        /* near misses: a corporate route, a default route, a malformed value (shown, not judged) */
        {"r.reg", HDR ROUTES "\"10.99.100.0,255.255.255.0,10.99.99.1,1\"=\"\"\r\n", "10.99.100.0/24", "quiet"},
        {"r.reg", HDR ROUTES "\"0.0.0.0,0.0.0.0,192.168.1.1,1\"=\"\"\r\n", "0.0.0.0/0", "quiet"},
        {"r.reg", HDR ROUTES "\"not a route\"=\"\"\r\n", "not destination,mask", "quiet"},
    };
    static const char *const extra[] = {"mydr.exe"};
    static const char *const endpoints[] = {"203.0.113.0/24"};
    static const struct rcase cfgc[] = {
        {"q.reg", HDR QOS "x]\r\n\"Application Name\"=\"mydr.exe\"\r\n\"Throttle Rate\"=\"1\"\r\n", "policy x",
         "qos-throttle/critical"},
        {"r.reg", HDR ROUTES "\"203.0.113.5,255.255.255.255,0.0.0.0,1\"=\"\"\r\n", "203.0.113.5/32",
         "route-blackhole/critical"},
    };
    struct rcase quiet[sizeof(cfgc) / sizeof(cfgc[0])];
    struct wfpw_rules_cfg cfg;
    size_t i;
    if (run_cases(c, sizeof(c) / sizeof(c[0]), NULL))
        return 1;
    memset(&cfg, 0, sizeof(cfg));
    cfg.extra_products = extra, cfg.nextra = 1, cfg.endpoints = endpoints, cfg.nendpoints = 1;
    if (run_cases(cfgc, sizeof(cfgc) / sizeof(cfgc[0]), &cfg))
        return 1;
    for (i = 0; i < sizeof(cfgc) / sizeof(cfgc[0]); i++) /* without the configuration: quiet */
        quiet[i] = cfgc[i], quiet[i].want = "quiet";
    return run_cases(quiet, sizeof(quiet) / sizeof(quiet[0]), NULL);
}

TEST_IMPL(surface_report_and_baseline)
{
    static const char *const before[] = {
        "hosts", "0.0.0.0 ads.example.com\n",
        "a.reg", HDR NRPT_LOCAL "{a}]\r\n\"Name\"=\".corp.example\"\r\n\"GenericDNSServers\"=\"10.0.0.53\"\r\n"
                 "\"ConfigOptions\"=dword:8\r\n"
                 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Thing]\r\n\"Unknown\"=dword:7\r\n",
    };
    static const char *const after[] = {
        "hosts", "0.0.0.0 ads.example.com\n127.0.0.1 ts01-b.cloudsink.net\n",
        "a.reg", HDR NRPT_LOCAL "{a}]\r\n\"Name\"=\".cloudsink.net\"\r\n\"GenericDNSServers\"=\"10.0.0.53\"\r\n"
                 "\"ConfigOptions\"=dword:8\r\n"
                 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Thing]\r\n\"Unknown\"=dword:7\r\n",
    };
    struct wfpw_surface a, b;
    struct wfpw_surface_result res;
    struct wfpw_buf out;
    char err[256];
    cJSON *doc, *items, *it, *sum;
    int other = 0;
    ASSERT_EQ(surftest_load(&a, before, 4, err, sizeof(err)), 0);
    ASSERT_EQ(surftest_load(&b, after, 4, err, sizeof(err)), 0);
    wfpw_buf_init(&out, 1u << 24);
    ASSERT_EQ(wfpw_surface_report(&b, &a, NULL, 0, &out, &res), 0);
    ASSERT_EQ(res.counts[4], 1);   /* the new hosts entry */
    ASSERT_EQ(res.counts[3], 1);   /* the changed NRPT rule: product domain to a private server */
    ASSERT_EQ(res.preexisting, 0);
    ASSERT_EQ(res.added, 1);
    ASSERT_EQ(res.changed, 1);
    ASSERT_EQ(res.removed, 0);
    ASSERT_EQ(res.worst_new, 4);
    doc = cJSON_ParseWithLength(out.data, out.len);
    ASSERT(doc != NULL);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")), 2);
    items = cJSON_GetObjectItem(doc, "items");
    cJSON_ArrayForEach(it, items)
        if (!strcmp(cJSON_GetObjectItem(it, "kind")->valuestring, "other")) {
            cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(it, "values"), 0);
            ASSERT_STR_EQ(cJSON_GetObjectItem(it, "key")->valuestring, "HKLM\\SOFTWARE\\Vendor\\Thing");
            ASSERT_STR_EQ(cJSON_GetObjectItem(v, "name")->valuestring, "Unknown");
            ASSERT_STR_EQ(cJSON_GetObjectItem(v, "data")->valuestring, "dword:7");
            other++;
        }
    ASSERT_EQ(other, 1);
    sum = cJSON_GetObjectItem(doc, "summary");
    ASSERT_EQ(cJSON_GetObjectItem(sum, "critical")->valueint, 1);
    ASSERT_EQ(cJSON_GetObjectItem(sum, "changed")->valueint, 1);
    cJSON_Delete(doc);
    /* against itself: everything pre-existing, nothing new */
    wfpw_buf_reset(&out);
    ASSERT_EQ(wfpw_surface_report(&b, &b, NULL, 1, &out, &res), 0);
    ASSERT_EQ(res.worst_new, 0);
    ASSERT_EQ(res.preexisting, 2);
    ASSERT(strstr(out.data, "old") != NULL);
    ASSERT(strstr(out.data, "0 added, 0 removed, 0 changed") != NULL);
    wfpw_buf_free(&out);
    wfpw_surface_free(&a);
    wfpw_surface_free(&b);
    return 0;
}

TEST_IMPL(surface_cloud_catalogue)
{
    size_t n, i;
    const struct wfpw_cloud_domain *d = wfpw_cloud_domains(&n);
    const struct wfpw_cloud_range *r;
    struct wfpw_netaddr a;
    for (i = 0; i < n; i++) /* every entry says where it comes from */
        ASSERT(d[i].source != NULL && d[i].source[0] && d[i].vendor[0]);
    r = wfpw_cloud_ranges(&n);
    for (i = 0; i < n; i++)
        ASSERT(r[i].source[0] && wfpw_netaddr_parse(r[i].prefix, &a) == 0);
    ASSERT(wfpw_cloud_name("endpoint.security.microsoft.com") != NULL);
    ASSERT(wfpw_cloud_name("a.b.endpoint.security.microsoft.com.") != NULL);
    ASSERT(wfpw_cloud_name("xendpoint.security.microsoft.com") == NULL);
    ASSERT(wfpw_cloud_name("winatp-gw-eus.microsoft.com") != NULL);
    ASSERT(wfpw_cloud_name("x.winatp-gw-eus.microsoft.com") == NULL); /* an exact name, no wildcard */
    ASSERT(wfpw_cloud_namespace(".microsoft.com") != NULL);            /* a parent covers it */
    ASSERT(wfpw_cloud_namespace(".eu.endpoint.security.microsoft.com") != NULL);
    ASSERT(wfpw_cloud_namespace(".") == NULL);                         /* callers test the catch-all */
    ASSERT(wfpw_cloud_namespace(".corp.example") == NULL);
    ASSERT(wfpw_cloud_namespace(".com") != NULL);
    return 0;
}

/* Change sets: a baseline, then added / changed / removed items with alerts on what is new;
 * the same inputs give the same events; a reading saved as text reads back to the same items. */
TEST_IMPL(surface_change_sets)
{
    static const char *const one[] = {
        "hosts", "0.0.0.0 ads.example.com\n10.0.0.1 keep.example\n",
        "a.reg", HDR QOS "Teams]\r\n\"Application Name\"=\"Teams.exe\"\r\n\"DSCP Value\"=\"46\"\r\n"
                 CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,00\r\n",
    };
    static const char *const two[] = {
        "hosts", "10.0.0.1 keep.example\n127.0.0.1 ts01-b.cloudsink.net\n",
        "a.reg", HDR QOS "Teams]\r\n\"Application Name\"=\"MsSense.exe\"\r\n\"Throttle Rate\"=\"8\"\r\n"
                 CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,00\r\n",
    };
    struct wfpw_surface a, b, c;
    struct wfpw_surface_change_opts o;
    struct wfpw_buf reg, hosts, e1, e2;
    char err[256];
    cJSON *ev = NULL, *ev2 = NULL, *x;
    int added = 0, removed = 0, changed = 0, alerts = 0;
    ASSERT_EQ(surftest_load(&a, one, 4, err, sizeof(err)), 0);
    ASSERT_EQ(surftest_load(&b, two, 4, err, sizeof(err)), 0);
    memset(&o, 0, sizeof(o));
    o.min_alert_rank = 2, o.change_set = "7c2e9a41-3f5b-4d86-a1c7-2e9b5f3d8a64", o.time_ms = 1765000000000LL;
    /* baseline: every item added, nothing alerted on a clean host */
    ASSERT_EQ(wfpw_surface_changes(NULL, &a, &o, &ev), 0);
    ASSERT_EQ(cJSON_GetArraySize(ev), (int)a.nitems);
    cJSON_ArrayForEach(x, ev) {
        struct wfpw_proto_err pe;
        ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(x, "baseline")));
        cJSON_ReplaceItemInObject(x, "seq", cJSON_CreateNumber(1)); /* numbered by the pipeline */
        ASSERT_EQ(wfpw_event_validate(x, "e", &pe), 0);
    }
    cJSON_Delete(ev);
    /* a -> b */
    ASSERT_EQ(wfpw_surface_changes(&a, &b, &o, &ev), 0);
    cJSON_ArrayForEach(x, ev) {
        const char *t = cJSON_GetObjectItem(x, "type")->valuestring;
        if (!strcmp(t, "alert")) {
            alerts++;
            ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(x, "preexisting")));
            ASSERT(cJSON_GetObjectItem(x, "surface_item") != NULL);
            continue;
        }
        t = cJSON_GetObjectItem(x, "change")->valuestring;
        added += !strcmp(t, "added"), removed += !strcmp(t, "removed"), changed += !strcmp(t, "changed");
        if (!strcmp(t, "changed"))
            ASSERT(cJSON_GetObjectItem(x, "previous") != NULL);
        ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(x, "baseline")));
    }
    ASSERT_EQ(added, 1);   /* the sinkhole entry */
    ASSERT_EQ(removed, 1); /* the ad-blocking entry */
    ASSERT_EQ(changed, 1); /* the QoS policy */
    ASSERT_EQ(alerts, 2);  /* hosts-sinkhole, qos-throttle */
    /* deterministic: computed again, the same bytes */
    ASSERT_EQ(wfpw_surface_changes(&a, &b, &o, &ev2), 0);
    wfpw_buf_init(&e1, 1u << 24);
    wfpw_buf_init(&e2, 1u << 24);
    wfpw_json_write(ev, &e1);
    wfpw_json_write(ev2, &e2);
    ASSERT(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0);
    cJSON_Delete(ev);
    cJSON_Delete(ev2);
    /* nothing changed: no event */
    ASSERT_EQ(wfpw_surface_changes(&b, &b, &o, &ev), 0);
    ASSERT_EQ(cJSON_GetArraySize(ev), 0);
    cJSON_Delete(ev);
    /* saved and read back: no difference */
    wfpw_buf_init(&reg, 1u << 24);
    wfpw_buf_init(&hosts, 1u << 24);
    ASSERT_EQ(wfpw_surface_save(&b, &reg, &hosts), 0);
    wfpw_surface_init(&c);
    ASSERT_EQ(wfpw_surface_add_file(&c, "state.reg", (const uint8_t *)reg.data, reg.len, err, sizeof(err)), 0);
    ASSERT_EQ(wfpw_surface_add_file(&c, "hosts", (const uint8_t *)hosts.data, hosts.len, err, sizeof(err)), 0);
    ASSERT_EQ(wfpw_surface_build(&c), 0);
    ASSERT_EQ(c.nitems, b.nitems);
    ASSERT_EQ(wfpw_surface_changes(&b, &c, &o, &ev), 0);
    ASSERT_EQ(cJSON_GetArraySize(ev), 0);
    cJSON_Delete(ev);
    wfpw_buf_free(&reg);
    wfpw_buf_free(&hosts);
    wfpw_buf_free(&e1);
    wfpw_buf_free(&e2);
    wfpw_surface_free(&a);
    wfpw_surface_free(&b);
    wfpw_surface_free(&c);
    return 0;
}

/* Values as the live registry hands them over (wfpw_regstore_add: UTF-16LE strings) give the
 * same items and verdicts as the same values from an export, and survive the saved state. */
TEST_IMPL(surface_live_values)
{
    static const uint8_t srv[] = {'1', 0, '2', 0, '7', 0, '.', 0, '0', 0, '.', 0, '0', 0, '.', 0, '1', 0, 0, 0};
    static const uint8_t opt[] = {8, 0, 0, 0};
    static const char ns[] = ".cloudsink.net";
    static const uint8_t thr[] = {1, 0, 0, 0, 0, 0, 0, 0};
    static const char app[] = "SentinelAgent.exe";
    uint8_t name[64], appw[64];
    const char *k = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters\\DnsPolicyConfig\\{1}";
    const char *q = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\QoS\\x";
    struct wfpw_surface s, c;
    struct wfpw_surface_finding f[4];
    struct wfpw_buf reg, hosts;
    char err[256], buf[128];
    size_t i, n = 0;
    for (i = 0; ns[i]; i++)
        name[n++] = (uint8_t)ns[i], name[n++] = 0;
    memset(name + n, 0, 4);
    for (i = 0; app[i]; i++)
        appw[2 * i] = (uint8_t)app[i], appw[2 * i + 1] = 0;
    memset(appw + 2 * i, 0, 2);
    wfpw_surface_init(&s);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, k, "Name", WFPW_REG_MULTI_SZ, name, n + 4, "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, k, "GenericDNSServers", WFPW_REG_SZ, srv, sizeof(srv), "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, k, "ConfigOptions", WFPW_REG_DWORD, opt, 4, "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, q, "Application Name", WFPW_REG_SZ, appw, 2 * i + 2, "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, q, "ThrottleRate", WFPW_REG_QWORD, thr, 8, "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\QoS\\empty", NULL, 0, NULL, 0,
                                "registry"), 0);
    ASSERT_EQ(wfpw_surface_build(&s), 0);
    ASSERT_STR_EQ(verdict(&s, NULL, "{1}", buf, sizeof(buf)), "nrpt-sinkhole/critical");
    ASSERT_STR_EQ(verdict(&s, NULL, "policy x", buf, sizeof(buf)), "qos-throttle/critical");
    ASSERT_STR_EQ(verdict(&s, NULL, "policy empty", buf, sizeof(buf)), "quiet"); /* a key without values */
    wfpw_buf_init(&reg, 1u << 20);
    wfpw_buf_init(&hosts, 1u << 20);
    ASSERT_EQ(wfpw_surface_save(&s, &reg, &hosts), 0);
    wfpw_surface_init(&c);
    ASSERT_EQ(wfpw_surface_add_file(&c, "state.reg", (const uint8_t *)reg.data, reg.len, err, sizeof(err)), 0);
    ASSERT_EQ(wfpw_surface_build(&c), 0);
    ASSERT_EQ(c.nitems, s.nitems);
    for (i = 0; i < s.nitems; i++) {
        ASSERT_STR_EQ(c.items[i].summary, s.items[i].summary);
        ASSERT_EQ(wfpw_surface_eval(&c, i, NULL, f, 4), wfpw_surface_eval(&s, i, NULL, f, 4));
    }
    wfpw_buf_free(&reg);
    wfpw_buf_free(&hosts);
    wfpw_surface_free(&s);
    wfpw_surface_free(&c);
    return 0;
}

/* The live route table (values of the pseudo key the Windows reader fills from
 * GetIpForwardTable2): only black holes fire, since a VPN carries a cloud's addresses through
 * a tunnel or a gateway; a route that is also persistent is reported once, by its persistent
 * item; IPv6 prefixes; and the whole survives the agent's saved state. */
TEST_IMPL(surface_route_table)
{
    static const char *const rows[] = {
        "52.25.223.26,255.255.255.255,0.0.0.0,0,24",    /* on-link over the loopback interface */
        "52.33.193.184,255.255.255.255,0.0.0.0,0,6",    /* on-link over Ethernet: never reached */
        "52.35.11.124,255.255.255.255,0.0.0.0,0,131",   /* over a tunnel: a VPN */
        "52.35.162.27,255.255.255.255,10.9.9.254,0,6",  /* via a LAN gateway: a router, or nothing */
        "50.112.129.218,255.255.255.255,10.8.0.1,0,131", /* via a tunnel's gateway: a VPN */
        "54.68.92.116,255.255.255.255,127.0.0.1,0,6",   /* to a loopback gateway */
        "54.71.43.66,255.255.255.255,0.0.0.0,0,6",      /* also persistent */
        "0.0.0.0,0.0.0.0,192.168.1.1,25,6",             /* the default route */
        "2001:db8:5::/48,,::,256,24",                    /* IPv6, a configured endpoint, on loopback */
        "2001:db8:6::/48,,fe80::1,256,6",                /* IPv6 elsewhere */
        "garbage",
        /* the host's own plumbing: left out */
        "127.0.0.0,255.0.0.0,0.0.0.0,256,24", "224.0.0.0,240.0.0.0,0.0.0.0,256,6",
        "255.255.255.255,255.255.255.255,0.0.0.0,256,6", "169.254.0.0,255.255.0.0,0.0.0.0,256,6",
        "fe80::/64,,::,256,6", "ff00::/8,,::,256,6", "::1/128,,::,256,24",
    };
    static const struct {
        const char *item, *want;
    } v[] = {
        {"active route 52.25.223.26/32", "route-blackhole/critical"},
        {"active route 52.33.193.184/32", "route-blackhole/critical"},
        {"active route 52.35.11.124/32", "quiet"},
        {"active route 52.35.162.27/32", "route-blackhole/medium"}, /* a LAN gateway: may not forward */
        {"active route 54.68.92.116/32", "route-blackhole/critical"},
        {"active route 50.112.129.218/32", "quiet"},
        {"active route 54.71.43.66/32", "quiet"},
        {"persistent route 54.71.43.66/32", "route-blackhole/critical"},
        {"active route 0.0.0.0/0", "quiet"},
        {"active route 2001:db8:5::/48 via :: metric 256 (loopback interface)", "route-blackhole/critical"},
        {"active route 2001:db8:6::/48 via fe80::1", "quiet"},
        {"active route value 'garbage'", "quiet"},
    };
    static const char *const endpoints[] = {"2001:db8:5::/48"};
    struct wfpw_rules_cfg cfg;
    struct wfpw_surface s, c;
    struct wfpw_surface_finding f[4];
    struct wfpw_buf reg, hosts;
    char err[256], buf[128];
    size_t i;
    int round;
    memset(&cfg, 0, sizeof(cfg));
    cfg.endpoints = endpoints, cfg.nendpoints = 1;
    wfpw_surface_init(&s);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, WFPW_SURFACE_ROUTE_TABLE, NULL, 0, NULL, 0, "GetIpForwardTable2"), 0);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ASSERT_EQ(wfpw_regstore_add(&s.reg, WFPW_SURFACE_ROUTE_TABLE, rows[i], 0, NULL, 0, "GetIpForwardTable2"), 0);
    ASSERT_EQ(wfpw_regstore_add(&s.reg, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\PersistentRoutes",
                                "54.71.43.66,255.255.255.255,0.0.0.0,1", WFPW_REG_SZ, (const uint8_t *)"\0", 2,
                                "registry"), 0);
    ASSERT_EQ(wfpw_surface_build(&s), 0);
    wfpw_buf_init(&reg, 1u << 20);
    wfpw_buf_init(&hosts, 1u << 20);
    ASSERT_EQ(wfpw_surface_save(&s, &reg, &hosts), 0);
    wfpw_surface_init(&c);
    if (wfpw_surface_add_file(&c, "state.reg", (const uint8_t *)reg.data, reg.len, err, sizeof(err)) != 0) {
        fprintf(stderr, "the saved state does not read back: %s\n", err);
        ASSERT(0);
    }
    ASSERT_EQ(wfpw_surface_build(&c), 0);
    for (round = 0; round < 2; round++) {
        const struct wfpw_surface *x = round ? &c : &s;
        ASSERT_EQ(x->nitems, sizeof(rows) / sizeof(rows[0]) + 1 - 7);
        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
            const char *got = verdict(x, &cfg, v[i].item, buf, sizeof(buf));
            if (strcmp(got, v[i].want) != 0) {
                size_t j;
                fprintf(stderr, "round %d: '%s': got %s, want %s; items:\n", round, v[i].item, got, v[i].want);
                for (j = 0; j < x->nitems; j++)
                    fprintf(stderr, "  %s\n", x->items[j].summary);
                ASSERT(0);
            }
        }
    }
    for (i = 0; i < s.nitems; i++)
        if (strstr(s.items[i].summary, "52.33.193.184") && wfpw_surface_eval(&s, i, &cfg, f, 4) == 1)
            ASSERT(strstr(f[0].title, "active route sends 52.33.193.184/32 on-link") != NULL &&
                   strstr(f[0].why, "gone at reboot") != NULL);
    wfpw_buf_free(&reg);
    wfpw_buf_free(&hosts);
    wfpw_surface_free(&s);
    wfpw_surface_free(&c);
    return 0;
}

/* A fleet's first readings of ad-blocking hosts files: past max_hosts_listed, entries no rule
 * matches are counted in one agent_status instead of listed, a sinkhole among them is listed
 * and alerted all the same, and the removal of such a list is capped the same way. */
TEST_IMPL(surface_hosts_listing_capped)
{
    enum { N = 3000 };
    struct wfpw_buf h;
    struct wfpw_surface a, empty;
    struct wfpw_surface_change_opts o;
    struct wfpw_proto_err pe;
    char err[256], line[128];
    const char *files[2];
    cJSON *events = NULL, *e;
    size_t i;
    int round, hosts, alerts, status;
    wfpw_buf_init(&h, 1u << 24);
    for (i = 0; i < N; i++) {
        snprintf(line, sizeof(line), "0.0.0.0 ads%zu.tracker.example\n", i);
        ASSERT_EQ(wfpw_buf_append(&h, line, strlen(line)), 0);
        if (i == N / 2)
            ASSERT_EQ(wfpw_buf_printf(&h, "127.0.0.1 ts01-b.cloudsink.net\n"), 0);
    }
    ASSERT_EQ(wfpw_buf_append(&h, "", 1), 0);
    files[0] = "hosts", files[1] = h.data;
    ASSERT_EQ(surftest_load(&a, files, 2, err, sizeof(err)), 0);
    files[1] = "# nothing\n";
    ASSERT_EQ(surftest_load(&empty, files, 2, err, sizeof(err)), 0);
    for (round = 0; round < 2; round++) { /* 0: the list appears; 1: it goes */
        memset(&o, 0, sizeof(o));
        o.change_set = "6f1c2b7e-3d4a-4b5c-8d9e-0a1b2c3d4e5f", o.time_ms = 1763647800000LL, o.min_alert_rank = 1;
        o.max_hosts_listed = 100;
        ASSERT_EQ(wfpw_surface_changes(round ? &a : &empty, round ? &empty : &a, &o, &events), 0);
        hosts = alerts = status = 0;
        cJSON_ArrayForEach(e, events)
        {
            const char *type = cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring;
            memset(&pe, 0, sizeof(pe));
            ASSERT_EQ(wfpw_event_validate(e, "e", &pe), 0);
            if (strcmp(type, "surface_changed") == 0) {
                const cJSON *it = cJSON_GetObjectItemCaseSensitive(e, "item");
                hosts += strcmp(cJSON_GetObjectItemCaseSensitive(it, "kind")->valuestring, "hosts") == 0;
            } else if (strcmp(type, "alert") == 0) {
                alerts++;
            } else if (strcmp(type, "agent_status") == 0) {
                status++;
                ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(e, "state")->valuestring, "degraded");
                ASSERT(strstr(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring,
                              "2900 hosts-file entries added, removed or changed beyond the first 100") != NULL);
            }
        }
        ASSERT_EQ(hosts, 101); /* 100 listed, and the sinkhole */
        ASSERT_EQ(alerts, round == 0 ? 1 : 0);
        ASSERT_EQ(status, 1);
        cJSON_Delete(events);
    }
    /* no cap: every entry */
    memset(&o, 0, sizeof(o));
    o.change_set = "6f1c2b7e-3d4a-4b5c-8d9e-0a1b2c3d4e5f", o.min_alert_rank = 1;
    ASSERT_EQ(wfpw_surface_changes(&empty, &a, &o, &events), 0);
    ASSERT_EQ(cJSON_GetArraySize(events), N + 1 + 1); /* entries, the sinkhole, its alert */
    cJSON_Delete(events);
    wfpw_surface_free(&a);
    wfpw_surface_free(&empty);
    wfpw_buf_free(&h);
    return 0;
}

/* The endpoints a proxy item names for the agent to try: host:port lists, per-protocol lists,
 * PAC URLs by scheme, IPv6, a bare host; none for a local proxy (proxy-local judges it), one
 * that is off, direct access or a malformed port. */
TEST_IMPL(surface_proxy_endpoints)
{
    static const struct {
        const char *text, *want;
    } c[] = {
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
             "\"ProxyEnable\"=dword:00000001\r\n\"ProxyServer\"=\"http=proxy.corp:3128;https=proxy.corp:3129;ftp=proxy.corp:3128\"\r\n",
         "proxy.corp:3128 proxy.corp:3129 "},
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
             "\"ProxyEnable\"=dword:00000000\r\n\"ProxyServer\"=\"proxy.corp:3128\"\r\n", ""},
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender]\r\n\"ProxyPacUrl\"=\"https://pac.corp/p.pac\"\r\n",
         "pac.corp:443 "},
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection]\r\n"
             "\"TelemetryProxyServer\"=\"[2001:db8::7]:8080\"\r\n", "2001:db8::7:8080 "},
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection]\r\n"
             "\"TelemetryProxyServer\"=\"10.9.9.254\"\r\n", "10.9.9.254:80 "},
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection]\r\n"
             "\"TelemetryProxyServer\"=\"127.0.0.1:8080\"\r\n", ""},
        {HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection]\r\n"
             "\"TelemetryProxyServer\"=\"proxy.corp:80a\"\r\n", ""},
        {HDR CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,03,00,00,00,0d,00,00,00,31,30,2e,30,2e,30,"
             "2e,36,3a,38,30,38,30,00,00,00,00\r\n", "10.0.0.6:8080 "},
        {HDR CONN "\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,00\r\n", ""},
    };
    size_t k;
    for (k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        struct wfpw_surface s;
        struct wfpw_proxy_ep ep[8];
        char err[256] = "";
        struct wfpw_buf got;
        const char *files[2];
        size_t i, j, n;
        files[0] = "p.reg", files[1] = c[k].text;
        ASSERT_EQ(surftest_load(&s, files, 2, err, sizeof(err)), 0);
        wfpw_buf_init(&got, 1u << 16);
        ASSERT_EQ(wfpw_buf_puts(&got, ""), 0);
        for (i = 0; i < s.nitems; i++) {
            n = wfpw_surface_proxy_endpoints(&s, i, ep, 8);
            for (j = 0; j < n; j++)
                ASSERT_EQ(wfpw_buf_printf(&got, "%s:%s ", ep[j].host, ep[j].port), 0);
        }
        if (strcmp(got.data ? got.data : "", c[k].want) != 0)
            fprintf(stderr, "case %zu: got '%s', want '%s'\n", k, got.data ? got.data : "", c[k].want);
        ASSERT_STR_EQ(got.data ? got.data : "", c[k].want);
        wfpw_buf_free(&got);
        wfpw_surface_free(&s);
    }
    /* a proxy switched on by ProxyEnable alone is a change (and then judged) */
    {
        struct wfpw_surface off, on;
        struct wfpw_surface_change_opts o;
        const char *files[2];
        char err[256];
        cJSON *events = NULL, *e;
        int changed = 0, alerts = 0;
        files[0] = "p.reg";
        files[1] = HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
                       "\"ProxyEnable\"=dword:00000000\r\n\"ProxyServer\"=\"127.0.0.1:3128\"\r\n";
        ASSERT_EQ(surftest_load(&off, files, 2, err, sizeof(err)), 0);
        files[1] = HDR "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
                       "\"ProxyEnable\"=dword:00000001\r\n\"ProxyServer\"=\"127.0.0.1:3128\"\r\n";
        ASSERT_EQ(surftest_load(&on, files, 2, err, sizeof(err)), 0);
        memset(&o, 0, sizeof(o));
        o.change_set = "6f1c2b7e-3d4a-4b5c-8d9e-0a1b2c3d4e5f", o.min_alert_rank = 1;
        ASSERT_EQ(wfpw_surface_changes(&off, &on, &o, &events), 0);
        cJSON_ArrayForEach(e, events)
        {
            const cJSON *ch = cJSON_GetObjectItemCaseSensitive(e, "change");
            changed += ch && strcmp(ch->valuestring, "changed") == 0;
            alerts += strcmp(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "alert") == 0;
        }
        ASSERT_EQ(changed, 1);
        ASSERT_EQ(alerts, 1); /* proxy-local, now that it is on */
        cJSON_Delete(events);
        wfpw_surface_free(&off);
        wfpw_surface_free(&on);
    }
    return 0;
}

/* At the size real hosts files reach (ad-blocking lists carry tens of thousands of entries) and
 * with many policies: every item keeps its values, one edited entry is one change, a value
 * given twice in an export keeps the last (as reg import does), and nothing alerts. The sorted
 * indexes behind val() and the item lookup are what this exercises; it asserts results, not
 * time. */
TEST_IMPL(surface_at_scale)
{
    enum { NHOSTS = 40000, NQOS = 1500 };
    struct wfpw_buf h1, h2, r;
    struct wfpw_surface a, b;
    struct wfpw_surface_change_opts o;
    char err[256], line[256];
    cJSON *ev = NULL, *x;
    const char *files[4];
    size_t i, alerts = 0, seen = 0;
    int added = 0, removed = 0, other = 0;
    wfpw_buf_init(&h1, 1u << 26);
    wfpw_buf_init(&h2, 1u << 26);
    wfpw_buf_init(&r, 1u << 26);
    for (i = 0; i < NHOSTS; i++) {
        snprintf(line, sizeof(line), "0.0.0.0 ads%zu.tracker-%zu.example\n", i, i % 97);
        ASSERT_EQ(wfpw_buf_append(&h1, line, strlen(line)), 0);
        if (i == NHOSTS / 2)
            snprintf(line, sizeof(line), "0.0.0.0 replaced.tracker.example\n");
        ASSERT_EQ(wfpw_buf_append(&h2, line, strlen(line)), 0);
    }
    ASSERT_EQ(wfpw_buf_append(&r, HDR, strlen(HDR)), 0);
    for (i = 0; i < NQOS; i++) {
        snprintf(line, sizeof(line), QOS "VoIP-%zu]\r\n\"Application Name\"=\"Skype.exe\"\r\n"
                 "\"DSCP Value\"=\"40\"\r\n\"DSCP Value\"=\"46\"\r\n\r\n", i);
        ASSERT_EQ(wfpw_buf_append(&r, line, strlen(line)), 0);
    }
    ASSERT_EQ(wfpw_buf_append(&r, "", 1), 0);
    ASSERT_EQ(wfpw_buf_append(&h1, "", 1), 0);
    ASSERT_EQ(wfpw_buf_append(&h2, "", 1), 0);
    files[0] = "hosts", files[1] = h1.data, files[2] = "a.reg", files[3] = r.data;
    ASSERT_EQ(surftest_load(&a, files, 4, err, sizeof(err)), 0);
    files[1] = h2.data;
    ASSERT_EQ(surftest_load(&b, files, 4, err, sizeof(err)), 0);
    ASSERT(a.nitems >= NHOSTS + NQOS);
    for (i = 0; i < a.nitems; i++) {
        struct wfpw_surface_finding f[4];
        alerts += wfpw_surface_eval(&a, i, NULL, f, 4);
    }
    ASSERT_EQ(alerts, 0);
    /* the last of a value given twice is the one kept */
    for (i = 0; i < a.nitems; i++) {
        cJSON *w = wfpw_surface_item_wire(&a, i);
        char *s = cJSON_PrintUnformatted(w);
        ASSERT(s != NULL);
        if (strstr(s, "VoIP-7\"") != NULL) {
            seen++;
            ASSERT(strstr(s, "DSCP 46") != NULL);
            ASSERT(strstr(s, "\\\"40\\\"") == NULL);
            ASSERT(strstr(s, "\\\"46\\\"") != NULL);
        }
        cJSON_free(s);
        cJSON_Delete(w);
    }
    ASSERT_EQ(seen, 1);
    memset(&o, 0, sizeof(o));
    o.min_alert_rank = 2, o.change_set = "7c2e9a41-3f5b-4d86-a1c7-2e9b5f3d8a64", o.time_ms = 1765000000000LL;
    ASSERT_EQ(wfpw_surface_changes(&a, &b, &o, &ev), 0);
    cJSON_ArrayForEach(x, ev) {
        const cJSON *c = cJSON_GetObjectItem(x, "change");
        const char *t = cJSON_IsString(c) ? c->valuestring : "";
        added += !strcmp(t, "added"), removed += !strcmp(t, "removed");
        other += strcmp(t, "added") && strcmp(t, "removed");
    }
    ASSERT_EQ(added, 1);
    ASSERT_EQ(removed, 1);
    ASSERT_EQ(other, 0);
    cJSON_Delete(ev);
    wfpw_surface_free(&a);
    wfpw_surface_free(&b);
    wfpw_buf_free(&h1);
    wfpw_buf_free(&h2);
    wfpw_buf_free(&r);
    return 0;
}
