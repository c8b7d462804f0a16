/*
 * changeset.c — inventory differences as proto v1 events (see changeset.h).
 */
#include "changeset.h"

#include <string.h>

#include "analyze.h"
#include "diff.h"
#include "wellknown.h"
#include "wfpw/errors.h"
#include "wfpw/proto.h"

/* changed_by on ev when the Security log said who added (or deleted) this filter — or, for an
 * added filter with no 5447, that it was there when the engine started (5441) — and
 * related_changes for the provider, sublayer and callout the filter uses when the log said who
 * added (deleted) them (5448, 5450, 5446); for a filter the firewall service made from a rule,
 * firewall_rule: the rule and who changed it (the firewall's own log). 0 or ENOMEM. */
static int attribute(cJSON *ev, const struct wfpw_filter *f, int added, const struct wfpw_changeset_opts *o)
{
    const struct wfpw_changed_by *c = wfpw_attrib_find(o->attrib, "filter", f->key,
                                                       added ? WFPW_CHANGE_ADD : WFPW_CHANGE_DELETE);
    static const char *const kinds[] = {"provider", "sublayer", "callout"};
    const char *keys[3];
    const struct wfpw_known *kp;
    cJSON *j = NULL, *rel = NULL;
    size_t i;
    if (c == NULL && added)
        c = wfpw_attrib_find(o->attrib, "filter", f->key, WFPW_CHANGE_PRESENT);
    if (c != NULL &&
        ((j = wfpw_changed_by_json(c)) == NULL || !cJSON_AddItemToObject(ev, "changed_by", j))) {
        cJSON_Delete(j);
        return WFPW_ENOMEM;
    }
    if ((kp = wfpw_known_provider(f->provider_key)) != NULL && strcmp(kp->guid, WFPW_FWPROVIDER_MPSSVC_WF) == 0 &&
        f->name) {
        const struct wfpw_fwrule_change *r = wfpw_fwrules_find(o->fwrules, f->name, added);
        /* a rule that blocks makes BLOCK filters, one that allows PERMIT filters: a same-named
         * rule of the other kind is not this filter's */
        if (r != NULL && f->action && ((r->action == 2 && strcmp(f->action, "BLOCK") != 0) ||
                                       (r->action == 3 && strcmp(f->action, "PERMIT") != 0)))
            r = NULL;
        if (r != NULL && ((j = wfpw_fwrule_json(r)) == NULL || !cJSON_AddItemToObject(ev, "firewall_rule", j))) {
            cJSON_Delete(j);
            return WFPW_ENOMEM;
        }
    }
    keys[0] = f->provider_key, keys[1] = f->sublayer_key, keys[2] = f->callout_key;
    for (i = 0; i < 3; i++) {
        const struct wfpw_changed_by *r =
            keys[i] ? wfpw_attrib_find(o->attrib, kinds[i], keys[i], added ? WFPW_CHANGE_ADD : WFPW_CHANGE_DELETE) : NULL;
        if (r == NULL)
            continue;
        if ((rel == NULL && (rel = cJSON_AddArrayToObject(ev, "related_changes")) == NULL) ||
            (j = wfpw_related_change_json(r)) == NULL || !cJSON_AddItemToArray(rel, j))
            return WFPW_ENOMEM;
    }
    return 0;
}

/* filter_* event for one difference; the filter trees come from the inventories. */
static cJSON *filter_event(const struct wfpw_inventory *before, const struct wfpw_inventory *after,
                           const struct wfpw_diff_item *it, const struct wfpw_changeset_opts *o, uint64_t seq)
{
    static const char *const types[] = {NULL, "filter_added", "filter_removed", "filter_changed"};
    cJSON *ev = wfpw_event_new(seq, types[it->kind], o->time_ms, "inventory"), *f, *prev = NULL;
    if (ev == NULL)
        return NULL;
    f = it->kind == WFPW_FILTER_REMOVED ? wfpw_inventory_filter_json(before, it->before)
                                        : wfpw_inventory_filter_json(after, it->after);
    if (f == NULL || !cJSON_AddItemToObject(ev, "filter", f))
        goto fail_f;
    if (it->kind == WFPW_FILTER_CHANGED) {
        cJSON *names = cJSON_CreateArray();
        char list[sizeof(it->changed)], *p, *save = NULL;
        prev = wfpw_inventory_filter_json(before, it->before);
        if (prev == NULL || !cJSON_AddItemToObject(ev, "previous", prev)) {
            cJSON_Delete(prev);
            cJSON_Delete(names);
            goto fail;
        }
        memcpy(list, it->changed, sizeof(list));
        for (p = strtok_r(list, ",", &save); p && names; p = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(names, cJSON_CreateString(p));
        if (names == NULL || !cJSON_AddItemToObject(ev, "changed", names)) {
            cJSON_Delete(names);
            goto fail;
        }
    }
    if (!cJSON_AddStringToObject(ev, "change_set", o->change_set))
        goto fail;
    /* a changed filter is a delete + add of the same key in the Security log: the add says who */
    if (attribute(ev, it->kind == WFPW_FILTER_REMOVED ? it->before : it->after, it->kind != WFPW_FILTER_REMOVED, o) != 0)
        goto fail;
    return ev;
fail_f:
    cJSON_Delete(f);
fail:
    cJSON_Delete(ev);
    return NULL;
}

static int add_alerts(const struct wfpw_inventory *inv, const struct wfpw_filter *f,
                      const struct wfpw_changeset_opts *o, int preexisting, uint64_t *seq, cJSON *out)
{
    struct wfpw_finding found[8];
    size_t n = wfpw_rules_eval(inv, f, o->rules, found, 8), i;
    for (i = 0; i < n; i++) {
        struct wfpw_ev_alert a;
        cJSON *fj, *ev;
        if (wfpw_severity_rank(found[i].severity) < o->min_alert_rank)
            continue;
        memset(&a, 0, sizeof(a));
        a.seq = (*seq)++, a.time_ms = o->time_ms, a.source = "inventory", a.rule = found[i].rule;
        a.severity = found[i].severity, a.title = found[i].title, a.details = found[i].why;
        a.target_process = found[i].target[0] ? found[i].target : NULL;
        a.preexisting = preexisting;
        ev = wfpw_event_alert(&a);
        fj = wfpw_inventory_filter_json(inv, f);
        if (ev == NULL || fj == NULL) {
            cJSON_Delete(ev);
            cJSON_Delete(fj);
            return WFPW_ENOMEM;
        }
        if (!cJSON_ReplaceItemInObjectCaseSensitive(ev, "filter", fj)) {
            cJSON_Delete(fj);
            cJSON_Delete(ev);
            return WFPW_ENOMEM;
        }
        if (!cJSON_AddStringToObject(ev, "change_set", o->change_set) || attribute(ev, f, 1, o) != 0 ||
            !cJSON_AddItemToArray(out, ev)) {
            cJSON_Delete(ev);
            return WFPW_ENOMEM;
        }
    }
    return 0;
}

int wfpw_changeset_events(const struct wfpw_inventory *before, const struct wfpw_inventory *after,
                          const struct wfpw_changeset_opts *opts, uint64_t *seq, cJSON **events)
{
    struct wfpw_inventory empty;
    struct wfpw_diff d;
    cJSON *out = cJSON_CreateArray(), *sum;
    size_t i;
    int rc, baseline = before == NULL;

    *events = NULL;
    wfpw_inventory_init(&empty);
    if (out == NULL)
        return WFPW_ENOMEM;
    if ((rc = wfpw_inventory_diff(baseline ? &empty : before, after, &d)) != 0) {
        cJSON_Delete(out);
        return rc;
    }
    for (i = 0; i < d.n && rc == 0; i++) {
        cJSON *ev = filter_event(baseline ? &empty : before, after, &d.items[i], opts, (*seq)++);
        if (ev == NULL || !cJSON_AddItemToArray(out, ev)) {
            cJSON_Delete(ev);
            rc = WFPW_ENOMEM;
        }
    }
    for (i = 0; i < d.n && rc == 0; i++) /* every added or changed filter is judged */
        if (d.items[i].after)
            rc = add_alerts(after, d.items[i].after, opts, baseline, seq, out);
    /* an unchanged inventory (a periodic re-read) says nothing; a baseline is always reported */
    if (rc == 0 && (baseline || d.n > 0)) {
        sum = wfpw_event_inventory_changed((*seq)++, opts->time_ms, d.added, d.removed, d.changed,
                                           opts->change_set, baseline);
        if (sum == NULL || !cJSON_AddItemToArray(out, sum)) {
            cJSON_Delete(sum);
            rc = WFPW_ENOMEM;
        }
    }
    wfpw_diff_free(&d);
    if (rc) {
        cJSON_Delete(out);
        return rc;
    }
    *events = out;
    return 0;
}
