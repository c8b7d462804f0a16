/*
 * analyze.h — the offline analyzer: run the rules over an inventory (a netsh dump), with an
 * optional baseline (filters unchanged since it count as pre-existing; added and changed
 * ones are new — a filter is compared by key, attribute by attribute, diff.h), and print the findings as JSON
 * ({"findings":[...],"summary":{...}}) or as a table a person reads.
 */
#ifndef WFPW_ANALYZE_H
#define WFPW_ANALYZE_H

#include <cjson/cJSON.h>

#include "inventory.h"
#include "wfpw/proto.h"
#include "rules.h"
#include "wfpw/buf.h"

struct wfpw_analysis {
    size_t counts[5];      /* by severity rank (0 unused): new findings only */
    size_t preexisting;    /* findings on filters present in the baseline */
    int worst_new;         /* highest severity rank among new findings, 0 if none */
    size_t added, removed, changed; /* against the baseline */
};

/* One finding into a result's counts: a new one by its severity rank (and the worst new rank),
 * else one more pre-existing. Shared by the filter and the surface analyzers. */
void wfpw_count_finding(size_t counts[5], size_t *preexisting, int *worst_new, const char *severity, int pre);

/* baseline may be NULL (then every finding is new). text: 1 table, 0 JSON. */
int wfpw_analyze(const struct wfpw_inventory *inv, const struct wfpw_inventory *baseline,
                 const struct wfpw_rules_cfg *cfg, int text, struct wfpw_buf *out, struct wfpw_analysis *res);

/* A provider key as the wire shows it: {key (a valid lower-case GUID, or the GUID of a
 * Windows provider named symbolically, else NULL), display name}. Pointers borrowed from inv
 * or static tables. */
void wfpw_inventory_provider_ref(const struct wfpw_inventory *inv, const char *key, struct wfpw_ref *out);

/* The wire (proto v1) form of an inventory filter. Caller owns the tree. */
cJSON *wfpw_inventory_filter_json(const struct wfpw_inventory *inv, const struct wfpw_filter *f);

#endif
