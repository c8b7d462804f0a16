/*
 * fuzz-regfile.c — libFuzzer driver for the registry export reader (agent/src/surface/regfile.c):
 * any input ends in a surface or an error message naming the line; an accepted input is built
 * into items, judged and reported without crashing, and, saved as the agent keeps it between
 * runs (wfpw_surface_save), reads back to the same items with no change between the two.
 */
#include <stdint.h>
#include <stdlib.h>

#include "surface-roundtrip.h"
#include "surface.h"
#include "wfpw/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_surface s;
    struct wfpw_surface_result res;
    struct wfpw_buf out;
    char err[512] = "";
    int rc;
    wfpw_surface_init(&s);
    rc = wfpw_surface_add_file(&s, "fuzz.reg", data, size, err, sizeof(err));
    if (rc != 0) {
        if (rc == WFPW_EINVAL && err[0] == '\0')
            abort();
    } else if (wfpw_surface_build(&s) == 0) {
        wfpw_buf_init(&out, 1u << 26);
        wfpw_surface_report(&s, &s, NULL, 0, &out, &res);
        wfpw_buf_reset(&out);
        wfpw_surface_report(&s, NULL, NULL, 1, &out, &res);
        wfpw_buf_free(&out);
        roundtrip(&s);
    }
    wfpw_surface_free(&s);
    return 0;
}
