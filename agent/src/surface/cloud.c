/*
 * cloud.c — security products' cloud domains and published address ranges (see cloud.h).
 * Only what a public page supports is listed; vendors whose lists are behind a login are
 * absent rather than guessed (docs/detection.md names them). A deployment adds its own
 * endpoints with --endpoint / rules.endpoints.
 */
#include "cloud.h"

#include <string.h>

#include "wfpw/utf8.h"

#define MDE_CONN "learn.microsoft.com/defender-endpoint/configure-device-connectivity"
#define MDE_URLS "learn.microsoft.com/defender-endpoint/configure-environment (URL list), mdatp connectivity test"
#define AMA_FW "learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-firewall"
#define CS_ACTZERO "docs.actzero.ai/endpoints/crowdstrike/agent-prereqs"
#define SOPHOS "docs.sophos.com/central/customer/help/en-us/PeopleAndDevices/ProtectDevices/DomainsPorts"
#define CORTEX "docs.paloaltonetworks.com cortex-xdr: Enable Access to Cortex XDR"
#define CBC "docs.vmware.com Carbon Black Cloud Sensor Installation Guide (sensor URLs by environment)"

static const struct wfpw_cloud_domain domains[] = {
    {"*.endpoint.security.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_CONN},
    {"*.endpoint.security.microsoft.us", "Microsoft Defender for Endpoint", 0, MDE_CONN},
    {"winatp-gw-cus.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-eus.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-cus3.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-eus3.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-neu.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-weu.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-neu3.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-weu3.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-uks.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-ukw.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-aue.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"winatp-gw-aus.microsoft.com", "Microsoft Defender for Endpoint", 0, MDE_URLS},
    {"*.wd.microsoft.com", "Microsoft Defender Antivirus cloud protection", 0, MDE_URLS},
    {"*.events.data.microsoft.com", "Microsoft Defender for Endpoint (cyber data; also Windows telemetry)", 1,
     MDE_URLS},
    {"*.vortex-win.data.microsoft.com", "Microsoft Defender for Endpoint (cyber data; also Windows telemetry)", 1,
     MDE_URLS},
    {"*.ods.opinsights.azure.com", "Microsoft Sentinel / Azure Monitor Agent", 0, AMA_FW},
    {"*.oms.opinsights.azure.com", "Microsoft Sentinel / Azure Monitor Agent", 0, AMA_FW},
    {"*.handler.control.monitor.azure.com", "Microsoft Sentinel / Azure Monitor Agent", 0, AMA_FW},
    {"*.ingest.monitor.azure.com", "Microsoft Sentinel / Azure Monitor Agent", 0, AMA_FW},
    {"*.cloudsink.net", "CrowdStrike Falcon", 0, CS_ACTZERO},
    {"*.crowdstrike.com", "CrowdStrike Falcon", 0, CS_ACTZERO},
    {"*.sentinelone.net", "SentinelOne", 0, "SentinelOne console host names (usea1-014.sentinelone.net) in public "
                                            "assessments; no official allow-list page is public"},
    {"*.sophos.com", "Sophos Central", 0, SOPHOS},
    {"*.sophosupd.com", "Sophos Central", 0, SOPHOS},
    {"*.sophosupd.net", "Sophos Central", 0, SOPHOS},
    {"*.sophosxl.net", "Sophos Central", 0, SOPHOS},
    {"*.traps.paloaltonetworks.com", "Palo Alto Networks Cortex XDR", 0, CORTEX},
    {"*.confer.net", "VMware Carbon Black Cloud", 0, CBC},
    {"*.conferdeploy.net", "VMware Carbon Black Cloud", 0, CBC},
    {"*.carbonblack.io", "VMware Carbon Black Cloud", 0, CBC},
    {"*.carbonblackcloud.vmware.com", "VMware Carbon Black Cloud", 0, CBC},
    {"epns.eset.com", "ESET PROTECT", 0, "help.eset.com protect_cloud: EPNS (push notification service)"},
    {"*.huntress.io", "Huntress", 0, "support.huntress.io: How is Endpoint Isolation Applied for Windows"},
};

/* CrowdStrike US-2 sensor cloud (ts01-gyr-maverick, lfodown01-gyr-maverick.cloudsink.net). */
static const struct wfpw_cloud_range ranges[] = {
    {"100.20.76.137", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"35.162.239.174", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"35.162.224.228", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"50.112.129.218", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"50.112.130.23", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"50.112.131.18", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"52.25.223.26", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"52.33.193.184", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"52.35.11.124", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"52.35.162.27", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"54.68.92.116", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"54.71.43.66", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"34.209.79.111", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"52.10.219.156", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"34.210.186.129", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"34.209.165.130", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"35.80.210.147", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"35.160.213.193", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"35.166.20.122", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"52.27.205.162", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
    {"100.20.144.105", "CrowdStrike Falcon (US-2)", CS_ACTZERO},
};


/* n (length nl) equals d (length dl), case-insensitively */
static int eqn(const char *n, size_t nl, const char *d, size_t dl)
{
    size_t i;
    if (nl != dl)
        return 0;
    for (i = 0; i < nl; i++)
        if (wfpw_ascii_lower((unsigned char)n[i]) != wfpw_ascii_lower((unsigned char)d[i]))
            return 0;
    return 1;
}

/* name (nl) is d or lies below it */
static int at_or_below(const char *n, size_t nl, const char *d, size_t dl)
{
    if (nl == dl)
        return eqn(n, nl, d, dl);
    return nl > dl && n[nl - dl - 1] == '.' && eqn(n + nl - dl, dl, d, dl);
}

static size_t trimmed(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '.')
        n--;
    return n;
}

const struct wfpw_cloud_domain *wfpw_cloud_name(const char *name)
{
    size_t i, nl = trimmed(name);
    for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
        const char *p = domains[i].pattern;
        int wild = p[0] == '*';
        const char *base = wild ? p + 2 : p;
        if (wild ? at_or_below(name, nl, base, strlen(base)) : eqn(name, nl, base, strlen(base)))
            return &domains[i];
    }
    return NULL;
}

const struct wfpw_cloud_domain *wfpw_cloud_namespace(const char *ns)
{
    size_t i, nl;
    if (ns[0] != '.')
        return wfpw_cloud_name(ns);
    ns++;
    nl = trimmed(ns);
    if (nl == 0)
        return NULL; /* the catch-all */
    for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
        const char *p = domains[i].pattern;
        int wild = p[0] == '*';
        const char *base = wild ? p + 2 : p;
        size_t bl = strlen(base);
        /* the namespace is a parent of (or is) the product's name, or lies inside its wildcard */
        if (at_or_below(base, bl, ns, nl) || (wild && at_or_below(ns, nl, base, bl)))
            return &domains[i];
    }
    return NULL;
}

const struct wfpw_cloud_range *wfpw_cloud_addr(const struct wfpw_netaddr *a)
{
    size_t i;
    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        struct wfpw_netaddr r;
        if (wfpw_netaddr_parse(ranges[i].prefix, &r) == 0 && wfpw_netaddr_overlap(a, &r))
            return &ranges[i];
    }
    return NULL;
}

const struct wfpw_cloud_domain *wfpw_cloud_domains(size_t *n)
{
    *n = sizeof(domains) / sizeof(domains[0]);
    return domains;
}

const struct wfpw_cloud_range *wfpw_cloud_ranges(size_t *n)
{
    *n = sizeof(ranges) / sizeof(ranges[0]);
    return ranges;
}
