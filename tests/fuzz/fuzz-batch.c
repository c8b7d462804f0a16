/*
 * fuzz-batch.c — libFuzzer driver for the batch decoder (the collector's first contact
 * with untrusted bytes). Invariants checked on every input: no crash or sanitizer report,
 * and any accepted batch re-encodes to bytes that decode and re-encode identically.
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

    wfpw_json_init();
    if (wfpw_batch_decode((const char *)data, size, &b, &err) != 0)
        return 0;
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
