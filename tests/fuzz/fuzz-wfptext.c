/*
 * fuzz-wfptext.c — libFuzzer driver for the two text parsers of the live Windows sources:
 * the `Conditions` text of 5441/5447 (wfpchange.c) and the QueryDosDevice drive map
 * (devmap.c). Any input ends in conditions or an error message; every accepted condition has
 * a field, a match, a type and a value; each device of the map maps to a drive letter that
 * names it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devmap.h"
#include "wfpchange.h"
#include "wfpw/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wfpw_malloc(size + 1), err[256] = "", out[512];
    struct wfpw_inventory inv;
    struct wfpw_filter f;
    struct wfpw_devmap m;
    size_t i;
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    wfpw_inventory_init(&inv);
    memset(&f, 0, sizeof(f));
    if (wfpw_evt_conditions(text, &inv, &f, err, sizeof(err)) == 0) {
        for (i = 0; i < f.nconds; i++)
            if (!f.conds[i].field || !f.conds[i].match || !f.conds[i].type || !f.conds[i].value)
                abort();
    } else if (err[0] == '\0') {
        abort();
    }
    wfpw_inventory_free(&inv);
    err[0] = '\0';
    if (wfpw_devmap_parse(&m, text, err, sizeof(err)) == 0) {
        /* the input's own lines as paths */
        if (wfpw_devmap_map(&m, text, out, sizeof(out)) == 0 && !(out[1] == ':' && out[2] == '\\'))
            abort();
        for (i = 0; i < m.n; i++) {
            size_t j;
            int same = 0;
            if (wfpw_devmap_map(&m, m.e[i].device, out, sizeof(out)) != 0)
                abort();
            for (j = 0; j < m.n; j++)  /* two letters may name one device: either will do */
                same |= strncmp(out, m.e[j].drive, 2) == 0 && strcmp(m.e[j].device, m.e[i].device) == 0;
            if (!same)
                abort();
        }
    } else if (err[0] == '\0') {
        abort();
    }
    wfpw_free(text);
    return 0;
}
