/*
 * diff.c — inventory diff (see diff.h): both sides sorted by key, then merged.
 */
#include "diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

static int by_key(const void *a, const void *b)
{
    return strcasecmp((*(const struct wfpw_filter *const *)a)->key, (*(const struct wfpw_filter *const *)b)->key);
}

static const struct wfpw_filter **sorted(const struct wfpw_inventory *inv)
{
    const struct wfpw_filter **v = wfpw_malloc((inv->nfilters ? inv->nfilters : 1) * sizeof(*v));
    size_t i;
    if (v == NULL)
        return NULL;
    for (i = 0; i < inv->nfilters; i++)
        v[i] = &inv->filters[i];
    qsort(v, inv->nfilters, sizeof(*v), by_key);
    return v;
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int same_flags(const struct wfpw_filter *a, const struct wfpw_filter *b)
{
    size_t i;
    if (a->nflags != b->nflags)
        return 0;
    for (i = 0; i < a->nflags; i++)
        if (!wfpw_filter_has_flag(b, a->flags[i]))
            return 0;
    return 1;
}

static int same_conds(const struct wfpw_filter *a, const struct wfpw_filter *b)
{
    size_t i;
    if (a->nconds != b->nconds)
        return 0;
    for (i = 0; i < a->nconds; i++)
        if (!same(a->conds[i].field, b->conds[i].field) || !same(a->conds[i].match, b->conds[i].match) ||
            !same(a->conds[i].type, b->conds[i].type) || !same(a->conds[i].value, b->conds[i].value))
            return 0;
    return 1;
}

/* Fills changed with the differing attributes; returns 1 when any differs. */
static int compare(const struct wfpw_filter *a, const struct wfpw_filter *b, char *changed, size_t len)
{
    size_t used = 0;
    changed[0] = '\0';
#define ATTR(cond, name)                                                                       \
    if (!(cond) && used < len)                                                                 \
        used += (size_t)snprintf(changed + used, len - used, "%s%s", used ? "," : "", name);
    /* not the run-time id: BFE reassigns ids at every restart, the key is the identity */
    ATTR(same(a->name, b->name), "name")
    ATTR(same(a->description, b->description), "description")
    ATTR(same_flags(a, b), "flags")
    ATTR(same(a->provider_key, b->provider_key), "provider")
    ATTR(same(a->layer, b->layer), "layer")
    ATTR(same(a->sublayer_key, b->sublayer_key), "sublayer")
    ATTR(same(a->weight_type, b->weight_type) && same(a->weight_value, b->weight_value), "weight")
    ATTR(same(a->effective_weight, b->effective_weight), "effective_weight")
    ATTR(same(a->action, b->action) && same(a->callout_key, b->callout_key), "action")
    ATTR(same_conds(a, b), "conditions")
#undef ATTR
    return changed[0] != '\0';
}

static struct wfpw_diff_item *push(struct wfpw_diff *d, size_t *cap)
{
    if (d->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        void *q = wfpw_realloc(d->items, ncap * sizeof(*d->items));
        if (q == NULL)
            return NULL;
        d->items = q;
        *cap = ncap;
    }
    memset(&d->items[d->n], 0, sizeof(d->items[0]));
    return &d->items[d->n++];
}

int wfpw_inventory_diff(const struct wfpw_inventory *before, const struct wfpw_inventory *after, struct wfpw_diff *out)
{
    const struct wfpw_filter **a = sorted(before), **b = sorted(after);
    size_t i = 0, j = 0, cap = 0;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (a == NULL || b == NULL) {
        wfpw_free(a);
        wfpw_free(b);
        return WFPW_ENOMEM;
    }
    while (rc == 0 && (i < before->nfilters || j < after->nfilters)) {
        int c = i >= before->nfilters ? 1 : j >= after->nfilters ? -1 : strcasecmp(a[i]->key, b[j]->key);
        struct wfpw_diff_item tmp, *it;
        memset(&tmp, 0, sizeof(tmp));
        if (c < 0) {
            tmp.kind = WFPW_FILTER_REMOVED, tmp.before = a[i++];
        } else if (c > 0) {
            tmp.kind = WFPW_FILTER_ADDED, tmp.after = b[j++];
        } else {
            if (!compare(a[i], b[j], tmp.changed, sizeof(tmp.changed))) {
                i++, j++;
                continue;
            }
            tmp.kind = WFPW_FILTER_CHANGED, tmp.before = a[i++], tmp.after = b[j++];
        }
        if ((it = push(out, &cap)) == NULL) {
            rc = WFPW_ENOMEM;
            break;
        }
        *it = tmp;
        if (tmp.kind == WFPW_FILTER_ADDED)
            out->added++;
        else if (tmp.kind == WFPW_FILTER_REMOVED)
            out->removed++;
        else
            out->changed++;
    }
    wfpw_free(a);
    wfpw_free(b);
    return rc;
}

void wfpw_diff_free(struct wfpw_diff *d)
{
    wfpw_free(d->items);
    memset(d, 0, sizeof(*d));
}
