/*
 * fuzz-jsoninv.c — libFuzzer driver for JSON inventories: any input ends in an inventory or
 * an error message; accepted inventories can be analysed without crashing.
 */
#include <stdint.h>
#include <stdlib.h>

#include "analyze.h"
#include "jsoninv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_inventory inv;
    struct wfpw_analysis res;
    struct wfpw_buf out;
    char err[256] = "";
    wfpw_inventory_init(&inv);
    if (wfpw_json_inventory_read((const char *)data, size, &inv, err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            abort();
    } else {
        wfpw_buf_init(&out, 1u << 26);
        wfpw_analyze(&inv, NULL, NULL, 0, &out, &res);
        wfpw_buf_free(&out);
    }
    wfpw_inventory_free(&inv);
    return 0;
}
