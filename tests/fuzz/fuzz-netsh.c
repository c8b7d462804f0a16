/*
 * fuzz-netsh.c — libFuzzer driver for the netsh XML reader: any input ends in an inventory
 * or an error message naming where; every filter the reader accepts has the fields it
 * promises (key, layer, action), whether fed whole or in two pieces; and whatever it accepts,
 * the snapshot writer (netshwrite.c) writes back into a document the reader accepts again
 * with as many filters, providers, sublayers and callouts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netsh.h"
#include "netshwrite.h"

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
    if (rc == 0) {
        struct wfpw_inventory again;
        struct wfpw_buf out;
        for (i = 0; i < inv.nfilters; i++)
            if (!inv.filters[i].key || !inv.filters[i].layer || !inv.filters[i].action)
                abort();
        wfpw_buf_init(&out, 64u << 20);
        wfpw_inventory_init(&again);
        if (wfpw_netsh_write(&inv, "fuzz", &out) != 0 || wfpw_netsh_read(out.data, out.len, &again, err, sizeof(err)) != 0)
            abort();
        if (again.nfilters != inv.nfilters || again.nproviders != inv.nproviders ||
            again.nsublayers != inv.nsublayers || again.ncallouts != inv.ncallouts)
            abort();
        wfpw_inventory_free(&again);
        wfpw_buf_free(&out);
    }
    wfpw_netsh_free(r);
    wfpw_inventory_free(&inv);
    return 0;
}
