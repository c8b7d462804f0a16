/*
 * rules.c — the detection rules (see rules.h and shared/facts/edrsilencer.md §5).
 */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "products.h"
#include "wfpw/attr.h"
#include "wellknown.h"

/* Bounded message text: truncation of an over-long name is acceptable in a finding. */
static void setf(char *dst, size_t len, const char *fmt, ...) WFPW_PRINTF(3, 4);
static void setf(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, len, fmt, ap);
    va_end(ap);
}

int wfpw_severity_rank(const char *s)
{
    if (s == NULL)
        return 0;
    return !strcmp(s, "critical") ? 4 : !strcmp(s, "high") ? 3 : !strcmp(s, "medium") ? 2 : !strcmp(s, "low") ? 1 : 0;
}

/* BLOCK, or a terminating callout that silently drops: Windows' built-in SILENT_DROP callouts,
 * by symbolic name or SDK key (FWPM_CALLOUT_WFP_TRANSPORT_LAYER_V4/V6_SILENT_DROP). Other
 * callouts decide case by case and are not judged here. */
static int blocks(const struct wfpw_filter *f)
{
    const char *k = f->callout_key;
    if (strcmp(f->action, "BLOCK") == 0)
        return 1;
    if (k == NULL || (strcmp(f->action, "CALLOUT_TERMINATING") != 0 && strcmp(f->action, "CALLOUT_UNKNOWN") != 0))
        return 0;
    return strstr(k, "SILENT_DROP") != NULL || strcasecmp(k, "{eda08606-2494-4d78-89bc-67837c03b969}") == 0 ||
           strcasecmp(k, "{8693cc74-a075-4156-b476-9286eece814e}") == 0;
}

/* An action this version names only by number ("ACTION_0x1009"): terminating when Windows'
 * FWP_ACTION_FLAG_TERMINATING (0x1000) is set and it is not PERMIT (0x1002). */
static int terminating_by_number(const char *action)
{
    unsigned long v;
    char *end;
    if (strncmp(action, "ACTION_0x", 9) != 0)
        return 0;
    v = strtoul(action + 9, &end, 16);
    return *end == '\0' && (v & 0x1000ul) && v != 0x1002ul;
}

/* A terminating callout that is not Windows' own: its code returns BLOCK or PERMIT as it
 * decides, so a filter that sends a security product's traffic to it is silencing with one more
 * step (the callout returns BLOCK). Windows' own callouts (an SDK name, or a callout whose
 * provider is a Windows provider) are not judged here; their silent-drop ones are blocks().
 * *co: the callout when the inventory lists it. */
static int foreign_terminating(const struct wfpw_inventory *inv, const struct wfpw_filter *f,
                               const struct wfpw_callout **co)
{
    const char *k = f->callout_key;
    *co = NULL;
    if (terminating_by_number(f->action))
        return 1;
    if (strcmp(f->action, "CALLOUT_TERMINATING") != 0 && strcmp(f->action, "CALLOUT_UNKNOWN") != 0)
        return 0;
    if (k && strncmp(k, "FWPM_CALLOUT_", 13) == 0)
        return 0;
    *co = wfpw_inventory_callout(inv, k);
    return *co == NULL || wfpw_known_provider((*co)->provider_key) == NULL;
}

static const struct wfpw_cond *cond(const struct wfpw_filter *f, const char *field)
{
    size_t i;
    for (i = 0; i < f->nconds; i++)
        if (f->conds[i].field && strcmp(f->conds[i].field, field) == 0)
            return &f->conds[i];
    return NULL;
}

/* Conditions that narrow a block to some peers or ports (service-hardening style). */
static int narrowing(const char *field)
{
    return !strncmp(field, "IP_REMOTE", 9) || !strncmp(field, "IP_LOCAL_PORT", 13) ||
           !strncmp(field, "IP_LOCAL_ADDRESS", 16) || !strncmp(field, "ALE_REMOTE", 10) ||
           !strncmp(field, "IP_DESTINATION", 14) || !strncmp(field, "IP_SOURCE", 9);
}

static const char *provider_label(const struct wfpw_inventory *inv, const char *key, char *buf, size_t len)
{
    const struct wfpw_provider *p = wfpw_inventory_provider(inv, key);
    const struct wfpw_known *k = wfpw_known_provider(key);
    if (key == NULL)
        snprintf(buf, len, "no provider");
    else if (k)
        snprintf(buf, len, "Windows provider %s", k->symbol ? k->symbol : k->guid);
    else
        setf(buf, len, "provider '%s' %s (not a Windows provider key)", p && p->name ? p->name : "?", key);
    return buf;
}

static int claims_microsoft(const char *s)
{
    return s && (wfpw_contains_nocase(s, "microsoft") || wfpw_contains_nocase(s, "windows") ||
                 wfpw_contains_nocase(s, "wfp built-in"));
}

/* ---- IPv4 address matching for the collector and endpoint rules --------------------------------- */

static int ip4(const char *s, unsigned long *out, const char **end)
{
    unsigned long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char *e;
        unsigned long o = strtoul(s, &e, 10);
        if (e == s || o > 255 || (i < 3 && *e != '.'))
            return -1;
        v = v << 8 | o;
        s = i < 3 ? e + 1 : e;
    }
    *out = v;
    if (end)
        *end = s;
    return 0;
}

/* A condition value as an IPv4 interval: "a", "a/mask", "a/len", "lo-hi". */
static int value_range(const char *v, unsigned long *lo, unsigned long *hi)
{
    const char *e;
    unsigned long a, b;
    if (v == NULL || ip4(v, &a, &e) != 0)
        return -1;
    if (*e == '\0') {
        *lo = *hi = a;
        return 0;
    }
    if (*e == '-' && ip4(e + 1, &b, NULL) == 0) {
        *lo = a, *hi = b;
        return 0;
    }
    if (*e == '/') {
        unsigned long mask;
        if (strchr(e + 1, '.')) {
            if (ip4(e + 1, &mask, NULL) != 0)
                return -1;
        } else {
            long len = strtol(e + 1, NULL, 10);
            if (len < 0 || len > 32)
                return -1;
            mask = len == 0 ? 0 : (0xFFFFFFFFul << (32 - len)) & 0xFFFFFFFFul;
        }
        *lo = a & mask;
        *hi = *lo | (~mask & 0xFFFFFFFFul);
        return 0;
    }
    return -1;
}

static int overlaps(const char *a, const char *b)
{
    unsigned long alo, ahi, blo, bhi;
    return value_range(a, &alo, &ahi) == 0 && value_range(b, &blo, &bhi) == 0 && alo <= bhi && blo <= ahi;
}

/* ---- the rules --------------------------------------------------------------------------------------- */

static struct wfpw_finding *add(struct wfpw_finding *out, size_t *n, size_t max, const struct wfpw_filter *f,
                                const char *rule, const char *severity)
{
    struct wfpw_finding *x;
    if (*n >= max)
        return NULL;
    x = &out[(*n)++];
    memset(x, 0, sizeof(*x));
    x->rule = rule;
    x->severity = severity;
    x->filter = f;
    return x;
}

/* Conditions that narrow the filter, as "FIELD MATCH value, ..." (empty when none). */
static void narrowing_text(const struct wfpw_filter *f, char *narrow, size_t len)
{
    size_t j, used = 0;
    narrow[0] = '\0';
    for (j = 0; j < f->nconds; j++)
        if (f->conds[j].field && narrowing(f->conds[j].field) && used < len)
            used += (size_t)snprintf(narrow + used, len - used, "%s%s %s %s", used ? ", " : "", f->conds[j].field,
                                     f->conds[j].match ? f->conds[j].match : "?", f->conds[j].value ? f->conds[j].value : "?");
}

/* A filter that hands a security product's traffic (or wfpwatch's) to a callout that decides:
 * critical with no narrowing condition (the shape of a silencer's block), high otherwise. VPN
 * and proxy callouts that take all traffic select no product by app id and stay quiet. */
static size_t callout_rules(const struct wfpw_filter *f, const struct wfpw_rules_cfg *cfg, const char *self,
                            const char *what, const char *prov, struct wfpw_finding *out, size_t max)
{
    size_t n = 0, i;
    struct wfpw_finding *x;
    char narrow[256];
    if (!wfpw_layer_is_ale_auth(f->layer))
        return 0;
    narrowing_text(f, narrow, sizeof(narrow));
    for (i = 0; i < f->nconds; i++) {
        const struct wfpw_cond *c = &f->conds[i];
        const struct wfpw_product *prod;
        int own;
        if (!c->field || strcmp(c->field, "ALE_APP_ID") != 0 || !c->match || strcmp(c->match, "EQUAL") != 0 || !c->value)
            continue;
        own = wfpw_layer_is_outbound(f->layer) && wfpw_exe_is(c->value, self);
        prod = own ? NULL : wfpw_product_match(c->value, cfg ? cfg->extra_products : NULL, cfg ? cfg->nextra : 0);
        if (!own && !prod)
            continue;
        if ((x = add(out, &n, max, f, own ? "self-callout" : "edr-app-callout", narrow[0] ? "high" : "critical")) == NULL)
            break;
        setf(x->title, sizeof(x->title), "WFP filter sends %s traffic of %s (%s) to a callout that decides",
             narrow[0] ? "some" : "all", own ? "wfpwatch" : prod->vendor, c->value);
        setf(x->why, sizeof(x->why), "%s filter at %s selects %s executable by app id%s%s and hands it to %s, which can "
             "return BLOCK: a silencer with one more step; filter %s", f->action, f->layer,
             own ? "wfpwatch's" : "a security product's", narrow[0] ? ", narrowed to " : " with no narrowing", narrow,
             what, prov);
        setf(x->target, sizeof(x->target), "%s", c->value);
    }
    return n;
}

size_t wfpw_rules_eval(const struct wfpw_inventory *inv, const struct wfpw_filter *f,
                       const struct wfpw_rules_cfg *cfg, struct wfpw_finding *out, size_t max)
{
    size_t n = 0, i;
    char prov[512];
    const char *self = cfg && cfg->self_exe ? cfg->self_exe : "wfpwatch-agent.exe";
    const struct wfpw_known *known_prov = wfpw_known_provider(f->provider_key);
    const struct wfpw_provider *p = wfpw_inventory_provider(inv, f->provider_key);
    struct wfpw_finding *x;

    if (!blocks(f)) {
        const struct wfpw_callout *co;
        char cprov[512], what[768];
        if (!foreign_terminating(inv, f, &co))
            return 0;
        provider_label(inv, f->provider_key, prov, sizeof(prov));
        provider_label(inv, co ? co->provider_key : NULL, cprov, sizeof(cprov));
        if (terminating_by_number(f->action))
            setf(what, sizeof(what), "an action this agent does not know (%s, terminating)", f->action);
        else
            setf(what, sizeof(what), "terminating callout %s ('%s', %s)", f->callout_key ? f->callout_key : "(no key)",
                 co && co->name ? co->name : "not in the inventory", co ? cprov : "provider unknown");
        return callout_rules(f, cfg, self, what, prov, out, max);
    }
    provider_label(inv, f->provider_key, prov, sizeof(prov));

    /* 1 + 2: app ids */
    for (i = 0; i < f->nconds; i++) {
        const struct wfpw_cond *c = &f->conds[i];
        const struct wfpw_product *prod;
        if (!c->field || strcmp(c->field, "ALE_APP_ID") != 0 || !c->match || strcmp(c->match, "EQUAL") != 0 || !c->value)
            continue;
        if (wfpw_layer_is_outbound(f->layer) && wfpw_exe_is(c->value, self)) {
            if ((x = add(out, &n, max, f, "self-block", "critical")) != NULL) {
                setf(x->title, sizeof(x->title), "WFP filter blocks wfpwatch itself");
                setf(x->why, sizeof(x->why), "%s filter at %s selects wfpwatch's executable by app id; %s",
                         f->action, f->layer, prov);
                setf(x->target, sizeof(x->target), "%s", c->value);
            }
            continue;
        }
        prod = wfpw_product_match(c->value, cfg ? cfg->extra_products : NULL, cfg ? cfg->nextra : 0);
        if (prod && wfpw_layer_is_ale_auth(f->layer)) {
            char narrow[256] = "";
            size_t j, used = 0;
            for (j = 0; j < f->nconds; j++)
                if (f->conds[j].field && narrowing(f->conds[j].field) && used < sizeof(narrow))
                    used += (size_t)snprintf(narrow + used, sizeof(narrow) - used, "%s%s %s %s", used ? ", " : "",
                                             f->conds[j].field, f->conds[j].match ? f->conds[j].match : "?",
                                             f->conds[j].value ? f->conds[j].value : "?");
            if ((x = add(out, &n, max, f, "edr-app-block", narrow[0] ? "high" : "critical")) != NULL) {
                setf(x->title, sizeof(x->title), "WFP filter blocks %s traffic of %s (%s)",
                         narrow[0] ? "some" : "all", prod->vendor, c->value);
                setf(x->why, sizeof(x->why), "%s filter at %s selects a %s executable by app id%s%s; %s",
                         f->action, f->layer, prod->vendor, narrow[0] ? ", narrowed to " : " with no narrowing",
                         narrow, prov);
                setf(x->target, sizeof(x->target), "%s", c->value);
            }
        }
    }

    /* 2 (service SID) and 2/3 (remote addresses) */
    if (wfpw_layer_is_outbound(f->layer)) {
        const struct wfpw_cond *user = cond(f, "ALE_USER_ID");
        const struct wfpw_cond *addr = cond(f, "IP_REMOTE_ADDRESS");
        if (cfg && cfg->self_sid && user && user->value && strstr(user->value, cfg->self_sid) &&
            (x = add(out, &n, max, f, "self-block", "critical")) != NULL) {
            setf(x->title, sizeof(x->title), "WFP filter blocks the wfpwatch service");
            setf(x->why, sizeof(x->why), "%s filter at %s selects wfpwatch's service SID; %s", f->action, f->layer, prov);
            setf(x->target, sizeof(x->target), "%s", cfg->self_sid);
        }
        for (i = 0; addr && cfg && i < cfg->ncollector; i++) {
            char ip[64];
            const char *colon = strchr(cfg->collector[i], ':');
            const struct wfpw_cond *port = cond(f, "IP_REMOTE_PORT");
            snprintf(ip, sizeof(ip), "%.*s", colon ? (int)(colon - cfg->collector[i]) : 63, cfg->collector[i]);
            if (!overlaps(addr->value, ip))
                continue;
            if (port && colon && port->value && strcmp(port->value, colon + 1) != 0 && !strchr(port->value, '-'))
                continue; /* a different port */
            if ((x = add(out, &n, max, f, "self-block", "critical")) != NULL) {
                setf(x->title, sizeof(x->title), "WFP filter blocks the wfpwatch collector %s", cfg->collector[i]);
                setf(x->why, sizeof(x->why), "%s filter at %s matches remote address %s; %s", f->action, f->layer,
                         addr->value, prov);
                setf(x->target, sizeof(x->target), "%s", cfg->collector[i]);
            }
            break;
        }
        for (i = 0; addr && !cond(f, "ALE_APP_ID") && cfg && i < cfg->nendpoints; i++) {
            if (!overlaps(addr->value, cfg->endpoints[i]))
                continue;
            if ((x = add(out, &n, max, f, "edr-cloud-block", "high")) != NULL) {
                setf(x->title, sizeof(x->title), "WFP filter blocks security-product endpoint %s", cfg->endpoints[i]);
                setf(x->why, sizeof(x->why), "%s filter at %s matches remote address %s for every process; %s",
                         f->action, f->layer, addr->value, prov);
                setf(x->target, sizeof(x->target), "%s", cfg->endpoints[i]);
            }
            break;
        }
    }

    /* 4: impersonation — a provider or sublayer that says Microsoft but is not Windows' */
    if (f->provider_key && !known_prov && p && (claims_microsoft(p->name) || claims_microsoft(p->description)) &&
        (x = add(out, &n, max, f, "provider-impersonation", "high")) != NULL) {
        setf(x->title, sizeof(x->title), "Blocking filter from a provider posing as Microsoft ('%s')", p->name ? p->name : "");
        setf(x->why, sizeof(x->why), "provider %s is named '%s' / '%s' but its key is none of Windows' provider keys",
                 f->provider_key, p->name ? p->name : "", p->description ? p->description : "");
    }
    {
        const struct wfpw_sublayer *s = wfpw_inventory_sublayer(inv, f->sublayer_key);
        int known_sub = wfpw_known_sublayer(f->sublayer_key) != NULL;
        if (s && !known_sub && (claims_microsoft(s->name) || claims_microsoft(s->description)) &&
            (x = add(out, &n, max, f, "provider-impersonation", "high")) != NULL) {
            setf(x->title, sizeof(x->title), "Blocking filter in a sublayer posing as Microsoft's ('%s')", s->name ? s->name : "");
            setf(x->why, sizeof(x->why), "sublayer %s is named '%s' but its key is none of Windows' sublayer keys",
                     f->sublayer_key, s->name ? s->name : "");
        }
        /* 5: a non-Windows sublayer at the top of arbitration */
        if (s && !known_sub && s->weight >= 0xC001 && !wfpw_known_provider(s->provider_key) &&
            (x = add(out, &n, max, f, "max-weight-sublayer", "medium")) != NULL) {
            setf(x->title, sizeof(x->title), "Blocking filter in a high-priority non-Windows sublayer (weight %u)", s->weight);
            setf(x->why, sizeof(x->why), "sublayer %s ('%s') has weight %u, above every Windows sublayer (max 49152); %s",
                     f->sublayer_key, s->name ? s->name : "", s->weight, prov);
        }
    }

    /* 6: persistent or boot-time block from an unknown provider */
    if (!known_prov && (wfpw_filter_has_flag(f, "PERSISTENT") || wfpw_filter_has_flag(f, "BOOTTIME"))) {
        int allowed = 0;
        for (i = 0; cfg && f->provider_key && i < cfg->nallow; i++)
            allowed |= strcasecmp(cfg->allow_providers[i], f->provider_key) == 0;
        if (!allowed && (x = add(out, &n, max, f, "persistent-block", "low")) != NULL) {
            setf(x->title, sizeof(x->title), "Persistent block filter '%s' from a non-Windows provider", f->name ? f->name : "");
            setf(x->why, sizeof(x->why), "%s %s filter at %s survives reboots; %s",
                     wfpw_filter_has_flag(f, "BOOTTIME") ? "boot-time" : "persistent", f->action, f->layer, prov);
        }
    }
    return n;
}
