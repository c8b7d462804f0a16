/*
 * diff.h — the difference between two filter inventories, keyed on the filter key (a
 * GUID that is stable), never on the run-time id (reused after BFE restarts). Each changed
 * filter lists the attributes that differ ("conditions,weight"). O(n log n).
 */
#ifndef WFPW_DIFF_H
#define WFPW_DIFF_H

#include <stddef.h>

#include "inventory.h"

enum wfpw_change { WFPW_FILTER_ADDED = 1, WFPW_FILTER_REMOVED, WFPW_FILTER_CHANGED };

struct wfpw_diff_item {
    enum wfpw_change kind;
    const struct wfpw_filter *before;  /* NULL when added (borrowed from the before inventory) */
    const struct wfpw_filter *after;   /* NULL when removed (borrowed from the after inventory) */
    char changed[160];                 /* changed attributes, comma-separated */
};

struct wfpw_diff {
    struct wfpw_diff_item *items;      /* owned; added and changed in `after` order, then removed */
    size_t n, added, removed, changed;
};

/* out must be freed with wfpw_diff_free (also on error). */
int wfpw_inventory_diff(const struct wfpw_inventory *before, const struct wfpw_inventory *after,
                        struct wfpw_diff *out);
void wfpw_diff_free(struct wfpw_diff *d);

#endif
