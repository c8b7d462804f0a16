/*
 * attrib.h — who changed which WFP object: the recent changes the Security log reported —
 * filters added or deleted (5447), filters present when the engine started (5441), callouts
 * (5446), providers (5448) and sublayers (5450) added or deleted — kept so the next inventory
 * change set can say, on each filter_added / filter_removed / filter_changed event and on the
 * alerts about that filter, which process and account called the engine (changed_by) and who
 * added or deleted the provider, sublayer and callout the filter uses (related_changes). The
 * inventory itself cannot tell.
 *
 * Bounded: the newest `cap` changes are kept; older ones are evicted and counted. A change
 * whose 5447 arrives after the inventory that showed it was already reported stays
 * unattributed (the live inventory debounces for a moment, so 5447 usually comes first).
 */
#ifndef WFPW_ATTRIB_H
#define WFPW_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proctab.h"

enum wfpw_change_kind { WFPW_CHANGE_DELETE = 0, WFPW_CHANGE_ADD = 1, WFPW_CHANGE_PRESENT = 2 };

struct wfpw_changed_by {
    char object[12];         /* "filter", "callout", "provider", "sublayer" */
    char key[40];            /* the object's key, "{guid}" */
    char name[256];          /* its display name as the event gave it ("" none) */
    int change;              /* enum wfpw_change_kind (PRESENT: 5441, there when BFE started) */
    int64_t pid;             /* -1 unknown */
    char user_sid[192];      /* "" unknown */
    char user[256];          /* "" unknown */
    uint32_t event_id;
    uint64_t record_id;
    int64_t time_ms;
    /* the program behind pid, resolved when the change was read (proctab.h); NULL when not
     * resolved (replayed changes). Owned by whoever holds this struct; wfpw_attrib_record takes
     * it over. */
    struct wfpw_proc_found *proc;
};

struct wfpw_attrib_stats {
    uint64_t recorded;       /* filter changes seen */
    uint64_t matched;        /* lookups that found one: events given changed_by */
    uint64_t evicted;        /* pushed out by newer ones (the table is full) */
};

struct wfpw_attrib;

/* NULL on OOM. */
struct wfpw_attrib *wfpw_attrib_new(size_t cap);
void wfpw_attrib_free(struct wfpw_attrib *a);
/* Keeps a copy of *c and takes over c->proc (c->proc is NULL afterwards). The process text
 * the table holds is bounded: past 4 MiB a new entry's command line is cut, with a note. */
void wfpw_attrib_record(struct wfpw_attrib *a, struct wfpw_changed_by *c);
/* The newest recorded change of this object, key and kind (keys compare case-insensitively),
 * or NULL. */
const struct wfpw_changed_by *wfpw_attrib_find(struct wfpw_attrib *a, const char *object, const char *key, int change);
struct wfpw_attrib_stats wfpw_attrib_stats(const struct wfpw_attrib *a);

/* The wire's `changed_by` member (caller owns); NULL on OOM. */
cJSON *wfpw_changed_by_json(const struct wfpw_changed_by *c);
/* One element of the wire's `related_changes` ({object, key, name, change, changed_by}); NULL on OOM. */
cJSON *wfpw_related_change_json(const struct wfpw_changed_by *c);
/* "add", "delete", "present_at_start" */
const char *wfpw_change_name(int change);

#endif
