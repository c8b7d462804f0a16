/*
 * attrib.h — who changed which filter: the recent filter additions and deletions the
 * Security log reported (5447), kept so the next inventory change set can say, on each
 * filter_added / filter_removed / filter_changed event and on the alerts about that filter,
 * which process and account called the engine. The inventory itself cannot tell.
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

struct wfpw_changed_by {
    char key[40];            /* the filter's key, "{guid}" */
    int added;               /* 1 add, 0 delete */
    int64_t pid;             /* -1 unknown */
    char user_sid[192];      /* "" unknown */
    char user[256];          /* "" unknown */
    uint32_t event_id;
    uint64_t record_id;
    int64_t time_ms;
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
void wfpw_attrib_record(struct wfpw_attrib *a, const struct wfpw_changed_by *c);
/* The newest recorded change of this key and kind (keys compare case-insensitively), or NULL. */
const struct wfpw_changed_by *wfpw_attrib_find(struct wfpw_attrib *a, const char *key, int added);
struct wfpw_attrib_stats wfpw_attrib_stats(const struct wfpw_attrib *a);

/* The wire's `changed_by` member (caller owns); NULL on OOM. */
cJSON *wfpw_changed_by_json(const struct wfpw_changed_by *c);

#endif
