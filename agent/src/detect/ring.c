/*
 * ring.c — see ring.h.
 */
#include <string.h>

#include "ring.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

int wfpw_ring_init(struct wfpw_ring *r, size_t cap, size_t size, void (*clear)(void *slot))
{
    memset(r, 0, sizeof(*r));
    r->cap = cap ? cap : 1, r->size = size, r->clear = clear;
    if ((r->slots = wfpw_calloc(r->cap, size)) == NULL)
        return WFPW_ENOMEM;
    return 0;
}

void wfpw_ring_fini(struct wfpw_ring *r)
{
    size_t i;
    if (r->slots != NULL && r->clear != NULL)
        for (i = 0; i < r->n; i++)
            r->clear(r->slots + i * r->size);
    wfpw_free(r->slots);
    r->slots = NULL, r->n = 0;
}

void *wfpw_ring_push(struct wfpw_ring *r)
{
    void *s = r->slots + r->head * r->size;
    if (r->n == r->cap) {
        r->evicted++;
        if (r->clear != NULL)
            r->clear(s);
    } else {
        r->n++;
    }
    memset(s, 0, r->size);
    r->head = (r->head + 1) % r->cap;
    r->recorded++;
    return s;
}

void *wfpw_ring_table_new(size_t owner_size, size_t cap, size_t size, void (*clear)(void *slot))
{
    struct wfpw_ring *r = wfpw_calloc(1, owner_size);
    if (r == NULL || wfpw_ring_init(r, cap, size, clear) != 0) {
        wfpw_free(r);
        return NULL;
    }
    return r;
}

void wfpw_ring_table_free(void *table)
{
    if (table == NULL)
        return;
    wfpw_ring_fini(table);
    wfpw_free(table);
}

void *wfpw_ring_at(const struct wfpw_ring *r, size_t i)
{
    if (i >= r->n)
        return NULL;
    return r->slots + ((r->head + r->cap - 1 - i) % r->cap) * r->size;
}
