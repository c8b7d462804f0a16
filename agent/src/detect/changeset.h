/*
 * changeset.h — one inventory change set as proto v1 events: a filter_added, filter_removed
 * or filter_changed event per difference (all carrying the change set's id), one
 * inventory_changed summary, and an alert per rule finding on every added or changed filter.
 * A firewall policy refresh that replaces hundreds of filters is thus one summary a SIEM can
 * group on, while each added filter is still judged. For the first inventory (baseline), every
 * filter is "added" and its findings are marked pre-existing. An inventory equal to the one
 * before gives no events at all (the live source re-reads every few minutes).
 *
 * Debouncing — waiting for a burst of change notifications to settle before taking the next
 * inventory — is the live source's job (issue #6); this turns the two inventories into events.
 */
#ifndef WFPW_CHANGESET_H
#define WFPW_CHANGESET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "attrib.h"
#include "fwrules.h"
#include "inventory.h"
#include "rules.h"

struct wfpw_changeset_opts {
    const struct wfpw_rules_cfg *rules;  /* may be NULL */
    int min_alert_rank;                  /* findings below this severity rank raise no alert (e.g. 2) */
    const char *change_set;              /* the set's UUID (caller-generated) */
    int64_t time_ms;
    struct wfpw_attrib *attrib;          /* who changed what (5447), may be NULL: adds changed_by */
    struct wfpw_fwrules *fwrules;        /* firewall rule changes, may be NULL: adds firewall_rule */
};

/* Events for before -> after (before NULL: a baseline). *seq is the next sequence number and
 * advances. On success *events is a new cJSON array (caller owns); on failure NULL. */
int wfpw_changeset_events(const struct wfpw_inventory *before, const struct wfpw_inventory *after,
                          const struct wfpw_changeset_opts *opts, uint64_t *seq, cJSON **events);

#endif
