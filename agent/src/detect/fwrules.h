/*
 * fwrules.h — Windows Firewall rules as their operational log reports them changing (rule
 * added 2004/2071, modified 2005/2073, deleted 2006/2052, channel "Microsoft-Windows-Windows
 * Firewall With Advanced Security/Firewall"), kept so the next inventory change set can say, on
 * the filters the firewall service (MPSSVC) made from a rule, which rule they come from and
 * which program and account changed it. A security product cut off with `netsh advfirewall` or
 * the firewall's COM API shows up as MPSSVC filters; the 5447 for them names the firewall
 * service, not the caller — this log names the caller (ModifyingApplication, ModifyingUser).
 *
 * The join is by name: the firewall service gives each filter of a rule the rule's name (and
 * the provider FWPM_PROVIDER_MPSSVC_WF); the rule id is not in the filter. Bounded: the newest
 * `cap` rule changes are kept; older ones are evicted and counted.
 *
 * Ownership: the table owns its copies; a struct wfpw_fwrule_change filled by the event parser
 * points into the parser's buffers (valid during its callback).
 */
#ifndef WFPW_FWRULES_H
#define WFPW_FWRULES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define WFPW_FWPROVIDER_MPSSVC_WF "{decc16ca-3f33-4346-be1e-8fb4ae0f3d62}"

enum wfpw_fwrule_kind { WFPW_FWRULE_ADDED = 1, WFPW_FWRULE_MODIFIED = 2, WFPW_FWRULE_DELETED = 3 };

struct wfpw_fwrule_change {
    int kind;                      /* enum wfpw_fwrule_kind */
    const char *rule_id;           /* "{guid}" as the event gives it */
    const char *rule_name;
    const char *group;             /* EmbeddedContext; NULL none */
    const char *application;       /* ApplicationPath; NULL any */
    const char *service;           /* ServiceName; NULL any */
    int direction;                 /* 1 inbound, 2 outbound, 0 not said (deletions) */
    int action;                    /* 2 block, 3 allow, 0 not said */
    int active;                    /* 1 enabled, 0 disabled, -1 not said */
    const char *modifying_user;    /* SID */
    const char *modifying_app;     /* full path */
    uint32_t event_id;
    uint64_t record_id;
    int64_t time_ms;
};

struct wfpw_fwrules_stats {
    uint64_t recorded;             /* rule changes seen */
    uint64_t matched;              /* filter events given their rule */
    uint64_t evicted;
};

struct wfpw_fwrules;

/* Event id of the firewall's operational log -> kind; 0 when not a rule change. */
int wfpw_fwrule_kind_of(uint32_t event_id);

/* An owned copy of one change (its strings too), for holding it past the parser's callback;
 * NULL on OOM. Freed with wfpw_fwrule_free. */
struct wfpw_fwrule_change *wfpw_fwrule_dup(const struct wfpw_fwrule_change *c);
void wfpw_fwrule_free(struct wfpw_fwrule_change *c);

/* NULL on OOM. */
struct wfpw_fwrules *wfpw_fwrules_new(size_t cap);
void wfpw_fwrules_free(struct wfpw_fwrules *t);
/* Keep a copy, each text cut to the wire's limit for it; WFPW_ENOMEM (nothing kept),
 * WFPW_EINVAL without a rule name (or one that is not UTF-8). */
int wfpw_fwrules_record(struct wfpw_fwrules *t, const struct wfpw_fwrule_change *c);
/* The newest change of the rule named `name` that made filters appear (added: an add or a
 * modification) or disappear (removed: a deletion or a modification); NULL when none. */
const struct wfpw_fwrule_change *wfpw_fwrules_find(struct wfpw_fwrules *t, const char *name, int added);
struct wfpw_fwrules_stats wfpw_fwrules_stats(const struct wfpw_fwrules *t);

/* The wire's `firewall_rule` member of a filter event or alert (proto v1); NULL on OOM. */
cJSON *wfpw_fwrule_json(const struct wfpw_fwrule_change *c);

#endif
