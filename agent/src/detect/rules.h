/*
 * rules.h — EDR-silencer detection rules over the filter inventory. Every rule judges what a
 * filter does (action, layer, conditions) and whose it really is (provider and sublayer
 * keys against Windows' own, wellknown.h) — never its name alone, which attackers change.
 *
 *   edr-app-block       critical  blocks a security product's executable (app id) at an ALE
 *                                 auth layer; high when narrowed to remote addresses/ports
 *   self-block          critical  would block wfpwatch itself (app id, service SID, collector)
 *   edr-cloud-block     high      blocks configured security-product endpoints by address
 *   provider-impersonation high   blocking filter whose provider/sublayer claims to be
 *                                 Microsoft's without a Windows key
 *   max-weight-sublayer medium    blocking filter in a non-Windows sublayer of weight >= 0xC001
 *   persistent-block    low       persistent/boot-time block from a provider that is neither
 *                                 Windows' nor allowlisted (third-party firewalls do this too)
 */
#ifndef WFPW_RULES_H
#define WFPW_RULES_H

#include <stddef.h>

#include "inventory.h"

struct wfpw_rules_cfg {
    const char *const *extra_products;   /* more security-product executables */
    size_t nextra;
    const char *self_exe;                /* default "wfpwatch-agent.exe" */
    const char *self_sid;                /* wfpwatch's service SID, NULL if unknown */
    const char *const *collector;        /* "ip" or "ip:port" the agent ships to */
    size_t ncollector;
    const char *const *endpoints;        /* security-product cloud endpoints: "ip" or "ip/len" */
    size_t nendpoints;
    const char *const *allow_providers;  /* provider keys trusted like Windows' (rule 6 only) */
    size_t nallow;
};

struct wfpw_finding {
    const char *rule;
    const char *severity;                /* "critical" | "high" | "medium" | "low" */
    char title[256];
    char why[512];
    char target[1024];                   /* process path or address, "" when none */
    const struct wfpw_filter *filter;    /* borrowed from the inventory */
    int preexisting;
};

/* Findings for filter f of inv (at most max, into out); returns how many. */
size_t wfpw_rules_eval(const struct wfpw_inventory *inv, const struct wfpw_filter *f,
                       const struct wfpw_rules_cfg *cfg, struct wfpw_finding *out, size_t max);
/* critical 4, high 3, medium 2, low 1, anything else 0. */
int wfpw_severity_rank(const char *severity);

#endif
