/*
 * inventory.c — growing the inventory's arrays and looking objects up (see inventory.h).
 * The arrays themselves live outside the arena (they are reallocated as they grow); all
 * strings and condition arrays live in the arena.
 */
#include "inventory.h"

#include <string.h>
#include <strings.h>

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
