/*
 * wfpchange.h — WFP policy changes as the Security log reports them: 5441 (a filter present
 * when BFE started), 5446 (callout), 5447 (filter), 5448 (provider) and 5450 (sublayer added
 * or deleted). They corroborate the inventory diff: 5447 names the process and account that
 * added or deleted a filter, which the engine's own inventory cannot tell.
 *
 * Fields are read by <Data Name> (never position); tokens from our table (events.md §4.1):
 * ChangeType %%16384 add / %%16385 delete. 5441/5447 carry the filter itself; its multi-line
 * `Conditions` text (events.md §5) is parsed into inventory-model conditions with the names
 * and renderings of the netsh reader and the live inventory: hex integers in decimal,
 * "0xA - 0xB" ranges as "a-b", hex-dumped app ids as their path, SDDL as is, "-" as empty.
 */
#ifndef WFPW_WFPCHANGE_H
#define WFPW_WFPCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "attrib.h"
#include "inventory.h"

struct wfpw_policy_change {
    uint32_t event_id;
    uint64_t record_id;
    int64_t time_ms;
    const char *object;          /* "filter", "callout", "provider", "sublayer" */
    const char *change;          /* "add", "delete", "present" (5441) */
    char key[40];                /* the object's key, lower-case "{guid}" */
    const char *name;            /* may be "" */
    int64_t pid;                 /* -1 when the event has none */
    const char *user_sid, *user; /* NULL when absent or "-" */
    /* 5441/5447: the filter as the event describes it (no sublayer: the event has none),
     * in inv (owned by the change, freed by wfpw_policy_change_free); else NULL */
    struct wfpw_inventory *inv;
    const struct wfpw_filter *filter;
};

/* Reads the change from an event's fields (get returns a <Data> value or NULL). 0; 1 when
 * event_id is not a policy change; WFPW_EPROTO with the field named in err; WFPW_ENOMEM. */
int wfpw_policy_change_parse(uint32_t event_id, const char *(*get)(void *ctx, const char *name), void *ctx,
                             struct wfpw_policy_change *c, char *err, size_t errlen);
void wfpw_policy_change_free(struct wfpw_policy_change *c);

/* The `Conditions` text of 5441/5447 into f->conds (allocated in inv's arena). 0, or
 * WFPW_ESYNTAX naming the condition and what is wrong. */
int wfpw_evt_conditions(const char *text, struct wfpw_inventory *inv, struct wfpw_filter *f, char *err, size_t errlen);

/* A filter add/delete (5447) as the attribution the pipeline keeps (attrib.h); 0, or 1 when
 * the change is not one (5441, callouts, providers, sublayers). */
int wfpw_policy_change_attribution(const struct wfpw_policy_change *c, struct wfpw_changed_by *out);
/* The whole change as one JSON object (for `parse-event --changes`); NULL on OOM. */
cJSON *wfpw_policy_change_json(const struct wfpw_policy_change *c);

#endif
