/*
 * inv-helpers.c — shared helpers of the detection tests (see inv-helpers.h).
 */
#include "inv-helpers.h"

#include <stdio.h>
#include <string.h>

const struct wfpw_filter *test_filter_by_name(const struct wfpw_inventory *inv, const char *name)
{
    size_t i;
    for (i = 0; i < inv->nfilters; i++)
        if (inv->filters[i].name && strcmp(inv->filters[i].name, name) == 0)
            return &inv->filters[i];
    return NULL;
}

static int str_differs(const char *what, const char *x, const char *y, char *why, size_t len)
{
    if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)) {
        snprintf(why, len, "%s: '%s' != '%s'", what, x ? x : "(null)", y ? y : "(null)");
        return 1;
    }
    return 0;
}

static int skipped(const char *flag, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strcmp(flag, *skip) == 0)
            return 1;
    return 0;
}

static int flags_differ(const char *what, const char **x, size_t nx, const char **y, size_t ny,
                        const char *const *skip, char *why, size_t len)
{
    size_t i = 0, j = 0;
    char w[160];
    for (;;) {
        while (i < nx && skipped(x[i], skip)) i++;
        while (j < ny && skipped(y[j], skip)) j++;
        if (i == nx || j == ny)
            break;
        snprintf(w, sizeof(w), "%s.flags", what);
        if (str_differs(w, x[i], y[j], why, len))
            return 1;
        i++, j++;
    }
    if (i != nx || j != ny) {
        snprintf(why, len, "%s.flags: different counts", what);
        return 1;
    }
    return 0;
}

int test_inventory_diff(const struct wfpw_inventory *a, const struct wfpw_inventory *b, const char *const *skip_flags,
                        char *why, size_t len)
{
    size_t i, k;
    char w[160];
#define S(field, x, y) (snprintf(w, sizeof(w), "%s[%zu].%s", kind, i, field), str_differs(w, x, y, why, len))
    const char *kind = "filters";
    if (a->nfilters != b->nfilters || a->nproviders != b->nproviders || a->nsublayers != b->nsublayers ||
        a->ncallouts != b->ncallouts) {
        snprintf(why, len, "counts differ: %zu/%zu/%zu/%zu vs %zu/%zu/%zu/%zu", a->nfilters, a->nproviders,
                 a->nsublayers, a->ncallouts, b->nfilters, b->nproviders, b->nsublayers, b->ncallouts);
        return 1;
    }
    for (i = 0; i < a->nfilters; i++) {
        const struct wfpw_filter *x = &a->filters[i], *y = &b->filters[i];
        if (S("key", x->key, y->key) || S("name", x->name, y->name) || S("description", x->description, y->description) ||
            S("provider_key", x->provider_key, y->provider_key) || S("layer", x->layer, y->layer) ||
            S("sublayer_key", x->sublayer_key, y->sublayer_key) || S("weight_type", x->weight_type, y->weight_type) ||
            S("weight_value", x->weight_value, y->weight_value) ||
            S("effective_weight", x->effective_weight, y->effective_weight) || S("action", x->action, y->action) ||
            S("callout_key", x->callout_key, y->callout_key) ||
            S("provider_context_key", x->provider_context_key, y->provider_context_key))
            return 1;
        snprintf(w, sizeof(w), "filters[%zu] (%s)", i, x->name ? x->name : "?");
        if (flags_differ(w, x->flags, x->nflags, y->flags, y->nflags, skip_flags, why, len))
            return 1;
        if (x->id != y->id || x->nconds != y->nconds) {
            snprintf(why, len, "filters[%zu] (%s): id %llu/%llu, conditions %zu/%zu", i, x->name ? x->name : "?",
                     (unsigned long long)x->id, (unsigned long long)y->id, x->nconds, y->nconds);
            return 1;
        }
        for (k = 0; k < x->nconds; k++) {
            char f[64];
            snprintf(f, sizeof(f), "conds[%zu].field", k);
            if (S(f, x->conds[k].field, y->conds[k].field))
                return 1;
            snprintf(f, sizeof(f), "conds[%zu].match", k);
            if (S(f, x->conds[k].match, y->conds[k].match))
                return 1;
            snprintf(f, sizeof(f), "conds[%zu].type", k);
            if (S(f, x->conds[k].type, y->conds[k].type))
                return 1;
            snprintf(f, sizeof(f), "conds[%zu].value", k);
            if (S(f, x->conds[k].value, y->conds[k].value))
                return 1;
        }
    }
    kind = "providers";
    for (i = 0; i < a->nproviders; i++) {
        const struct wfpw_provider *x = &a->providers[i], *y = &b->providers[i];
        if (S("key", x->key, y->key) || S("name", x->name, y->name) || S("description", x->description, y->description) ||
            S("service", x->service, y->service))
            return 1;
        snprintf(w, sizeof(w), "providers[%zu]", i);
        if (flags_differ(w, x->flags, x->nflags, y->flags, y->nflags, skip_flags, why, len))
            return 1;
    }
    kind = "sublayers";
    for (i = 0; i < a->nsublayers; i++) {
        const struct wfpw_sublayer *x = &a->sublayers[i], *y = &b->sublayers[i];
        if (S("key", x->key, y->key) || S("name", x->name, y->name) || S("description", x->description, y->description) ||
            S("provider_key", x->provider_key, y->provider_key))
            return 1;
        if (x->weight != y->weight) {
            snprintf(why, len, "sublayers[%zu].weight: %u != %u", i, (unsigned)x->weight, (unsigned)y->weight);
            return 1;
        }
    }
    kind = "callouts";
    for (i = 0; i < a->ncallouts; i++) {
        const struct wfpw_callout *x = &a->callouts[i], *y = &b->callouts[i];
        if (S("key", x->key, y->key) || S("name", x->name, y->name) || S("provider_key", x->provider_key, y->provider_key) ||
            S("layer", x->layer, y->layer))
            return 1;
    }
#undef S
    return 0;
}
