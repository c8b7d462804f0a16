/*
 * fuzz-batch.c — libFuzzer driver for the batch decoder (the collector's first contact
 * with untrusted bytes). Invariants checked on every input: no crash or sanitizer report,
 * and any accepted batch re-encodes to bytes that decode and re-encode identically; each of
 * its events passes the single-event validator, and the member check the agent's pipeline
 * uses on events it changed (wfpw_event_validate_members) for every one of its members.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/json.h"
#include "wfpw/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_batch *b = NULL, *b2 = NULL;
    struct wfpw_proto_err err;
    struct wfpw_buf one, two;
    const cJSON *ev;

    wfpw_json_init();
    if (wfpw_batch_decode((const char *)data, size, &b, &err) != 0)
        return 0;
    for (ev = wfpw_batch_events(b)->child; ev; ev = ev->next) {
        const char *names[65];
        size_t n = 0;
        const cJSON *m;
        if (wfpw_event_validate(ev, "event", &err) != 0)
            abort();
        for (m = ev->child; m && n < 64; m = m->next)
            names[n++] = m->string;
        names[n] = NULL;
        if (wfpw_event_validate_members(ev, names, "event", &err) != 0)
            abort();
    }
    wfpw_buf_init(&one, 64u << 20);
    wfpw_buf_init(&two, 64u << 20);
    if (wfpw_batch_encode(b, &one) != 0)
        abort();
    if (wfpw_batch_decode(one.data, one.len, &b2, &err) != 0)
        abort();
    if (wfpw_batch_encode(b2, &two) != 0 || one.len != two.len || memcmp(one.data, two.data, one.len))
        abort();
    wfpw_buf_free(&one);
    wfpw_buf_free(&two);
    wfpw_batch_free(b);
    wfpw_batch_free(b2);
    return 0;
}
