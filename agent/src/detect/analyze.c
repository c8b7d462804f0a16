/*
 * analyze.c — findings over an inventory, as JSON or text (see analyze.h).
 */
#include "analyze.h"

#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "wellknown.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define MAX_PER_FILTER 8

/* A key as the wire wants it: a {guid}, or NULL for symbolic keys whose GUID we lack. */
static const char *wire_key(const char *key, const struct wfpw_known *k)
{
    if (key && key[0] == '{')
        return wfpw_guid_valid(key) ? key : NULL;
    return k ? k->guid : NULL;
}

void wfpw_inventory_provider_ref(const struct wfpw_inventory *inv, const char *key, struct wfpw_ref *out)
{
    const struct wfpw_provider *p = wfpw_inventory_provider(inv, key);
    const struct wfpw_known *k = wfpw_known_provider(key);
    out->key = wire_key(key, k);
    out->name = p && p->name ? p->name : k ? k->name : key;
}

cJSON *wfpw_inventory_filter_json(const struct wfpw_inventory *inv, const struct wfpw_filter *f)
{
    struct wfpw_filter_desc d;
    struct wfpw_condition conds[64];
    const struct wfpw_sublayer *s = wfpw_inventory_sublayer(inv, f->sublayer_key);
    const struct wfpw_known *ks = wfpw_known_sublayer(f->sublayer_key);
    size_t i;

    memset(&d, 0, sizeof(d));
    d.key = f->key;
    d.id = f->id;
    d.name = f->name;
    d.description = f->description;
    d.flags = f->flags;
    d.nflags = f->nflags;
    if (f->provider_key)
        wfpw_inventory_provider_ref(inv, f->provider_key, &d.provider);
    d.layer.name = f->layer;
    d.layer.key = wfpw_known_layer(f->layer) ? wfpw_known_layer(f->layer)->guid : NULL;
    d.sublayer.key = wire_key(f->sublayer_key, ks);
    d.sublayer.name = s && s->name ? s->name : ks ? ks->name : f->sublayer_key;
    d.weight_type = f->weight_type;
    d.weight_value = f->weight_value;
    d.effective_weight = f->effective_weight;
    d.action_type = f->action;
    d.callout_key = f->callout_key && wfpw_guid_valid(f->callout_key) ? f->callout_key : NULL;
    for (i = 0; i < f->nconds && i < 64; i++) {
        conds[i].field = f->conds[i].field ? f->conds[i].field : "?";
        conds[i].match = f->conds[i].match ? f->conds[i].match : "?";
        conds[i].type = f->conds[i].type;
        conds[i].value = f->conds[i].value;
    }
    d.conditions = conds;
    d.nconditions = i;
    return wfpw_filter_to_json(&d);
}


void wfpw_count_finding(size_t counts[5], size_t *preexisting, int *worst_new, const char *severity, int pre)
{
    int rank = wfpw_severity_rank(severity);
    if (pre) {
        (*preexisting)++;
        return;
    }
    counts[rank]++;
    if (rank > *worst_new)
        *worst_new = rank;
}

static void text_row(struct wfpw_buf *out, const struct wfpw_finding *x, const char *callout)
{
    wfpw_buf_printf(out, "%-8s %-22s %-10llu %-3s %s\n", x->severity, x->rule,
                    (unsigned long long)x->filter->id, x->preexisting ? "old" : "NEW", x->title);
    wfpw_buf_printf(out, "%43s why: %s\n", "", x->why);
    if (x->target[0])
        wfpw_buf_printf(out, "%43s target: %s\n", "", x->target);
    wfpw_buf_printf(out, "%43s filter: %s '%s' at %s\n", "", x->filter->key, x->filter->name ? x->filter->name : "",
                    x->filter->layer);
    if (x->filter->callout_key)
        wfpw_buf_printf(out, "%43s callout: %s%s%s%s\n", "", x->filter->callout_key, callout ? " '" : "",
                        callout ? callout : "", callout ? "'" : "");
}

int wfpw_analyze(const struct wfpw_inventory *inv, const struct wfpw_inventory *baseline,
                 const struct wfpw_rules_cfg *cfg, int text, struct wfpw_buf *out, struct wfpw_analysis *res)
{
    struct wfpw_finding found[MAX_PER_FILTER];
    struct wfpw_diff diff;
    unsigned char *fresh = NULL; /* per filter of inv: 1 when added or changed since the baseline */
    size_t i, j, nout = 0;
    memset(res, 0, sizeof(*res));
    memset(&diff, 0, sizeof(diff));
    if (baseline) {
        int rc = wfpw_inventory_diff(baseline, inv, &diff);
        fresh = wfpw_calloc(inv->nfilters ? inv->nfilters : 1, 1);
        if (rc != 0 || fresh == NULL) {
            wfpw_diff_free(&diff);
            wfpw_free(fresh);
            return WFPW_ENOMEM;
        }
        for (i = 0; i < diff.n; i++)
            if (diff.items[i].after)
                fresh[diff.items[i].after - inv->filters] = 1;
        res->added = diff.added, res->removed = diff.removed, res->changed = diff.changed;
        wfpw_diff_free(&diff);
    }
    if (text)
        wfpw_buf_printf(out, "%-8s %-22s %-10s %-3s %s\n", "SEVERITY", "RULE", "FILTER ID", "", "FINDING");
    else
        wfpw_buf_puts(out, "{\"findings\":[");
    for (i = 0; i < inv->nfilters; i++) {
        size_t n = wfpw_rules_eval(inv, &inv->filters[i], cfg, found, MAX_PER_FILTER);
        int pre = fresh != NULL && !fresh[i];
        for (j = 0; j < n; j++) {
            struct wfpw_finding *x = &found[j];
            x->preexisting = pre;
            wfpw_count_finding(res->counts, &res->preexisting, &res->worst_new, x->severity, pre);
            if (text) {
                text_row(out, x, wfpw_inventory_callout_name(inv, x->filter->callout_key));
                continue;
            }
            {
                cJSON *fj = wfpw_inventory_filter_json(inv, x->filter);
                if (fj == NULL) {
                    wfpw_free(fresh);
                    return WFPW_ENOMEM;
                }
                if (nout++)
                    wfpw_buf_putc(out, ',');
                wfpw_buf_puts(out, "{\"rule\":");
                wfpw_json_write_string(out, x->rule);
                wfpw_buf_printf(out, ",\"severity\":\"%s\",\"title\":", x->severity);
                wfpw_json_write_string(out, x->title);
                wfpw_buf_puts(out, ",\"why\":");
                wfpw_json_write_string(out, x->why);
                wfpw_buf_puts(out, ",\"target\":");
                if (x->target[0])
                    wfpw_json_write_string(out, x->target);
                else
                    wfpw_buf_puts(out, "null");
                wfpw_buf_printf(out, ",\"preexisting\":%s,\"filter\":", pre ? "true" : "false");
                wfpw_json_write(fj, out);
                wfpw_buf_putc(out, '}');
                cJSON_Delete(fj);
            }
        }
    }
    wfpw_free(fresh);
    if (text) {
        if (baseline)
            wfpw_buf_printf(out, "\nsince the baseline: %zu added, %zu removed, %zu changed", res->added, res->removed,
                            res->changed);
        wfpw_buf_printf(out, "\n%zu filters (%s): %zu critical, %zu high, %zu medium, %zu low new; %zu pre-existing\n",
                        inv->nfilters, inv->source ? inv->source : "?", res->counts[4], res->counts[3], res->counts[2],
                        res->counts[1], res->preexisting);
    } else {
        wfpw_buf_printf(out, "],\"summary\":{\"source\":\"%s\",\"filters\":%zu,\"providers\":%zu,\"sublayers\":%zu,"
                             "\"critical\":%zu,\"high\":%zu,\"medium\":%zu,\"low\":%zu,\"preexisting\":%zu",
                        inv->source ? inv->source : "", inv->nfilters, inv->nproviders, inv->nsublayers,
                        res->counts[4], res->counts[3], res->counts[2], res->counts[1], res->preexisting);
        if (baseline)
            wfpw_buf_printf(out, ",\"added\":%zu,\"removed\":%zu,\"changed\":%zu", res->added, res->removed,
                            res->changed);
        wfpw_buf_puts(out, "}}\n");
    }
    return out->err;
}
