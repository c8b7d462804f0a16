/*
 * registry.c — looks source types up in the generated table (sources.h). This file never
 * changes when a source is added; CMake regenerates the table.
 */
#include <string.h>

#include "source.h"
#include "sources.h"

const struct wfpw_source_type *wfpw_source_type_find(const char *name)
{
    size_t i;
    for (i = 0; wfpw__source_registry[i]; i++)
        if (strcmp(wfpw__source_registry[i]->name, name) == 0)
            return wfpw__source_registry[i];
    return NULL;
}

const struct wfpw_source_type *const *wfpw_source_types(void)
{
    return wfpw__source_registry;
}
