/*
 * fuzz-evtxml.c — libFuzzer driver for the Security event XML reader (agent/src/evtxml):
 * any input, fed in two pieces, ends in converted events that are valid proto v1, skips with
 * a reason, or an error message naming the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evtxml.h"
#include "wfpw/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ctx, struct wfpw_evtxml_event *e)
{
    struct wfpw_proto_err perr;
    (void)ctx;
    if (e->ev == NULL) {
        if (e->reason == NULL)
            abort();
        return 0;
    }
    if (wfpw_event_validate(e->ev, "event", &perr) != 0)
        abort();
    cJSON_Delete(e->ev);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, check, NULL);
    char err[256] = "";
    size_t cut = size ? data[0] % (size + 1) : 0;
    int rc;
    if (p == NULL)
        abort();
    rc = wfpw_evtxml_feed(p, (const char *)data, cut, 0, err, sizeof(err));
    if (rc == 0)
        rc = wfpw_evtxml_feed(p, (const char *)data + cut, size - cut, 1, err, sizeof(err));
    if (rc != 0 && err[0] == '\0')
        abort();
    wfpw_evtxml_free(p);
    return 0;
}
