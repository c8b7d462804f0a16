/*
 * fuzz-tlsgate.c — libFuzzer driver for the collector's client-flight reader (net/tlsgate.c):
 * the input is fed as a TLS byte stream in pieces whose sizes come from the first byte, and
 * again in one piece; both ways must reach the same verdict, a refusal must say why, and the
 * reassembly buffer never holds more than one bounded message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/tlsgate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_tlsgate a, b;
    size_t step, off = 0;
    int sa = WFPW_TLSGATE_LOOKING, sb;
    if (size == 0)
        return 0;
    step = (size_t)(data[0] % 17) + 1;
    data++, size--;
    wfpw_tlsgate_init(&a);
    while (off < size && sa == WFPW_TLSGATE_LOOKING) {
        size_t n = size - off < step ? size - off : step;
        sa = wfpw_tlsgate_feed(&a, data + off, n);
        if (a.msg.len > WFPW_TLSGATE_MAX_MSG)
            abort();
        off += n;
    }
    wfpw_tlsgate_init(&b);
    sb = wfpw_tlsgate_feed(&b, data, size);
    if (sa != sb || (sa == WFPW_TLSGATE_REFUSED && (a.why[0] == '\0' || strcmp(a.why, b.why) != 0)))
        abort();
    wfpw_tlsgate_free(&a);
    wfpw_tlsgate_free(&b);
    return 0;
}
