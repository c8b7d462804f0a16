/*
 * fuzz-netsh.c — libFuzzer driver for the netsh XML reader: any input ends in an inventory
 * or an error message naming where; every filter the reader accepts has the fields it
 * promises (key, layer, action), whether fed whole or in two pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netsh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_inventory inv;
    struct wfpw_netsh *r;
    char err[256] = "";
    size_t cut = size ? data[0] % (size + 1) : 0, i;
    int rc;
    wfpw_inventory_init(&inv);
    r = wfpw_netsh_new(&inv);
    if (r == NULL)
        abort();
    rc = wfpw_netsh_feed(r, (const char *)data, cut, 0, err, sizeof(err));
    if (rc == 0)
        rc = wfpw_netsh_feed(r, (const char *)data + cut, size - cut, 1, err, sizeof(err));
    if (rc != 0 && err[0] == '\0')
        abort();
    if (rc == 0)
        for (i = 0; i < inv.nfilters; i++)
            if (!inv.filters[i].key || !inv.filters[i].layer || !inv.filters[i].action)
                abort();
    wfpw_netsh_free(r);
    wfpw_inventory_free(&inv);
    return 0;
}
