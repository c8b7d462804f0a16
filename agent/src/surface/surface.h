/*
 * surface.h — the silencing surface beyond WFP: NRPT rules, the hosts file, machine and
 * WinHTTP proxies, policy-based QoS and persistent routes, read from registry exports and a
 * hosts file (the offline analyzer) into items, judged by rules on behaviour, and reported
 * like `analyze --filters`.
 *
 * Rules (severity of a new finding):
 *   nrpt-sinkhole    critical  an NRPT rule sends a security product's domain (or a parent of
 *                              it, or every name: ".") to a loopback or unspecified DNS server
 *   nrpt-redirect    high      ... a product domain (not the catch-all) to a private or link-local
 *                              DNS server; medium for a public one
 *   hosts-sinkhole   critical  a hosts entry resolves a product domain to loopback/unspecified;
 *                              high to a private or link-local address, medium to a public one
 *                              (one step milder each for a domain shared with Windows telemetry)
 *   hosts-relocated  high      Tcpip\Parameters\DataBasePath moves the hosts file elsewhere
 *   qos-throttle     critical  a QoS policy throttles a security product's executable; high
 *                              when it throttles a product's published addresses
 *   proxy-local      high      a machine, WinHTTP or product proxy points at a loopback or
 *                              unspecified address or port 0; medium for link-local
 *   proxy-unreachable high     (the agent's surface source, not these rules: a proxy that
 *                              appeared or changed and does not accept a connection)
 *   route-blackhole  critical  a persistent route sends a product's address range (prefix /8 or
 *                              longer) on-link or to a loopback/unspecified gateway; high via
 *                              any other gateway. An active route (the live route table, not
 *                              persistent: gone at reboot): critical when it is a black hole (to
 *                              a loopback gateway, or on-link over the loopback interface or a
 *                              LAN interface: a public range is never on a LAN), medium through
 *                              a gateway on a LAN interface; never over a tunnel
 * Quiet on purpose: split-DNS NRPT rules for other domains and VPN catch-all rules to private
 * servers, NRPT rules Windows ignores (no GenericDNSServers option bit), ad-blocking hosts
 * entries, QoS policies that only mark DSCP or throttle other programs, corporate proxies,
 * routes to other ranges, active routes over a tunnel (how a VPN carries a cloud's addresses),
 * an active route that is also persistent (reported once).
 *
 * Ownership: struct wfpw_surface owns its stores and items; wfpw_surface_free releases them.
 */
#ifndef WFPW_SURFACE_H
#define WFPW_SURFACE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hosts.h"
#include "regfile.h"
#include "regwho.h"
#include "rules.h"

/* The live route table (GetIpForwardTable2) enters the store as values of this pseudo key, not
 * a registry key: one value per route, named "destination,mask,gateway,metric,iftype" like
 * PersistentRoutes with the interface's IANA ifType added (24 loopback, 131 tunnel, 53
 * virtual; 6 Ethernet, 71 Wi-Fi); IPv6 as "prefix/length,,gateway,metric,iftype". */
#define WFPW_SURFACE_ROUTE_TABLE "IPHLPAPI\\RouteTable"
#include "wfpw/buf.h"

/* an index entry: a name (registry key, or item id), the item's kind, and the position */
struct wfpw_surface_ref {
    const char *name;
    const char *kind;
    size_t idx;
};

struct wfpw_surface_item {
    const char *kind;                   /* "nrpt" "hosts" "hosts-path" "proxy" "qos" "route" "other" */
    const char *id;                     /* identity within kind (baseline comparison); in arena */
    const char *summary;                /* one line a person reads; in arena */
    const char *key;                    /* registry key (borrowed from reg), NULL for hosts */
    const struct wfpw_regval *val;      /* the one value an item is about, or NULL (all of key) */
    const struct wfpw_host_entry *host; /* hosts entry, or NULL */
    const char *file;
    unsigned line;
};

struct wfpw_surface {
    struct wfpw_regstore reg;
    struct wfpw_hosts hosts;
    int have_hosts;
    size_t nfiles;
    struct wfpw_surface_item *items;    /* owned array, built by wfpw_surface_build */
    size_t nitems;
    struct wfpw_arena arena;            /* the items' strings */
    struct wfpw_surface_ref *vorder;    /* values by key (owned; built by wfpw_surface_build) */
    struct wfpw_surface_ref *iorder;    /* items by kind and id (owned; idem) */
    int lenient_hosts;                  /* the live source: skip (and count) malformed hosts
                                           lines as Windows does, instead of refusing the file */
};

void wfpw_surface_init(struct wfpw_surface *s);
void wfpw_surface_free(struct wfpw_surface *s);
/* 1 when path names a file the surface reads: base name "hosts" (any case) or "*.reg". */
int wfpw_surface_wants(const char *path);
/* One collected file (a name wfpw_surface_wants, else WFPW_EINVAL). Bad content: WFPW_EINVAL
 * with err "FILE:LINE: what". */
int wfpw_surface_add_file(struct wfpw_surface *s, const char *path, const uint8_t *data, size_t len, char *err,
                          size_t errlen);
/* Items from everything added. 0 or WFPW_ENOMEM. */
int wfpw_surface_build(struct wfpw_surface *s);

struct wfpw_surface_finding {
    const char *rule;
    const char *severity;
    char title[256];
    char why[640];
    char target[256];
    size_t item;                        /* index into items */
    int preexisting;
};

/* Findings for item i (at most max); returns how many. cfg supplies extra product
 * executables and endpoints (rules.h); may be NULL. */
size_t wfpw_surface_eval(const struct wfpw_surface *s, size_t i, const struct wfpw_rules_cfg *cfg,
                         struct wfpw_surface_finding *out, size_t max);

struct wfpw_surface_result {
    size_t counts[5];                   /* new findings by severity rank */
    size_t preexisting;
    int worst_new;
    size_t added, removed, changed;     /* items against the baseline */
};

/* Report as text (1) or JSON (0): findings, then every item (values the rules do not know
 * shown too). baseline may be NULL. */
int wfpw_surface_report(const struct wfpw_surface *s, const struct wfpw_surface *baseline,
                        const struct wfpw_rules_cfg *cfg, int text, struct wfpw_buf *out,
                        struct wfpw_surface_result *res);

/* ---- change sets (the live `surface` source) ---- */

/* The wire form (proto surface item: kind, id, summary, key, values) of item i; caller owns;
 * NULL on out of memory. */
cJSON *wfpw_surface_item_wire(const struct wfpw_surface *s, size_t i);

struct wfpw_surface_change_opts {
    const struct wfpw_rules_cfg *rules;   /* may be NULL */
    int min_alert_rank;                   /* findings below this rank raise no alert */
    const char *change_set;               /* the set's UUID */
    int64_t time_ms;
    struct wfpw_regwho *who;              /* registry changes read (4657), or NULL: names who changed an
                                             item as changed_by on its events and alerts (borrowed) */
    int64_t since_ms;                     /* changes read before this are not this set's */
    size_t max_hosts_listed;              /* hosts entries listed one by one per set (0: all); the
                                             rest are counted in one agent_status "degraded"
                                             event; an entry with a finding is always listed */
};

/* The form registry keys are compared in: lower case, ControlSet00N as CurrentControlSet,
 * WOW6432Node dropped (a wfpw_regkey_norm_fn). */
void wfpw_surface_norm_key(const char *key, char *out, size_t outlen);

/* Events for before -> after (before NULL: the first reading, a baseline: every item added and
 * its findings pre-existing): a surface_changed per item added, removed or changed, in item
 * order, then an alert per finding at or above min_alert_rank on an added or changed item, then
 * (when hosts entries went unlisted past max_hosts_listed) one agent_status saying how many.
 * Deterministic for the same inputs (the agent re-creates an unshipped change set after a
 * crash; the registry changes in `who` are inputs: a set re-created after a restart has
 * none). *events: a new array (caller owns), empty when nothing changed. */
int wfpw_surface_changes(const struct wfpw_surface *before, const struct wfpw_surface *after,
                         const struct wfpw_surface_change_opts *o, cJSON **events);

/* Item i of after against before: 0 the same, 1 added (or before NULL), 2 changed. */
int wfpw_surface_item_fresh(const struct wfpw_surface *before, const struct wfpw_surface *after, size_t i);

/* The endpoints a proxy item sends traffic to — a WinHTTP, machine, Defender or telemetry
 * proxy, or a PAC file's server — as host and port (a bare host: 80; a URL: its scheme's
 * port), without duplicates, up to max; none for other items, for a proxy that is off
 * (ProxyEnable 0) or one the proxy-local rule already judges. Whether they answer is the
 * agent's to find out (proxy-unreachable, sources/surface/proxyprobe.h). */
struct wfpw_proxy_ep {
    char host[256];
    char port[8];
};
size_t wfpw_surface_proxy_endpoints(const struct wfpw_surface *s, size_t i, struct wfpw_proxy_ep *out, size_t max);

/* What was read, as two texts the surface reads back (a "Windows Registry Editor Version 5.00"
 * file in UTF-8 and hosts lines), for the agent's state between runs. */
int wfpw_surface_save(const struct wfpw_surface *s, struct wfpw_buf *reg, struct wfpw_buf *hosts);

#endif /* WFPW_SURFACE_H */
