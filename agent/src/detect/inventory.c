/*
 * inventory.c — growing the inventory's arrays and looking objects up (see inventory.h).
 * The arrays themselves live outside the arena (they are reallocated as they grow); all
 * strings and condition arrays live in the arena.
 */
#include "inventory.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

void wfpw_inventory_init(struct wfpw_inventory *inv)
{
    memset(inv, 0, sizeof(*inv));
    wfpw_arena_init(&inv->arena);
}

void wfpw_inventory_free(struct wfpw_inventory *inv)
{
    wfpw_free(inv->filters);
    wfpw_free(inv->providers);
    wfpw_free(inv->sublayers);
    wfpw_free(inv->callouts);
    wfpw_free(inv->by_id);
    wfpw_arena_free(&inv->arena);
    memset(inv, 0, sizeof(*inv));
}

/* Appends one zeroed element of size `size` to *arr (count *n, capacity *cap). */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
    char *p;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        void *q = wfpw_realloc(*arr, ncap * size);
        if (q == NULL)
            return NULL;
        *arr = q;
        *cap = ncap;
    }
    p = (char *)*arr + (*n)++ * size;
    memset(p, 0, size);
    return p;
}

struct wfpw_filter *wfpw_inventory_add_filter(struct wfpw_inventory *inv)
{
    return grow((void **)&inv->filters, &inv->nfilters, &inv->cap_filters, sizeof(struct wfpw_filter));
}

struct wfpw_provider *wfpw_inventory_add_provider(struct wfpw_inventory *inv)
{
    return grow((void **)&inv->providers, &inv->nproviders, &inv->cap_providers, sizeof(struct wfpw_provider));
}

struct wfpw_sublayer *wfpw_inventory_add_sublayer(struct wfpw_inventory *inv)
{
    return grow((void **)&inv->sublayers, &inv->nsublayers, &inv->cap_sublayers, sizeof(struct wfpw_sublayer));
}

struct wfpw_callout *wfpw_inventory_add_callout(struct wfpw_inventory *inv)
{
    return grow((void **)&inv->callouts, &inv->ncallouts, &inv->cap_callouts, sizeof(struct wfpw_callout));
}

const struct wfpw_callout *wfpw_inventory_callout(const struct wfpw_inventory *inv, const char *key)
{
    size_t i;
    for (i = 0; key && i < inv->ncallouts; i++)
        if (inv->callouts[i].key && strcasecmp(inv->callouts[i].key, key) == 0)
            return &inv->callouts[i];
    return NULL;
}

const char *wfpw_inventory_callout_name(const struct wfpw_inventory *inv, const char *key)
{
    const struct wfpw_callout *c = wfpw_inventory_callout(inv, key);
    return c ? c->name : NULL;
}

const struct wfpw_provider *wfpw_inventory_provider(const struct wfpw_inventory *inv, const char *key)
{
    size_t i;
    for (i = 0; key && i < inv->nproviders; i++)
        if (inv->providers[i].key && strcasecmp(inv->providers[i].key, key) == 0)
            return &inv->providers[i];
    return NULL;
}

const struct wfpw_sublayer *wfpw_inventory_sublayer(const struct wfpw_inventory *inv, const char *key)
{
    size_t i;
    for (i = 0; key && i < inv->nsublayers; i++)
        if (inv->sublayers[i].key && strcasecmp(inv->sublayers[i].key, key) == 0)
            return &inv->sublayers[i];
    return NULL;
}

int wfpw_filter_has_flag(const struct wfpw_filter *f, const char *flag)
{
    size_t i;
    for (i = 0; i < f->nflags; i++)
        if (strcmp(f->flags[i], flag) == 0)
            return 1;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = (*(const struct wfpw_filter *const *)a)->id, y = (*(const struct wfpw_filter *const *)b)->id;
    return x < y ? -1 : x > y;
}

int wfpw_inventory_index(struct wfpw_inventory *inv)
{
    size_t i;
    wfpw_free(inv->by_id);
    inv->nby_id = 0;
    inv->by_id = wfpw_malloc((inv->nfilters ? inv->nfilters : 1) * sizeof(*inv->by_id));
    if (inv->by_id == NULL)
        return WFPW_ENOMEM;
    for (i = 0; i < inv->nfilters; i++)
        inv->by_id[i] = &inv->filters[i];
    qsort(inv->by_id, inv->nfilters, sizeof(*inv->by_id), by_id);
    inv->nby_id = inv->nfilters;
    return 0;
}

const struct wfpw_filter *wfpw_inventory_by_id(const struct wfpw_inventory *inv, uint64_t id)
{
    size_t lo = 0, hi = inv->nby_id;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t m = inv->by_id[mid]->id;
        if (m == id)
            return inv->by_id[mid];
        if (m < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
