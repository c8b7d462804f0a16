/*
 * fuzz-surface.h — the body of fuzz-regfile.c and fuzz-hosts.c, which differ only in the
 * name the input is read as (SURFACE_FUZZ_NAME): any input ends in a surface or an error message
 * naming the line; an accepted input is built into items, judged and reported without crashing,
 * and, saved as the agent keeps it between runs (wfpw_surface_save), must read back to the same
 * items with no change between the two (else a restart would report changes that did not
 * happen). Aborts otherwise.
 */
#ifndef WFPW_FUZZ_SURFACE_H
#define WFPW_FUZZ_SURFACE_H

#include <stdlib.h>
#include <string.h>

#include "surface.h"
#include "wfpw/errors.h"

/* line breaks inside a name cannot be written as an export line (regedit cannot either) */
static int writable(const struct wfpw_surface *s)
{
    size_t i;
    for (i = 0; i < s->reg.nvals; i++)
        if (strpbrk(s->reg.vals[i].name, "\r\n") || strpbrk(s->reg.vals[i].key, "\r\n"))
            return 0;
    return 1;
}

static void roundtrip(const struct wfpw_surface *s)
{
    struct wfpw_surface c;
    struct wfpw_surface_change_opts o;
    struct wfpw_buf reg, hosts;
    char err[512];
    cJSON *ev = NULL;
    if (!writable(s))
        return;
    wfpw_buf_init(&reg, 1u << 26);
    wfpw_buf_init(&hosts, 1u << 26);
    wfpw_surface_init(&c);
    if (wfpw_surface_save(s, &reg, &hosts) == 0) {
        if (wfpw_surface_add_file(&c, "state.reg", (const uint8_t *)reg.data, reg.len, err, sizeof(err)) != 0 ||
            (s->have_hosts &&
             wfpw_surface_add_file(&c, "hosts", (const uint8_t *)hosts.data, hosts.len, err, sizeof(err)) != 0) ||
            wfpw_surface_build(&c) != 0 || c.nitems != s->nitems)
            abort();
        memset(&o, 0, sizeof(o));
        o.change_set = "7c2e9a41-3f5b-4d86-a1c7-2e9b5f3d8a64";
        if (wfpw_surface_changes(s, &c, &o, &ev) != 0 || cJSON_GetArraySize(ev) != 0)
            abort();
        cJSON_Delete(ev);
    }
    wfpw_surface_free(&c);
    wfpw_buf_free(&reg);
    wfpw_buf_free(&hosts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_surface s;
    struct wfpw_surface_result res;
    struct wfpw_buf out;
    char err[512] = "";
    int rc;
    wfpw_surface_init(&s);
    rc = wfpw_surface_add_file(&s, SURFACE_FUZZ_NAME, data, size, err, sizeof(err));
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

#endif
