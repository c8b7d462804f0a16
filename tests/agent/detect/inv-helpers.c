/*
 * inv-helpers.c — shared helpers of the detection tests (see inv-helpers.h).
 */
#include "inv-helpers.h"

#include <string.h>

const struct wfpw_filter *test_filter_by_name(const struct wfpw_inventory *inv, const char *name)
{
    size_t i;
    for (i = 0; i < inv->nfilters; i++)
        if (inv->filters[i].name && strcmp(inv->filters[i].name, name) == 0)
            return &inv->filters[i];
    return NULL;
}
