/*
 * inventory.h — the WFP filter inventory model shared by every reader (netsh XML dumps
 * today; the live FwpmFilterEnum0 path of the Windows source later) and by detection.
 *
 * Names follow netsh / the SDK without their kind prefix, as on the wire (proto.h): layer
 * "ALE_AUTH_CONNECT_V4", condition field "ALE_APP_ID", match "EQUAL", value type
 * "BYTE_BLOB_TYPE", action "BLOCK", flag "PERSISTENT". Keys are lower-case "{guid}" or, for
 * SDK-known objects printed symbolically by netsh, the symbolic name ("FWPM_PROVIDER_MPSSVC_WF");
 * wfpw_wellknown_* (wellknown.h) maps between the two.
 *
 * Ownership: an inventory owns everything it points to (one arena); wfpw_inventory_free
 * releases it all. Arrays are grown by the readers through wfpw_inventory_add_*.
 */
#ifndef WFPW_INVENTORY_H
#define WFPW_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/arena.h"

struct wfpw_cond {
    const char *field;      /* "ALE_APP_ID" */
    const char *match;      /* "EQUAL" */
    const char *type;       /* "BYTE_BLOB_TYPE", "UINT16", "RANGE_TYPE", ... */
    const char *value;      /* rendered: app id path, number, "low-high", "addr/mask", SDDL, SID */
};

struct wfpw_filter {
    const char *key;
    uint64_t id;
    const char *name, *description;
    const char **flags;     /* "PERSISTENT", "BOOTTIME", "INDEXED", ... */
    size_t nflags;
    const char *provider_key;     /* NULL: no provider */
    const char *layer;            /* "ALE_AUTH_CONNECT_V4" */
    const char *sublayer_key;
    const char *weight_type;      /* "EMPTY" | "UINT8" | "UINT64" */
    const char *weight_value;     /* decimal, NULL for EMPTY */
    const char *effective_weight; /* decimal */
    const char *action;           /* "BLOCK", "PERMIT", "CALLOUT_TERMINATING", ... */
    const char *callout_key;      /* action filterType / calloutKey, NULL when none */
    const char *provider_context_key;
    struct wfpw_cond *conds;
    size_t nconds;
};

struct wfpw_provider {
    const char *key, *name, *description, *service;
    const char **flags;     /* "PERSISTENT", "DISABLED" */
    size_t nflags;
};

struct wfpw_sublayer {
    const char *key, *name, *description, *provider_key;
    uint32_t weight;
};

struct wfpw_callout {
    const char *key, *name, *provider_key, *layer;
};

struct wfpw_inventory {
    struct wfpw_arena arena;
    struct wfpw_filter *filters;
    size_t nfilters, cap_filters;
    struct wfpw_provider *providers;
    size_t nproviders, cap_providers;
    struct wfpw_sublayer *sublayers;
    size_t nsublayers, cap_sublayers;
    struct wfpw_callout *callouts;      /* from `show state` dumps (per layer) */
    size_t ncallouts, cap_callouts;
    const char *source;     /* "netsh show filters", "netsh show state", ... */
    const struct wfpw_filter **by_id; /* sorted by run-time id; built by wfpw_inventory_index */
    size_t nby_id;
};

void wfpw_inventory_init(struct wfpw_inventory *inv);
void wfpw_inventory_free(struct wfpw_inventory *inv);
/* New zeroed element at the end (valid until the next add of the same kind); NULL on OOM. */
struct wfpw_filter *wfpw_inventory_add_filter(struct wfpw_inventory *inv);
struct wfpw_provider *wfpw_inventory_add_provider(struct wfpw_inventory *inv);
struct wfpw_sublayer *wfpw_inventory_add_sublayer(struct wfpw_inventory *inv);
struct wfpw_callout *wfpw_inventory_add_callout(struct wfpw_inventory *inv);
/* The callout's display name, or NULL when the inventory does not list it. */
const char *wfpw_inventory_callout_name(const struct wfpw_inventory *inv, const char *key);
/* The callout with this key, or NULL when the inventory does not list it. */
const struct wfpw_callout *wfpw_inventory_callout(const struct wfpw_inventory *inv, const char *key);
const struct wfpw_provider *wfpw_inventory_provider(const struct wfpw_inventory *inv, const char *key);
const struct wfpw_sublayer *wfpw_inventory_sublayer(const struct wfpw_inventory *inv, const char *key);
int wfpw_filter_has_flag(const struct wfpw_filter *f, const char *flag);
/* (Re)build the run-time id index after the last filter was added; WFPW_ENOMEM on failure. */
int wfpw_inventory_index(struct wfpw_inventory *inv);
/* The filter with this run-time id (binary search in the index), or NULL. */
const struct wfpw_filter *wfpw_inventory_by_id(const struct wfpw_inventory *inv, uint64_t id);

#endif
